"""The KPI service: any catalog KPI for an equipment set × date range × granularity.

    compute_kpis(["oee", "availability"], equipment=["LINE-1"], date_range="last_month",
                 granularity="day")

Elements are summed over the selection first and the formula applied to the sums, so a line's
OEE is the ratio of its summed elements, never a mean of its machines' OEEs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db.models import Q

from ..calendar import UNSCHEDULED, UNSCHEDULED_SHIFT_ID, ResolvedRange, shift_label
from ..models import DimDateRange, DimShift, KpiDefinition
from .freshness import freshness
from .registry import KpiFormula, element_sources, kpi_formulas
from .sources import ElementSource
from .types import Bucket, Granularity, GroupBy, KpiResult, Selection


def resolve_equipment(equipment: Iterable[str] = (), equipment_classes: Iterable[str] = ()) -> tuple[int, ...] | None:
    """Ids of the named equipment nodes with their whole subtrees (a line, an area, a site, a unit),
    narrowed to the named equipment classes; None when nothing is named (the whole plant)."""
    equipment, equipment_classes = list(equipment), list(equipment_classes)
    if not equipment and not equipment_classes:
        return None
    model = apps.get_model("equipment", "Equipment")
    queryset = model.objects.all()
    if equipment:
        nodes = {node.code: node.path for node in model.objects.filter(code__in=equipment)}
        unknown = sorted(set(equipment) - set(nodes))
        if unknown:
            raise ValueError(f"unknown equipment code(s): {', '.join(unknown)}")
        subtree = Q()
        for path in nodes.values():
            subtree |= Q(path=path) | Q(path__startswith=f"{path}/")
        queryset = queryset.filter(subtree)
    if equipment_classes:
        class_model = apps.get_model("equipment", "EquipmentClass")
        known = set(class_model.objects.filter(code__in=equipment_classes).values_list("code", flat=True))
        unknown = sorted(set(equipment_classes) - known)
        if unknown:
            raise ValueError(f"unknown equipment class code(s): {', '.join(unknown)}")
        queryset = queryset.filter(equipment_class__code__in=equipment_classes)
    return tuple(sorted(queryset.values_list("id", flat=True)))


def resolve_dates(
    *, start: dt.date | None = None, end: dt.date | None = None, date_range: str | None = None,
    today: dt.date | None = None,
) -> ResolvedRange:
    """A named range (dim_date_range code, resolved against `today`) or explicit start and end."""
    if date_range:
        try:
            named = DimDateRange.objects.get(code=date_range)
        except DimDateRange.DoesNotExist as missing:
            raise ValueError(f"unknown date range {date_range!r}") from missing
        return named.resolve(today)
    if start is None or end is None:
        raise ValueError("give a named date range or both start and end dates")
    if end < start:
        raise ValueError("the end date is before the start date")
    return ResolvedRange(start, end)


def _lookup_id(app_label: str, model_name: str, code: str | None) -> int | None:
    if code is None:
        return None
    model = apps.get_model(app_label, model_name)
    try:
        return model.objects.only("id").get(code=code).id
    except model.DoesNotExist as missing:
        raise ValueError(f"unknown {model._meta.verbose_name} {code!r}") from missing


def _shift_id(code: str | None) -> int | None:
    """A shift pattern's id by its code; "Unscheduled" is the unscheduled occurrence (shift 0)."""
    if code is not None and code.casefold() == UNSCHEDULED.casefold():
        return UNSCHEDULED_SHIFT_ID
    return _lookup_id("mfgplatform", "DimShift", code)


def compute_kpis(
    codes: Sequence[str],
    *,
    equipment: Iterable[str] = (),
    equipment_classes: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    date_range: str | None = None,
    today: dt.date | None = None,
    granularity: str = Granularity.TOTAL,
    group_by: str = GroupBy.NONE,
    failure_mode: str | None = None,
    characteristic: str | None = None,
    product: str | None = None,
    shift: str | None = None,
    from_facts: bool = False,
    fetch: Callable[[ElementSource, Selection], dict[Bucket, dict[str, Any]]] | None = None,
) -> list[KpiResult]:
    """`fetch(source, selection)` replaces reading the sources' views (the plain-Python reference of
    mfgplatform.kpi.reference passes itself here); the formulas, buckets and roll-up stay the same."""
    if granularity not in Granularity.ALL:
        raise ValueError(f"granularity must be one of {', '.join(Granularity.ALL)}")
    if group_by not in GroupBy.ALL:
        raise ValueError(f"group_by must be one of {', '.join(GroupBy.ALL)}")
    dates = resolve_dates(start=start, end=end, date_range=date_range, today=today)
    selection = Selection(
        equipment_ids=resolve_equipment(equipment, equipment_classes),
        start=dates.start, end=dates.end, granularity=granularity, group_by=group_by,
        failure_mode_id=_lookup_id("reliability", "FailureMode", failure_mode),
        characteristic=characteristic,
        product_id=_lookup_id("production", "Product", product),
        shift_id=_shift_id(shift),
        from_facts=from_facts,
    )
    formulas = kpi_formulas()
    unknown = [code for code in codes if code not in formulas]
    catalog = {row.code: row for row in KpiDefinition.objects.filter(code__in=unknown)}
    missing = [code for code in unknown if code not in catalog]
    if missing:
        raise ValueError(f"unknown KPI code(s): {', '.join(missing)}")

    sources = element_sources()
    needed = {name for code in codes if code in formulas for name in formulas[code].sources}
    # Each source sums only the elements the requested formulas name (a formula reading another one
    # finds it missing, never a silent zero).
    symbols = {name: {symbol for code in codes if code in formulas and name in formulas[code].sources
                      for symbol in formulas[code].elements} & set(sources[name].elements)
               for name in needed}
    fetched = {name: fetch(sources[name], selection) if fetch else sources[name].fetch(selection, symbols[name])
               for name in sorted(needed)}
    labels = _Labels(selection, dates)

    results: list[KpiResult] = []
    # Every answer says how current the aggregates it read are (none when read from the facts).
    fresh = None if from_facts or fetch else freshness(sources[name].view for name in needed)
    for code in codes:
        if code in catalog:
            results.append(labels.unsupported(catalog[code]))
            continue
        formula = formulas[code]
        merged = _merged_elements(formula, sources, fetched, selection, None if fetch else symbols)
        if not merged:
            results.append(labels.no_data(formula))
        for bucket, elements in merged:
            value, reason, flags, details = formula.evaluate(elements)
            results.append(KpiResult(
                kpi=formula.code, name=formula.name, standard=formula.standard, period=labels.period(bucket),
                group=labels.group(bucket), value=value, unit=formula.unit, formula=formula.formula,
                elements={symbol: float(elements.get(symbol) or 0) for symbol in formula.elements},
                reason=reason, flags=flags, details=details, note=formula.note,
            ))
    if fresh is not None:
        for result in results:
            result.data_as_of, result.stale, result.stale_reason = fresh.as_of, fresh.stale, fresh.reason
    return results


