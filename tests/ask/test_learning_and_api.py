"""The learning loop (log, feedback, review, add as synonym) and the token-protected JSON endpoint."""

import json

import pytest
from django.urls import reverse

from mfgplatform.models import AuditLog, IngestToken
from ontology.ask import answer_question, gold
from ontology.models import OntologyTerm, QuestionLog

pytestmark = pytest.mark.django_db
NOW = gold.frozen_now()


@pytest.fixture
def plant(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    gold.load_plant()


def test_a_taught_word_changes_the_next_answer(plant, admin_client, admin_user):
    first = answer_question("effectivity of press line 1 last week", now=NOW, channel="command")
    assert first["status"] == "clarify"
    assert first["ignored"] == ["effectivity"]
    entry = QuestionLog.objects.get(pk=first["log_id"])
    assert entry.unrecognised == ["effectivity"]

    review = admin_client.get(reverse("admin:ontology_questionlog_review"))
    assert "effectivity" in review.content.decode()

    response = admin_client.post(reverse("admin:ontology_questionlog_review"),
                                 {"word": "effectivity", "concept": "metric:oee", "language": "en"})
    assert response.status_code == 302
    term = OntologyTerm.objects.get(term="effectivity")
    assert (term.concept_type, term.concept_code, term.priority) == ("metric", "oee", 90)
    assert term.history.get().history_user == admin_user
    assert AuditLog.objects.filter(action="ontology.synonym_added", object_id=str(term.pk)).exists()

    second = answer_question("effectivity of press line 1 last week", now=NOW)
    assert second["status"] == "answered"
    assert second["interpretation"]["metrics"] == ["oee"]
    page = admin_client.get(reverse("admin:ontology_questionlog_review")).content.decode()
    assert "<strong>effectivity</strong>" not in page


def test_a_viewer_cannot_teach(plant, client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    response = client.post(reverse("admin:ontology_questionlog_review"), {"word": "w", "concept": "metric:oee"})
    assert response.status_code == 403
    assert not OntologyTerm.objects.filter(term="w").exists()


def _post(client, url, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_endpoint_answers_read_tokens_only(plant, client):
    _, reader = IngestToken.issue("dashboard", "read")
    _, pusher = IngestToken.issue("gateway", "ingest")
    question = {"question": "OEE of press line 3 last week", "now": NOW.isoformat()}

    assert _post(client, "/api/ask/", question).status_code == 401
    assert _post(client, "/api/ask/", question, pusher).status_code == 401
    assert _post(client, "/api/ingest/v1/events", {"events": []}, reader).status_code == 401

    answer = _post(client, "/api/ask/", question, reader).json()
    assert answer["status"] == "answered"
    assert answer["interpretation"]["equipment"] == ["GP-PRS-L3"]
    assert answer["interpretation"]["range"]["start"] == "2026-03-09"

    vote = _post(client, "/api/ask/feedback/", {"log_id": answer["log_id"], "vote": -1}, reader)
    assert vote.json() == {"log_id": answer["log_id"], "feedback": -1}
    assert _post(client, "/api/ask/", {"question": ""}, reader).status_code == 400
    assert _post(client, "/api/ask/feedback/", {"log_id": 0, "vote": 1}, reader).status_code == 404


def test_the_ask_box_answers_and_takes_a_vote(plant, admin_client):
    page = admin_client.get("/workbench/ontology/ask/", {"q": "OEE of press line 3 last week"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Press line 3" in text
    assert "2026-" in text
    entry = QuestionLog.objects.get(channel="web")
    assert entry.outcome == "answered"
    admin_client.post("/workbench/ontology/ask/", {"log_id": entry.pk, "vote": "-1"})
    entry.refresh_from_db()
    assert entry.feedback == -1

    clarify = admin_client.get("/workbench/ontology/ask/", {"q": "OEE of line 3 last week"}).content.decode()
    assert "GP-ASM-L3" in clarify
    assert "GP-PRS-L3" in clarify
