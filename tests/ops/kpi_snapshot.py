"""Every KPI of the catalog over a date range, for comparing two databases value for value.

`snapshot()` runs in the test process; `python manage.py shell -c "from tests.ops.kpi_snapshot import
main; main('2026-01-01', '2026-01-31')"` with DATABASE_URL pointing elsewhere prints the same as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.db import connection

from mfgplatform.kpi import compute_kpis
from mfgplatform.models import KpiDefinition


def _capability_selections() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT q.characteristic, p.code FROM fact_quality q JOIN dim_product p ON p.id = q.product_id
                WHERE q.kind = 'variable' ORDER BY 1, 2"""
        )
        return cursor.fetchall()


def snapshot(start: dt.date, end: dt.date) -> list[dict]:
    """Each catalog KPI per equipment and day (capability indices per characteristic and product)."""
    results = []
    for code in KpiDefinition.objects.order_by("code").values_list("code", flat=True):
        try:
            results += compute_kpis([code], start=start, end=end, group_by="equipment", granularity="day")
        except ValueError:  # capability indices need a characteristic
            for characteristic, product in _capability_selections():
                results += compute_kpis([code], start=start, end=end, characteristic=characteristic, product=product)
    # When the figures were read is not part of them.
    rows = [{k: v for k, v in result.as_dict().items() if k != "data_as_of"} for result in results]
    return sorted(rows, key=lambda row: json.dumps(_rounded(row), sort_keys=True, default=str))


def _rounded(value):
    """The sort key ignores the last digits of floats, which a recomputed view may change."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def main(start: str, end: str) -> None:
    rows = snapshot(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    sys.stdout.write(json.dumps(rows, sort_keys=True, default=str))
