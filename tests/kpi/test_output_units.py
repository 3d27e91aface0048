"""KPI output states the unit of the number it gives: a ratio is computed and given as a fraction (0.8333),
so JSON and CSV call its unit "fraction"; only the display shows it as a percentage."""

import csv
import io
import json

import pytest

from mfgplatform.kpi.output import as_csv, as_json, as_table
from mfgplatform.kpi.types import KpiResult

pytestmark = pytest.mark.django_db  # the KPI tests' calendar fixture


def _result(value, unit):
    return KpiResult(kpi="availability", name="Availability", standard="ISO 22400-2:2014", period="2025-03-10",
                     value=value, unit=unit, formula="APT / PBT", elements={"APT": 600.0, "PBT": 720.0})


def test_a_ratio_is_a_fraction_in_json_and_csv_and_a_percentage_on_display():
    ratio = _result(600 / 720, "%")
    row = json.loads(as_json([ratio]))[0]
    assert (row["value"], row["unit"], row["display_unit"], row["display"]) == (600 / 720, "fraction", "%", "83.33 %")
    (line,) = list(csv.DictReader(io.StringIO(as_csv([ratio]))))
    assert (float(line["value"]), line["unit"]) == (600 / 720, "fraction")
    assert "83.33 %" in as_table([ratio])


def test_other_units_are_given_as_they_are():
    hours = _result(165.5, "h")
    row = json.loads(as_json([hours]))[0]
    assert (row["value"], row["unit"], row["display_unit"], row["display"]) == (165.5, "h", "h", "165.5000 h")
    (line,) = list(csv.DictReader(io.StringIO(as_csv([hours]))))
    assert line["unit"] == "h"
