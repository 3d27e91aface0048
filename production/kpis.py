"""ISO 22400-2 production KPIs and the classic TPM OEE, as formulas over summed time and quantity
elements from agg_time_model (time elements in seconds)."""

from __future__ import annotations

from equipment.work_units import WORK_UNIT_IDS_SQL
from mfgplatform.kpi.registry import Elements, Evaluation, KpiFormula, exact, ratio, register_kpi, register_source
from mfgplatform.kpi.sources import ElementSource
from mfgplatform.kpi.types import NotComputable
from mfgplatform.sql_objects import sql_object

from .break_split import split_planned_downtime

ISO_22400 = "ISO 22400-2:2014"
TPM = "TPM (Nakajima 1988)"
PERCENT = "%"

TIME_MODEL = register_source(ElementSource(
    name="time_model",
    view="agg_time_model",
    select_sql=sql_object("production", "time_model_select").defining_select(),
    elements={
        "POT": "sum(v.pot_s)", "PDT": "sum(v.planned_downtime_s)", "PBT": "sum(v.pbt_s)",
        "ADOT": "sum(v.adot_s)", "ADET": "sum(v.adet_s)", "ADET_MINOR": "sum(v.minor_stop_s)",
        "AUST": "sum(v.aust_s)", "APT": "sum(v.apt_s)", "AUPT": "sum(v.aupt_s)", "AUBT": "sum(v.aubt_s)",
        "PQ": "sum(v.pq)", "GQ": "sum(v.gq)", "SQ": "sum(v.sq)", "RQ": "sum(v.rq)", "PSQ": "sum(v.psq)",
        "PRI_PQ": "sum(v.pri_pq_s)", "PRI_GQ": "sum(v.pri_gq_s)",
        "AOET": "sum(v.aoet_s)", "ORDER_PQ": "sum(v.order_pq)",
    },
    group_columns={"equipment": "v.equipment_id", "equipment_class": "e.equipment_class_id"},
    # ISO 22400 is about work units: support equipment (pumps, compressors) never enters OEE or its
    # roll-ups, nor the operating time of the reliability figures (it has its own).
    equipment_ids_sql=WORK_UNIT_IDS_SQL,
    occurrence_details=split_planned_downtime,
))


def _availability(e: Elements):
    return ratio(e["APT"], e["PBT"], "PBT")


def _effectiveness(e: Elements):
    return ratio(e["PRI_PQ"], e["APT"], "APT")


def _quality_ratio(e: Elements):
    return ratio(e["GQ"], e["PQ"], "PQ")


def _components(e: Elements, **first) -> dict[str, float]:
    """The factors of the index where they are defined, as details of the result."""
    parts = dict(first)
    for name, factor in (("effectiveness", _effectiveness), ("quality_ratio", _quality_ratio)):
        try:
            parts[name] = float(factor(e))
        except NotComputable:
            parts[name] = None
    return parts


def _oee(e: Elements) -> Evaluation:
    # A × E × QR reduces to PRI·GQ / PBT for one unit running one PRI. Summed over units or
    # products with different PRIs the reduced form is the one that stays a ratio of time sums
    # (valuable operating time over planned busy time); the product of the rolled-up factors
    # would weight unlike parts by their counts.
    value = ratio(e["PRI_GQ"], e["PBT"], "PBT")
    return Evaluation(value, _components(e, availability=float(_availability(e))))


def _nee(e: Elements) -> Evaluation:
    # ISO 22400-2 literally: (AUPT / PBT) × Effectiveness × Quality ratio, each factor a ratio of the
    # summed elements. Not reduced to PRI·GQ·AUPT / (PBT·APT): over products with different PRIs
    # ΣPRI·PQ/ΣAPT × ΣGQ/ΣPQ differs from ΣPRI·GQ/ΣAPT, and an auditor recomputes the three factors.
    # A unit that ran but produced nothing has effectiveness 0, so NEE 0 (its quality ratio, 0/0, has no
    # value and does not matter).
    aupt_share = ratio(e["AUPT"], e["PBT"], "PBT")
    effectiveness = _effectiveness(e)
    value = aupt_share * effectiveness * (_quality_ratio(e) if effectiveness else 1)
    return Evaluation(value, _components(e, aupt_share=float(aupt_share)))


def _throughput_rate(e: Elements):
    # Quantity per minute of order execution time.
    return ratio(e["ORDER_PQ"], exact(e["AOET"]) / 60, "AOET")


def _tpm_operating_time(e: Elements):
    # Classic OEE counts breakdowns and setups as availability losses; minor stops and idling
    # (ADOT) are speed losses, so they stay inside operating time.
    return exact(e["APT"]) + exact(e["ADET_MINOR"]) + exact(e["ADOT"])


def _tpm_availability(e: Elements):
    return ratio(_tpm_operating_time(e), e["PBT"], "planned production time (PBT)")


def _tpm_performance(e: Elements):
    return ratio(e["PRI_PQ"], _tpm_operating_time(e), "operating time")


def _tpm_oee(e: Elements) -> Evaluation:
    # A × P × Q reduces to ideal time of the good count over planned production time, as above.
    value = ratio(e["PRI_GQ"], e["PBT"], "planned production time (PBT)")
    parts = {"availability": float(_tpm_availability(e))}
    for name, factor in (("performance", _tpm_performance), ("quality", _quality_ratio)):
        try:
            parts[name] = float(factor(e))
        except NotComputable:
            parts[name] = None
    return Evaluation(value, parts)


def _kpi(code, name, formula, elements, compute, *, unit=PERCENT, standard=ISO_22400, flag_above=None, note=""):
    return register_kpi(KpiFormula(
        code=code, name=name, standard=standard, formula=formula, unit=unit, elements=tuple(elements),
        sources=("time_model",), compute=compute, flag_above=flag_above, note=note,
    ))


