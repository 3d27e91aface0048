"""agg_sensor_hourly version 2 (reliability/sql/agg_sensor_hourly/v2.sql): each hour keeps the mean and
the sum of squared deviations from it instead of Σx and Σx², and its pass never fails on an accepted
reading. The rows are carried over (the history retention dropped stays: count, mean, min and max; the
spread of those hours is unknown, NULL) and every hour the hypertable still holds is invalidated, so
the next pass recomputes it exactly. Reverse restores version 1 from its file the same way (sums
from the means, the sum of squares NULL until recomputed)."""

from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql" / "agg_sensor_hourly"


def version(number: int) -> str:
    return (SQL_DIR / f"v{number}.sql").read_text(encoding="utf-8")


# Each version file creates the table, its invalidation log (with one invalidation covering the
# readings stored) and the pass; the previous ones are set aside first and their rows carried over.
SET_ASIDE = """
DROP FUNCTION agg_sensor_hourly_refresh(boolean);
DROP TABLE agg_sensor_hourly_invalidation;
ALTER TABLE agg_sensor_hourly RENAME TO agg_sensor_hourly_previous;
ALTER TABLE agg_sensor_hourly_previous RENAME CONSTRAINT agg_sensor_hourly_pkey TO agg_sensor_hourly_previous_pkey;
ALTER INDEX agg_sensor_hourly_bucket_idx RENAME TO agg_sensor_hourly_previous_bucket_idx;
"""

CARRY_OVER_TO_V2 = """
INSERT INTO agg_sensor_hourly (equipment_id, tag, bucket, readings, good_readings, value_mean, value_dev_sum,
                               value_m2, value_min, value_max)
SELECT equipment_id, tag, bucket, readings, good_readings,
       CASE WHEN good_readings = 0 THEN NULL
            WHEN abs(value_sum) >= 1e-290 THEN value_sum / good_readings ELSE 0 END,
       CASE WHEN good_readings = 0 THEN NULL ELSE 0 END, NULL, value_min, value_max
  FROM agg_sensor_hourly_previous;
DROP TABLE agg_sensor_hourly_previous;
"""

CARRY_OVER_TO_V1 = """
INSERT INTO agg_sensor_hourly (equipment_id, tag, bucket, readings, good_readings, value_sum, value_sq_sum,
                               value_min, value_max)
SELECT equipment_id, tag, bucket, readings, good_readings,
       CASE WHEN abs(value_mean) <= 1e290 THEN value_mean * good_readings END, NULL, value_min, value_max
  FROM agg_sensor_hourly_previous;
DROP TABLE agg_sensor_hourly_previous;
"""


class Migration(migrations.Migration):
    dependencies = [("reliability", "0045_agg_downtime_by_reason")]

    operations = [
        migrations.RunSQL(
            sql=SET_ASIDE + version(2) + CARRY_OVER_TO_V2,
            reverse_sql=SET_ASIDE + version(1) + CARRY_OVER_TO_V1,
        ),
    ]
