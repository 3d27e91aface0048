"""The ingest API's tokens in the admin: issued once and shown once, only the hash kept, revoked by an
action; every step in the audit log, and the API follows at once."""

import re

import pytest
from django.urls import reverse

from mfgplatform.models import AuditLog, IngestToken
from mfgplatform.models.ingest import hash_token

pytestmark = pytest.mark.django_db

API = "/api/ingest/v1/events"


def _api_status(client, token: str) -> int:
    # An empty batch is refused as a problem (400) once the token is accepted, with 401 before.
    return client.post(API, data='{"events": []}', content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_token_is_issued_in_the_admin_shown_once_and_revoked_by_an_action(admin_client, client):
    response = admin_client.post(reverse("admin:mfgplatform_ingesttoken_add"), {"source": "line-3-gateway"},
                                 follow=True)
    assert response.status_code == 200
    shown = re.search(r"Token for line-3-gateway: (mfg_\S+) ", response.content.decode())
    assert shown, "the new token is shown once"
    token = shown.group(1)
    row = IngestToken.objects.get(source="line-3-gateway")
    assert row.token_hash == hash_token(token)
    assert token not in row.token_hash
    assert _api_status(client, token) == 400

    listed = admin_client.get(reverse("admin:mfgplatform_ingesttoken_changelist")).content.decode()
    assert row.token_hint in listed
    assert token not in listed
    assert row.token_hash not in listed

    admin_client.post(reverse("admin:mfgplatform_ingesttoken_changelist"),
                      {"action": "revoke", "_selected_action": [row.pk]}, follow=True)
    row.refresh_from_db()
    assert not row.is_active
    assert _api_status(client, token) == 401
    assert list(AuditLog.objects.filter(action__startswith="ingest.token").order_by("id")
                .values_list("action", "payload__source")) == [("ingest.token_issued", "line-3-gateway"),
                                                              ("ingest.token_revoked", "line-3-gateway")]


def test_the_change_page_can_reactivate_but_not_rename_or_rehash(admin_client):
    row, _ = IngestToken.issue("line-4-gateway")
    row.is_active = False
    row.save()
    url = reverse("admin:mfgplatform_ingesttoken_change", args=[row.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="source"' not in page
    assert row.token_hash not in page
    admin_client.post(url, {"is_active": "on"})
    row.refresh_from_db()
    assert (row.source, row.is_active) == ("line-4-gateway", True)
    assert AuditLog.objects.filter(action="ingest.token_changed", payload__is_active=True).exists()
