"""The sections of the compliance report, built from the KPI service and the record checks.

The KPI sections read the domains only through the KPI service (mfgplatform.kpi.service); a KPI
that a deployment does not register is listed as unavailable instead of failing the report.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from ..time_elements import ELEMENTS, label
from .document import Chart, ReportDocument, Section, Table
from .periods import ReportPeriod, period_bounds
from .records import audit_trail_gaps, retention_status

logger = logging.getLogger(__name__)

REPORT_TITLE = "ISO compliance report"

# technical_efficiency, setup_rate and tpm_availability also bring the ADET, AUST and ADOT elements
# that the loss breakdown needs.
OEE_KPIS = ("oee", "availability", "effectiveness", "quality_ratio", "nee", "technical_efficiency", "setup_rate",
            "tpm_availability")
QUALITY_KPIS = ("fpy", "dpu", "dpmo", "ppm_defective", "scrap_ratio", "rework_ratio")
CAPABILITY_KPIS = ("cp", "cpk", "pp", "ppk")
MIN_CPK = 1.33  # the usual minimum for an established process
RELIABILITY_KPIS = ("mtbf", "mttr", "failure_rate", "mttf_iso14224", "availability_iso14224")
# Losses of planned busy time in the ISO 22400 time model, as (label, how to compute from elements).
TIME_LOSSES = (
    (label("ADET"), lambda e: e.get("ADET", 0)),
    (label("AUST"), lambda e: e.get("AUST", 0)),
    (label("ADOT"), lambda e: e.get("ADOT", 0)),
    ("Speed loss (APT − PRI·PQ)", lambda e: e.get("APT", 0) - e.get("PRI_PQ", 0)),
    ("Quality loss (PRI·PQ − PRI·GQ)", lambda e: e.get("PRI_PQ", 0) - e.get("PRI_GQ", 0)),
)


def build_document(period: ReportPeriod, *, scope: str = "", now: dt.datetime | None = None) -> ReportDocument:
    """The report for `period`; `scope` (a site, area or line code) narrows the KPI sections to its
    subtree. The records sections (retention, audit trail) are about the database and stay plant-wide."""
    from mfgplatform.kpi.freshness import recorded_freshness, recording_view_reads

    builders = (oee_section, quality_section, reliability_section, retention_section, audit_trail_section)
    scope_filter = Scope.of(scope)
    sections = []
    with recording_view_reads():
        sections = _build_sections(period, scope_filter, builders)
        fresh = recorded_freshness()
    title = f"{REPORT_TITLE}: {scope_filter.label}" if scope else REPORT_TITLE
    document = ReportDocument(title, period, now or timezone.now(), sections, scope=scope)
    if fresh is not None:
        document.data_as_of, document.stale, document.stale_reason = fresh.as_of, fresh.stale, fresh.reason
    return document


def _build_sections(period: ReportPeriod, scope: Scope, builders) -> list[Section]:
    sections = []
    for builder in builders:
        try:
            # A savepoint: a section whose SQL fails must not abort the transaction for the next one.
            with transaction.atomic():
                sections.append(builder(period, scope))
        except Exception as error:  # one broken section must not suppress the others
            logger.exception("Report section %s failed", builder.__name__)
            sections.append(Section(
                key=builder.__name__.removesuffix("_section"), title=builder.__name__, standard="",
                status="unavailable", summary=f"could not be computed: {type(error).__name__}: {error}",
            ))
    return sections


@dataclass(frozen=True)
class Scope:
    """The part of the plant a report covers: a node's code, its name and the equipment ids of its
    subtree (None = the whole plant)."""

    code: str = ""
    label: str = "whole plant"
    equipment_ids: tuple[int, ...] | None = None

    @classmethod
    def of(cls, code: str) -> Scope:
        if not code:
            return cls()
        from mfgplatform.kpi.service import resolve_equipment

        node = apps.get_model("equipment", "Equipment").objects.filter(code=code).values_list("name", flat=True).first()
        if node is None:
            raise ValueError(f"unknown equipment code {code!r}")
        return cls(code, f"{code} {node}", resolve_equipment([code]))

    @property
    def kpi_options(self) -> dict[str, Any]:
        return {"equipment": [self.code]} if self.code else {}

    @property
    def name(self) -> str:
        return self.code or "plant"

    def sql(self, column: str) -> tuple[str, list]:
        """An extra WHERE condition (starting with AND) on an equipment id column, and its parameters."""
        if self.equipment_ids is None:
            return "", []
        return f" AND {column} = ANY(%s)", [list(self.equipment_ids)]

    def codes(self) -> set[str] | None:
        if self.equipment_ids is None:
            return None
        return set(apps.get_model("equipment", "Equipment").objects.filter(pk__in=self.equipment_ids)
                   .values_list("code", flat=True))


PLANT = Scope()


# --- KPI sections -----------------------------------------------------------------------------------


def _kpi_service():
    """The KPI service module and its registered formulas, or (None, {}) where it is not installed."""
    try:
        from mfgplatform.kpi import service
        from mfgplatform.kpi.registry import kpi_formulas
    except ImportError:
        return None, {}
    return service, kpi_formulas()


def display_value(value: float | None, unit: str) -> float | None:
    """KPI ratios are fractions; a percent KPI is shown ×100 to two decimals, anything else to four
    significant digits (a failure rate of 0.000605 per hour is not 0.0006)."""
    if value is None:
        return None
    return round(value * 100, 2) if unit == "%" else significant(value)


def significant(value: float | None, digits: int = 4) -> float | None:
    if value is None or value == 0 or not math.isfinite(value):
        return value
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    # Whole numbers stay whole: 17005 ppm, not 17005.0.
    return round(value, decimals) if decimals > 0 else round(value)


def _kpi_results(codes: Sequence[str], period: ReportPeriod, scope: Scope, **options: Any) -> tuple[list, list[str]]:
    service, formulas = _kpi_service()
    available = [code for code in codes if code in formulas]
    missing = [code for code in codes if code not in formulas]
    if service is None or not available:
        return [], missing
    return service.compute_kpis(available, start=period.start, end=period.end, **scope.kpi_options, **options), missing


def _optional_breakdown(codes: Sequence[str], period: ReportPeriod, scope: Scope, group_by: str) -> list:
    """KPIs split by a breakdown the service may not offer (then: no rows)."""
    try:
        return _kpi_results(codes, period, scope, group_by=group_by)[0]
    except ValueError as error:
        logger.info("KPI breakdown %s by %s not available: %s", codes, group_by, error)
        return []


def _kpi_rows(results: list) -> list[list[Any]]:
    return [
        [r.group or "plant", r.kpi, r.name, display_value(r.value, r.unit), r.unit, r.formula,
         r.reason or ", ".join(r.flags) or ""]
        for r in results
    ]


KPI_COLUMNS = ["group", "kpi", "name", "value", "unit", "formula", "note"]


def _unavailable(key: str, title: str, standard: str, missing: list[str]) -> Section:
    return Section(
        key=key, title=title, standard=standard, status="unavailable",
        summary="the KPI service provides none of this section's indicators",
        notes=[f"Not registered in the KPI service: {', '.join(missing)}."],
    )


def _element_sums(source: str, period: ReportPeriod, scope: Scope, **options: Any) -> list:
    """Summed elements of one KPI element source (none where the source is not registered)."""
    try:
        from mfgplatform.kpi.elements import compute_elements
        return compute_elements(source, start=period.start, end=period.end, **scope.kpi_options, **options)
    except (ImportError, ValueError) as error:
        logger.info("Elements of %s not available: %s", source, error)
        return []


HOUR = 3600.0


def _element_rows(elements: dict[str, Any]) -> list[list[Any]]:
    """Every time and quantity element under its ISO 22400-2 symbol and meaning, times in hours."""
    rows = []
    for symbol, element in ELEMENTS.items():
        # AOET is per production order (first start to last end of its runs), not a part of POT.
        if symbol not in elements or symbol == "AOET":
            continue
        value = float(elements[symbol] or 0)
        in_hours = element.unit == "s"
        rows.append([symbol, element.meaning, element.iso_name or "", round(value / HOUR if in_hours else value, 3),
                     "h" if in_hours else element.unit])
    return rows


def _support_equipment(period: ReportPeriod, scope: Scope) -> list[list[Any]]:
    """Support equipment (pumps, compressors: no work units, so not in OEE) with its time in service and
    ISO 14224 operating time in the period."""
    rows = _element_sums("support_operation", period, scope, group_by="equipment")
    if not rows:
        return []
    from django.apps import apps

    codes = dict(apps.get_model("equipment", "Equipment").objects.filter(pk__in=[r.group for r in rows])
                 .values_list("pk", "code"))
    return sorted([codes.get(r.group, str(r.group)), round(float(r.elements["IN_SERVICE_SUPPORT"] or 0) / HOUR, 2),
                   round(float(r.elements["OT_SUPPORT"] or 0) / HOUR, 2)] for r in rows)


def oee_section(period: ReportPeriod, scope: Scope = PLANT) -> Section:
    key, title, standard = "oee", "Production performance: OEE", "ISO 22400-2"
    plant, missing = _kpi_results(OEE_KPIS, period, scope)
    if not plant:
        return _unavailable(key, title, standard, missing)
    by_equipment, _ = _kpi_results(("oee", "availability", "effectiveness", "quality_ratio"), period, scope,
                                   group_by="equipment")
    oee = next((r for r in plant if r.kpi == "oee"), None)
    totals = _element_sums("time_model", period, scope)
    # The time model's own sums (every element, POT to PRI·GQ); the KPIs' elements where it is absent.
    elements = (totals[0].elements if totals else
                {symbol: value for result in plant for symbol, value in result.elements.items()})
    losses = sorted(((label, float(compute(elements) or 0) / HOUR) for label, compute in TIME_LOSSES),
                    key=lambda loss: loss[1], reverse=True)
    equipment_oee = sorted((r for r in by_equipment if r.kpi == "oee" and r.value is not None),
                           key=lambda r: r.value)
    summary = (f"{scope.name} OEE {display_value(oee.value, oee.unit)} %" if oee and oee.value is not None
               else f"{scope.name} OEE not computable ({oee.reason if oee else 'no data'})")
    flagged = [r for r in plant + by_equipment if r.flags]
    support = _support_equipment(period, scope)
    return Section(
        key=key, title=title, standard=standard, status="attention" if flagged else "ok", summary=summary,
        tables=[
            Table("KPIs, plant (work units)", KPI_COLUMNS, _kpi_rows(plant), "oee_kpis.csv"),
            Table("KPIs per work unit", KPI_COLUMNS, _kpi_rows(by_equipment), "oee_by_equipment.csv"),
            Table("ISO 22400-2 elements, plant (work units)", ["element", "meaning", "ISO 22400-2 name", "value",
                                                               "unit"],
                  _element_rows(elements), "oee_elements.csv"),
            Table("Top losses of planned busy time", ["loss", "hours"], [[label, round(h, 2)] for label, h in losses],
                  "oee_losses.csv"),
            Table("Support equipment (not a work unit: not in OEE; see reliability)",
                  ["equipment", "in service (h)", "operating time (h)"], support, "support_equipment.csv"),
        ],
        charts=[
            Chart("oee-losses.png", "Losses of planned busy time (hours)", [label for label, _ in losses],
                  [hours for _, hours in losses], "hours", "pareto"),
            Chart("oee-by-equipment.png", "OEE per work unit (%)", [r.group for r in equipment_oee[:15]],
                  [display_value(r.value, r.unit) for r in equipment_oee[:15]], "%", "barh"),
        ],
        notes=_rollup_note(oee) + [f"Flagged: {r.group or 'plant'} {r.kpi} {', '.join(r.flags)}" for r in flagged]
        + ([f"Not registered in the KPI service: {', '.join(missing)}."] if missing else []),
    )


def _rollup_note(oee) -> list[str]:
    """Why OEE can differ from the product of the availability, effectiveness and quality ratio shown
    beside it: over products with different PRIs the OEE of the summed elements (ΣPRI·GQ / ΣPBT) weights
    good pieces by their planned time, the rolled-up quality ratio by their count."""
    if oee is None or oee.value is None:
        return []
    factors = [oee.details.get(name) for name in ("availability", "effectiveness", "quality_ratio")]
    if None in factors:
        return []
    product = factors[0] * factors[1] * factors[2]
    if abs(product - oee.value) < 5e-5:
        return []
    return [f"OEE is ΣPRI·GQ / ΣPBT of the summed elements ({display_value(oee.value, oee.unit)} %). It equals "
            f"availability × effectiveness × quality ratio for one product; over products with different "
            f"planned run times (PRI) the product of the rolled-up factors is "
            f"{display_value(product, oee.unit)} %, because the quality ratio counts good pieces while OEE "
            f"weights each by its PRI (docs/kpi.md, formula decisions)."]


def _characteristics(period: ReportPeriod, scope: Scope) -> list[str]:
    """Measured characteristics in the period (the capability indices are per characteristic)."""
    condition, params = scope.sql("equipment_id")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT characteristic FROM mv_quality_measurement WHERE production_date BETWEEN %s AND %s"
            f"{condition} ORDER BY 1",
            [period.start, period.end, *params],
        )
        return [name for (name,) in cursor.fetchall()]


def _defect_pareto(period: ReportPeriod, scope: Scope) -> list[tuple[str, int]]:
    """Defects found per defect type, most frequent first."""
    condition, params = scope.sql("v.equipment_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT coalesce(d.code || ' ' || d.name, 'unclassified'), sum(v.defect_count)::bigint
              FROM mv_quality_by_defect AS v LEFT JOIN dim_quality_defect_type AS d ON d.id = v.defect_type_id
             WHERE v.production_date BETWEEN %s AND %s{condition}
             GROUP BY 1 HAVING sum(v.defect_count) > 0 ORDER BY 2 DESC, 1
            """,
            [period.start, period.end, *params],
        )
        return [(label, int(count)) for label, count in cursor.fetchall()]


