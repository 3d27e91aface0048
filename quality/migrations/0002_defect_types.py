"""A generic starter defect catalog, one or more types per defect category; plants extend it."""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, reference_reason

REASON = reference_reason("0002_defect_types")

# (code, name, category, severity, reworkable, description)
DEFECT_TYPES = [
    ("DIM-OOT", "Out of tolerance", "dimensional", "major", True,
     "A dimension outside its specification limits."),
    ("VIS-SCRATCH", "Scratch", "visual", "minor", True, "Surface scratch on a visible face."),
    ("VIS-DENT", "Dent", "visual", "minor", False, "Local deformation of the surface."),
    ("VIS-FLASH", "Flash / burr", "visual", "minor", True, "Excess material at a parting line or edge."),
    ("FUN-LEAK", "Leak", "functional", "critical", False, "Fails the leak or pressure test."),
    ("FUN-NO-FIT", "Does not fit", "functional", "major", False, "Does not fit its mating part or gauge."),
    ("MAT-CRACK", "Crack", "material", "critical", False, "Crack in the material."),
    ("MAT-POROSITY", "Porosity", "material", "major", False, "Voids or gas inclusions in the material."),
    ("ASM-MISSING", "Missing component", "assembly", "major", True, "A component of the assembly is missing."),
    ("ASM-MISALIGN", "Misaligned component", "assembly", "major", True, "A component is assembled out of position."),
    ("CON-PARTICLE", "Particle contamination", "contamination", "minor", True, "Foreign particles on or in the part."),
    ("PRC-STARTUP", "Start-up scrap", "process", "minor", False,
     "Parts made while the process stabilises after a start or changeover (planned scrap, PSQ)."),
]


def load(apps, schema_editor):
    bulk_load_with_history(
        apps, "quality", "DefectType",
        [{"code": code, "name": name, "category": category, "severity": severity, "is_reworkable": reworkable,
          "description": description}
         for code, name, category, severity, reworkable, description in DEFECT_TYPES],
        REASON,
    )


def unload(apps, schema_editor):
    delete_by_codes(apps, "quality", "DefectType", [row[0] for row in DEFECT_TYPES], REASON)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
