"""Control charts for a selection: which data each chart reads, and the capability beside it.

- X̄–R and X̄–S read the subgroup aggregate `mv_quality_measurement`, one row per subgroup (equipment ×
  shift occurrence × product × characteristic × subgroup number; see docs/kpi.md "Subgroups and
  spreads"), never the raw measurements: a year of one characteristic is some ten thousand rows.
- I–MR reads the individual measurements of the characteristic (`fact_quality`), in time order: the
  individual values are its data. Use it for characteristics measured one at a time.
- p, np, c and u read `mv_quality_by_defect`; a subgroup is one shift occurrence of the selected
  equipment (the inspections of all selected units in that shift), its size the units inspected.

The baseline (phase I) is a range of production dates inside or before the charted range; without
one, every charted subgroup is phase I.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection

from mfgplatform.calendar import UNSCHEDULED, date_key, local_instant, parse_clock, shift_label
from mfgplatform.kpi.service import _lookup_id, resolve_dates, resolve_equipment

from ..moments import combine_arrays
from . import charts
from .charts import ChartError, ControlChart, Samples
from .rules import DEFAULT_RULE_SET


@dataclass(frozen=True)
class Selection:
    chart_type: str
    start: dt.date
    end: dt.date
    characteristic: str | None = None
    product_id: int | None = None
    equipment_ids: tuple[int, ...] | None = None
    baseline_start: dt.date | None = None
    baseline_end: dt.date | None = None
    defect_type_id: int | None = None

    def baseline_mask(self, date_keys: np.ndarray) -> np.ndarray:
        """Which of these production days (date keys) lie in the baseline (all without one)."""
        if self.baseline_start is None:
            return np.ones(len(date_keys), dtype=bool)
        return (date_keys >= date_key(self.baseline_start)) & (date_keys <= date_key(self.baseline_end))


@dataclass
class Capability:
    """Indices beside the chart: Cp/Cpk with the chart's σ_within, Pp/Ppk with σ_overall."""

    n: int
    mean: float | None
    sigma_within: float | None
    sigma_overall: float | None
    lsl: float | None
    usl: float | None
    target: float | None
    cp: float | None = None
    cpk: float | None = None
    pp: float | None = None
    ppk: float | None = None
    note: str = ""


@dataclass
class ChartResult:
    selection: Selection
    chart: ControlChart
    capability: Capability | None


def select(chart_type: str, *, characteristic: str | None = None, product: str | None = None,
           equipment: Iterable[str] = (), start: dt.date | None = None, end: dt.date | None = None,
           date_range: str | None = None, today: dt.date | None = None,
           baseline: tuple[dt.date, dt.date] | None = None, defect_type: str | None = None) -> Selection:
    """Resolves codes and named ranges; raises ValueError with a clear message on bad input."""
    if chart_type not in charts.CHART_TYPES:
        raise ValueError(f"chart type must be one of {', '.join(charts.CHART_TYPES)}")
    if chart_type in charts.VARIABLE_CHARTS and not characteristic:
        raise ValueError(f"a {chart_type} chart needs a characteristic (--characteristic)")
    dates = resolve_dates(start=start, end=end, date_range=date_range, today=today)
    if baseline is not None and baseline[1] < baseline[0]:
        raise ValueError("the baseline ends before it starts")
    return Selection(
        chart_type=chart_type, start=dates.start if baseline is None else min(dates.start, baseline[0]),
        end=dates.end, characteristic=characteristic, product_id=_lookup_id("production", "Product", product),
        equipment_ids=resolve_equipment(equipment), baseline_start=baseline[0] if baseline else None,
        baseline_end=baseline[1] if baseline else None,
        defect_type_id=_lookup_id("quality", "DefectType", defect_type),
    )


