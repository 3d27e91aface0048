"""Property: the view-based elements and KPIs equal the plain-Python reference computed from the raw
facts (mfgplatform.kpi.reference), on random fact sets with downtime across midnight and shift
boundaries, overlapping stops, open stops, runs outside every shift (the unscheduled occurrence),
shifts without production and overlapping shift patterns."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfgplatform.kpi import compute_kpis
from mfgplatform.kpi.reference import ReferenceFetch, compare_with_views, compute, describe
from reliability.models import FactDowntime

from .factories import add_downtime, add_run, make_equipment, make_reason, make_shift, only_shifts

FIRST_DAY = dt.date(2025, 3, 14)  # Friday; Saturday and Sunday have no shift, Monday has all three
DAYS = 4
SPAN_SECONDS = DAYS * 24 * 3600
ORIGIN = dt.datetime.combine(FIRST_DAY, dt.time(0), tzinfo=dt.UTC)
REASONS = [("P-PLAN", "planned_downtime", {}), ("P-FAIL", "delay", {"failure": True, "mode": "BRD"}),
           ("P-MINOR", "delay", {"minor": True}), ("P-SETUP", "setup", {}), ("P-IDLE", "idle", {})]


@pytest.fixture(params=["disjoint shifts", "overlapping shifts"])
def plant(request, refresh):
    shifts = [
        # Two breaks on PA (one at the default position, 09:45, one at 12:00), one after midnight on PC.
        make_shift("PA", dt.time(6), dt.time(14), break_minutes=30, breaks=[(dt.time(12), 10)], order=1),
        make_shift("PB", dt.time(14), dt.time(22), weekdays=[1, 2, 5], order=2),
        make_shift("PC", dt.time(22), dt.time(6), break_minutes=45, order=3),
    ]
    if request.param == "overlapping shifts":
        # A pattern that overlaps two others: each occurrence keeps its own time model, and an instant
        # belongs to the occurrence that starts first.
        shifts.append(make_shift("PD", dt.time(10), dt.time(18), break_minutes=15, weekdays=[1, 5], order=4))
    only_shifts(*shifts)
    line = make_equipment("P-LINE", level=5)
    end = FIRST_DAY + dt.timedelta(days=DAYS)
    units = [make_equipment(f"P-M{i}", parent=line, decommissioned_on=end) for i in (1, 2)]
    reasons = [make_reason(code, category, **options) for code, category, options in REASONS]
    refresh("mv_shift_occurrence")
    return shifts, units, reasons


def instants():
    return st.integers(min_value=0, max_value=SPAN_SECONDS - 1).map(lambda s: ORIGIN + dt.timedelta(seconds=s))


stop_strategy = st.tuples(
    st.integers(0, 1), st.integers(0, len(REASONS) - 1), instants(), st.integers(60, 20 * 3600),
    st.integers(0, 30),
)
run_strategy = st.tuples(
    st.integers(0, 1), instants(), st.integers(60, 14 * 3600), st.integers(0, 500), st.integers(0, 100),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("60"), places=2), st.sampled_from(["", "PO-1", "PO-2"]),
)


def _view_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agg_time_model")
        columns = [c.name for c in cursor.description]
        return {(r[0], r[1], r[2]): dict(zip(columns, r, strict=True)) for r in cursor.fetchall()}


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stops=st.lists(stop_strategy, max_size=10), runs=st.lists(run_strategy, max_size=8))
def test_views_equal_the_python_reference(plant, refresh, stops, runs):
    shifts, units, reasons = plant
    with transaction.atomic():
        for unit_index, reason_index, start, length, open_roll in stops:
            # About one stop in thirty is still open (no end): it runs to now.
            end = None if open_roll == 0 else start + dt.timedelta(seconds=length)
            add_downtime(units[unit_index], reasons[reason_index], start, end)
        for unit_index, start, length, produced, bad_share, pri, order in runs:
            bad = produced * bad_share // 100
            add_run(units[unit_index], start, start + dt.timedelta(seconds=length), pq=produced, gq=produced - bad,
                    sq=bad // 2, rq=bad - bad // 2, psq=bad // 3, pri=pri, order=order)
        refresh("agg_time_model", "mv_reliability_event", "agg_downtime_by_reason")

        first, last = FIRST_DAY - dt.timedelta(days=1), FIRST_DAY + dt.timedelta(days=DAYS)
        computed = compute(first, last)
        differences = compare_with_views(computed)
        assert not differences, describe(differences)
        expected = {key: row.values for key, row in computed.time_model.items()}
        actual = _view_rows()
        # Every row of the view is the reference's, none more (all the facts lie in those days).
        assert set(actual) == set(expected)
        for key, row in expected.items():
            assert actual[key]["pbt_s"] == actual[key]["aubt_s"] + actual[key]["adot_s"]
            assert actual[key]["pot_s"] == actual[key]["pbt_s"] + actual[key]["planned_downtime_s"]
            assert row["pot_s"] == row["pbt_s"] + row["planned_downtime_s"]

        _check_oee_against_reference(expected)
        _check_reliability_totals()
        transaction.set_rollback(True)


def _check_oee_against_reference(expected):
    sums = {column: sum((row[column] for row in expected.values()), Fraction(0))
            for column in ("apt_s", "pbt_s", "pri_gq_s")}
    from_views = compute_kpis(["oee", "availability"], equipment=["P-LINE"], start=FIRST_DAY - dt.timedelta(days=1),
                              end=FIRST_DAY + dt.timedelta(days=DAYS))
    from_facts = compute_kpis(["oee", "availability"], equipment=["P-LINE"], start=FIRST_DAY - dt.timedelta(days=1),
                              end=FIRST_DAY + dt.timedelta(days=DAYS), fetch=ReferenceFetch())
    assert [(r.value, r.reason) for r in from_views] == [(r.value, r.reason) for r in from_facts]
    oee, availability = from_views
    if sums["pbt_s"]:
        assert availability.value == pytest.approx(float(Fraction(sums["apt_s"]) / Fraction(sums["pbt_s"])), abs=1e-12)
    if sums["pbt_s"]:
        assert oee.value == pytest.approx(float(Fraction(sums["pri_gq_s"]) / Fraction(sums["pbt_s"])), abs=1e-12)
    else:
        assert (oee.value, oee.reason) in {(None, "PBT is zero"), (None, "no recorded data in the selection")}


def _check_reliability_totals():
    failures = FactDowntime.objects.filter(reason__is_failure=True)
    restored = [f for f in failures if f.ended_at]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(sum(failures), 0), coalesce(sum(restored_failures), 0), coalesce(sum(ttr_s), 0)"
                       " FROM mv_reliability_event")
        total_failures, total_restored, ttr = cursor.fetchone()
        cursor.execute("SELECT coalesce(sum(stops), 0) FROM agg_downtime_by_reason")
        (stops,) = cursor.fetchone()
    assert total_failures == failures.count()
    assert total_restored == len(restored)
    assert float(ttr) == pytest.approx(sum((f.ended_at - f.started_at).total_seconds() for f in restored), abs=1e-6)
    assert stops == FactDowntime.objects.count()
