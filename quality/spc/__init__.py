"""Statistical process control: Shewhart control charts (X̄–R, X̄–S, I–MR, p, np, c, u) with phase I
baselines, selectable σ_within estimators and the Western Electric / Nelson rules; see docs/kpi.md
"Control charts"."""

from .charts import ATTRIBUTE_CHARTS, CHART_TYPES, VARIABLE_CHARTS, ChartError, ControlChart
from .rules import RULE_SETS
from .service import ChartResult, control_chart, select

__all__ = ["ATTRIBUTE_CHARTS", "CHART_TYPES", "RULE_SETS", "VARIABLE_CHARTS", "ChartError", "ChartResult",
           "ControlChart", "control_chart", "select"]
