"""`manage.py kpi elements`: every ISO 22400 element per work unit × shift occurrence, worked by hand.

Shift S8 06:00–14:00 with a break 10:00–10:30, shift S2 14:00–22:00 without one (minutes):

| unit | facts | POT | PDT | in breaks | other | APT | ADET | ADOT |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| L-A | runs 06:00–10:00, 10:30–14:00 (around the break) | 480 | 30 | 30 | 0 | 450 | 0 | 0 |
| L-B | run 06:00–14:00 (through the break) | 480 | 0 | 0 | 0 | 480 | 0 | 0 |
| L-C | runs to 10:00 and from 10:40, failure 09:50–10:40 (over the break) | 480 | 30 | 30 | 0 | 430 | 20 | 0 |
| L-D | runs around the break and around a planned stop 12:00–13:00 | 480 | 90 | 30 | 60 | 390 | 0 | 0 |
| X-E | run 12:00–16:00 across the shift change, PQ 400, PRI 36 s (S8 / S2) | 480 / 480 | 30 / 0 | 30 / 0 | 0 |
|  | (continued) APT 120 / 120, ADET 0, ADOT 330 / 360 | | | | | | | |
"""

import csv
import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .factories import add_downtime, add_run, at, make_equipment, make_reason, make_shift, only_shifts

DAY = dt.date(2025, 3, 11)
MINUTE = 60


@pytest.fixture
def plant(refresh):
    early = make_shift("S8", dt.time(6), dt.time(14), breaks=[(dt.time(10), 30)])
    late = make_shift("S2", dt.time(14), dt.time(22))
    only_shifts(early, late)
    line = make_equipment("L-LINE", level=5)
    end = DAY + dt.timedelta(days=1)
    a, b, c, d = (make_equipment(code, parent=line, decommissioned_on=end) for code in ("L-A", "L-B", "L-C", "L-D"))
    e = make_equipment("X-E", decommissioned_on=end)
    add_run(a, at(DAY, 6), at(DAY, 10), pq=240, gq=240, pri="60")
    add_run(a, at(DAY, 10, 30), at(DAY, 14), pq=210, gq=200, sq=10, pri="60")
    add_run(b, at(DAY, 6), at(DAY, 14), pq=480, gq=480, pri="60")
    add_run(c, at(DAY, 6), at(DAY, 10), pq=240, gq=240, pri="60")
    add_run(c, at(DAY, 10, 40), at(DAY, 14), pq=200, gq=200, pri="60")
    add_downtime(c, make_reason("L-FAIL", "delay", failure=True, mode="BRD"), at(DAY, 9, 50), at(DAY, 10, 40))
    add_run(d, at(DAY, 6), at(DAY, 10), pq=240, gq=240, pri="60")
    add_run(d, at(DAY, 10, 30), at(DAY, 12), pq=90, gq=90, pri="60")
    add_run(d, at(DAY, 13), at(DAY, 14), pq=60, gq=60, pri="60")
    add_downtime(d, make_reason("L-PM", "planned_downtime"), at(DAY, 12), at(DAY, 13))
    add_run(e, at(DAY, 12), at(DAY, 16), pq=400, gq=380, sq=12, rq=8, psq=10, pri="36")
    refresh()


def elements_json(*args: str) -> dict:
    out = StringIO()
    call_command("kpi", "elements", "--from", DAY.isoformat(), "--to", DAY.isoformat(), *args, "--format", "json",
                 stdout=out)
    return json.loads(out.getvalue())


def minutes(row: dict, *symbols: str) -> tuple:
    return tuple(row[symbol] / MINUTE for symbol in symbols)


