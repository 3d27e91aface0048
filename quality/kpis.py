"""Quality metrics: ISO 22400-2 first pass yield and capability indices, and the industry-practice
metrics ISO 9001 9.1 asks to monitor (FPY, DPU, DPO, DPMO, PPM, Cp, Cpk, Pp, Ppk, Cpm).

Counts come from mv_quality_by_occurrence (mv_quality_by_defect summed over the defect types; the
defect Pareto reads mv_quality_by_defect itself). Capability comes from mv_quality_measurement for one
characteristic: σ_within is the pooled within-subgroup standard deviation √(Σ m2ᵢ / Σ(nᵢ − 1)) over
subgroups of two or more measurements (m2ᵢ = Σ(x − x̄ᵢ)², no c4 bias correction), σ_overall the
sample standard deviation of all measurements, combined from the subgroups' count, mean and m2 with
the pairwise update (quality.moments); neither is ever derived from Σx² − (Σx)²/n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from mfgplatform.kpi.registry import (
    Elements,
    Evaluation,
    KpiFormula,
    ratio,
    register_kpi,
    register_source,
)
from mfgplatform.kpi.sources import BUCKET_START, ElementSource
from mfgplatform.kpi.types import Bucket, Granularity, GroupBy, NotComputable, Selection
from mfgplatform.sql_objects import sql_object

from .moments import combine_arrays

ISO_9001 = "ISO 9001:2015 (industry practice)"
ISO_22400 = "ISO 22400-2:2014"
PERCENT = "%"

# From the facts, the per-defect-type SELECT: the same columns, summed per bucket all the same.
QUALITY_COUNTS = register_source(ElementSource(
    name="quality_counts",
    view="mv_quality_by_occurrence",
    select_sql=sql_object("quality", "mv_quality_by_defect").defining_select(),
    elements={
        "IP": "sum(v.inspected_qty)", "DEFECTIVE": "sum(v.defective_qty)", "DEFECTS": "sum(v.defect_count)",
        "GP": "sum(v.first_pass_good_qty)", "GP_IP": "sum(v.first_pass_inspected_qty)",
        "OPPORTUNITIES": "sum(v.defect_opportunities)",
    },
    group_columns={"equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id"},
))


@dataclass(frozen=True)
class CapabilitySource(ElementSource):
    """Mean, σ_within, σ_overall and specification limits of one characteristic per bucket.

    Each row of the view is one subgroup (equipment × shift occurrence × product × characteristic ×
    subgroup number), so a bucket's within-subgroup spread is the sum of its rows' m2 and subgroups
    numbered alike in different shifts never merge, at any granularity. The rows are combined in
    Python with the pairwise update (quality.moments), exactly, whatever the values' offset.
    """

    def relation(self, selection: Selection) -> str:
        if not selection.from_facts:
            return self.view
        # The view's own defining SELECT, whichever version is installed.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_viewdef(%s::regclass)", [self.view])
            return f"({cursor.fetchone()[0].rstrip().rstrip(';')})"

    def query(self, selection: Selection) -> tuple[str, list[Any]]:
        if not selection.characteristic:
            raise ValueError("capability indices need a characteristic (--characteristic)")
        group_sql, joins = "NULL", ""
        if selection.group_by in self.group_columns:
            group_sql = self.group_columns[selection.group_by]
            joins = " JOIN dim_equipment AS e ON e.id = v.equipment_id" if "e." in group_sql else ""
        shift_sql = "v.shift_id" if selection.granularity == Granularity.SHIFT else "NULL::bigint"
        where = ["v.production_date BETWEEN %s AND %s", "v.characteristic = %s"]
        params: list[Any] = [selection.start, selection.end, selection.characteristic]
        if selection.equipment_ids is not None:
            where.append("v.equipment_id = ANY(%s)")
            params.append(list(selection.equipment_ids))
        if selection.product_id is not None:
            where.append("v.product_id = %s")
            params.append(selection.product_id)
        if selection.shift_id is not None:
            where.append("v.shift_id = %s")
            params.append(selection.shift_id)
        relation, condition = self.relation(selection), " AND ".join(where)
        bucket = f"{BUCKET_START[selection.granularity]} AS b_start, {shift_sql} AS b_shift, {group_sql} AS b_group"
        # Per bucket in SQL: the limits. Per row, ordered by bucket: the moments that σ_within and the
        # overall spread are combined from in Python (numpy: an extreme value gives inf or NaN, where
        # a float8 sum in SQL would raise).
        sql = f"""
WITH rows AS (
    SELECT {bucket}, v.subgroup, v.n, v.value_mean, v.value_dev_sum, v.value_m2,
           v.lsl, v.usl, v.lsl_max, v.usl_min, v.target
      FROM {relation} AS v{joins}
     WHERE {condition}
)
SELECT b_start, b_shift, b_group, subgroup, n, value_mean, value_dev_sum, value_m2,
       min(lsl) OVER b, max(usl) OVER b, max(lsl_max) OVER b, min(usl_min) OVER b, min(target) OVER b
  FROM rows
