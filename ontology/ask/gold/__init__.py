"""The gold set: a fixture plant and questions with their expected interpretation, stored as YAML.

`load_plant()` writes the plant's master data; `evaluate()` resolves every question and scores it.
A test runs it and bench/ask.py prints the figures.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.apps import apps

from ..frame import DEFAULTS
from ..resolver import resolve_question

HERE = Path(__file__).parent


def plant() -> dict:
    return yaml.safe_load((HERE / "plant.yaml").read_text(encoding="utf-8"))


def questions() -> list[dict]:
    return yaml.safe_load((HERE / "questions.yaml").read_text(encoding="utf-8"))["questions"]


def frozen_now() -> dt.datetime:
    return dt.datetime.fromisoformat(plant()["now"])


def load_plant() -> None:
    """The fixture plant's equipment and products (reference classes and shifts must exist)."""
    spec = plant()
    equipment = apps.get_model("equipment", "Equipment")
    classes = apps.get_model("equipment", "EquipmentClass")
    product = apps.get_model("production", "Product")
    unit = apps.get_model("mfgplatform", "DimUnitOfMeasure")
    saved = {}
    for row in spec["equipment"]:
        parent = saved.get(row.get("parent"))
        saved[row["code"]] = equipment.objects.create(
            code=row["code"], name=row["name"], taxonomy_level=row["level"], parent=parent,
            path=f"{parent.path}/{row['code']}" if parent else row["code"],
            equipment_class=classes.objects.get(code=row["class"]) if row.get("class") else None,
        )
    pieces = unit.objects.get(code="pcs")
    for row in spec["products"]:
        product.objects.create(code=row["code"], name=row["name"], unit=pieces)


@dataclass
class Outcome:
    question: str
    expected: dict
    got: dict
    exact: bool
    status: str
    confidently_wrong: bool
    seconds: float


def expected_of(entry: dict) -> dict:
    expect = dict(entry.get("expect") or {})
    status = expect.pop("status", "answered")
    options = expect.pop("options", None)
    frame = DEFAULTS | expect
    return {"status": status, "frame": frame if status == "answered" else None, "options": options}


def score(entry: dict, resolution) -> Outcome:
    expected = expected_of(entry)
    got = {"status": resolution.status,
           "frame": resolution.frame.canonical() if resolution.status == "answered" else None,
           "options": [option["concept"] for option in resolution.options]}
    exact = got["status"] == expected["status"]
    if exact and expected["status"] == "answered":
        exact = got["frame"] == expected["frame"]
    if exact and expected["options"] is not None:
        exact = sorted(got["options"]) == sorted(expected["options"])
    wrong = got["status"] == "answered" and not exact
    return Outcome(entry["q"], expected, got, exact, resolution.status, wrong, 0.0)


def evaluate() -> list[Outcome]:
    now = frozen_now()
    outcomes = []
    for entry in questions():
        started = time.perf_counter()
        resolution = resolve_question(entry["q"], now=now)
        outcome = score(entry, resolution)
        outcome.seconds = time.perf_counter() - started
        outcomes.append(outcome)
    return outcomes


def differences(outcome: Outcome) -> str:
    if outcome.expected["status"] != outcome.got["status"]:
        return f"status {outcome.got['status']} (expected {outcome.expected['status']})"
    if outcome.expected["frame"] and outcome.got["frame"]:
        return ", ".join(f"{key}={outcome.got['frame'][key]!r} (expected {value!r})"
                         for key, value in outcome.expected["frame"].items() if outcome.got["frame"][key] != value)
    return f"options {outcome.got['options']} (expected {outcome.expected['options']})"