def control_chart(selection: Selection, *, estimator: str | None = None, rule_set: str = DEFAULT_RULE_SET,
                  from_facts: bool = False) -> ChartResult:
    """The chart of the selection. `from_facts` computes the subgroups with the aggregate's own SELECT
    on the raw measurements instead of reading the aggregate (for verification and benchmarks)."""
    kind = selection.chart_type
    if kind in (charts.XBAR_R, charts.XBAR_S):
        rows = subgroup_rows(selection, from_facts=from_facts)
        chart = charts.subgroup_chart(kind, rows.numbered(), estimator=estimator, rule_set=rule_set)
        return ChartResult(selection, chart, capability(rows, chart.sigma_within))
    if estimator not in (None, charts.DEFAULT_ESTIMATOR.get(kind)):
        raise ChartError(f"a {kind} chart has no choice of σ_within estimator")
    if kind == charts.I_MR:
        values = individual_values(selection)
        chart = charts.individuals_chart(values, rule_set=rule_set)
        return ChartResult(selection, chart, capability(subgroup_rows(selection), chart.sigma_within))
    return ChartResult(selection, charts.attribute_chart(kind, inspection_subgroups(selection), rule_set=rule_set),
                       None)


def _filters(selection: Selection, alias: str = "v") -> tuple[list[str], list]:
    where, params = [f"{alias}.production_date BETWEEN %s AND %s"], [selection.start, selection.end]
    if selection.equipment_ids is not None:
        where.append(f"{alias}.equipment_id = ANY(%s)")
        params.append(list(selection.equipment_ids))
    return where, params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class MeasurementRows:
    """The characteristic's rows of the subgroup aggregate in the selection, as columns, and the
    specification limits over them (subgroup 0 included: its measurements count for σ_overall)."""

    samples: Samples  # every row; `fields["subgroup"]` 0 marks the unnumbered measurements
    moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # n, mean, residual, m2
    lsl: float | None
    usl: float | None
    target: float | None
    limits_consistent: bool

    def numbered(self) -> Samples:
        return self.samples.take(np.asarray(self.samples.fields["subgroup"]) != 0)


def _aggregate(from_facts: bool) -> str:
    if not from_facts:
        return "mv_quality_measurement"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_viewdef('mv_quality_measurement'::regclass)")
        return f"({cursor.fetchone()[0].rstrip().rstrip(';')})"


def subgroup_rows(selection: Selection, *, from_facts: bool = False) -> MeasurementRows:
    where, params = _filters(selection)
    where.append("v.characteristic = %s")
    params.append(selection.characteristic)
    if selection.product_id is not None:
        where.append("v.product_id = %s")
        params.append(selection.product_id)
    condition = " AND ".join(where)
    relation = _aggregate(from_facts)
    # Numbers only (instants as epoch seconds, days as date keys): one numpy conversion for all rows
    # instead of a Python object per timestamp.
    rows = _fetch(f"""
SELECT extract(epoch FROM v.first_at)::float8, v.date_key, v.shift_id, v.subgroup, v.equipment_id, v.n,
       v.value_mean, v.value_dev_sum, v.value_m2, v.value_max - v.value_min
  FROM {relation} AS v
 WHERE {condition}
 ORDER BY v.first_at, v.equipment_id, v.subgroup""", params)  # noqa: S608 (fixed fragments; values are parameters)
    [(lsl, usl, lsl_max, usl_min, target)] = _fetch(f"""
SELECT min(v.lsl), max(v.usl), max(v.lsl_max), min(v.usl_min), min(v.target)
  FROM {relation} AS v
 WHERE {condition}""", params)  # noqa: S608
    table = np.array(rows, dtype=float).reshape(len(rows), 10)
    at, day_keys, shifts, numbers, units, n, approx, residual, m2, ranges = table.T
    residual = np.nan_to_num(residual, nan=0.0)
    names = _names(units, shifts)
    labels: list[str] = []

    def describe(i: int) -> str:
        if not labels:  # every label at once, on first use: a chart needs them all
            days = {key: _day(key).isoformat() for key in set(day_keys.tolist())}
            shift_names = {key: shift_label(int(key), names["shift"]) for key in set(shifts.tolist())}
            labels.extend(f"{days[d]} {shift_names[s]} #{int(k)} {names['unit'][int(u)]}" for d, s, k, u in zip(
                day_keys.tolist(), shifts.tolist(), numbers.tolist(), units.tolist(), strict=True))
        return labels[i]

    samples = Samples(
        at=at, n=n, baseline=selection.baseline_mask(day_keys), describe=describe,
        mean=approx + residual / np.where(n > 0, n, 1), range=ranges, m2=m2,
        fields={"subgroup": numbers.astype(int), "date_key": day_keys.astype(int), "shift_id": shifts.astype(int),
                "equipment_id": units.astype(int)},
    )
    return MeasurementRows(samples, (n, approx, residual, m2), lsl, usl, target, lsl == lsl_max and usl == usl_min)


