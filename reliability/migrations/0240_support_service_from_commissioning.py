"""Support equipment is in service from commissioning, not from its first record
(reliability/sql/v_support_operation/v2.sql): its failure-free time before its first stop counts, and a
unit that never stopped is listed. Reverse restores version 1."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql" / "v_support_operation"


class Migration(migrations.Migration):
    dependencies = [("reliability", "0221_failure_codes_by_class")]

    operations = [
        migrations.RunSQL(sql=(SQL / "v2.sql").read_text(),
                          reverse_sql="DROP VIEW v_support_operation;\n" + (SQL / "v1.sql").read_text()),
    ]
