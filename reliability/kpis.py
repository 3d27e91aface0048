"""Maintenance KPIs of ISO 22400-2 and ISO 14224 reliability indicators.

Operating time OT (ISO 14224: the time the item performs its function) is, for a production work unit,
its AUPT from the time model (production plus setup time, no delay time, as the ISO 22400 element TBF is
described) and, for support equipment that runs continuously (pumps, compressors), its time in service
minus its recorded downtime (v_support_operation). Failures and restoration times come from
mv_reliability_event, so MTBF = ΣOT / FE is a ratio of sums for any equipment set and period. Per failure
mode the whole operating time of the selection is the exposure (competing risks). The failure rate treats
τ = ΣOT as the aggregated time in service: units that did not fail (right-censored) add time but no
failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from scipy.stats import chi2

from equipment.work_units import SUPPORT_IDS_SQL
from mfgplatform.kpi.registry import (
    Elements,
    Evaluation,
    KpiFormula,
    exact,
    ratio,
    register_kpi,
    register_source,
)
from mfgplatform.kpi.sources import ElementSource
from mfgplatform.kpi.types import NotComputable
from mfgplatform.sql_objects import sql_object

ISO_22400 = "ISO 22400-2:2014"
ISO_14224 = "ISO 14224:2016"
HOUR = 3600
DEFAULT_CONFIDENCE = 0.90

RELIABILITY_EVENTS = register_source(ElementSource(
    name="reliability_events",
    view="mv_reliability_event",
    select_sql=sql_object("reliability", "mv_reliability_event").defining_select(),
    elements={
        "FE": "sum(v.failures)", "FE_RESTORED": "sum(v.restored_failures)", "TTR": "sum(v.ttr_s)",
        "ACTIVE_REPAIR": "sum(v.active_repair_s)", "TBF_ELAPSED": "sum(v.tbf_elapsed_s)",
        "TBF_COUNT": "sum(v.tbf_count)", "CMT": "sum(v.cmt_s)", "PMT": "sum(v.pmt_s)",
    },
    group_columns={
        "equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id", "failure_mode": "v.failure_mode_id",
    },
    filter_columns={"failure_mode_id": "v.failure_mode_id"},
))


SUPPORT_OPERATION = register_source(ElementSource(
    name="support_operation",
    view="v_support_operation",
    select_sql=sql_object("reliability", "v_support_operation").defining_select(),
    elements={"OT_SUPPORT": "sum(v.operating_s)", "IN_SERVICE_SUPPORT": "sum(v.in_service_s)"},
    group_columns={"equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id"},
    equipment_ids_sql=SUPPORT_IDS_SQL,
))


def operating_time(e: Elements) -> Fraction:
    """OT in seconds: AUPT of the work units plus the operating time of the support equipment."""
    return exact(e["AUPT"]) + exact(e.get("OT_SUPPORT") or 0)


@dataclass(frozen=True)
class FailureRateEstimate:
    """λ̂ = n/τ with chi-square bounds for a time-terminated observation (constant failure rate)."""

    failures: int
    time_in_service: float
    confidence: float
    rate: float
    lower: float | None
    upper: float

    @property
    def mttf(self) -> float | None:
        return self.time_in_service / self.failures if self.failures else None

    @property
    def mttf_bounds(self) -> tuple[float | None, float | None]:
        """(lower, upper) MTTF bounds: reciprocals of the rate bounds; only a lower one for zero failures."""
        return 1 / self.upper, (1 / self.lower if self.lower else None)


def failure_rate_estimate(failures: int, time_in_service: float, confidence: float = DEFAULT_CONFIDENCE) -> (
    FailureRateEstimate
):
    """Two-sided bounds [χ²_{α/2}(2n)/(2τ), χ²_{1−α/2}(2n+2)/(2τ)]; with no failure the one-sided
    upper bound χ²_{1−α}(2)/(2τ) = −ln(α)/τ."""
    if time_in_service <= 0:
        raise NotComputable("the time in service τ is zero")
    alpha = 1 - confidence
    if failures == 0:
        return FailureRateEstimate(0, time_in_service, confidence, 0.0, None,
                                   float(chi2.ppf(confidence, 2)) / (2 * time_in_service))
    return FailureRateEstimate(
        failures, time_in_service, confidence, failures / time_in_service,
        float(chi2.ppf(alpha / 2, 2 * failures)) / (2 * time_in_service),
        float(chi2.ppf(1 - alpha / 2, 2 * failures + 2)) / (2 * time_in_service),
    )


def _hours(value) -> Fraction:
    return exact(value) / HOUR


def _estimate(e: Elements) -> FailureRateEstimate:
    return failure_rate_estimate(int(exact(e["FE"])), float(_hours(operating_time(e))))


def _failure_rate(e: Elements) -> Evaluation:
    estimate = _estimate(e)
    sided = "two-sided" if estimate.failures else "one-sided upper (no failure observed)"
    return Evaluation(estimate.rate, {
        "confidence": estimate.confidence, "bounds": sided, "lower": estimate.lower, "upper": estimate.upper,
        "failures": estimate.failures, "time_in_service_h": estimate.time_in_service,
    })


def _mttf_14224(e: Elements) -> Evaluation:
    estimate = _estimate(e)
    lower, upper = estimate.mttf_bounds
    if estimate.mttf is None:
        raise NotComputable(f"no failure in {estimate.time_in_service:g} h; MTTF ≥ {lower:g} h "
                            f"at {estimate.confidence:.0%} confidence")
    return Evaluation(estimate.mttf, {"confidence": estimate.confidence, "lower": lower, "upper": upper})


def _kpi(code, name, formula, elements, compute, *, unit="h", standard=ISO_22400, sources=None, note=""):
    return register_kpi(KpiFormula(
        code=code, name=name, standard=standard, formula=formula, unit=unit, elements=tuple(elements),
        sources=sources or ("time_model", "support_operation", "reliability_events"), compute=compute, note=note,
    ))


OPERATING_NOTE = ("TBF/TTF accumulated as operating time OT of the selection (AUPT of work units; time in "
                  "service minus downtime of support equipment); per failure mode all of it.")
_kpi("mtbf", "Mean operating time between failures (MTBF)", "ΣTBFᵢ / FE = ΣOT / FE", ["AUPT", "OT_SUPPORT", "FE"],
     lambda e: ratio(_hours(operating_time(e)), e["FE"], "FE (no failure)"), note=OPERATING_NOTE)
_kpi("mttf", "Mean time to failure (MTTF)", "ΣTTFᵢ / FE = ΣOT / FE", ["AUPT", "OT_SUPPORT", "FE"],
     lambda e: ratio(_hours(operating_time(e)), e["FE"], "FE (no failure)"),
     note="For repairable units treated as MTBF. " + OPERATING_NOTE)
_kpi("mttr", "Mean time to restoration (MTTR)", "ΣTTRᵢ / FE (restored failures)", ["TTR", "FE_RESTORED"],
     lambda e: ratio(_hours(e["TTR"]), e["FE_RESTORED"], "restored failures"), sources=("reliability_events",),
     note="TTR = down time of the failure, start to end (stops still open are not restored).")
_kpi("corrective_maintenance_ratio", "Corrective maintenance ratio", "CMT / (CMT + PMT)", ["CMT", "PMT"],
     lambda e: ratio(e["CMT"], exact(e["CMT"]) + exact(e["PMT"]), "CMT + PMT"), unit="%",
     sources=("reliability_events",))
_kpi("failure_rate", "Failure rate λ", "λ̂ = n / τ", ["FE", "AUPT", "OT_SUPPORT"], _failure_rate,
     unit="failures per hour", standard=ISO_14224,
     note="τ = ΣOT (operating time in service); bounds are chi-square, 90 % by default.")
_kpi("mttf_iso14224", "Mean time to failure (ISO 14224)", "τ / n = 1/λ̂", ["AUPT", "OT_SUPPORT", "FE"], _mttf_14224,
     standard=ISO_14224, note="Constant failure rate assumed; bounds are reciprocals of the λ bounds.")
_kpi("mttres_iso14224", "Mean time to restoration (ISO 14224)", "Σ time to restoration / n", ["TTR", "FE_RESTORED"],
     lambda e: ratio(_hours(e["TTR"]), e["FE_RESTORED"], "restored failures"), standard=ISO_14224,
     sources=("reliability_events",), note="Down time of each failure from its start to its end.")
_kpi("availability_iso14224", "Availability (ISO 14224)", "MUT / (MUT + MDT)", ["AUPT", "OT_SUPPORT", "TTR"],
     lambda e: ratio(operating_time(e), operating_time(e) + exact(e["TTR"]), "up plus down time"), unit="%",
     standard=ISO_14224, note="Up time = operating time OT; down time = restoration time of failures only.")



# Stops and stop time per downtime reason (the downtime Pareto); not a KPI of its own, its sums are
# read with mfgplatform.kpi.compute_elements. STOP_S is the full duration of the stops that start in
# the selection, so it equals the sum over the stops listed for it; SCHEDULED_S is the stop time
# inside shift windows (merged per reason).
DOWNTIME_BY_REASON = register_source(ElementSource(
    name="downtime_by_reason",
    view="agg_downtime_by_reason",
    select_sql=sql_object("reliability", "agg_downtime_by_reason").defining_select(),
    elements={"STOPS": "sum(v.stops)", "OPEN_STOPS": "sum(v.open_stops)", "STOP_S": "sum(v.stop_s)",
              "SCHEDULED_S": "sum(v.scheduled_s)"},
    group_columns={"equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id", "reason": "v.reason_id"},
))
