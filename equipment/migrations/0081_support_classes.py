"""The ISO 14224 classes that serve the plant rather than process its product are support equipment, not
production work units: drivers and rotating utilities (blowers, combustion engines, compressors,
generators, electric motors, turbines, expanders, pumps), process and storage vessels and lines (filters,
heat exchangers, heaters and boilers, pipelines, piping, pressure vessels, silos, steam ejectors, tanks),
electrical supply and safety and control equipment. Centrifuges, mixers, conveyors, cranes, loading arms,
winches, swivels and turrets stay work units, as do the plant's own production classes. A unit can
override its class (Equipment.is_work_unit)."""

from django.db import migrations

SUPPORT_CLASSES = ("BL", "CE", "CO", "EG", "EM", "GT", "LE", "PU", "ST", "TE", "FS", "HE", "HB", "PL", "PI",
                   "VE", "SI", "SE", "TA", "FC", "PC", "PT", "SG", "UP", "CL", "FG", "NO", "VA", "LB")


def mark_support(apps, schema_editor):
    apps.get_model("equipment", "EquipmentClass").objects.filter(code__in=SUPPORT_CLASSES).update(is_work_unit=False)


def unmark_support(apps, schema_editor):
    apps.get_model("equipment", "EquipmentClass").objects.update(is_work_unit=True)


class Migration(migrations.Migration):
    dependencies = [("equipment", "0080_work_units")]

    operations = [migrations.RunPython(mark_support, unmark_support)]