def _out_of_control(period: ReportPeriod, scope: Scope) -> list:
    """Characteristic × work unit with a control chart signal in the period (the quality app registers
    its SPC monitor in quality/compliance.py): capability indices are only meaningful for a process in
    control."""
    from .findings import findings

    found = findings("out_of_control", period.start, period.end)
    codes = scope.codes()
    return found if codes is None else [finding for finding in found if finding.equipment in codes]


def quality_section(period: ReportPeriod, scope: Scope = PLANT) -> Section:
    key, title, standard = "quality", "Quality", "ISO 9001"
    results, missing = _kpi_results(QUALITY_KPIS, period, scope)
    if not results:
        return _unavailable(key, title, standard, missing)
    capability = []
    for characteristic in _characteristics(period, scope):
        rows, _ = _kpi_results(CAPABILITY_KPIS, period, scope, characteristic=characteristic)
        for result in rows:
            result.group = characteristic
        capability += rows
    pareto = _defect_pareto(period, scope)
    findings = _out_of_control(period, scope)
    tables = [
        Table("Quality metrics, plant", KPI_COLUMNS, _kpi_rows(results), "quality_kpis.csv"),
        Table("Process capability per characteristic", KPI_COLUMNS, _kpi_rows(capability), "capability.csv"),
        Table("Characteristics out of statistical control (X̄–R per work unit, Nelson rules)",
              ["characteristic", "work unit", "signals", "rules", "first signal", "phase I baseline"],
              [[f.characteristic, f.equipment, f.signals, f.rule_summary, f.first_signal, f.baseline]
               for f in findings], "out_of_control.csv"),
        Table("Defect Pareto", ["defect type", "defects"], [list(item) for item in pareto], "defect_pareto.csv"),
    ]
    cpk = [r for r in capability if r.kpi == "cpk" and r.value is not None]
    incapable = [r.group for r in cpk if r.value < MIN_CPK]
    headline = [f"{r.name} {display_value(r.value, r.unit)} {r.unit}" for r in results
                if r.kpi in ("fpy", "ppm_defective") and r.value is not None]
    if incapable:
        headline.append(f"Cpk below {MIN_CPK} for {', '.join(incapable)}")
    if findings:
        headline.append(f"out of statistical control: {', '.join(sorted({f.characteristic for f in findings}))}")
    return Section(
        key=key, title=title, standard=standard, status="attention" if incapable or findings else "ok",
        summary="; ".join(headline) or "no quality data in this period", tables=tables,
        charts=[
            Chart("defect-pareto.png", "Defects by type", [label for label, _ in pareto[:12]],
                  [count for _, count in pareto[:12]], "defects", "pareto"),
            Chart("cpk-by-characteristic.png", f"Cpk per characteristic (minimum {MIN_CPK})",
                  [r.group for r in cpk], [r.value for r in cpk], "Cpk", "barh"),
        ],
        notes=[f"Not registered in the KPI service: {', '.join(missing)}."] if missing else [],
    )


