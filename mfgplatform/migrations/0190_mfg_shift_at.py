"""mfg_shift_at(ts): the regular shift an instant belongs to by the shift calendar, or NULL off shift
(mfgplatform/sql/mfg_shift_at/): the label load_facts and the ingest API give facts."""

from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"
DROP = "DROP FUNCTION IF EXISTS mfg_shift_at(timestamptz);\n"


def sql(*files: str, **placeholders: str) -> str:
    """This app's released SQL files `<object>/v<N>`, in order, `{name}` placeholders filled in (docs/sql.md)."""
    text = "".join((SQL / f"{name}.sql").read_text() for name in files)
    for name, value in placeholders.items():
        text = text.replace("{" + name + "}", value)
    return text


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    schema_editor.execute(sql("mfg_shift_at/v1", schema=schema))


def drop(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0110_import_job_dispatch")]

    operations = [migrations.RunPython(create, drop)]
