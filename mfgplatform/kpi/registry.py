"""The registry of KPI formulas and of the element sources they read.

A formula is a function of named elements (sums over the selection), never of pre-computed ratios,
so a KPI for a line, a week or a plant is always a ratio of sums. Each domain app registers its
formulas and sources in `<app>/kpis.py`; the registry discovers those modules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..app_registry import AppRegistry
from .types import NotComputable, Number

if TYPE_CHECKING:
    from .sources import ElementSource

Elements = Mapping[str, Any]


@dataclass(frozen=True)
class Evaluation:
    value: Number
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiFormula:
    """One KPI: its formula over elements, the sources of those elements, unit and expected range.

    `compute` returns the value (or an Evaluation with details such as confidence bounds) and
    raises NotComputable with a reason instead of dividing by zero. A value above `flag_above` is
    returned unchanged and flagged.
    """

    code: str
    name: str
    standard: str
    formula: str
    unit: str
    elements: tuple[str, ...]
    sources: tuple[str, ...]
    compute: Callable[[Elements], Number | Evaluation]
    flag_above: float | None = None
    flag_name: str = "above_100_percent"
    note: str = ""

    def evaluate(self, elements: Elements) -> tuple[float | None, str | None, list[str], dict[str, Any]]:
        """(value, reason, flags, details) for one set of element sums."""
        try:
            outcome = self.compute(elements)
        except NotComputable as not_computable:
            return None, not_computable.reason, [], {}
        details: dict[str, Any] = {}
        if isinstance(outcome, Evaluation):
            details, outcome = outcome.details, outcome.value
        value = float(outcome)
        flags = [self.flag_name] if self.flag_above is not None and value > self.flag_above else []
        return value, None, flags, details


# Both filled by the apps' `kpis.py` (mfgplatform.app_registry).
_formulas: AppRegistry[KpiFormula] = AppRegistry("kpis", "KPI")
_sources: AppRegistry[ElementSource] = AppRegistry("kpis", "element source")


def register_kpi(formula: KpiFormula) -> KpiFormula:
    return _formulas.register(formula.code, formula)


def register_source(source: ElementSource) -> ElementSource:
    return _sources.register(source.name, source)


def kpi_formulas() -> dict[str, KpiFormula]:
    return _formulas.entries()


def element_sources() -> dict[str, ElementSource]:
    return _sources.entries()


# --- arithmetic helpers the formulas share -----------------------------------------------------


def exact(value: Any) -> Fraction:
    """An element as an exact fraction (views return Decimal sums)."""
    if value is None:
        return Fraction(0)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(value).limit_denominator(10**12)
    return Fraction(value)


def ratio(numerator: Any, denominator: Any, denominator_name: str) -> Fraction:
    """numerator / denominator, or NotComputable when the denominator is zero."""
    denominator = exact(denominator)
    if denominator == 0:
        raise NotComputable(f"{denominator_name} is zero")
    return exact(numerator) / denominator
