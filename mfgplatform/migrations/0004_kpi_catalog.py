"""The KPI catalog: the 34 KPIs of ISO 22400-2:2014, the ISO 9001 practice metrics, the ISO 14224
reliability indicators and the classic TPM (Nakajima) OEE.

Formula texts are written as ISO 22400-2 writes them (docs/kpi.md states each). Ratios ("%") are stored and compared as
fractions, so their ranges are 0..1; None means unbounded on that side.
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_codes, reference_reason

REASON = reference_reason("0004_kpi_catalog")

ISO_22400 = "ISO 22400-2:2014"
ISO_9001 = "ISO 9001:2015"
ISO_14224 = "ISO 14224:2016"
TPM = "Nakajima 1988"

PERCENT = "%"
UP, DOWN = "higher", "lower"

# (number, code, name, category, formula, elements, unit, range_min, range_max, trend, description)
ISO_22400_KPIS = [
    (1, "worker_efficiency", "Worker efficiency", "production", "APWT / APAT", ["APWT", "APAT"],
     PERCENT, 0, 1, UP, "When one worker operates several units at once, their work time is split between the units."),
    (2, "allocation_ratio", "Allocation ratio", "production", "ΣAUBT / AOET", ["AUBT", "AOET"],
     PERCENT, 0, None, UP, "Per production order; ΣAUBT sums every work unit involved, so it can exceed 100 %."),
    (3, "throughput_rate", "Throughput rate", "production", "PQ / AOET", ["PQ", "AOET"],
     "quantity per time unit", 0, None, UP, "Per production order."),
    (4, "allocation_efficiency", "Allocation efficiency", "production", "AUBT / PBT", ["AUBT", "PBT"],
     PERCENT, 0, 1, UP, "The complement corresponds to ADOT."),
    (5, "utilization_efficiency", "Utilization efficiency", "production", "APT / AUBT", ["APT", "AUBT"],
     PERCENT, 0, 1, UP, "Falls when delays and setups are large."),
    (6, "oee", "OEE index", "production", "Availability × Effectiveness × Quality ratio",
     ["APT", "PBT", "PRI", "PQ", "GQ"], PERCENT, 0, 1, UP,
     "Overall equipment effectiveness; equivalent to PRI·GQ/PBT."),
    (7, "nee", "NEE index", "production", "(AUPT / PBT) × Effectiveness × Quality ratio",
     ["AUPT", "PBT", "PRI", "PQ", "APT", "GQ"], PERCENT, 0, 1, UP,
     "Net equipment effectiveness: like OEE, but setup time does not count as a loss."),
    (8, "availability", "Availability", "production", "APT / PBT", ["APT", "PBT"],
     PERCENT, 0, 1, UP, "Also called degree of utilisation."),
    (9, "effectiveness", "Effectiveness", "production", "PRI × PQ / APT", ["PRI", "PQ", "APT"],
     PERCENT, 0, None, UP,
     "Planned versus actual cycle time; exceeds 100 % when the unit runs faster than PRI (usually a wrong PRI)."),
    (10, "setup_rate", "Setup rate", "production", "AUST / AUPT", ["AUST", "AUPT"],
     PERCENT, 0, 1, DOWN, "Worth watching when lots are split."),
    (11, "technical_efficiency", "Technical efficiency", "production", "APT / (APT + ADET)", ["APT", "ADET"],
     PERCENT, 0, 1, UP, "Ignores setup; 100 % means no malfunction interruptions."),
    (12, "production_process_ratio", "Production process ratio", "production", "ΣAPT / AOET", ["APT", "AOET"],
     PERCENT, 0, None, UP, "Per production order; ΣAPT sums every unit involved, so it can exceed 100 %."),
    (13, "equipment_load_ratio", "Equipment load ratio", "production", "PQ / EPC", ["PQ", "EPC"],
     PERCENT, 0, 1, UP, "Higher is better up to the rated capacity; running above it can harm safety and reliability."),
    (14, "finished_goods_ratio", "Finished goods ratio", "production", "GQ / CM", ["GQ", "CM"],
     PERCENT, 0, 1, UP, "Process industry."),
    (15, "integrated_goods_ratio", "Integrated goods ratio", "production", "IGQ / CM", ["IGQ", "CM"],
     PERCENT, 0, 1, UP, "Process industry, multi-grade output."),
    (16, "production_loss_ratio", "Production loss ratio", "production", "PL / CM", ["PL", "CM"],
     PERCENT, 0, 1, DOWN,
     "Loss ratio = production loss ratio + storage and transportation loss ratio + other loss ratio."),
    (17, "comprehensive_energy_consumption", "Comprehensive energy consumption", "production",
     "e = E / PQ, with E = Σ(Mᵢ·Rᵢ) + Q", ["E", "PQ", "M", "R", "Q"], "energy per unit of product", 0, None, DOWN,
     "Mᵢ: quantity of energy carrier i; Rᵢ: its conversion coefficient to a common energy unit."),
    (18, "machine_capability_index", "Machine capability index Cm", "production", "(USL − LSL) / (6·s)",
     ["USL", "LSL", "s"], "dimensionless", 0, None, UP, "Short-term study of one machine."),
    (19, "critical_machine_capability_index", "Critical machine capability index Cmk", "production",
     "min[(USL − x̄)/(3·s), (x̄ − LSL)/(3·s)]", ["USL", "LSL", "x̄", "s"], "dimensionless", None, None, UP,
     "Negative when x̄ lies outside the limits."),
    (20, "process_capability_index", "Process capability index Cp", "production", "(USL − LSL) / (6·σ̂)",
     ["USL", "LSL", "σ̂"], "dimensionless", 0, None, UP, "Sampled in small subgroups; capable above 1.33."),
    (21, "critical_process_capability_index", "Critical process capability index Cpk", "production",
     "min[(USL − x̿)/(3·σ̂), (x̿ − LSL)/(3·σ̂)]", ["USL", "LSL", "x̿", "σ̂"], "dimensionless", None, None, UP,
     "Capable above 1.33."),
    (22, "quality_ratio", "Quality ratio", "quality", "GQ / PQ", ["GQ", "PQ"], PERCENT, 0, 1, UP, ""),
    (23, "actual_to_planned_scrap_ratio", "Actual to planned scrap ratio", "quality", "SQ / PSQ", ["SQ", "PSQ"],
     PERCENT, 0, None, DOWN, "Should stay below 100 %; above means scrap exceeded the planned allowance."),
    (24, "scrap_ratio", "Scrap ratio", "quality", "SQ / PQ", ["SQ", "PQ"], PERCENT, 0, 1, DOWN, ""),
    (25, "rework_ratio", "Rework ratio", "quality", "RQ / PQ", ["RQ", "PQ"], PERCENT, 0, 1, DOWN, ""),
    (26, "fall_off_ratio", "Fall-off ratio", "quality",
     "SQ (of a given production step) / PQ of the first production order sequence", ["SQ", "PQ"],
     PERCENT, 0, 1, DOWN, "Chained processes where a serialised product made at step 1 is scrapped at later steps."),
    (27, "first_pass_yield", "First pass yield", "quality", "GP / IP", ["GP", "IP"], PERCENT, 0, 1, UP,
     "Needs serialisation so that first-pass good parts can be identified."),
    (28, "mtbf", "Mean operating time between failures (MTBF)", "maintenance", "ΣTBFᵢ / FE", ["TBF", "FE"],
     "h", 0, None, UP, "Per work unit; each failure adds one TBFᵢ."),
    (29, "mttf", "Mean time to failure (MTTF)", "maintenance", "ΣTTFᵢ / FE", ["TTF", "FE"],
     "h", 0, None, UP, "For repairable items equivalent to MTBF."),
    (30, "mttr", "Mean time to restoration (MTTR)", "maintenance", "ΣTTRᵢ / FE (restored failures)", ["TTR", "FE"],
     "h", 0, None, DOWN, ""),
    (31, "corrective_maintenance_ratio", "Corrective maintenance ratio", "maintenance", "CMT / (CMT + PMT)",
     ["CMT", "PMT"], PERCENT, 0, 1, DOWN, "Excessive preventive maintenance also lowers this ratio."),
    (32, "inventory_turns", "Inventory turns", "inventory", "TH / average inventory",
     ["TH", "RMI", "CI", "WIP", "FGI"], "turns per period", 0, None, UP,
     "The denominator depends on scope: FGI for a warehouse, WIP + FGI for a plant."),
    (33, "storage_and_transportation_loss_ratio", "Storage and transportation loss ratio", "inventory",
     "STL / CM", ["STL", "CM"], PERCENT, 0, 1, DOWN, ""),
    (34, "other_loss_ratio", "Other loss ratio", "inventory", "OL / CM", ["OL", "CM"], PERCENT, 0, 1, DOWN, ""),
]

PRACTICE_NOTE = "ISO 9001 requires monitoring and retained results but defines no formula; industry practice."

# (code, name, standard, edition, category, formula, elements, unit, range_min, range_max, trend, description)
OTHER_KPIS = [
    ("fpy", "First pass yield (FPY)", "iso9001", ISO_9001, "quality",
     "units passing the first time without rework or repair / units entering (or inspected)",
     ["first_pass_good", "units_in"], PERCENT, 0, 1, UP, PRACTICE_NOTE),
    ("rty", "Rolled throughput yield (RTY)", "iso9001", ISO_9001, "quality", "∏ FPYᵢ over the process steps",
     ["fpy_step"], PERCENT, 0, 1, UP, PRACTICE_NOTE),
    ("dpu", "Defects per unit (DPU)", "iso9001", ISO_9001, "quality", "total defects / total units",
     ["defects", "units"], "defects per unit", 0, None, DOWN, PRACTICE_NOTE + " A unit can carry several defects."),
    ("dpo", "Defects per opportunity (DPO)", "iso9001", ISO_9001, "quality",
     "defects / (units × opportunities per unit)", ["defects", "units", "opportunities_per_unit"],
     "defects per opportunity", 0, 1, DOWN, PRACTICE_NOTE),
    ("dpmo", "Defects per million opportunities (DPMO)", "iso9001", ISO_9001, "quality", "DPO × 10⁶",
     ["defects", "units", "opportunities_per_unit"], "defects per million opportunities", 0, 1_000_000, DOWN,
     PRACTICE_NOTE),
    ("ppm_defective", "Defective parts per million (PPM)", "iso9001", ISO_9001, "quality",
     "defective units / units × 10⁶", ["defective_units", "units"], "ppm", 0, 1_000_000, DOWN,
     PRACTICE_NOTE + " Counts defective units, unlike DPMO, which counts defects."),
    ("cp", "Process capability Cp", "iso9001", ISO_9001, "quality", "(USL − LSL) / (6 σ_within)",
     ["USL", "LSL", "σ_within"], "dimensionless", 0, None, UP, PRACTICE_NOTE + " Capable at 1.33 or more."),
    ("cpk", "Process capability Cpk", "iso9001", ISO_9001, "quality",
     "Cpu = (USL − μ̂)/(3σ_within), Cpl = (μ̂ − LSL)/(3σ_within), Cpk = min(Cpu, Cpl)",
     ["USL", "LSL", "μ̂", "σ_within"], "dimensionless", None, None, UP,
     PRACTICE_NOTE + " One-sided specification: only the applicable side."),
    ("pp", "Process performance Pp", "iso9001", ISO_9001, "quality", "(USL − LSL) / (6 σ_overall)",
     ["USL", "LSL", "σ_overall"], "dimensionless", 0, None, UP,
     PRACTICE_NOTE + " As Cp with the overall sample standard deviation (AIAG)."),
    ("ppk", "Process performance Ppk", "iso9001", ISO_9001, "quality",
     "Ppu = (USL − μ̂)/(3σ_overall), Ppl = (μ̂ − LSL)/(3σ_overall), Ppk = min(Ppu, Ppl)",
     ["USL", "LSL", "μ̂", "σ_overall"], "dimensionless", None, None, UP,
     PRACTICE_NOTE + " As Cpk with the overall sample standard deviation (AIAG)."),
    ("cpm", "Taguchi capability Cpm", "iso9001", ISO_9001, "quality", "(USL − LSL) / (6 √(σ² + (μ − T)²))",
     ["USL", "LSL", "σ", "μ", "T"], "dimensionless", 0, None, UP, PRACTICE_NOTE + " T is the target value."),
    ("failure_rate", "Failure rate λ", "iso14224", ISO_14224, "reliability", "λ̂ = n / τ", ["n", "τ"],
     "failures per hour", 0, None, DOWN,
     "n failures over τ, the aggregated time in service of the population; right-censored units add time "
     "but no failure. Maximum-likelihood estimate under a constant failure rate."),
    ("mttf_iso14224", "Mean time to failure (ISO 14224)", "iso14224", ISO_14224, "reliability",
     "τ / n = 1/λ̂", ["τ", "n"], "h", 0, None, UP, "Valid under a constant failure rate only."),
    ("mttres_iso14224", "Mean time to restoration (ISO 14224)", "iso14224", ISO_14224, "reliability",
     "Σ time to restoration / n", ["TTRes", "n"], "h", 0, None, DOWN,
     "ISO 14224:2016 3.64 MTTRes; state which part of the down interval is included."),
    ("availability_iso14224", "Availability (ISO 14224)", "iso14224", ISO_14224, "reliability",
     "MUT / (MUT + MDT)", ["MUT", "MDT"], PERCENT, 0, 1, UP,
     "Mean up time over mean up plus mean down time; state which down time is included."),
    ("tpm_availability", "Availability (TPM)", "tpm", TPM, "production",
     "operating time / planned production time", ["operating_time", "planned_production_time"],
     PERCENT, 0, 1, UP, "Classic OEE: minor stops and idling are speed losses, not availability losses."),
    ("tpm_performance", "Performance (TPM)", "tpm", TPM, "production",
     "ideal cycle time × total count / operating time", ["ideal_cycle_time", "total_count", "operating_time"],
     PERCENT, 0, None, UP, "Exceeds 100 % only when the ideal cycle time is wrong."),
    ("tpm_quality", "Quality (TPM)", "tpm", TPM, "production", "good count / total count",
     ["good_count", "total_count"], PERCENT, 0, 1, UP, ""),
    ("tpm_oee", "OEE (TPM)", "tpm", TPM, "production", "availability × performance × quality",
     ["operating_time", "planned_production_time", "ideal_cycle_time", "total_count", "good_count"],
     PERCENT, 0, 1, UP, "Classic (Nakajima) OEE, kept beside the ISO 22400 OEE index for comparison."),
]


def _rows():
    for number, code, name, category, formula, elements, unit, low, high, trend, description in ISO_22400_KPIS:
        yield {
            "code": code, "name": name, "standard": "iso22400", "edition": ISO_22400, "iso_number": number,
            "category": category, "formula": formula, "elements": elements, "unit": unit,
            "range_min": low, "range_max": high, "trend": trend, "description": description,
        }
    for code, name, standard, edition, category, formula, elements, unit, low, high, trend, description in OTHER_KPIS:
        yield {
            "code": code, "name": name, "standard": standard, "edition": edition, "iso_number": None,
            "category": category, "formula": formula, "elements": elements, "unit": unit,
            "range_min": low, "range_max": high, "trend": trend, "description": description,
        }


def load_kpis(apps, schema_editor):
    bulk_load_with_history(apps, "mfgplatform", "KpiDefinition", _rows(), REASON)


def unload_kpis(apps, schema_editor):
    delete_by_codes(apps, "mfgplatform", "KpiDefinition", [row["code"] for row in _rows()], REASON)


class Migration(migrations.Migration):
    dependencies = [("mfgplatform", "0003_units_reference")]

    operations = [migrations.RunPython(load_kpis, unload_kpis)]
