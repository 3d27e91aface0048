"""KPI engine core: result types, the formula registry, element sources and the service.

Domain formulas live in production/kpis.py, quality/kpis.py and reliability/kpis.py.
"""

from .elements import ElementRow, compute_elements
from .registry import KpiFormula, element_sources, kpi_formulas
from .service import compute_kpis, resolve_dates, resolve_equipment
from .types import Granularity, GroupBy, KpiResult, NotComputable

__all__ = [
    "ElementRow",
    "Granularity",
    "GroupBy",
    "KpiFormula",
    "KpiResult",
    "NotComputable",
    "compute_elements",
    "compute_kpis",
    "element_sources",
    "kpi_formulas",
    "resolve_dates",
    "resolve_equipment",
]
