"""A subgroup never spans shift occurrences, and every stored spread is exact far from zero.

Plants number their subgroups 1..k in every shift; the capability indices must treat "subgroup 1 of
Monday's early shift" and "subgroup 1 of Monday's late shift" as two subgroups at every granularity.
And measurements near 1e8 with a spread of 0.5 must give the indices of the data, not of Σx² − (Σx)²/n.
Both are checked against a recomputation from the raw measurements (tests/quality/reference.py).
"""

import datetime as dt
import math
import random
import statistics

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgplatform.kpi import compute_kpis
from quality.models import FactQuality
from quality.moments import Moments, combine
from reliability.sensor_aggregate import record_sensor_writes, refresh_sensor_hourly
from tests.kpi.factories import add_measurement, date_key, make_equipment, make_shift, only_shifts, product

from . import reference

MONDAY = dt.date(2025, 3, 10)
INDICES = ["cp", "cpk", "pp", "ppk"]
GRANULARITIES = ["shift", "day", "week", "month", "total"]


@pytest.fixture
def shifts():
    plan = [make_shift("SA", dt.time(6), dt.time(14), order=1), make_shift("SB", dt.time(14), dt.time(22), order=2),
            make_shift("SC", dt.time(22), dt.time(6), order=3)]
    only_shifts(*plan)
    return plan


# Five shift occurrences (production day, shift, first hour): Monday's three, Tuesday's first two.
# The night shift's subgroups cross midnight but belong to Monday's production day.
OCCURRENCES = [(MONDAY, "SA", 7), (MONDAY, "SB", 15), (MONDAY, "SC", 23),
               (MONDAY + dt.timedelta(days=1), "SA", 7), (MONDAY + dt.timedelta(days=1), "SB", 15)]


def _instant(day: dt.date, first_hour: int, subgroup: int, part: int) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(hours=first_hour)
    return start + dt.timedelta(hours=subgroup - 1, minutes=part)


def _bucket(granularity: str, day: dt.date, shift: str):
    return {
        "shift": (day, shift), "day": day, "week": day - dt.timedelta(days=day.weekday()),
        "month": day.replace(day=1), "total": None,
    }[granularity]


def _measure_per_shift(unit, shift_means, *, within: float, lsl: float, usl: float, seed: int):
    """Subgroups 1–4 of five parts in each occurrence, numbered again from 1 in every shift."""
    rng = random.Random(seed)
    raw = []
    for (day, shift, first_hour), mean in zip(OCCURRENCES, shift_means, strict=True):
        for number in range(1, 5):
            for part in range(5):
                value = mean + rng.gauss(0, within)
                add_measurement(unit, _instant(day, first_hour, number, part), value, subgroup=number, lsl=lsl,
                                usl=usl)
                raw.append((day, shift, number, value))
    return raw


def _check_every_granularity(code: str, raw, lsl: float, usl: float) -> None:
    for granularity in GRANULARITIES:
        results = compute_kpis(INDICES, equipment=[code], start=MONDAY, end=MONDAY + dt.timedelta(days=1),
                               granularity=granularity, characteristic="bore")
        buckets: dict = {}
        for day, shift, number, value in raw:
            buckets.setdefault(_bucket(granularity, day, shift), []).append(((day, shift), number, value))
        expected = [reference.capability(buckets[key], lsl, usl) for key in sorted(buckets, key=str)]
        for index in INDICES:
            got = [r.value for r in results if r.kpi == index]
            assert got == pytest.approx([e[index] for e in expected], rel=1e-9), (granularity, index)


def test_subgroups_numbered_per_shift_stay_apart_at_every_granularity(shifts, refresh):
    unit = make_equipment("SPC-SHIFT")
    lsl, usl = 9.76, 10.25
    raw = _measure_per_shift(unit, [10.0, 10.06, 9.95, 10.08, 9.94], within=0.01, lsl=lsl, usl=usl, seed=17)
    refresh("mv_quality_measurement")
    _check_every_granularity("SPC-SHIFT", raw, lsl, usl)

    # The data discriminate: pooling "subgroup k" across the shifts, as a roll-up by number would,
    # makes σ_within the shift-to-shift spread and the process look far less capable.
    right = reference.capability([((d, s), n, v) for d, s, n, v in raw], lsl, usl)
    merged = reference.capability([(None, n, v) for d, s, n, v in raw], lsl, usl)
    assert right["cp"] > 4 * merged["cp"]
    (total,) = compute_kpis(["cp"], equipment=["SPC-SHIFT"], start=MONDAY, end=MONDAY + dt.timedelta(days=1),
                            characteristic="bore")
    assert total.value == pytest.approx(right["cp"], rel=1e-9)


