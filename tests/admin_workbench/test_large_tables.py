"""Fact and audit lists never count their table and navigate dates from MIN/MAX of an indexed column."""

import datetime as dt

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mfgplatform.admin_base import EstimatedCountPaginator, LargeTableAdmin
from reliability.models import FactDowntime

from . import factories

LARGE_TABLE_ADMINS = sorted(
    (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, LargeTableAdmin)),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_fact_table_and_the_audit_log_use_the_large_table_admin():
    assert [model._meta.db_table for model in LARGE_TABLE_ADMINS] == [
        "audit_log", "fact_production", "fact_quality", "fact_scrap", "fact_downtime", "fact_sensor_event",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("model", LARGE_TABLE_ADMINS, ids=[m._meta.label for m in LARGE_TABLE_ADMINS])
def test_changelist_of_a_large_table_runs_no_count(superuser_client, monkeypatch, model):
    """With the planner's estimate above the threshold (0 here, as for a table of millions of rows),
    neither the paginator nor the result-count line counts the table."""
    factories.make_row(model._meta.label)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_count_threshold", 0)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = superuser_client.get(url)
    assert response.status_code == 200
    statements = [query["sql"].upper() for query in queries.captured_queries]
    assert [sql for sql in statements if "COUNT(" in sql] == []
    assert [sql for sql in statements if "DISTINCT" in sql] == []
    assert sum(sql.startswith("EXPLAIN") for sql in statements) == 1


@pytest.mark.django_db
def test_small_estimates_are_counted_exactly():
    factories.fact_downtime()
    paginator = EstimatedCountPaginator(FactDowntime.objects.all(), 50)
    assert paginator.count == 1


def _downtime_on(day: dt.date) -> FactDowntime:
    started = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    return FactDowntime.objects.create(
        equipment=factories.equipment_unit(), reason=factories.downtime_reason(), date=factories.calendar_day(day),
        started_at=started, ended_at=started + dt.timedelta(minutes=10),
    )


def _hierarchy_links(response) -> list[str]:
    context = response.context
    return [choice["title"] for choice in context["indexed_date_hierarchy"].context(context["cl"])["choices"]]


@pytest.mark.django_db
def test_date_navigation_drills_from_years_to_months_to_days(superuser_client):
    for day in (dt.date(2023, 12, 30), dt.date(2024, 2, 3), dt.date(2024, 2, 5), dt.date(2024, 4, 1)):
        _downtime_on(day)
    url = reverse("admin:reliability_factdowntime_changelist")

    top = superuser_client.get(url)
    assert _hierarchy_links(top) == ["2023", "2024"]

    year = superuser_client.get(url, {"date__gte": "20240101", "date__lt": "20250101"})
    assert _hierarchy_links(year) == ["February 2024", "March 2024", "April 2024"]
    assert year.context["cl"].result_count == 3

    month = superuser_client.get(url, {"date__gte": "20240201", "date__lt": "20240301"})
    assert _hierarchy_links(month) == ["3 February", "4 February", "5 February"]
    assert [row.date_id for row in month.context["cl"].result_list] == [20240205, 20240203]

    day = superuser_client.get(url, {"date__gte": "20240203", "date__lt": "20240204"})
    assert _hierarchy_links(day) == []
    assert [row.date_id for row in day.context["cl"].result_list] == [20240203]


@pytest.mark.django_db
def test_sensor_event_navigation_uses_utc_days_of_the_time_column(superuser_client):
    unit = factories.equipment_unit()
    from reliability.models import FactSensorEvent

    for hour in (1, 23):
        FactSensorEvent.objects.create(
            time=dt.datetime(2024, 5, 6, hour, tzinfo=dt.UTC), equipment=unit, tag="temp", value=hour
        )
    url = reverse("admin:reliability_factsensorevent_changelist")
    response = superuser_client.get(url, {"time__gte": "2024-05-06T00:00:00+00:00",
                                          "time__lt": "2024-05-07T00:00:00+00:00"})
    assert response.status_code == 200
    assert [event.value for event in response.context["cl"].result_list] == [23.0, 1.0]
    assert _hierarchy_links(superuser_client.get(url)) == ["May 2024"]
