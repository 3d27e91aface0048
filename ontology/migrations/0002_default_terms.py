"""Default vocabulary for questions: words for metrics, date ranges, granularities, dimensions and
units, each pointing at a concept code that exists in the loaded catalogs.

When several terms match, the higher priority wins: exact abbreviations (110) over canonical names
(100) over everyday synonyms (90) over loose words such as "speed" or "yield" (70–80).
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_keys, reference_reason

REASON = reference_reason("0002_default_terms")

ABBREVIATION, CANONICAL, SYNONYM, LOOSE = 110, 100, 90, 80

# concept code -> [(term, priority)], English.
METRICS = {
    "oee": [("oee", ABBREVIATION), ("overall equipment effectiveness", CANONICAL), ("oee index", CANONICAL),
            ("equipment effectiveness", LOOSE)],
    "nee": [("nee", ABBREVIATION), ("net equipment effectiveness", CANONICAL)],
    "availability": [("availability", CANONICAL), ("uptime", SYNONYM), ("up time", SYNONYM),
                     ("machine availability", CANONICAL)],
    "effectiveness": [("effectiveness", CANONICAL), ("performance", SYNONYM), ("performance rate", SYNONYM),
                      ("efficiency factor", LOOSE), ("speed", 70)],
    "quality_ratio": [("quality ratio", CANONICAL), ("quality rate", CANONICAL), ("yield", LOOSE), ("quality", 70)],
    "fpy": [("first pass yield", CANONICAL), ("first-pass yield", CANONICAL), ("fpy", ABBREVIATION),
            ("first time right", SYNONYM)],
    "rty": [("rolled throughput yield", CANONICAL), ("rty", ABBREVIATION)],
    "mtbf": [("mtbf", ABBREVIATION), ("mean time between failures", CANONICAL),
             ("mean operating time between failures", CANONICAL), ("time between failures", SYNONYM)],
    "mttr": [("mttr", ABBREVIATION), ("mean time to repair", CANONICAL), ("mean time to restoration", CANONICAL),
             ("repair time", LOOSE)],
    "mttf": [("mttf", ABBREVIATION), ("mean time to failure", CANONICAL)],
    "scrap_ratio": [("scrap rate", CANONICAL), ("scrap ratio", CANONICAL), ("reject rate", SYNONYM),
                    ("scrap", LOOSE)],
    "rework_ratio": [("rework rate", CANONICAL), ("rework ratio", CANONICAL), ("rework", LOOSE)],
    "setup_rate": [("setup rate", CANONICAL), ("set-up rate", CANONICAL), ("setup ratio", CANONICAL),
                   ("changeover ratio", SYNONYM), ("changeover rate", SYNONYM)],
    "technical_efficiency": [("technical efficiency", CANONICAL)],
    "utilization_efficiency": [("utilization efficiency", CANONICAL), ("utilisation efficiency", CANONICAL),
                               ("utilization", LOOSE)],
    "allocation_efficiency": [("allocation efficiency", CANONICAL)],
    "throughput_rate": [("throughput rate", CANONICAL), ("throughput", SYNONYM), ("output rate", LOOSE)],
    "worker_efficiency": [("worker efficiency", CANONICAL), ("labour efficiency", SYNONYM)],
    "corrective_maintenance_ratio": [("corrective maintenance ratio", CANONICAL)],
    "actual_to_planned_scrap_ratio": [("actual to planned scrap ratio", CANONICAL)],
    "inventory_turns": [("inventory turns", CANONICAL), ("inventory turnover", SYNONYM)],
    "dpmo": [("dpmo", ABBREVIATION), ("defects per million opportunities", CANONICAL)],
    "dpu": [("dpu", ABBREVIATION), ("defects per unit", CANONICAL)],
    "ppm_defective": [("defective ppm", CANONICAL), ("parts per million defective", CANONICAL), ("ppm", SYNONYM)],
    "cp": [("cp", ABBREVIATION), ("process capability", SYNONYM)],
    "cpk": [("cpk", ABBREVIATION)],
    "ppk": [("ppk", ABBREVIATION)],
    "failure_rate": [("failure rate", CANONICAL)],
    "tpm_oee": [("classic oee", CANONICAL), ("tpm oee", CANONICAL)],
}

DATE_RANGES = {
    "today": [("today", CANONICAL), ("so far today", SYNONYM)],
    "yesterday": [("yesterday", CANONICAL)],
    "last_7_days": [("last 7 days", CANONICAL), ("past 7 days", CANONICAL), ("last seven days", CANONICAL),
                    ("past week", LOOSE)],
    "last_14_days": [("last 14 days", CANONICAL), ("past 14 days", CANONICAL), ("last two weeks", SYNONYM)],
    "last_30_days": [("last 30 days", CANONICAL), ("past 30 days", CANONICAL)],
    "last_90_days": [("last 90 days", CANONICAL), ("past 90 days", CANONICAL)],
    "this_week": [("this week", CANONICAL), ("week to date", CANONICAL), ("wtd", ABBREVIATION),
                  ("current week", SYNONYM)],
    "last_week": [("last week", CANONICAL), ("previous week", CANONICAL), ("prior week", SYNONYM)],
    "this_month": [("this month", CANONICAL), ("month to date", CANONICAL), ("mtd", ABBREVIATION),
                   ("current month", SYNONYM)],
    "last_month": [("last month", CANONICAL), ("previous month", CANONICAL), ("prior month", SYNONYM)],
    "this_quarter": [("this quarter", CANONICAL), ("quarter to date", CANONICAL), ("qtd", ABBREVIATION),
                     ("current quarter", SYNONYM)],
    "last_quarter": [("last quarter", CANONICAL), ("previous quarter", CANONICAL)],
    "this_year": [("this year", CANONICAL), ("year to date", CANONICAL), ("ytd", ABBREVIATION),
                  ("current year", SYNONYM)],
    "last_year": [("last year", CANONICAL), ("previous year", CANONICAL)],
    "this_fiscal_year": [("this fiscal year", CANONICAL), ("fiscal year to date", CANONICAL),
                         ("fytd", ABBREVIATION), ("current fiscal year", SYNONYM)],
    "last_fiscal_year": [("last fiscal year", CANONICAL), ("previous fiscal year", CANONICAL)],
    "this_fiscal_quarter": [("this fiscal quarter", CANONICAL), ("fiscal quarter to date", CANONICAL)],
    "last_fiscal_quarter": [("last fiscal quarter", CANONICAL), ("previous fiscal quarter", CANONICAL)],
}

GRANULARITIES = {
    "shift": [("per shift", CANONICAL), ("by shift", CANONICAL), ("each shift", SYNONYM)],
    "day": [("daily", CANONICAL), ("per day", CANONICAL), ("by day", CANONICAL)],
    "week": [("weekly", CANONICAL), ("per week", CANONICAL), ("by week", CANONICAL)],
    "month": [("monthly", CANONICAL), ("per month", CANONICAL), ("by month", CANONICAL)],
}

# Dimension terms point at the dimension itself (ontology.choices.Dimension values).
DIMENSIONS = {
    "equipment": [("equipment", CANONICAL), ("machine", CANONICAL), ("asset", SYNONYM), ("line", LOOSE)],
    "product": [("product", CANONICAL), ("sku", SYNONYM), ("part number", LOOSE)],
    "shift": [("shift", CANONICAL)],
    "defect_type": [("defect type", CANONICAL), ("defect", SYNONYM)],
    "downtime_reason": [("downtime reason", CANONICAL), ("stop reason", SYNONYM), ("reason", 70)],
    "equipment_class": [("equipment class", CANONICAL), ("machine type", SYNONYM)],
}

UNITS = {
    "pcs": [("pieces", CANONICAL), ("piece", CANONICAL), ("pcs", ABBREVIATION), ("units", SYNONYM),
            ("parts", SYNONYM)],
    "min": [("minutes", CANONICAL), ("minute", CANONICAL), ("min", ABBREVIATION), ("mins", ABBREVIATION)],
    "h": [("hours", CANONICAL), ("hour", CANONICAL), ("h", ABBREVIATION), ("hrs", ABBREVIATION)],
    "s": [("seconds", CANONICAL), ("second", CANONICAL), ("sec", ABBREVIATION)],
    "kg": [("kilograms", CANONICAL), ("kg", ABBREVIATION)],
    "percent": [("percent", CANONICAL), ("%", ABBREVIATION)],
}

# (term, concept type, concept code, priority), German.
GERMAN = [
    ("Gesamtanlageneffektivität", "metric", "oee", CANONICAL),
    ("Verfügbarkeit", "metric", "availability", CANONICAL),
    ("Leistungsgrad", "metric", "effectiveness", CANONICAL),
    ("Qualitätsrate", "metric", "quality_ratio", CANONICAL),
    ("Ausschussquote", "metric", "scrap_ratio", CANONICAL),
    ("Nacharbeitsquote", "metric", "rework_ratio", CANONICAL),
    ("Rüstquote", "metric", "setup_rate", CANONICAL),
    ("heute", "date_range", "today", CANONICAL),
    ("gestern", "date_range", "yesterday", CANONICAL),
    ("letzte Woche", "date_range", "last_week", CANONICAL),
    ("letzten Monat", "date_range", "last_month", CANONICAL),
    ("pro Schicht", "granularity", "shift", CANONICAL),
    ("täglich", "granularity", "day", CANONICAL),
    ("wöchentlich", "granularity", "week", CANONICAL),
    ("monatlich", "granularity", "month", CANONICAL),
    ("Stück", "unit", "pcs", CANONICAL),
    ("Minuten", "unit", "min", CANONICAL),
    ("Stunden", "unit", "h", CANONICAL),
]


def _rows():
    for concept_type, catalog in (
        ("metric", METRICS),
        ("date_range", DATE_RANGES),
        ("granularity", GRANULARITIES),
        ("dimension", DIMENSIONS),
        ("unit", UNITS),
    ):
        for concept_code, terms in catalog.items():
            for term, priority in terms:
                yield {"term": term, "language": "en", "concept_type": concept_type,
                       "concept_code": concept_code, "priority": priority}
    for term, concept_type, concept_code, priority in GERMAN:
        yield {"term": term, "language": "de", "concept_type": concept_type, "concept_code": concept_code,
               "priority": priority}


def _key(row):
    return {key: row[key] for key in ("term", "language", "concept_type", "concept_code")}


def load(apps, schema_editor):
    bulk_load_with_history(apps, "ontology", "OntologyTerm", _rows(), REASON)


def unload(apps, schema_editor):
    delete_by_keys(apps, "ontology", "OntologyTerm", [_key(row) for row in _rows()], REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("ontology", "0001_initial"),
        ("mfgplatform", "0004_kpi_catalog"),
        ("mfgplatform", "0006_shifts_and_date_ranges"),
    ]

    operations = [migrations.RunPython(load, unload)]
