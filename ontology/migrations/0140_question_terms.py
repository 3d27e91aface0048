"""Words for questions that the default vocabulary lacked: the shifts by name (English and German),
German words for common KPIs, grains and dimensions.

Reversible: the reverse deletes exactly these rows (by term, language, type and concept) with the
creation history written for them.
"""

from django.db import migrations

from mfgplatform.migrations.frozen.reference_data_v1 import bulk_load_with_history, delete_by_keys, reference_reason

REASON = reference_reason("0140_question_terms")

CANONICAL, SYNONYM, LOOSE = 100, 90, 80

# (term, language, concept type, dimension, concept code, priority)
TERMS = [
    ("early shift", "en", "dimension_member", "shift", "A", CANONICAL),
    ("morning shift", "en", "dimension_member", "shift", "A", SYNONYM),
    ("late shift", "en", "dimension_member", "shift", "B", CANONICAL),
    ("afternoon shift", "en", "dimension_member", "shift", "B", SYNONYM),
    ("night shift", "en", "dimension_member", "shift", "C", CANONICAL),
    ("Frühschicht", "de", "dimension_member", "shift", "A", CANONICAL),
    ("Spätschicht", "de", "dimension_member", "shift", "B", CANONICAL),
    ("Nachtschicht", "de", "dimension_member", "shift", "C", CANONICAL),
    ("OEE", "de", "metric", "", "oee", 110),
    ("Anlageneffektivität", "de", "metric", "", "oee", SYNONYM),
    ("Ausschuss", "de", "metric", "", "scrap_ratio", LOOSE),
    ("Ausschussrate", "de", "metric", "", "scrap_ratio", CANONICAL),
    ("Nacharbeit", "de", "metric", "", "rework_ratio", LOOSE),
    ("Leistung", "de", "metric", "", "effectiveness", LOOSE),
    ("Qualität", "de", "metric", "", "quality_ratio", 70),
    ("Durchsatz", "de", "metric", "", "throughput_rate", SYNONYM),
    ("Ausfallrate", "de", "metric", "", "failure_rate", CANONICAL),
    ("mittlere Reparaturzeit", "de", "metric", "", "mttr", CANONICAL),
    ("mittlere Betriebszeit zwischen Ausfällen", "de", "metric", "", "mtbf", CANONICAL),
    ("Erstausbeute", "de", "metric", "", "fpy", CANONICAL),
    ("pro Tag", "de", "granularity", "", "day", CANONICAL),
    ("pro Woche", "de", "granularity", "", "week", CANONICAL),
    ("pro Monat", "de", "granularity", "", "month", CANONICAL),
    ("Maschine", "de", "dimension", "", "equipment", CANONICAL),
    ("Produkt", "de", "dimension", "", "product", CANONICAL),
    ("Schicht", "de", "dimension", "", "shift", CANONICAL),
    ("Fehlerart", "de", "dimension", "", "defect_type", CANONICAL),
    ("Stillstandsgrund", "de", "dimension", "", "downtime_reason", CANONICAL),
]


def _rows():
    for term, language, concept_type, dimension, concept_code, priority in TERMS:
        yield {"term": term, "language": language, "concept_type": concept_type, "dimension": dimension,
               "concept_code": concept_code, "priority": priority}


def _keys():
    return [{key: row[key] for key in ("term", "language", "concept_type", "concept_code")} for row in _rows()]


def load(apps, schema_editor):
    bulk_load_with_history(apps, "ontology", "OntologyTerm", _rows(), REASON)


def unload(apps, schema_editor):
    delete_by_keys(apps, "ontology", "OntologyTerm", _keys(), REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("ontology", "0002_default_terms"),
        ("mfgplatform", "0006_shifts_and_date_ranges"),
    ]

    operations = [migrations.RunPython(load, unload)]
