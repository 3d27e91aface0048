"""What the demo data (`make run`: seed_iso_compliant in Europe/Berlin with weekend night shifts) must show: both
daylight-saving nights (7 h and 9 h of POT), no unit × shift faster than its planned run time, a positive MTBF
for every equipment class, and plant OEE as the ratio of summed elements over work units only.

The same generator as the demo, on a small plant (12 units) over the fortnight around each change; with seed 3
every class fails at least once in both, so every MTBF is defined."""

import datetime as dt

import pytest
from django.db import connection

from mfgplatform.aggregates.registry import refresh_views
from mfgplatform.kpi import compute_kpis

from .conftest import seed

pytestmark = pytest.mark.django_db

# (first day, days, the Saturday whose night shift crosses the change, its length in hours)
SPRING = (dt.date(2026, 3, 16), 14, dt.date(2026, 3, 28), 7)
AUTUMN = (dt.date(2026, 10, 12), 14, dt.date(2026, 10, 24), 9)


@pytest.fixture
def plant_in_berlin(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    settings.PRODUCTION_DAY_START = "06:00"
    settings.CALENDAR_HOLIDAY_COUNTRY = ""


def _seed_and_refresh(first_day: dt.date, days: int) -> None:
    seed("--size", "small", "--days", str(days), "--seed", "3", "--start", str(first_day), "--weekend-nights")
    failed = [entry for entry in refresh_views(triggered_by="test") if entry.outcome != "success"]
    assert not failed, [(entry.view_name, entry.error) for entry in failed]


def _rows(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


WORK_UNIT = "coalesce(e.is_work_unit, c.is_work_unit, true)"
UNITS = ("dim_equipment e JOIN ref_iso14224_equipment_class c ON c.id = e.equipment_class_id")


@pytest.mark.parametrize(("first_day", "days", "change_night", "hours"), [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_the_demo_plant_shows_its_dst_night_and_no_artefacts(plant_in_berlin, first_day, days, change_night, hours):
    _seed_and_refresh(first_day, days)
    last_day = first_day + dt.timedelta(days=days - 1)

    # Night shifts run on weekend nights too (W, Saturday and Sunday), so the change night is a shift
    # occurrence of every work unit, 7 h (spring) or 9 h (autumn) long; every other night lasts 8 h.
    nights = _rows(
        f"""SELECT t.production_date, t.pot_s
              FROM agg_time_model t JOIN dim_shift s ON s.id = t.shift_id JOIN {UNITS} ON e.id = t.equipment_id
             WHERE s.code IN ('C', 'W') AND {WORK_UNIT} AND t.production_date BETWEEN %s AND %s""",
        [first_day, last_day - dt.timedelta(days=1)])
    lengths = {day: set() for day, _ in nights}
    for day, pot in nights:
        lengths[day].add(pot)
    assert lengths[change_night] == {hours * 3600}
    assert len(lengths) == days - 1
    assert {pot for day, pots in lengths.items() if day != change_night for pot in pots} == {8 * 3600}
    assert change_night.isoweekday() == 6
    # ... and the plant works in it: the simulation books runs into the weekend night shift, labelled W.
    ((runs, apt),) = _rows("SELECT count(*), sum(extract(epoch FROM ended_at - started_at)) FROM fact_production f "
                           "JOIN dim_shift s ON s.id = f.shift_id WHERE s.code = 'W' AND f.date_key = %s",
                           [int(change_night.strftime("%Y%m%d"))])
    assert runs > 0
    assert apt > (hours - 1) * 3600 * 6  # most of the night on at least six of the twelve units

    # The simulation never runs faster than PRI: effectiveness PRI·PQ / APT ≤ 100 % on every unit × shift.
    faster = _rows("SELECT equipment_id, date_key, shift_id, pri_pq_s / apt_s FROM agg_time_model "
                   "WHERE apt_s > 0 AND pri_pq_s > apt_s * (1 + 1e-9)")
    assert faster == []

    # Every equipment class in the plant, support equipment included, has a positive MTBF.
    mtbf = compute_kpis(["mtbf"], start=first_day, end=last_day, group_by="equipment_class")
    classes = {code for (code,) in _rows(f"SELECT DISTINCT c.code FROM {UNITS} WHERE e.taxonomy_level = 6")}
    assert {r.group for r in mtbf} == classes
    assert {r.group: (r.value, r.reason) for r in mtbf if not (r.value and r.value > 0)} == {}

    # Plant OEE is Σ PRI·GQ / Σ PBT over the work units' rows, nothing else.
    (oee,) = compute_kpis(["oee"], start=first_day, end=last_day)
    ((pri_gq, pbt, all_pbt),) = _rows(
        f"""SELECT sum(t.pri_gq_s) FILTER (WHERE {WORK_UNIT}), sum(t.pbt_s) FILTER (WHERE {WORK_UNIT}), sum(t.pbt_s)
              FROM agg_time_model t JOIN {UNITS} ON e.id = t.equipment_id
             WHERE t.production_date BETWEEN %s AND %s""", [first_day, last_day])
    assert oee.value == pytest.approx(float(pri_gq / pbt), rel=1e-12)
    assert oee.elements["PBT"] == pytest.approx(float(pbt), rel=1e-12)
    assert all_pbt >= pbt


def test_make_run_seeds_a_year_in_berlin_with_weekend_nights():
    from pathlib import Path

    import yaml

    from devdata.simulation.sizes import SIZES

    root = Path(__file__).resolve().parents[2]
    assert (SIZES["demo"].days, SIZES["demo"].weekend_nights) == (365, True)
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    assert compose["x-app-environment"]["PLANT_TIME_ZONE"] == "${PLANT_TIME_ZONE:-Europe/Berlin}"
    assert "\nPLANT_TIME_ZONE=Europe/Berlin\n" in (root / ".env.example").read_text()
    assert 'env_default PLANT_TIME_ZONE "Europe/Berlin"' in (root / "scripts/services.sh").read_text()
