"""The words the resolver knows: the active ontology terms plus the live master data.

Built once and kept until a term or a master-data row changes (one cheap fingerprint query per
question decides), so a synonym added in the review page is used by the next question.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import DatabaseError, connection, transaction

from .normalise import key_of

# Priorities of master-data names, on the ontology's scale (abbreviation 110, canonical name 100,
# synonym 90, loose word 70–80).
CODE, NAME, SHORT_NAME, LOOSE_NAME = 110, 100, 90, 80

# Structural nouns the grammar groups by; "line" outranks the ontology's loose "line" → equipment.
STRUCTURAL_DIMENSIONS = [
    ("line", "line", 105), ("lines", "line", 105), ("area", "area", 105), ("hall", "area", 90),
    ("unit", "equipment", 95), ("equipment unit", "equipment", 100), ("failure mode", "failure_mode", 100),
    ("ausfallart", "failure_mode", 100), ("fehlerart", "defect_type", 100), ("produkt", "product", 100),
    ("stillstandsgrund", "downtime_reason", 100), ("maschinentyp", "equipment_class", 100),
    ("class", "equipment_class", 80), ("site", "site", 100), ("werk", "site", 100), ("plant", "site", 90),
]
LEVEL_DIMENSION = {3: "site", 4: "area", 5: "line"}


@dataclass(frozen=True)
class Concept:
    kind: str  # metric, date_range, granularity, dimension, unit, member
    code: str
    priority: int
    source: str  # "term 17", "master data", "grammar"
    label: str
    dimension: str = ""  # for members: equipment, equipment_class, product, shift, defect_type, …
    level: int = 0  # equipment taxonomy level
    path: str = ""  # equipment path, for narrowing by an ancestor

    @property
    def ref(self) -> str:
        return f"{self.dimension}:{self.code}" if self.kind == "member" else f"{self.kind}:{self.code}"


class Lexicon:
    def __init__(self):
        self.entries: dict[tuple[str, ...], list[Concept]] = defaultdict(list)
        self.longest = 1
        self.labels: dict[str, str] = {}  # member ref → display name
        self.members: dict[str, list[Concept]] = defaultdict(list)  # dimension → members
        self.name_words: dict[str, list[Concept]] = defaultdict(list)  # a word of a name → members
        self.date_ranges: dict[str, dict] = {}  # dim_date_range code → its rule
        self.metrics: dict[str, dict] = {}  # KPI catalog code → name, trend, unit, elements

    def add(self, phrase: str, concept: Concept) -> None:
        key = key_of(phrase)
        if not key:
            return
        bucket = self.entries[key]
        same = next((c for c in bucket if c.ref == concept.ref), None)
        if same is not None:
            if same.priority >= concept.priority:
                return
            bucket.remove(same)
        bucket.append(concept)
        self.longest = max(self.longest, len(key))

    def member(self, concept: Concept, *phrases: tuple[str, int]) -> None:
        self.labels[concept.ref] = concept.label
        self.members[concept.dimension].append(concept)
        for word in key_of(concept.label):
            if not word.isdigit():
                self.name_words[word].append(concept)
        for phrase, priority in phrases:
            if phrase:
                self.add(phrase, Concept(**{**concept.__dict__, "priority": priority}))

    def lookup(self, keys: list[str], start: int) -> tuple[int, list[Concept]]:
        """The longest phrase starting at `start` and its concepts, best first."""
        for length in range(min(self.longest, len(keys) - start), 0, -1):
            found = self.entries.get(tuple(keys[start:start + length]))
            if found:
                return length, sorted(found, key=lambda c: (-c.priority, c.ref))
        return 0, []


def _short_name(name: str) -> str:
    """"Press line 3" → "line 3": the last two words when the name ends in a number."""
    words = name.split()
    if len(words) >= 3 and re.fullmatch(r"\d+", words[-1]):
        return " ".join(words[-2:])
    return ""


def build() -> Lexicon:
    lexicon = Lexicon()
    term_model = apps.get_model("ontology", "OntologyTerm")
    for term in term_model.objects.filter(is_active=True).order_by("id"):
        kind = "member" if term.concept_type == "dimension_member" else term.concept_type
        lexicon.add(term.term, Concept(kind, term.concept_code, term.priority, f"term {term.id}", term.term,
                                       dimension=term.dimension))
    for phrase, dimension, priority in STRUCTURAL_DIMENSIONS:
        lexicon.add(phrase, Concept("dimension", dimension, priority, "grammar", phrase))

    equipment = apps.get_model("equipment", "Equipment")
    for code, name, level, path in equipment.objects.filter(is_active=True).values_list(
        "code", "name", "taxonomy_level", "path"
    ):
        concept = Concept("member", code, NAME, "master data", name, dimension="equipment", level=level, path=path)
        lexicon.member(concept, (code, CODE), (name, NAME), (_short_name(name), SHORT_NAME))
    for app_label, model_name, dimension in (
        ("equipment", "EquipmentClass", "equipment_class"),
        ("production", "Product", "product"),
        ("quality", "DefectType", "defect_type"),
        ("reliability", "DowntimeReason", "downtime_reason"),
        ("reliability", "FailureMode", "failure_mode"),
        ("mfgplatform", "DimShift", "shift"),
    ):
        model = apps.get_model(app_label, model_name)
        rows = model.objects.all()
        if any(field.name == "is_active" for field in model._meta.fields):
            rows = rows.filter(is_active=True)
        # The service cannot filter by defect type or downtime reason, so where such a name is also a
        # failure mode ("Overheating") the failure mode is the reading to take.
        name_priority = SHORT_NAME if dimension in ("defect_type", "downtime_reason") else NAME
        for code, name in rows.values_list("code", "name"):
            concept = Concept("member", code, name_priority, "master data", name, dimension=dimension)
            # Short codes ("A", "PU") read as ordinary words; only longer codes are spotted.
            code_priority = CODE if len(code) >= 3 and dimension not in ("shift",) else 0
            extra = [(f"{name} shift", NAME)] if dimension == "shift" else []
            if dimension == "equipment_class" and len(name.split()) > 1:
                extra.append((name.replace("/", " ").split()[-1], LOOSE_NAME))  # "Industrial robot" → "robot"
            lexicon.member(concept, *([(code, code_priority)] if code_priority else []), (name, name_priority),
                           *extra)
    range_model = apps.get_model("mfgplatform", "DimDateRange")
    for row in range_model.objects.values("code", "name", "rule", "length_days", "fixed_start", "fixed_end"):
        lexicon.date_ranges[row["code"]] = row
    kpi_model = apps.get_model("mfgplatform", "KpiDefinition")
    for row in kpi_model.objects.values("code", "name", "trend", "unit", "elements", "formula", "standard",
                                        "category", "description"):
        lexicon.metrics[row["code"]] = row
    for characteristic in _characteristics():
        concept = Concept("member", characteristic, NAME, "measured data", characteristic.replace("_", " "),
                          dimension="characteristic")
        lexicon.member(concept, (characteristic.replace("_", " "), NAME))
    return lexicon


def _characteristics() -> list[str]:
    # A loose index scan: one index probe per distinct characteristic instead of a full scan.
    sql = """
        WITH RECURSIVE c AS (
            (SELECT characteristic FROM mv_quality_measurement ORDER BY characteristic LIMIT 1)
            UNION ALL
            SELECT (SELECT m.characteristic FROM mv_quality_measurement AS m
                     WHERE m.characteristic > c.characteristic ORDER BY m.characteristic LIMIT 1)
              FROM c WHERE c.characteristic IS NOT NULL
        )
        SELECT characteristic FROM c WHERE characteristic IS NOT NULL AND characteristic <> ''"""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            return [row[0] for row in cursor.fetchall()]
    except DatabaseError:  # a view not yet populated: capability questions then name no characteristic
        return []


FINGERPRINT_SQL = """
SELECT (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM ontology_term)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_equipment)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_product)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_shift)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_downtime_reason)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_quality_defect_type)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM ref_iso14224_failure_mode)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM ref_iso14224_equipment_class)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM ref_kpi_definition)
    || '|' || (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM dim_date_range)
    || '|' || current_database()
"""

_lock = threading.Lock()
_cached: tuple[str, Lexicon] | None = None


def current() -> Lexicon:
    """The lexicon for the data as it is now (rebuilt when a term or a master-data row changed)."""
    global _cached
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL)
        fingerprint = cursor.fetchone()[0]
    with _lock:
        if _cached is None or _cached[0] != fingerprint:
            _cached = (fingerprint, build())
        return _cached[1]
