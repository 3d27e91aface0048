"""The plant calendar in SQL (time zone, production-day start, helper functions) and the
shift-occurrence materialized view every KPI view joins to. Created WITH NO DATA: the first
`manage.py refresh_views` populates it."""

from django.conf import settings
from django.db import migrations

from mfgplatform.calendar import parse_clock
from mfgplatform.views_sql import (
    DROP_HELPER_FUNCTIONS_V1,
    DROP_OCCURRENCE_AT_V1,
    DROP_SHIFT_OCCURRENCE_V1,
    HELPER_FUNCTIONS_V1,
    OCCURRENCE_AT_V1,
    SHIFT_OCCURRENCE_V1,
    plant_calendar_functions_sql,
)


def create_calendar_functions(apps, schema_editor):
    schema_editor.execute(
        plant_calendar_functions_sql(settings.PLANT_TIME_ZONE, parse_clock(settings.PRODUCTION_DAY_START))
    )


def _schema(schema_editor) -> str:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def create_helper_functions(apps, schema_editor):
    schema_editor.execute(HELPER_FUNCTIONS_V1.format(schema=_schema(schema_editor)))


def create_occurrence_at(apps, schema_editor):
    schema_editor.execute(OCCURRENCE_AT_V1.format(schema=_schema(schema_editor)))


def drop_occurrence_at(apps, schema_editor):
    schema_editor.execute(DROP_OCCURRENCE_AT_V1)


def drop_helper_functions(apps, schema_editor):
    schema_editor.execute(DROP_HELPER_FUNCTIONS_V1)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0040_view_refresh_log")]

    operations = [
        migrations.RunPython(create_calendar_functions, migrations.RunPython.noop),
        migrations.RunPython(create_helper_functions, drop_helper_functions),
        migrations.RunSQL(sql=SHIFT_OCCURRENCE_V1, reverse_sql=DROP_SHIFT_OCCURRENCE_V1),
        migrations.RunPython(create_occurrence_at, drop_occurrence_at),
    ]
