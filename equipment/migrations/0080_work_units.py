"""Work units and support equipment: which equipment enters OEE is master data on the equipment class,
overridable per unit (0081 marks the support classes). The class's flag has a database default, so rows
written by earlier migrations' states get it too.

The first and last operations fire the foreign-key checks still pending in the transaction: PostgreSQL
refuses to alter a table with pending trigger events (a migrate that loads reference data in the same
transaction, as a test database does)."""

from django.db import migrations, models

IMMEDIATE = "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED;"


class Migration(migrations.Migration):

    dependencies = [
        ('equipment', '0002_equipment_classes'),
    ]

    operations = [
        migrations.RunSQL(IMMEDIATE, reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name='equipment',
            name='is_work_unit',
            field=models.BooleanField(blank=True, help_text='Empty: as the equipment class says. Set to override the class for this unit.', null=True, verbose_name='work unit (override)'),
        ),
        migrations.AddField(
            model_name='equipmentclass',
            name='is_work_unit',
            field=models.BooleanField(default=True, db_default=True, help_text="Production work unit (ISO 22400): its equipment enters OEE and the time model's roll-ups. Off for support equipment (pumps, compressors) that runs continuously and makes no product."),
        ),
        migrations.AddField(
            model_name='historicalequipment',
            name='is_work_unit',
            field=models.BooleanField(blank=True, help_text='Empty: as the equipment class says. Set to override the class for this unit.', null=True, verbose_name='work unit (override)'),
        ),
        migrations.AddField(
            model_name='historicalequipmentclass',
            name='is_work_unit',
            field=models.BooleanField(default=True, db_default=True, help_text="Production work unit (ISO 22400): its equipment enters OEE and the time model's roll-ups. Off for support equipment (pumps, compressors) that runs continuously and makes no product."),
        ),
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=IMMEDIATE),
    ]