def _merged_elements(
    formula: KpiFormula, sources: dict[str, ElementSource], fetched: dict[str, dict[Bucket, dict[str, Any]]],
    selection: Selection, symbols: dict[str, set[str]] | None = None,
) -> list[tuple[Bucket, dict[str, Any]]]:
    """Per bucket (and group), the elements of all the formula's sources; a source that cannot split
    by the requested group contributes its ungrouped sums to every group."""
    splitting = [name for name in formula.sources if sources[name].supports_group(selection.group_by)]
    key_sources = splitting if selection.group_by != GroupBy.NONE and splitting else formula.sources
    keys = sorted({bucket for name in key_sources for bucket in fetched[name]}, key=Bucket.sort_key)
    merged = []
    for bucket in keys:
        elements: dict[str, Any] = {}
        for name in formula.sources:
            lookup = bucket if name in splitting else Bucket(bucket.start, bucket.shift_id, None)
            # A source without rows for the bucket recorded nothing there: its sums are zero.
            summed = sources[name].elements if symbols is None else symbols[name]
            elements.update(dict.fromkeys(summed, 0) | fetched[name].get(lookup, {}))
        merged.append((bucket, elements))
    return merged


class _Labels:
    def __init__(self, selection: Selection, dates: ResolvedRange):
        self.selection, self.dates = selection, dates
        self._shift_codes: dict[int, str] | None = None
        self._group_codes: dict[Any, str] | None = None

    def period(self, bucket: Bucket) -> str:
        granularity = self.selection.granularity
        if granularity == Granularity.TOTAL or bucket.start is None:
            return f"{self.dates.start.isoformat()}..{self.dates.end.isoformat()}"
        if granularity == Granularity.WEEK:
            year, week, _ = bucket.start.isocalendar()
            return f"{year}-W{week:02d}"
        if granularity == Granularity.MONTH:
            return bucket.start.strftime("%Y-%m")
        if granularity == Granularity.SHIFT:
            return f"{bucket.start.isoformat()} {self._shift_code(bucket.shift_id)}"
        return bucket.start.isoformat()

    def _shift_code(self, shift_id: int | None) -> str:
        if self._shift_codes is None:
            self._shift_codes = dict(DimShift.objects.values_list("id", "code"))
        return shift_label(shift_id, self._shift_codes)

    def group(self, bucket: Bucket) -> str | None:
        group_by = self.selection.group_by
        if group_by == GroupBy.NONE:
            return None
        if self._group_codes is None:
            model = {
                GroupBy.EQUIPMENT: ("equipment", "Equipment"),
                GroupBy.EQUIPMENT_CLASS: ("equipment", "EquipmentClass"),
                GroupBy.FAILURE_MODE: ("reliability", "FailureMode"),
            }[group_by]
            self._group_codes = dict(apps.get_model(*model).objects.values_list("id", "code"))
        if bucket.group is None:
            return "all"
        return self._group_codes.get(bucket.group, "none")

    def no_data(self, formula: KpiFormula) -> KpiResult:
        return KpiResult(
            kpi=formula.code, name=formula.name, standard=formula.standard,
            period=f"{self.dates.start.isoformat()}..{self.dates.end.isoformat()}", value=None, unit=formula.unit,
            formula=formula.formula, elements={}, reason="no recorded data in the selection", note=formula.note,
        )

    def unsupported(self, definition: KpiDefinition) -> KpiResult:
        needs = ", ".join(definition.elements) or "elements"
        return KpiResult(
            kpi=definition.code, name=definition.name, standard=definition.standard,
            period=f"{self.dates.start.isoformat()}..{self.dates.end.isoformat()}", value=None,
            unit=definition.unit, formula=definition.formula, elements={},
            reason=f"not computable from the recorded data (needs {needs})",
        )
