"""A run across a shift change, worked by hand: its quantities are prorated by its overlap with each
occurrence, so PQ and APT cover the same period and neither shift reads 200 % or 0 %."""

import datetime as dt

import pytest
from django.db import connection

from mfgplatform.kpi import compute_kpis

from .factories import add_run, date_key, make_equipment, make_shift, only_shifts

DAY = dt.date(2025, 3, 11)  # a Tuesday


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def two_shifts():
    early = make_shift("PRO-A", dt.time(6), dt.time(14), order=1)
    late = make_shift("PRO-B", dt.time(14), dt.time(22), order=2)
    only_shifts(early, late)
    return early, late


def quantities(unit, shift_id: int) -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT runs, pq, gq, sq, rq, psq, pri_pq_s, apt_s FROM agg_time_model "
                       "WHERE equipment_id = %s AND date_key = %s AND shift_id = %s",
                       [unit.pk, date_key(DAY), shift_id])
        row = cursor.fetchone()
    return dict(zip(("runs", "PQ", "GQ", "SQ", "RQ", "PSQ", "PRI_PQ", "APT"), map(float, row), strict=True))


def test_a_run_across_a_shift_change_is_prorated(two_shifts, refresh):
    early, late = two_shifts
    unit = make_equipment("PRO-M1", decommissioned_on=DAY + dt.timedelta(days=1))
    # 12:00–16:00: 2 h in each shift. PRI 36 s, so 400 pieces in 4 h is exactly the planned rate.
    add_run(unit, at(12), at(16), pq=400, gq=380, sq=12, rq=8, psq=10, pri="36")
    refresh()
    # Each shift gets half: PQ 200, GQ 190, SQ 6, RQ 4, PSQ 5; PRI·PQ = 36 × 200 = 7,200 s = APT (2 h).
    assert quantities(unit, early.pk) == {"runs": 1, "PQ": 200, "GQ": 190, "SQ": 6, "RQ": 4, "PSQ": 5,
                                          "PRI_PQ": 7200, "APT": 7200}
    assert quantities(unit, late.pk) == {"runs": 0, "PQ": 200, "GQ": 190, "SQ": 6, "RQ": 4, "PSQ": 5,
                                         "PRI_PQ": 7200, "APT": 7200}
    results = compute_kpis(["effectiveness", "quality_ratio"], equipment=["PRO-M1"], start=DAY, end=DAY,
                           granularity="shift")
    assert {(r.kpi, r.value) for r in results} == {("effectiveness", 1.0), ("quality_ratio", 0.95)}


def test_the_part_of_a_run_outside_every_shift_goes_to_shift_0(two_shifts, refresh):
    early, late = two_shifts
    unit = make_equipment("PRO-M2", decommissioned_on=DAY + dt.timedelta(days=1))
    # 21:00–23:00: the first hour in the late shift, the second after it (no night shift).
    add_run(unit, at(21), at(23), pq=120, gq=120, pri="60")
    refresh()
    assert quantities(unit, late.pk)["PQ"] == 60
    assert quantities(unit, 0)["PQ"] == 60
