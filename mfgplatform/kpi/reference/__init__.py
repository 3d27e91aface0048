"""An independent computation of the KPI elements straight from the facts, in plain Python, to check the
views against (`manage.py verify_iso_compliance`, `manage.py kpi --from-facts`, the property tests).

It reads only facts and dimensions and builds each element from its ISO 22400-2 / ISO 14224 definition by
interval-set arithmetic per shift occurrence (docs/kpi.md, "Verification"); it shares no SQL and no
formulation with the views it checks.

    reference = compute(first_day, last_day)
    differences = compare_with_views(reference)
"""

from .compare import Difference, compare_with_views, describe
from .compute import Reference, compute
from .source import ReferenceFetch

__all__ = ["Difference", "Reference", "ReferenceFetch", "compare_with_views", "compute", "describe"]