def _bound(value: Any) -> float | None:
    return significant(float(value)) if value is not None else None


def _confidence(value: Any) -> str | None:
    return f"{float(value):.0%}".replace("%", " %") if value is not None else None


def reliability_section(period: ReportPeriod, scope: Scope = PLANT) -> Section:
    key, title, standard = "reliability", "Reliability and maintainability", "ISO 14224"
    results, missing = _kpi_results(RELIABILITY_KPIS, period, scope, group_by="equipment_class")
    if not results:
        return _unavailable(key, title, standard, missing)
    # Events without a failure mode (group "none") are no failure mode of their own: no rate for them.
    by_mode = [r for r in _optional_breakdown(("failure_rate", "mttf_iso14224"), period, scope, "failure_mode")
               if r.group not in ("none", "all")]
    columns = [*KPI_COLUMNS, "confidence", "lower bound", "upper bound"]

    def rows(items):
        return [[*row, _confidence(r.details.get("confidence")), _bound(r.details.get("lower")),
                 _bound(r.details.get("upper"))]
                for row, r in zip(_kpi_rows(items), items, strict=True)]

    mtbf = [r for r in results if r.kpi == "mtbf" and r.value is not None]
    # A class whose operating time is zero (τ is zero) or whose MTBF is zero has figures that cannot
    # be right: its operating time is missing (support equipment counted as a work unit did that).
    suspect = sorted({r.group for r in results if (r.kpi == "failure_rate" and r.reason)
                      or (r.kpi == "mtbf" and r.value == 0)})
    classes = len({r.group for r in results})
    summary = f"{classes} equipment classes; failure-rate bounds at the stated confidence"
    if suspect:
        summary += f"; no operating time for {', '.join(suspect)}"
    return Section(
        key=key, title=title, standard=standard, status="attention" if suspect else "ok", summary=summary,
        tables=[Table("Per equipment class", columns, rows(results), "reliability_by_class.csv"),
                Table("Per failure mode", columns, rows(by_mode), "reliability_by_failure_mode.csv")],
        charts=[Chart("mtbf-by-class.png", "MTBF per equipment class (h)", [r.group for r in mtbf],
                      [r.value for r in mtbf], "h", "barh")],
        notes=[f"Not registered in the KPI service: {', '.join(missing)}."] if missing else [],
    )


