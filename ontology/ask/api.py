"""The JSON endpoint: POST /api/ask/ {"question": …, "now"?: ISO-8601} and POST /api/ask/feedback/
{"log_id": …, "vote": 1 | -1}. Authenticated like the ingest API (Bearer token), with a token of the
read scope: a question never writes anything but its own log entry."""

from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mfgplatform.audit import record_event
from mfgplatform.models import IngestToken
from mfgplatform.models.ingest import hash_token

from ..models import QuestionLog
from .answer import answer_question
from .learning import record_feedback

MAX_QUESTION = 500


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    response = JsonResponse({"title": title, "status": status, "detail": detail}, status=status)
    response["Content-Type"] = "application/problem+json"
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ask"'
    return response


def _reader(request: HttpRequest) -> IngestToken | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return IngestToken.objects.filter(token_hash=hash_token(token.strip()), is_active=True,
                                      scope=IngestToken.Scope.READ).first()


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


@csrf_exempt  # token-authenticated machine clients send no cookies
@require_POST
def ask(request: HttpRequest) -> JsonResponse:
    token = _reader(request)
    if token is None:
        return _problem(401, "Unauthorized", "Send a read-scope token: Authorization: Bearer <token>.")
    try:
        body = _body(request)
        question = body.get("question")
        if not isinstance(question, str) or not question.strip():
            raise ValueError("'question' must be a non-empty string")
        if len(question) > MAX_QUESTION:
            raise ValueError(f"'question' is longer than {MAX_QUESTION} characters")
        now = dt.datetime.fromisoformat(body["now"]) if body.get("now") else None
    except (ValueError, TypeError) as error:
        return _problem(400, "Bad request", str(error))
    IngestToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    answer = answer_question(question, now=now, channel="api")
    record_event("ask.api", actor_label=token.source, object_type="ontology.questionlog",
                 object_id=str(answer["log_id"]), status=answer["status"])
    return JsonResponse(answer, json_dumps_params={"default": str, "ensure_ascii": False})


@csrf_exempt
@require_POST
def feedback(request: HttpRequest) -> JsonResponse:
    token = _reader(request)
    if token is None:
        return _problem(401, "Unauthorized", "Send a read-scope token: Authorization: Bearer <token>.")
    try:
        body = _body(request)
        entry = record_feedback(int(body.get("log_id")), int(body.get("vote")), str(body.get("comment") or ""))
    except (ValueError, TypeError) as error:
        return _problem(400, "Bad request", str(error))
    except QuestionLog.DoesNotExist:
        return _problem(404, "Not found", "no such question log entry")
    return JsonResponse({"log_id": entry.pk, "feedback": entry.feedback})