def _day(key: float) -> dt.date:
    key = int(key)
    return dt.date(key // 10000, key // 100 % 100, key % 100)


def _names(unit_ids, shift_ids) -> dict[str, dict]:
    """Codes of the equipment and shifts by id."""
    return {
        "unit": dict(_fetch("SELECT id, code FROM dim_equipment WHERE id = ANY(%s)",
                            [sorted({int(i) for i in unit_ids})])),
        "shift": dict(_fetch("SELECT id, code FROM dim_shift WHERE id = ANY(%s)",
                             [sorted({int(i) for i in shift_ids})])),
    }


def individual_values(selection: Selection) -> Samples:
    """The characteristic's measurements one by one (an I–MR chart's points), in time order."""
    where = ["q.kind = 'variable'", "q.characteristic = %s", "q.inspected_at >= %s", "q.inspected_at < %s"]
    params: list = [selection.characteristic, _day_start(selection.start),
                    _day_start(selection.end + dt.timedelta(days=1))]
    if selection.product_id is not None:
        where.append("q.product_id = %s")
        params.append(selection.product_id)
    if selection.equipment_ids is not None:
        where.append("q.equipment_id = ANY(%s)")
        params.append(list(selection.equipment_ids))
    rows = _fetch(f"""
SELECT extract(epoch FROM q.inspected_at)::float8, mfg_date_key(mfg_production_date(q.inspected_at)),
       q.equipment_id, q.measured_value
  FROM fact_quality AS q
 WHERE {' AND '.join(where)}
 ORDER BY q.inspected_at, q.equipment_id, q.id""", params)  # noqa: S608
    at, day_keys, units, values = np.array(rows, dtype=float).reshape(len(rows), 4).T
    units_named = _names(units, ())["unit"]
    return Samples(
        at=at, n=np.ones(len(rows)), baseline=selection.baseline_mask(day_keys),
        describe=lambda i: f"{_instant(at[i]):%Y-%m-%d %H:%M:%S} {units_named[int(units[i])]}", mean=values,
        range=np.zeros(len(rows)), m2=np.zeros(len(rows)),
        fields={"date_key": day_keys.astype(int), "equipment_id": units.astype(int)},
    )


def _instant(epoch: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def _day_start(day: dt.date) -> dt.datetime:
    """The instant a production day starts in the plant's time zone."""
    return local_instant(day, parse_clock(settings.PRODUCTION_DAY_START), ZoneInfo(settings.PLANT_TIME_ZONE))


def inspection_subgroups(selection: Selection) -> Samples:
    """Attribute inspections per shift occurrence over the selected equipment; with a defect type,
    its defective units and defects out of all units inspected."""
    where, params = _filters(selection)
    of_type = "TRUE"
    if selection.defect_type_id is not None:
        of_type = "v.defect_type_id = %s"
        params = [selection.defect_type_id, selection.defect_type_id, *params]
    rows = _fetch(f"""
SELECT extract(epoch FROM coalesce(lower(o.occurrence), v.production_date::timestamptz))::float8 AS at,
       v.date_key, coalesce(s.code, %s), sum(v.inspected_qty),
       coalesce(sum(v.defective_qty) FILTER (WHERE {of_type}), 0),
       coalesce(sum(v.defect_count) FILTER (WHERE {of_type}), 0)
  FROM mv_quality_by_defect AS v
  LEFT JOIN mv_shift_occurrence AS o ON o.date_key = v.date_key AND o.shift_id = v.shift_id
  LEFT JOIN dim_shift AS s ON s.id = v.shift_id
 WHERE {' AND '.join(where)}
 GROUP BY 1, 2, 3
HAVING sum(v.inspected_qty) > 0
 ORDER BY 1, 3""", [UNSCHEDULED, *params])  # noqa: S608
    shifts = [row[2] for row in rows]
    at, day_keys, inspected, defective, defects = np.array(
        [(a, d, i, f, c) for a, d, _, i, f, c in rows], dtype=float).reshape(len(rows), 5).T
    return Samples(
        at=at, n=inspected, baseline=selection.baseline_mask(day_keys),
        describe=lambda i: f"{_day(day_keys[i])} {shifts[i]}", defective=defective, defects=defects,
        fields={"date_key": day_keys.astype(int), "shift": shifts},
    )


def capability(rows: MeasurementRows, sigma_within: float | None) -> Capability | None:
    """Cp/Cpk from the chart's σ_within, Pp/Ppk from σ_overall (all measurements, combined exactly)."""
    if len(rows.samples) == 0:
        return None
    overall = combine_arrays(*rows.moments)
    mean = overall.mean + overall.residual / overall.n
    lsl, usl = rows.lsl, rows.usl
    result = Capability(n=overall.n, mean=mean, sigma_within=sigma_within, sigma_overall=overall.stdev, lsl=lsl,
                        usl=usl, target=rows.target)
    if not rows.limits_consistent:
        result.note = "the specification limits differ within the selection"
        return result
    for sigma, potential, critical in ((sigma_within, "cp", "cpk"), (result.sigma_overall, "pp", "ppk")):
        if not sigma or not math.isfinite(sigma):
            continue
        sides = []
        if usl is not None:
            sides.append((usl - mean) / (3 * sigma))
        if lsl is not None:
            sides.append((mean - lsl) / (3 * sigma))
        if sides:
            setattr(result, critical, min(sides))
        if usl is not None and lsl is not None:
            setattr(result, potential, (usl - lsl) / (6 * sigma))
    return result


HISTOGRAM_BINS = 40


def histogram(selection: Selection, capability: Capability | None = None) -> list[tuple[float, float, int]]:
    """(low, high, count) of the characteristic's measurements in equal bins over their range: the
    capability histogram. The range comes from the subgroup aggregate (min and max per subgroup);
    the counts from the measurements, found through the index on product × characteristic × time."""
    where, params = _filters(selection)
    where.append("v.characteristic = %s")
    params.append(selection.characteristic)
    if selection.product_id is not None:
        where.append("v.product_id = %s")
        params.append(selection.product_id)
    [(low, high, products)] = _fetch(f"""
SELECT min(v.value_min), max(v.value_max), array_agg(DISTINCT v.product_id)
  FROM mv_quality_measurement AS v WHERE {' AND '.join(where)}""", params)  # noqa: S608
    if low is None or not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high == low:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / HISTOGRAM_BINS
    facts = ["q.kind = 'variable'", "q.product_id = ANY(%s)", "q.characteristic = %s", "q.inspected_at >= %s",
             "q.inspected_at < %s"]
    fact_params: list = [products, selection.characteristic, _day_start(selection.start),
                         _day_start(selection.end + dt.timedelta(days=1))]
    if selection.equipment_ids is not None:
        facts.append("q.equipment_id = ANY(%s)")
        fact_params.append(list(selection.equipment_ids))
    counts = dict(_fetch(f"""
SELECT least(width_bucket(q.measured_value, %s, %s, %s), %s), count(*)
  FROM fact_quality AS q WHERE {' AND '.join(facts)}
 GROUP BY 1""", [low, high, HISTOGRAM_BINS, HISTOGRAM_BINS, *fact_params]))  # noqa: S608
    return [(low + (b - 1) * width, low + b * width, counts.get(b, 0)) for b in range(1, HISTOGRAM_BINS + 1)]
