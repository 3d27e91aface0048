"""The CSV formats of the reliability facts: sensor readings and downtime (docs/ingest.md)."""

from __future__ import annotations

from mfgplatform.ingest.facts import (
    Column,
    FactSpec,
    calendar_check,
    calendar_join,
    equipment_unit_check,
    order_check,
    register_fact,
    shift_id,
    value,
)

from .choices import SensorQuality
from .sensor_aggregate import record_sensor_writes

# The quality codes a reading may carry and the one it gets without any: reliability.choices, where the
# model field takes them from too.
QUALITY_CODES = tuple(str(code) for code in SensorQuality.values)
DEFAULT_QUALITY = int(SensorQuality.GOOD)

SENSOR_EVENT = FactSpec(
    name="sensor_event",
    table="fact_sensor_event",
    columns=(
        Column("time", "timestamp"),
        Column("equipment", "code", lookup="dim_equipment"),
        Column("tag", max_length=64),
        Column("value", "number"),
        Column("quality", "integer", required=False, choices=QUALITY_CODES),
    ),
    # The same statement records the time range of the readings for the hourly sensor aggregate's
    # next pass (what record_sensor_writes does, here without a second scan of the staged rows); the
    # readings are cast once, for both inserts.
    insert=f"""
        WITH reading AS (
            SELECT s.time::timestamptz AS time, l_equipment.id AS equipment_id, s.tag, s.value::float8 AS value,
                   coalesce(nullif(s.quality, '')::smallint, {DEFAULT_QUALITY}) AS quality
              FROM staging s {{joins}}),
        invalidated AS (
            INSERT INTO agg_sensor_hourly_invalidation (low, high)
            SELECT min(time), max(time) FROM reading HAVING count(*) > 0)
        INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality)
        SELECT time, equipment_id, tag, value, quality FROM reading""",
    # The unique (equipment, tag, time) key makes a replayed reading a no-op.
    skip_present=True,
    cast_by_insert=("time", "value", "quality"),
    # Other writers of readings (the ingest API) record them through the reliability app's function.
    record_writes=record_sensor_writes,
)

_DOWNTIME_SPANS = f"""
    SELECT s.row_no, s.equipment, {value('started_at', 'timestamp')} AS started,
           coalesce({value('ended_at', 'timestamp')}, 'infinity') AS ended
      FROM staging s
     WHERE {value('started_at', 'timestamp')} IS NOT NULL
       AND (coalesce(s.ended_at, '') = '' OR {value('ended_at', 'timestamp')} IS NOT NULL)"""

DOWNTIME = FactSpec(
    name="downtime",
    table="fact_downtime",
    columns=(
        Column("equipment", "code", lookup="dim_equipment"),
        Column("reason", "code", lookup="dim_downtime_reason"),
        Column("started_at", "timestamp"),
        Column("ended_at", "timestamp", required=False),
        Column("failure_mode", "code", required=False, lookup="ref_iso14224_failure_mode"),
        Column("failure_mechanism", "code", required=False, lookup="ref_iso14224_failure_mechanism"),
        Column("failure_cause", "code", required=False, lookup="ref_iso14224_failure_cause"),
        Column("failure_impact", required=False, choices=("critical", "degraded", "incipient", "unknown")),
        Column("detection_method", "code", required=False, lookup="ref_iso14224_detection_method"),
        Column("maintenance_activity", "code", required=False, lookup="ref_iso14224_maintenance_activity"),
        Column("active_repair_minutes", "number", required=False, nonnegative=True),
        Column("work_order", required=False, max_length=64),
        Column("comment", required=False),
        Column("shift", "code", required=False, lookup="dim_shift"),
    ),
    extra_joins=calendar_join("started_at"),
    labelled_by="started_at",
    row_checks=(
        equipment_unit_check(),
        calendar_check("started_at"),
        order_check("started_at", "ended_at"),
        # A group is any reason with children, whatever its time category says.
        ("reason", "CASE WHEN l_reason.time_category = '' OR EXISTS (SELECT 1 FROM dim_downtime_reason child "
                   "WHERE child.parent_id = l_reason.id) THEN 'is a reason group; book a leaf reason' END"),
    ),
    set_checks=(
        # Within the file: a stop starting before the latest end of the earlier stops of its unit.
        f"""SELECT row_no, 'started_at', 'overlaps another downtime of the same equipment in this file'
              FROM (SELECT row_no, started,
                           max(ended) OVER (PARTITION BY equipment ORDER BY started, row_no
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
                      FROM ({_DOWNTIME_SPANS}) spans) ordered
             WHERE earlier_end > started""",
        # Against what is already recorded.
        f"""SELECT spans.row_no, 'started_at',
                   'overlaps downtime already recorded for this equipment from ' || d.started_at
              FROM ({_DOWNTIME_SPANS}) spans
              JOIN dim_equipment e ON e.code = spans.equipment
              CROSS JOIN LATERAL (SELECT d.started_at FROM fact_downtime d
                                   WHERE d.equipment_id = e.id AND d.started_at < spans.ended
                                     AND coalesce(d.ended_at, 'infinity') > spans.started
                                   ORDER BY d.started_at LIMIT 1) d""",
    ),
    insert=f"""
        INSERT INTO fact_downtime (equipment_id, reason_id, date_key, shift_id, started_at, ended_at,
            failure_mode_id, failure_mechanism_id, failure_cause_id, failure_impact, detection_method_id,
            maintenance_activity_id, active_repair_minutes, work_order, comment, load_batch)
        SELECT l_equipment.id, l_reason.id, cal.date_key, {shift_id('started_at')},
               s.started_at::timestamptz, {value('ended_at', 'timestamp')},
               l_failure_mode.id, l_failure_mechanism.id, l_failure_cause.id, coalesce(s.failure_impact, ''),
               l_detection_method.id, l_maintenance_activity.id, {value('active_repair_minutes', 'number')},
               coalesce(s.work_order, ''), coalesce(s.comment, ''), %(batch)s
          FROM staging s {{joins}}""",
)

register_fact(SENSOR_EVENT)
register_fact(DOWNTIME)
