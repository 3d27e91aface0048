"""The KPI model as a semantic catalog in the Open Semantic Interchange (OSI) shape, for other tools:
datasets (the element views and the dimension tables), relationships, metrics with their formulas,
units and trend directions, and the ontology's synonyms with their priorities.

OSI has no place for a formula over summed elements, a trend direction or a synonym's priority, so
those travel in `custom_extensions` (vendor COMMON) as JSON, as the specification provides.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.apps import apps

from mfgplatform.kpi import element_sources, kpi_formulas

from .lexicon import current as current_lexicon

DIMENSIONS = [
    # (dimension and dataset name, table)
    ("equipment", "dim_equipment"),
    ("equipment_class", "ref_iso14224_equipment_class"),
    ("product", "dim_product"),
    ("shift", "dim_shift"),
    ("failure_mode", "ref_iso14224_failure_mode"),
    ("defect_type", "dim_quality_defect_type"),
    ("downtime_reason", "dim_downtime_reason"),
]
GRAINS = ["shift", "day", "week", "month", "total"]


def _extension(data: dict) -> list[dict]:
    return [{"vendor_name": "COMMON", "data": json.dumps(data, ensure_ascii=False, default=str)}]


def _synonyms() -> dict[str, list[dict]]:
    """concept ref → terms with language and priority, from the active ontology terms."""
    terms = apps.get_model("ontology", "OntologyTerm").objects.filter(is_active=True)
    found: dict[str, list[dict]] = defaultdict(list)
    for term in terms.order_by("-priority", "term"):
        ref = f"{term.dimension}:{term.concept_code}" if term.concept_type == "dimension_member" else \
            f"{term.concept_type}:{term.concept_code}"
        found[ref].append({"term": term.term, "language": term.language, "priority": term.priority})
    return found


def metric_entry(code: str, synonyms: dict | None = None) -> dict:
    """One metric: formula, elements, unit, trend, standard, computability and synonyms."""
    lexicon = current_lexicon()
    synonyms = synonyms if synonyms is not None else _synonyms()
    row = lexicon.metrics.get(code, {})
    formula = kpi_formulas().get(code)
    return {
        "code": code, "name": formula.name if formula else row.get("name", code),
        "formula": formula.formula if formula else row.get("formula", ""),
        "elements": list(formula.elements) if formula else list(row.get("elements") or []),
        "unit": formula.unit if formula else row.get("unit", ""),
        "trend": {"higher": "higher is better", "lower": "lower is better"}.get(row.get("trend"), "unknown"),
        "standard": formula.standard if formula else row.get("standard", ""),
        "computable": formula is not None, "sources": list(formula.sources) if formula else [],
        "note": formula.note if formula else "", "description": row.get("description", ""),
        "synonyms": synonyms.get(f"metric:{code}", []),
    }


def metric_codes() -> list[str]:
    return sorted(set(kpi_formulas()) | set(current_lexicon().metrics))


def dimension_values(dimension: str) -> list[dict]:
    lexicon = current_lexicon()
    members = lexicon.members.get(dimension, [])
    return [{"code": c.code, "name": c.label, **({"level": c.level} if c.level else {})}
            for c in sorted(members, key=lambda c: c.code)]


def semantic_catalog() -> dict:
    synonyms = _synonyms()
    datasets = []
    for source in element_sources().values():
        datasets.append({
            "name": source.name, "source": source.view, "primary_key": ["production_date", "shift_id", "equipment_id"],
            "description": f"Element sums per production day, shift and equipment unit ({source.view}).",
            "fields": [
                {"name": symbol, "expression": {"dialects": [{"dialect": "ANSI_SQL", "expression": expression
                                                              .replace("v.", "")}]}}
                for symbol, expression in source.elements.items()
            ] + [{"name": "production_date", "expression": {"dialects": [{"dialect": "ANSI_SQL",
                                                                          "expression": "production_date"}]},
                  "dimension": {"is_time": True}}],
        })
    for dimension, table in DIMENSIONS:
        datasets.append({
            "name": dimension, "source": table, "primary_key": ["id"],
            "fields": [
                {"name": "code", "expression": {"dialects": [{"dialect": "ANSI_SQL", "expression": "code"}]},
                 "dimension": {"is_time": False}},
                {"name": "name", "expression": {"dialects": [{"dialect": "ANSI_SQL", "expression": "name"}]},
                 "dimension": {"is_time": False}},
            ],
            "ai_context": {"synonyms": [t["term"] for t in synonyms.get(f"dimension:{dimension}", [])]},
            "custom_extensions": _extension({"members": dimension_values(dimension), "member_synonyms": {
                ref.split(":", 1)[1]: terms for ref, terms in synonyms.items() if ref.startswith(f"{dimension}:")}}),
        })
    relationships = [
        {"name": f"{source.name}_to_equipment", "from": source.name, "to": "equipment",
         "from_columns": ["equipment_id"], "to_columns": ["id"]}
        for source in element_sources().values()
    ]
    metrics = []
    for code in metric_codes():
        entry = metric_entry(code, synonyms)
        metrics.append({
            "name": code, "description": f"{entry['name']}: {entry['formula']}",
            "expression": {"dialects": [{"dialect": "ANSI_SQL", "expression": entry["formula"]}]},
            "ai_context": {"synonyms": [t["term"] for t in entry["synonyms"]]},
            "custom_extensions": _extension({key: entry[key] for key in (
                "unit", "trend", "standard", "elements", "computable", "sources", "note", "synonyms")}
                | {"aggregation": "ratio of summed elements at the asked scope; never an average of ratios"}),
        })
    return {"semantic_model": [{
        "name": "mfgplatform_kpis",
        "description": "ISO 22400 / ISO 9001 / ISO 14224 KPIs of the plant, computed as ratios of summed elements.",
        "ai_context": {"instructions": "Ask through the KPI service (query_metric); never compute ratios by "
                                       "averaging. Production days start at the configured local time; weeks are "
                                       "ISO weeks.",
                       "synonyms": []},
        "datasets": datasets, "relationships": relationships, "metrics": metrics,
        "custom_extensions": _extension({
            "time_grains": GRAINS,
            "date_ranges": {ref.split(":", 1)[1]: terms for ref, terms in synonyms.items()
                            if ref.startswith("date_range:")},
            "granularity_synonyms": {ref.split(":", 1)[1]: terms for ref, terms in synonyms.items()
                                     if ref.startswith("granularity:")},
            "unit_synonyms": {ref.split(":", 1)[1]: terms for ref, terms in synonyms.items()
                              if ref.startswith("unit:")},
        }),
    }]}
