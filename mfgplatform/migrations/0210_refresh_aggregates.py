"""The refresh loop of the registered aggregates as database functions (mfgplatform/sql/refresh_aggregates/
v1.sql), so the Celery job, `refresh_views` and the pg_cron job run the same loop. Reverse drops them."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"


def sql(*files: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order (docs/sql.md)."""
    return "".join((SQL / f"{name}.sql").read_text() for name in files)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0190_mfg_shift_at")]

    operations = [
        migrations.RunSQL(
            sql=sql("refresh_aggregates/v1"),
            reverse_sql="DROP FUNCTION mfg_refresh_aggregates(jsonb, text, boolean, interval, boolean, boolean);\n"
                        "DROP FUNCTION mfg_source_signature(text[]);",
        ),
    ]