def test_values_far_from_zero_keep_their_spread_at_every_granularity(shifts, refresh):
    unit = make_equipment("SPC-FAR")
    lsl, usl = 1e8 - 5, 1e8 + 5
    raw = _measure_per_shift(unit, [1e8, 1e8 + 0.2, 1e8 - 0.1, 1e8 + 0.3, 1e8 - 0.2], within=0.5, lsl=lsl, usl=usl,
                             seed=8)
    refresh("mv_quality_measurement")
    _check_every_granularity("SPC-FAR", raw, lsl, usl)
    # The naive formula would not even come close on these data (its Pp was "not computable").
    values = [v for *_, v in raw]
    naive = (sum(v * v for v in values) - sum(values) ** 2 / len(values)) / (len(values) - 1)
    assert not math.isclose(max(naive, 0) ** 0.5, statistics.stdev(values), rel_tol=1e-3)


def test_a_one_sided_specification_still_reports_only_its_side(shifts, refresh):
    unit = make_equipment("SPC-ONE")
    rng = random.Random(3)
    for number in (1, 2):
        for part in range(5):
            add_measurement(unit, _instant(MONDAY, 7, number, part), 1e8 + rng.gauss(0, 0.5), subgroup=number,
                            lsl=None, usl=1e8 + 4)
    refresh("mv_quality_measurement")
    results = {r.kpi: r for r in compute_kpis(["cp", "cpk"], equipment=["SPC-ONE"], start=MONDAY, end=MONDAY,
                                               characteristic="bore")}
    assert results["cp"].value is None
    assert set(results["cpk"].details) == {"mean", "sigma", "upper"}
    assert results["cpk"].value == pytest.approx((1e8 + 4 - results["cpk"].details["mean"])
                                                 / (3 * results["cpk"].details["sigma"]), rel=1e-12)


# --- the property: exact spreads over offsets 1e0…1e9 and spreads 1e-3…1e3 --------------------------------

# Standardised deviations on a grid of 1e-3: at offset 1e9 and spread 1e-3 two values still differ by at
# least 1e-6, well above the spacing of doubles there (1.2e-7), so every subgroup has a real spread.
deviations = st.lists(st.integers(-3000, 3000), min_size=2, max_size=6, unique=True)


@pytest.fixture
def sensor_unit(shifts):
    return make_equipment("SPC-PROP")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offset_exponent=st.integers(0, 9), spread_exponent=st.integers(-3, 3), negative=st.booleans(),
       subgroups=st.lists(deviations, min_size=1, max_size=4))
def test_stored_spreads_match_statistics_stdev(sensor_unit, refresh, offset_exponent, spread_exponent, negative,
                                               subgroups):
    offset = (-1 if negative else 1) * 10.0**offset_exponent
    spread = 10.0**spread_exponent
    values = [[offset + spread * z / 1000 for z in group] for group in subgroups]
    with transaction.atomic():
        _store_measurements(sensor_unit, values)
        _store_readings(sensor_unit, values)
        refresh("mv_quality_measurement")
        refresh_sensor_hourly()
        for stored in (_measurement_rows(), _sensor_rows()):
            assert len(stored) == len(values)
            for group, moments in zip(values, stored, strict=True):
                assert math.isclose(moments.stdev, statistics.stdev(group), rel_tol=1e-9), (group, moments)
                assert math.isclose(moments.mean + moments.residual / moments.n, statistics.fmean(group),
                                    rel_tol=1e-15, abs_tol=spread * 1e-12)
            everything = [v for group in values for v in group]
            assert math.isclose(combine(stored).stdev, statistics.stdev(everything), rel_tol=1e-9)
        transaction.set_rollback(True)


