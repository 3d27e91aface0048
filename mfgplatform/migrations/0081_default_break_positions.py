"""Each shift's existing break minutes become one break window at the documented default position: the
middle of the shift's wall-clock length, rounded down to the minute (default_break_start:
06:00–14:00 with 30 minutes → 09:45–10:15), which is where the simulation has always placed the break."""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import (
    bulk_load_with_history,
    default_break_start,
    reference_reason,
)

REASON = reference_reason("0081_default_break_positions")


def position_breaks(apps, schema_editor):
    DimShift = apps.get_model("mfgplatform", "DimShift")
    rows = [
        {"shift_id": shift.pk, "minutes": shift.planned_break_minutes,
         "start_time": default_break_start(shift.start_time, shift.end_time, shift.planned_break_minutes)}
        for shift in DimShift.objects.filter(planned_break_minutes__gt=0)
    ]
    bulk_load_with_history(apps, "mfgplatform", "ShiftBreak", rows, REASON)


def unposition_breaks(apps, schema_editor):
    """Back to minutes only: the total stays on the shift; the windows and their creation records go."""
    ShiftBreak = apps.get_model("mfgplatform", "ShiftBreak")
    ShiftBreak.objects.all().delete()
    apps.get_model("mfgplatform", "HistoricalShiftBreak").objects.filter(history_change_reason=REASON).delete()


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0080_shift_break")]

    operations = [migrations.RunPython(position_breaks, unposition_breaks)]
