"""mv_quality_measurement version 4 (quality/sql/mv_quality_measurement/v4.sql): one row per subgroup
with its count, mean and sum of squared deviations from the mean (exact far from zero, combined with
the pairwise update) instead of Σx and Σx², plus min, max and the first and last instant. Reverse
restores version 3 from its file. Both are created empty, like every new view."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "mv_quality_measurement"
DROP = "DROP MATERIALIZED VIEW IF EXISTS mv_quality_measurement;\n"


def version(number: int) -> str:
    return (SQL_DIR / f"v{number}.sql").read_text(encoding="utf-8")


class Migration(migrations.Migration):
    dependencies = [("quality", "0042_mv_quality_v3")]

    operations = [
        migrations.RunSQL(sql=DROP + version(4), reverse_sql=DROP + version(3)),
    ]