def test_every_element_per_unit_and_occurrence(plant):
    listing = elements_json()
    rows = {(row["equipment"], row["shift"]): row for row in listing["rows"]}
    assert set(rows) == {("L-A", "S8"), ("L-B", "S8"), ("L-C", "S8"), ("L-D", "S8"), ("X-E", "S8"),
                         ("L-A", "S2"), ("L-B", "S2"), ("L-C", "S2"), ("L-D", "S2"), ("X-E", "S2")}
    columns = ("POT", "PDT", "PDT_BREAKS", "PDT_OTHER", "PBT", "APT", "ADET", "AUST", "ADOT")
    assert minutes(rows["L-A", "S8"], *columns) == (480, 30, 30, 0, 450, 450, 0, 0, 0)
    assert minutes(rows["L-B", "S8"], *columns) == (480, 0, 0, 0, 480, 480, 0, 0, 0)
    assert minutes(rows["L-C", "S8"], *columns) == (480, 30, 30, 0, 450, 430, 20, 0, 0)
    assert minutes(rows["L-D", "S8"], *columns) == (480, 90, 30, 60, 390, 390, 0, 0, 0)
    assert minutes(rows["X-E", "S8"], *columns) == (480, 30, 30, 0, 450, 120, 0, 0, 330)
    assert minutes(rows["X-E", "S2"], *columns) == (480, 0, 0, 0, 480, 120, 0, 0, 360)
    # The run across the shift change: half its quantities in each shift, PRI·PQ = 200 × 36 s = APT.
    for shift in ("S8", "S2"):
        row = rows["X-E", shift]
        assert (row["PQ"], row["GQ"], row["SQ"], row["RQ"], row["PSQ"]) == (200, 190, 6, 4, 5)
        assert (row["PRI_PQ"], row["PRI_GQ"], row["APT"]) == (7200, 6840, 7200)
    # The identities hold on every row.
    for row in listing["rows"]:
        assert row["POT"] == row["PBT"] + row["PDT"] == row["PBT"] + row["PDT_BREAKS"] + row["PDT_OTHER"]
        assert row["PBT"] == row["AUBT"] + row["ADOT"]
        assert row["AUBT"] == row["AUPT"] + row["ADET"]
        assert row["AUPT"] == row["APT"] + row["AUST"]
    assert listing["elements"]["ADOT"]["meaning"] == "Idle, available without an order"
    assert listing["elements"]["ADET"]["iso_name"] == "Actual unit delay time"


def test_a_subtree_and_a_shift_pattern(plant):
    rows = elements_json("--equipment", "L-LINE", "--shift", "S8")["rows"]
    assert sorted(row["equipment"] for row in rows) == ["L-A", "L-B", "L-C", "L-D"]
    assert {row["shift"] for row in rows} == {"S8"}


def test_csv_and_table_carry_the_same_numbers(plant):
    out = StringIO()
    call_command("kpi", "elements", "--equipment", "L-D", "--from", DAY.isoformat(), "--to", DAY.isoformat(),
                 "--shift", "S8", "--format", "csv", stdout=out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["POT_s"], row["PDT_BREAKS_s"], row["PDT_OTHER_s"], row["APT_s"], row["PQ_units"]) == (
        "28800", "1800", "3600", "23400", "390")
    out = StringIO()
    call_command("kpi", "elements", "--equipment", "L-D", "--from", DAY.isoformat(), "--to", DAY.isoformat(),
                 "--shift", "S8", stdout=out)
    header, _, line = out.getvalue().splitlines()[:3]
    cells = dict(zip(header.split(), line.split(), strict=True))
    assert (cells["POT"], cells["PDT_BREAKS"], cells["PDT_OTHER"], cells["APT"], cells["PQ"]) == (
        "480", "30", "60", "390", "390")
    assert "ADOT = Idle, available without an order" in out.getvalue()


def test_elements_refuses_options_that_do_not_apply(plant):
    with pytest.raises(CommandError, match="--granularity does not apply"):
        call_command("kpi", "elements", "--range", "yesterday", "--granularity", "day", stdout=StringIO())
    with pytest.raises(CommandError, match="name no KPI with it"):
        call_command("kpi", "elements", "oee", "--range", "yesterday", stdout=StringIO())
    with pytest.raises(CommandError, match="unknown equipment code"):
        call_command("kpi", "elements", "--equipment", "NOPE", "--range", "yesterday", stdout=StringIO())


def test_on_the_seeded_plant_the_listing_sums_to_the_kpi_elements(refresh, settings):
    """The simulated plant (3 days): every listed row keeps the identities, its break part is at most the
    shift's break windows and never negative, and the rows add up to the elements plant OEE divides."""
    from mfgplatform.kpi import compute_kpis
    from mfgplatform.models import DimShift

    first = dt.date(2025, 3, 10)
    call_command("seed_iso_compliant", size="tiny", days=3, start=first, no_progress=True, stdout=StringIO())
    refresh()
    last = first + dt.timedelta(days=2)
    out = StringIO()
    call_command("kpi", "elements", "--from", first.isoformat(), "--to", last.isoformat(), "--format", "json",
                 stdout=out)
    rows = json.loads(out.getvalue())["rows"]
    assert rows
    break_seconds = {shift.code: 60 * sum(b.minutes for b in shift.breaks.all())
                     for shift in DimShift.objects.prefetch_related("breaks")}
    for row in rows:
        assert row["POT"] == row["PBT"] + row["PDT_BREAKS"] + row["PDT_OTHER"]
        assert 0 <= row["PDT_BREAKS"] <= break_seconds.get(row["shift"], 0)
        assert row["PDT_OTHER"] >= 0
    (oee,) = compute_kpis(["oee"], start=first, end=last)
    for symbol in ("APT", "PBT", "PRI_GQ", "PQ", "GQ"):
        assert sum(row[symbol] for row in rows) == pytest.approx(oee.elements[symbol], abs=1e-6), symbol