# --- Records (ISO 9001 7.5.3) -----------------------------------------------------------------------


def retention_section(period: ReportPeriod, scope: Scope = PLANT) -> Section:
    statuses = retention_status()
    over = [s for s in statuses if s.status == "over policy"]
    rows = [[s.policy.table, s.policy_label, s.oldest.isoformat(timespec="seconds") if s.oldest else None,
             s.status, s.policy.basis] for s in statuses]
    return Section(
        key="retention", title="Data retention", standard="ISO 9001 7.5.3",
        status="attention" if over else "ok",
        summary=(f"{len(over)} table(s) hold data older than their policy: {', '.join(s.policy.table for s in over)}"
                 if over else f"all {len(statuses)} tables within policy"),
        tables=[Table("Retention policy and oldest data held", ["table", "policy", "oldest row", "status", "basis"],
                      rows, "retention.csv")],
    )


def audit_trail_section(period: ReportPeriod, scope: Scope = PLANT) -> Section:
    since, until = period_bounds(period)
    gaps = audit_trail_gaps(since=since, until=until)
    incomplete = [g for g in gaps if not g.is_complete]
    return Section(
        key="audit_trail", title="Audit-trail completeness", standard="ISO 9001 7.5.3.2",
        status="attention" if incomplete else "ok",
        summary=(f"{len(incomplete)} of {len(gaps)} tracked tables have gaps" if incomplete
                 else f"all {len(gaps)} tracked tables complete"),
        tables=[Table(
            "Rows without a creation record; changes in the period without a user",
            ["model", "table", "rows", "rows without creation record", "changes without user"],
            [[g.model, g.table, g.rows, g.rows_without_creation_record, g.changes_without_user] for g in gaps],
            "audit_trail.csv",
        )],
    )
