"""Aggregates: the materialized views and incrementally kept tables that hold the KPI building blocks.

- `registry`       — the registered aggregates, their refresh order, one refresh of each
- `refresh`        — the scheduled refresh: only the aggregates whose sources changed
- `plant_calendar` — the shared layer's own aggregates (shift occurrences and their hours)

Every app declares its aggregates in `<app>/aggregates.py`; the registry discovers those modules. Their SQL,
and that of the day-kept machinery (`mfgplatform/sql/day_aggregate/`), are versioned files (docs/sql.md).
For this app that module is this package, so it imports its own declarations.
"""

from . import plant_calendar  # noqa: F401