EFFECTIVENESS_NOTE = "Above 100 % is flagged, not clamped: it usually means PRI is wrong."

_kpi("availability", "Availability", "APT / PBT", ["APT", "PBT"], _availability)
_kpi("effectiveness", "Effectiveness", "PRI × PQ / APT", ["PRI_PQ", "APT"], _effectiveness,
     flag_above=1.0, note=EFFECTIVENESS_NOTE)
_kpi("quality_ratio", "Quality ratio", "GQ / PQ", ["GQ", "PQ"], _quality_ratio)
ROLLUP_NOTE = "Summed over units or products: ΣPRI·GQ / ΣPBT (the reduced form of A × E × QR). "
_kpi("oee", "OEE index", "Availability × Effectiveness × Quality ratio = PRI·GQ / PBT",
     ["APT", "PBT", "PRI_PQ", "PQ", "GQ", "PRI_GQ"], _oee, flag_above=1.0, note=ROLLUP_NOTE + EFFECTIVENESS_NOTE)
_kpi("nee", "NEE index", "(AUPT / PBT) × Effectiveness × Quality ratio = (AUPT / PBT) × (PRI·PQ / APT) × (GQ / PQ)",
     ["AUPT", "PBT", "APT", "PRI_PQ", "GQ", "PQ"], _nee, flag_above=1.0,
     note="The three factors of ISO 22400-2, each a ratio of the summed elements (not reduced). "
     + EFFECTIVENESS_NOTE)
_kpi("technical_efficiency", "Technical efficiency", "APT / (APT + ADET)", ["APT", "ADET"],
     lambda e: ratio(e["APT"], exact(e["APT"]) + exact(e["ADET"]), "APT + ADET"))
_kpi("utilization_efficiency", "Utilization efficiency", "APT / AUBT", ["APT", "AUBT"],
     lambda e: ratio(e["APT"], e["AUBT"], "AUBT"))
_kpi("allocation_efficiency", "Allocation efficiency", "AUBT / PBT", ["AUBT", "PBT"],
     lambda e: ratio(e["AUBT"], e["PBT"], "PBT"))
_kpi("setup_rate", "Setup rate", "AUST / AUPT", ["AUST", "AUPT"], lambda e: ratio(e["AUST"], e["AUPT"], "AUPT"))
_kpi("scrap_ratio", "Scrap ratio", "SQ / PQ", ["SQ", "PQ"], lambda e: ratio(e["SQ"], e["PQ"], "PQ"))
_kpi("rework_ratio", "Rework ratio", "RQ / PQ", ["RQ", "PQ"], lambda e: ratio(e["RQ"], e["PQ"], "PQ"))
_kpi("actual_to_planned_scrap_ratio", "Actual to planned scrap ratio", "SQ / PSQ", ["SQ", "PSQ"],
     lambda e: ratio(e["SQ"], e["PSQ"], "PSQ"), flag_above=1.0,
     note="Above 100 % means scrap exceeded the planned allowance.")
_kpi("throughput_rate", "Throughput rate", "PQ / AOET", ["ORDER_PQ", "AOET"], _throughput_rate,
     unit="units per minute",
     note="AOET per production order: first start to last end of the order's runs on the unit.")

TPM_NOTE = "Classic TPM (Nakajima) OEE, not the ISO 22400 OEE index: minor stops and idling are speed losses."
_kpi("tpm_availability", "Availability (TPM)", "operating time / planned production time",
     ["APT", "ADET_MINOR", "ADOT", "PBT"], _tpm_availability, standard=TPM, note=TPM_NOTE)
_kpi("tpm_performance", "Performance (TPM)", "ideal cycle time × total count / operating time",
     ["PRI_PQ", "APT", "ADET_MINOR", "ADOT"], _tpm_performance, standard=TPM, flag_above=1.0, note=TPM_NOTE)
_kpi("tpm_quality", "Quality (TPM)", "good count / total count", ["GQ", "PQ"], _quality_ratio,
     standard=TPM, note=TPM_NOTE)
_kpi("tpm_oee", "OEE (TPM, classic)", "availability × performance × quality = ideal time of good count / PBT",
     ["APT", "ADET_MINOR", "ADOT", "PBT", "PRI_PQ", "PRI_GQ", "GQ", "PQ"], _tpm_oee, standard=TPM, flag_above=1.0,
     note=TPM_NOTE)


# ISO 22400 KPIs whose elements the platform does not record (transport, queuing and personnel
# times). Their formulas are kept for completeness and checked against the reference example; the
# service reports them as not computable from the recorded data.
UNRECORDED = {
    formula.code: formula
    for formula in (
        KpiFormula(code="allocation_ratio", name="Allocation ratio", standard=ISO_22400, formula="ΣAUBT / AOET",
                   unit=PERCENT, elements=("AUBT", "AOET"), sources=(),
                   compute=lambda e: ratio(e["AUBT"], e["AOET"], "AOET")),
        KpiFormula(code="production_process_ratio", name="Production process ratio", standard=ISO_22400,
                   formula="ΣAPT / AOET", unit=PERCENT, elements=("APT", "AOET"), sources=(),
                   compute=lambda e: ratio(e["APT"], e["AOET"], "AOET")),
        KpiFormula(code="worker_efficiency", name="Worker efficiency", standard=ISO_22400, formula="APWT / APAT",
                   unit=PERCENT, elements=("APWT", "APAT"), sources=(),
                   compute=lambda e: ratio(e["APWT"], e["APAT"], "APAT")),
    )
}
