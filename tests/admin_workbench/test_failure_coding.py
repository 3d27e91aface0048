"""A stop's ISO 14224 failure record offers, and accepts, only the failure modes, mechanisms and causes
that apply to the class of the stopped equipment (codes that name no class apply to every class)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from mfgplatform.models import AuditLog
from mfgplatform.roles import DATA_STEWARD, MASTER_DATA_ENGINEER, sync_roles
from reliability.models import FactDowntime, FailureCause, FailureMechanism, FailureMode

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded():
    stop = factories.fact_downtime()
    pumps = stop.equipment.equipment_class  # the unit's class
    robots = factories.equipment_class("T-XR")
    modes = {code: FailureMode.objects.create(code=code, name=f"Mode {code}")
             for code in ("P-LEAK", "R-AXIS", "ANY-BRD")}
    modes["P-LEAK"].equipment_classes.add(pumps)
    modes["R-AXIS"].equipment_classes.add(robots)
    mechanism = FailureMechanism.objects.create(code="R-2.9", name="Robot only")
    mechanism.equipment_classes.add(robots)
    cause = FailureCause.objects.create(code="ANY-3.4", name="Wear and tear")
    return stop, modes, mechanism, cause


def _options(page, field: str) -> set[str]:
    return {str(label) for value, label in page.context["adminform"].form.fields[field].choices if value}


def test_the_failure_record_offers_the_codes_of_the_equipment_class(client, admin_user, coded):
    stop, modes, mechanism, cause = coded
    client.force_login(admin_user)
    page = client.get(reverse("admin:reliability_factdowntime_change", args=[stop.pk]))
    assert page.status_code == 200
    offered = _options(page, "failure_mode")
    assert {"P-LEAK Mode P-LEAK", "ANY-BRD Mode ANY-BRD"} <= offered
    assert "R-AXIS Mode R-AXIS" not in offered  # a robot's failure mode is not a pump's
    assert str(mechanism) not in _options(page, "failure_mechanism")
    assert str(cause) in _options(page, "failure_cause")
    assert "started_at" not in page.context["adminform"].form.fields  # the loaded stop stays read-only


def test_a_code_of_another_class_is_refused_and_nothing_is_saved(client, admin_user, coded):
    stop, modes, mechanism, _ = coded
    client.force_login(admin_user)
    url = reverse("admin:reliability_factdowntime_change", args=[stop.pk])
    response = client.post(url, {"failure_mode": modes["R-AXIS"].pk, "failure_mechanism": mechanism.pk})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Select a valid choice" in errors["failure_mode"][0]
    assert "Select a valid choice" in errors["failure_mechanism"][0]
    stop.refresh_from_db()
    assert stop.failure_mode_id is None


def test_a_code_of_the_class_is_stored_on_the_stop_only(client, admin_user, coded):
    stop, modes, _, cause = coded
    client.force_login(admin_user)
    url = reverse("admin:reliability_factdowntime_change", args=[stop.pk])
    response = client.post(url, {"failure_mode": modes["P-LEAK"].pk, "failure_cause": cause.pk,
                                 "work_order": "WO-4711"})
    assert response.status_code == 302
    stop.refresh_from_db()
    assert (stop.failure_mode.code, stop.failure_cause.code, stop.work_order) == ("P-LEAK", "ANY-3.4", "WO-4711")
    assert FactDowntime.objects.count() == 1


def test_the_form_rejects_a_code_the_class_lost_since_the_page_opened(coded):
    stop, modes, _, _ = coded
    from reliability.admin import FailureRecordForm

    form = FailureRecordForm(instance=stop, data={"failure_mode": modes["P-LEAK"].pk})
    modes["P-LEAK"].equipment_classes.set([factories.equipment_class("T-XR")])
    assert not form.is_valid()
    assert "failure_mode" in form.errors


def test_without_the_change_permission_the_stop_is_read_only(client, django_user_model, coded):
    stop, *_ = coded
    viewer = django_user_model.objects.create_user("reader", password="x-Reader-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_factdowntime"))
    client.force_login(viewer)
    url = reverse("admin:reliability_factdowntime_change", args=[stop.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields
    assert client.post(url, {"work_order": "X"}).status_code == 403


@pytest.mark.parametrize("role", [MASTER_DATA_ENGINEER, DATA_STEWARD])
def test_the_engineering_roles_code_failures_and_each_save_is_audited(client, django_user_model, coded, role):
    from django.apps import apps
    from django.contrib.auth.models import Group

    stop, modes, _, cause = coded
    sync_roles(apps)
    engineer = django_user_model.objects.create_user("engineer", password="x-Engineer-1", is_staff=True)
    engineer.groups.add(Group.objects.get(name=role))
    client.force_login(engineer)
    url = reverse("admin:reliability_factdowntime_change", args=[stop.pk])
    assert client.post(url, {"failure_mode": modes["P-LEAK"].pk, "work_order": "WO-1"}).status_code == 302
    assert client.post(url, {"failure_mode": modes["ANY-BRD"].pk, "failure_cause": cause.pk,
                             "work_order": "WO-1"}).status_code == 302
    events = list(AuditLog.objects.filter(action="downtime.failure_record_coded").order_by("id"))
    assert [event.actor_label for event in events] == ["engineer", "engineer"]
    assert {event.object_id for event in events} == {str(stop.pk)}
    assert events[0].payload["changes"] == {"failure_mode": {"from": "", "to": str(modes["P-LEAK"])},
                                            "work_order": {"from": "", "to": "WO-1"}}
    # The second save names only what it changed, with the value each field had before.
    assert events[1].payload["changes"] == {
        "failure_mode": {"from": str(modes["P-LEAK"]), "to": str(modes["ANY-BRD"])},
        "failure_cause": {"from": "", "to": str(cause)},
    }
    assert events[1].payload["equipment"] == stop.equipment.code


def test_an_unchanged_failure_record_writes_no_event(client, admin_user, coded):
    stop, *_ = coded
    client.force_login(admin_user)
    url = reverse("admin:reliability_factdowntime_change", args=[stop.pk])
    assert client.post(url, {}).status_code == 302
    assert not AuditLog.objects.filter(action="downtime.failure_record_coded").exists()
