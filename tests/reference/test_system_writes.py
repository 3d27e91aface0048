"""Commands and jobs that write master data record who (the system account) and why (history and
audit log), and reference-data migrations unapply in any order Django allows."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from equipment.models import Equipment
from mfgplatform.compliance.verification import check_audit_trail
from mfgplatform.models import AuditLog, DimDate
from mfgplatform.system_account import SYSTEM_USERNAME
from production.models import PlannedRunTime, Product

from .test_migrations_reversible import run_python

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> None:
    call_command("seed_iso_compliant", "--size", "tiny", "--days", "1", "--no-progress", *args, stdout=StringIO())


def test_seed_and_reset_leave_a_complete_audit_trail():
    _seed()
    _seed("--reset")

    assert check_audit_trail().passed, check_audit_trail().detail
    for model in (Equipment, PlannedRunTime, Product):
        deletions = model.history.filter(history_type="-")
        assert deletions.exists()
        assert set(deletions.values_list("history_user__username", flat=True)) == {SYSTEM_USERNAME}
        creations = model.history.filter(history_type="+")
        assert set(creations.values_list("history_user__username", flat=True)) == {SYSTEM_USERNAME}


def test_seed_writes_an_audit_event_naming_the_system_account_and_the_reason():
    _seed()
    seeded = {"ref_planned_run_time": PlannedRunTime.objects.count(), "dim_equipment": Equipment.objects.count(),
              "dim_product": Product.objects.count()}
    _seed("--reset")

    events = list(AuditLog.objects.filter(action__startswith="master_data.").order_by("id"))
    assert [event.action for event in events] == ["master_data.seeded", "master_data.reset", "master_data.seeded"]
    assert {event.actor.username for event in events} == {SYSTEM_USERNAME}
    assert {event.payload["command"] for event in events} == {"seed_iso_compliant"}
    assert events[1].payload["deleted"] == seeded


def test_the_system_account_cannot_log_in(client):
    _seed()
    account = Equipment.history.filter(history_type="+").first().history_user
    assert (account.is_active, account.has_usable_password()) == (False, False)


def test_load_calendar_records_the_system_account():
    call_command("load_calendar", start="2041-01-01", end="2041-01-10", stdout=StringIO())

    history = DimDate.history.filter(date__range=(dt.date(2041, 1, 1), dt.date(2041, 1, 10)))
    assert set(history.values_list("history_user__username", flat=True)) == {SYSTEM_USERNAME}
    event = AuditLog.objects.get(action="master_data.calendar_loaded")
    assert (event.actor.username, event.payload["inserted"]) == (SYSTEM_USERNAME, 10)


def _migration_state(app_label: str, name: str):
    return MigrationLoader(connection).project_state((app_label, name), at_end=True).apps


def test_a_reference_reverse_does_not_touch_tables_of_other_apps():
    """`migrate mfgplatform zero` drops the fact tables before it reverses the shift data; the reverse must
    not look at them (an ORM delete would collect the facts that referenced the shifts)."""
    key = ("mfgplatform", "0006_shifts_and_date_ranges")
    # Django unapplies with the states of its full plan, in which the fact models already exist.
    state = MigrationLoader(connection).project_state().apps
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE fact_downtime, fact_production, fact_quality, fact_scrap CASCADE")

    # The shifts' break windows (a later migration) are unapplied first, as in Django's plan.
    run_python("mfgplatform", "0081_default_break_positions").reverse_code(state, None)
    run_python(*key).reverse_code(state, None)

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM dim_shift), (SELECT count(*) FROM dim_date_range)")
        assert cursor.fetchone() == (0, 0)


def test_unapplying_reference_data_that_facts_use_stops_with_a_clear_message():
    _seed()
    key = ("reliability", "0003_downtime_reason_tree")

    with pytest.raises(CommandError) as raised:
        run_python(*key).reverse_code(_migration_state(*key), None)

    message = str(raised.value)
    assert "dim_downtime_reason" in message
    assert "fact_downtime" in message
    assert len(message) < 600
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dim_downtime_reason")
        assert cursor.fetchone()[0] > 0
