"""Quality outcomes of the simulated production runs.

Per run: the first units after a changeover are planned start-up scrap; of the rest, a share that
grows with the unit's wear is defective; defectives spread over the class's defect types with
Pareto-like (Zipf) weights; reworkable defects are mostly reworked, the others scrapped. So
PQ = GQ + SQ + RQ holds per run by construction.

Inspection records partition the inspected units of a run (100 % final inspection): one
attribute row for the units that passed first time and one per defect type for the units that
failed, so inspected, defective and first-pass-good quantities sum exactly over any grouping.

Every two hours of production a subgroup of five measurements of the product's characteristic is
taken; the unit's capability (Cp between 1.0 and 2.0), its centring offset and tool wear set the
distribution, which is what Cp/Cpk and Pp/Ppk should recover.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .catalog import DEFECT_TYPES, STARTUP_DEFECT
from .layout import PlantLayout, UnitSpec
from .process import ProductionRow, Timeline
from .profiles import MEASUREMENT_EVERY_HOURS, PROFILES, REWORK_SHARE, SUBGROUP_SIZE, pareto_weights


@dataclass(slots=True)
class InspectionRow:
    run: ProductionRow
    at: int
    defect_type: str | None
    inspected: int
    defective: int
    defect_count: int
    first_pass_good: int


@dataclass(slots=True)
class ScrapRow:
    run: ProductionRow
    at: int
    reason: str
    quantity: int
    is_planned: bool
    disposition: str
    cost: float


@dataclass(slots=True)
class MeasurementRow:
    run: ProductionRow
    at: int
    characteristic: str
    value: float
    lower_spec_limit: float
    upper_spec_limit: float
    target: float
    subgroup: int


@dataclass
class QualityRecords:
    inspections: list[InspectionRow] = field(default_factory=list)
    scrap: list[ScrapRow] = field(default_factory=list)
    measurements: list[MeasurementRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Capability:
    sigma: float
    offset: float


def simulate_quality(timeline: Timeline, layout: PlantLayout, seed: int) -> QualityRecords:
    """Fill each run's good / scrap / rework quantities and return the quality records."""
    unit = timeline.unit
    records = QualityRecords()
    if not unit.produces:
        return records
    rng = np.random.default_rng([seed, unit.index, 2])
    profile = PROFILES[unit.class_code]
    mix = list(profile.defect_mix)
    weights = pareto_weights(len(mix))
    capability = _capabilities(unit, layout, rng)
    since_subgroup = float(rng.uniform(0, MEASUREMENT_EVERY_HOURS * 3600))
    subgroup = 0
    for run in timeline.production:
        product = layout.product(run.product)
        _split_quantities(run, rng, profile.defect_rate, mix, weights, product.unit_cost, profile.scrap_disposition,
                          records)
        since_subgroup += run.end - run.start
        interval = MEASUREMENT_EVERY_HOURS * 3600
        while since_subgroup >= interval:
            since_subgroup -= interval
            subgroup += 1
            at = run.end - int(since_subgroup)
            cap = capability[run.product]
            mean = product.target + cap.offset + 0.25 * product.tolerance * min(run.wear, 1.0)
            for value in rng.normal(mean, cap.sigma, size=SUBGROUP_SIZE):
                records.measurements.append(
                    MeasurementRow(
                        run, at, product.characteristic, round(float(value), 4),
                        product.target - product.tolerance, product.target + product.tolerance, product.target,
                        subgroup,
                    )
                )
    return records


def _capabilities(unit: UnitSpec, layout: PlantLayout, rng: np.random.Generator) -> dict[str, _Capability]:
    result = {}
    for code in sorted(unit.pri_seconds):
        product = layout.product(code)
        cp = float(rng.uniform(1.0, 2.0))
        sigma = 2 * product.tolerance / (6 * cp)
        result[code] = _Capability(sigma=sigma, offset=float(rng.normal(0, 0.12)) * product.tolerance)
    return result


def _split_quantities(
    run: ProductionRow,
    rng: np.random.Generator,
    defect_rate: float,
    mix: list[str],
    weights: list[float],
    unit_cost: float,
    disposition: str,
    records: QualityRecords,
) -> None:
    produced = run.produced
    if produced == 0:
        return
    startup = min(produced, int(rng.integers(2, 9))) if run.after_setup else 0
    rate = defect_rate * (1 + 1.5 * min(run.wear, 1.5))
    defective = int(rng.binomial(produced - startup, rate)) if mix else 0
    by_type = rng.multinomial(defective, weights) if defective else np.zeros(len(mix), dtype=int)
    run.planned_scrap = startup
    run.scrap = startup
    run.rework = 0
    failed: list[tuple[str, int, int]] = []  # defect type, units, scrapped units
    if startup:
        failed.append((STARTUP_DEFECT, startup, startup))
    for code, count in zip(mix, by_type, strict=True):
        count = int(count)
        if not count:
            continue
        reworked = int(rng.binomial(count, REWORK_SHARE)) if DEFECT_TYPES[code].is_reworkable else 0
        run.rework += reworked
        run.scrap += count - reworked
        failed.append((code, count, count - reworked))
    run.good = produced - run.scrap - run.rework
    if run.good:
        records.inspections.append(InspectionRow(run, run.end, None, run.good, 0, 0, run.good))
    for code, count, scrapped in failed:
        extra_defects = int(rng.poisson(0.1 * count))
        records.inspections.append(InspectionRow(run, run.end, code, count, count, count + extra_defects, 0))
        if scrapped:
            cost = round(scrapped * unit_cost, 2)
            records.scrap.append(ScrapRow(run, run.end, code, scrapped, code == STARTUP_DEFECT, disposition, cost))
