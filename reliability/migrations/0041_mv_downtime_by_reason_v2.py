"""mv_downtime_by_reason, version 2: the same rows, the occurrence of each stop's start found by a
hash join on the hour instead of a function call per stop (reliability/sql/). Reverse restores
version 1. The other reliability views are unchanged."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)

DROP_DOWNTIME_BY_REASON = "DROP MATERIALIZED VIEW IF EXISTS mv_downtime_by_reason;\n"


class Migration(migrations.Migration):
    dependencies = [("reliability", "0040_mv_reliability")]

    operations = [
        migrations.RunSQL(sql=DROP_DOWNTIME_BY_REASON + sql("mv_downtime_by_reason/v2"),
                          reverse_sql=DROP_DOWNTIME_BY_REASON + sql("mv_downtime_by_reason/v1")),
    ]
