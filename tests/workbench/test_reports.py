"""Compliance reports from the browser: preview without storing, generate and store, a test sent over
real SMTP on loopback to the requester only (no delivery recorded), roles respected."""

import django.apps
import pytest
from django.contrib.auth.models import Group

from mfgplatform.models import ComplianceReport, ReportDelivery
from mfgplatform.roles import VIEWER, sync_roles
from tests.ops.conftest import smtp_server  # noqa: F401 (the fixture)

from .conftest import END, START

PERIOD = f"{START}..{END}"


@pytest.mark.django_db
def test_preview_generate_and_send_a_test(seeded_plant, engineer_client, smtp_server):  # noqa: F811
    page = engineer_client.get(f"/workbench/reports/?period={PERIOD}")
    assert page.status_code == 200
    assert 'id="preview-link"' in page.content.decode()

    preview = engineer_client.get(f"/workbench/reports/preview/?period={PERIOD}").content.decode()
    assert "OEE" in preview
    assert "cid:" not in preview
    assert "data:image/png;base64," in preview
    assert not ComplianceReport.objects.exists()
    assert engineer_client.get("/workbench/reports/preview/?period=nonsense").status_code == 400

    sent = engineer_client.post("/workbench/reports/", {"period": PERIOD, "action": "send-test"})
    assert sent.status_code == 302
    (message,) = smtp_server.handler.messages
    assert message["To"] == "engineer@example.com"
    assert message["Subject"].startswith("[test] ISO compliance report 2026-01-05 to 2026-01-07")
    assert not ReportDelivery.objects.exists()  # the subscribers' own delivery is still due

    generated = engineer_client.post("/workbench/reports/", {"period": PERIOD, "action": "generate"})
    report = ComplianceReport.objects.get(period_start=START, period_end=END)
    assert generated["Location"] == f"/admin/mfgplatform/compliancereport/{report.pk}/change/"


@pytest.mark.django_db
def test_viewers_cannot_open_reports(client, django_user_model):
    sync_roles(django.apps.apps)
    viewer = django_user_model.objects.create_user("viewer", password="x-Viewer-1", is_staff=True)
    viewer.groups.add(Group.objects.get(name=VIEWER))
    client.force_login(viewer)
    assert client.get("/workbench/reports/").status_code == 403