def _store_measurements(unit, values) -> None:
    # Subgroup 1 in every occurrence: they must stay separate rows, i.e. separate subgroups.
    rows = []
    for (day, _, first_hour), group in zip(OCCURRENCES, values, strict=False):
        for part, value in enumerate(group):
            at = _instant(day, first_hour, 1, part)
            rows.append(FactQuality(kind="variable", inspected_at=at, equipment=unit, product=product(),
                                    date_id=date_key(at.date()), characteristic="prop", measured_value=value,
                                    subgroup=1))
    FactQuality.objects.bulk_create(rows)


def _store_readings(unit, values) -> None:
    hour = dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC)
    rows = [(hour + dt.timedelta(hours=h, seconds=7 * i), unit.id, "prop", value, 192)
            for h, group in enumerate(values) for i, value in enumerate(group)]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                           "VALUES (%s, %s, %s, %s, %s)", rows)
    record_sensor_writes(rows[0][0], rows[-1][0])


def _measurement_rows() -> list[Moments]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, value_mean, value_dev_sum, value_m2 FROM mv_quality_measurement "
                       "WHERE characteristic = 'prop' ORDER BY first_at")
        return [Moments(*row) for row in cursor.fetchall()]


def _sensor_rows() -> list[Moments]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT good_readings, value_mean, value_dev_sum, value_m2 FROM agg_sensor_hourly "
                       "WHERE tag = 'prop' ORDER BY bucket")
        return [Moments(*row) for row in cursor.fetchall()]


# --- no accepted value makes a refresh fail ---------------------------------------------------------------

EXTREMES = [1e200, -1.7976931348623157e308, 1.7976931348623157e308, 5e-324, -1e-200, 0.0, 1e-100, 1e140]


def test_extreme_values_never_make_a_refresh_fail(sensor_unit, refresh):
    hour = dt.datetime.combine(MONDAY, dt.time(8), tzinfo=dt.UTC)
    groups = {"huge": [1e150, 1.5e150, -1e150], "edges": [1.7976931348623157e308, 1.7976931348623157e308],
              "tiny": [5e-324, 1e-320, -1e-200], "mixed": EXTREMES, "nan": [math.nan, 1.0], "inf": [math.inf, 2.0]}
    rows = [(hour + dt.timedelta(minutes=i), sensor_unit.id, tag, value, 192)
            for tag, group in groups.items() for i, value in enumerate(group)]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO fact_sensor_event (time, equipment_id, tag, value, quality) "
                           "VALUES (%s, %s, %s, %s, %s)", rows)
        record_sensor_writes(hour, hour + dt.timedelta(minutes=59))
        assert refresh_sensor_hourly().rows_written == len(groups)
        cursor.execute("SELECT tag, good_readings, value_mean, value_m2, value_min, value_max FROM agg_sensor_hourly")
        stored = {tag: rest for tag, *rest in cursor.fetchall()}
    assert stored["huge"][0] == 3
    assert stored["huge"][1] == pytest.approx(statistics.fmean(groups["huge"]), rel=1e-12)
    assert stored["huge"][2] == pytest.approx(float(reference.sum_of_squares(groups["huge"])), rel=1e-12)
    assert stored["edges"][1:4] == [1.7976931348623157e308, 0, 1.7976931348623157e308]
    assert stored["tiny"][3:] == [-1e-200, 1e-320]
    assert stored["mixed"][2] is None  # Σ(x − mean)² is beyond the double range: unknown, not an error
    assert (stored["mixed"][3], stored["mixed"][4]) == (min(EXTREMES), max(EXTREMES))

    for i, value in enumerate(EXTREMES):
        add_measurement(sensor_unit, _instant(MONDAY, 7, 1, i), value, characteristic="extreme", subgroup=1)
    add_measurement(sensor_unit, _instant(MONDAY, 9, 1, 0), 1e150, characteristic="big", subgroup=1)
    add_measurement(sensor_unit, _instant(MONDAY, 9, 1, 1), 2e150, characteristic="big", subgroup=1)
    refresh("mv_quality_measurement")
    (cp,) = compute_kpis(["cp"], equipment=["SPC-PROP"], start=MONDAY, end=MONDAY, characteristic="extreme")
    assert (cp.value, cp.reason) == (None, "the measurements' spread does not fit a double (values beyond ±1e154)")
    (pp,) = compute_kpis(["pp"], equipment=["SPC-PROP"], start=MONDAY, end=MONDAY, characteristic="big")
    assert pp.value == pytest.approx(0.4 / (6 * statistics.stdev([1e150, 2e150])), rel=1e-12)