WINDOW b AS (PARTITION BY b_start, b_shift, b_group)
 ORDER BY b_start, b_shift, b_group"""
        return sql, params

    def fetch(self, selection: Selection, symbols=None) -> dict[Bucket, dict[str, Any]]:
        # The moments of every subgroup are read whatever the formulas need (they are few columns).
        sql, params = self.query(selection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result: dict[Bucket, dict[str, Any]] = {}
        if not rows:
            return result
        # One numpy table of every row's moments; the rows of a bucket are consecutive.
        moments = np.array([row[3:8] for row in rows], dtype=float)
        first = 0
        for last in range(1, len(rows) + 1):
            if last < len(rows) and rows[last][:3] == rows[first][:3]:
                continue
            result[Bucket(*rows[first][:3])] = capability_elements(moments[first:last], rows[first][8:])
            first = last
        return result


def capability_elements(moments: np.ndarray, limits: tuple) -> dict[str, Any]:
    """MEAN, SIGMA_WITHIN and SIGMA_OVERALL of a bucket: `moments` has a row (subgroup, n, mean,
    residual, m2) per subgroup row (NaN where a value left the double range), `limits` are the bucket's
    (lsl, usl, lsl_max, usl_min, target); limits checked for consistency."""
    subgroup, n, mean, residual, m2 = moments.T
    overall = combine_arrays(n, mean, np.nan_to_num(residual, nan=0.0), m2)
    within = (subgroup != 0) & (n > 1)
    df_within = float((n[within] - 1).sum())
    with np.errstate(all="ignore"):
        ss_within = float(m2[within].sum())
    lsl, usl, lsl_max, usl_min, target = limits
    return {
        "N": float(overall.n), "LSL": lsl, "USL": usl, "TARGET": target,
        "MEAN": overall.mean + overall.residual / overall.n if overall.n else None,
        "SIGMA_OVERALL": overall.stdev,
        "SIGMA_WITHIN": math.sqrt(ss_within / df_within) if df_within else None,
        "SS_WITHIN": ss_within, "DF_WITHIN": df_within,
        "LIMITS_CONSISTENT": lsl == lsl_max and usl == usl_min,
    }


CAPABILITY = register_source(CapabilitySource(
    name="capability",
    view="mv_quality_measurement",
    select_sql="",  # see CapabilitySource.relation
    elements={},
    group_columns={GroupBy.EQUIPMENT: "v.equipment_id", GroupBy.EQUIPMENT_CLASS: "e.equipment_class_id"},
))


def _sigma(e: Elements, which: str) -> float:
    if e.get("N") is None or e.get("MEAN") is None:
        raise NotComputable("no measurements of the characteristic in the selection")
    if e.get("LIMITS_CONSISTENT") is False:
        raise NotComputable("the specification limits differ within the selection")
    sigma = e.get(which)
    if sigma is not None and not math.isfinite(sigma):
        raise NotComputable("the measurements' spread does not fit a double (values beyond ±1e154)")
    if sigma is None:
        raise NotComputable(
            "no subgroup with two or more measurements" if which == "SIGMA_WITHIN" else "fewer than two measurements"
        )
    if sigma == 0:
        raise NotComputable(f"{which.lower().replace('_', ' ')} is zero")
    return float(sigma)


def _potential(e: Elements, which: str) -> float:
    sigma = _sigma(e, which)
    if e.get("LSL") is None or e.get("USL") is None:
        raise NotComputable("needs both specification limits")
    return (float(e["USL"]) - float(e["LSL"])) / (6 * sigma)


def _critical(e: Elements, which: str) -> Evaluation:
    """min(upper, lower) index; with a one-sided specification only the applicable side."""
    sigma, mean = _sigma(e, which), float(e["MEAN"])
    sides: dict[str, float] = {}
    if e.get("USL") is not None:
        sides["upper"] = (float(e["USL"]) - mean) / (3 * sigma)
    if e.get("LSL") is not None:
        sides["lower"] = (mean - float(e["LSL"])) / (3 * sigma)
    if not sides:
        raise NotComputable("no specification limit")
    return Evaluation(min(sides.values()), {"mean": mean, "sigma": sigma, **sides})


def _cpm(e: Elements) -> float:
    sigma = _sigma(e, "SIGMA_OVERALL")
    if e.get("LSL") is None or e.get("USL") is None or e.get("TARGET") is None:
        raise NotComputable("needs both specification limits and a target value")
    offset = float(e["MEAN"]) - float(e["TARGET"])
    return (float(e["USL"]) - float(e["LSL"])) / (6 * math.sqrt(sigma**2 + offset**2))


def _kpi(code, name, formula, elements, compute, *, source, unit=PERCENT, standard=ISO_9001, note=""):
    return register_kpi(KpiFormula(
        code=code, name=name, standard=standard, formula=formula, unit=unit, elements=tuple(elements),
        sources=(source,), compute=compute, note=note,
    ))


def _fpy(e: Elements):
    return ratio(e["GP"], e["GP_IP"], "units inspected with a first-pass result")


_kpi("fpy", "First pass yield (FPY)", "units passing the first time / units entering", ["GP", "GP_IP"], _fpy,
     source="quality_counts")
_kpi("first_pass_yield", "First pass yield", "GP / IP", ["GP", "GP_IP"], _fpy, source="quality_counts",
     standard=ISO_22400)
_kpi("dpu", "Defects per unit (DPU)", "total defects / total units", ["DEFECTS", "IP"],
     lambda e: ratio(e["DEFECTS"], e["IP"], "inspected units"), source="quality_counts", unit="defects per unit")
_kpi("dpo", "Defects per opportunity (DPO)", "defects / (units × opportunities per unit)",
     ["DEFECTS", "OPPORTUNITIES"], lambda e: ratio(e["DEFECTS"], e["OPPORTUNITIES"], "defect opportunities"),
     source="quality_counts", unit="defects per opportunity")
_kpi("dpmo", "Defects per million opportunities (DPMO)", "DPO × 10⁶", ["DEFECTS", "OPPORTUNITIES"],
     lambda e: ratio(e["DEFECTS"], e["OPPORTUNITIES"], "defect opportunities") * 1_000_000,
     source="quality_counts", unit="defects per million opportunities")
_kpi("ppm_defective", "Defective parts per million (PPM)", "defective units / units × 10⁶", ["DEFECTIVE", "IP"],
     lambda e: ratio(e["DEFECTIVE"], e["IP"], "inspected units") * 1_000_000, source="quality_counts", unit="ppm")

CAPABILITY_ELEMENTS = ["N", "MEAN", "SIGMA_WITHIN", "SIGMA_OVERALL", "LSL", "USL"]
_kpi("cp", "Process capability Cp", "(USL − LSL) / (6 σ_within)", CAPABILITY_ELEMENTS,
     lambda e: _potential(e, "SIGMA_WITHIN"), source="capability", unit="dimensionless")
_kpi("cpk", "Process capability Cpk", "min((USL − μ̂)/(3σ_within), (μ̂ − LSL)/(3σ_within))", CAPABILITY_ELEMENTS,
     lambda e: _critical(e, "SIGMA_WITHIN"), source="capability", unit="dimensionless")
_kpi("pp", "Process performance Pp", "(USL − LSL) / (6 σ_overall)", CAPABILITY_ELEMENTS,
     lambda e: _potential(e, "SIGMA_OVERALL"), source="capability", unit="dimensionless")
_kpi("ppk", "Process performance Ppk", "min((USL − μ̂)/(3σ_overall), (μ̂ − LSL)/(3σ_overall))",
     CAPABILITY_ELEMENTS, lambda e: _critical(e, "SIGMA_OVERALL"), source="capability", unit="dimensionless")
_kpi("cpm", "Taguchi capability Cpm", "(USL − LSL) / (6 √(σ² + (μ − T)²))", [*CAPABILITY_ELEMENTS, "TARGET"],
     _cpm, source="capability", unit="dimensionless", note="σ is σ_overall.")
_kpi("process_capability_index", "Process capability index Cp", "(USL − LSL) / (6·σ̂)", CAPABILITY_ELEMENTS,
     lambda e: _potential(e, "SIGMA_WITHIN"), source="capability", unit="dimensionless", standard=ISO_22400)
_kpi("critical_process_capability_index", "Critical process capability index Cpk",
     "min[(USL − x̿)/(3·σ̂), (x̿ − LSL)/(3·σ̂)]", CAPABILITY_ELEMENTS, lambda e: _critical(e, "SIGMA_WITHIN"),
     source="capability", unit="dimensionless", standard=ISO_22400)
_kpi("machine_capability_index", "Machine capability index Cm", "(USL − LSL) / (6·s)", CAPABILITY_ELEMENTS,
     lambda e: _potential(e, "SIGMA_OVERALL"), source="capability", unit="dimensionless", standard=ISO_22400,
     note="s is the sample standard deviation of the selected measurements (a short machine study).")
_kpi("critical_machine_capability_index", "Critical machine capability index Cmk",
     "min[(USL − x̄)/(3·s), (x̄ − LSL)/(3·s)]", CAPABILITY_ELEMENTS, lambda e: _critical(e, "SIGMA_OVERALL"),
     source="capability", unit="dimensionless", standard=ISO_22400,
     note="s is the sample standard deviation of the selected measurements (a short machine study).")



def rolled_throughput_yield(step_yields) -> float:
    """RTY = ∏ FPYᵢ over the process steps (a helper; the steps of a product route are not recorded)."""
    return math.prod(float(y) for y in step_yields)


# Defects, defective units and scrap per defect type (the defect Pareto; defect type 0 = none
# recorded); read with mfgplatform.kpi.compute_elements.
DEFECTS_BY_TYPE = register_source(ElementSource(
    name="defects_by_type",
    view="mv_quality_by_defect",
    select_sql=sql_object("quality", "mv_quality_by_defect").defining_select(),
    elements={"DEFECTS": "sum(v.defect_count)", "DEFECTIVE": "sum(v.defective_qty)", "SCRAP": "sum(v.scrap_qty)",
              "SCRAP_COST": "sum(v.scrap_cost)", "IP": "sum(v.inspected_qty)"},
    group_columns={"equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id",
                   "defect_type": "v.defect_type_id"},
))
