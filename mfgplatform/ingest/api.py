"""HTTP endpoints of the ingest API (plain Django views; the schema is in openapi.py)."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mfgplatform.aggregates.calendar_settings import CalendarSettingsChanged
from mfgplatform.audit import record_event
from mfgplatform.db_faults import DatabaseFault, classify, record_fault
from mfgplatform.models import IngestToken
from mfgplatform.models.ingest import hash_token

from .events import BatchError, ingest_batch
from .openapi import openapi_schema

logger = logging.getLogger(__name__)


def _problem(status: int, title: str, detail: str, **extra) -> JsonResponse:
    response = JsonResponse({"title": title, "status": status, "detail": detail, **extra}, status=status)
    response["Content-Type"] = "application/problem+json"
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="ingest"'
    return response


def _authenticate(request: HttpRequest) -> IngestToken | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # A read-scope token (questions) never pushes events.
    return IngestToken.objects.filter(token_hash=hash_token(token.strip()), is_active=True,
                                      scope=IngestToken.Scope.INGEST).first()


def unavailable_problem(fault: DatabaseFault) -> JsonResponse:
    """503 for a transient database fault: the batch rolled back as a whole, and resending it with the
    same event ids after Retry-After lands it exactly once."""
    response = _problem(
        503, "Service unavailable",
        f"{fault.message} the same batch after {fault.retry_after} s: events already received are "
        "acknowledged as duplicates, so a resend never counts twice.",
        cause=fault.kind, retryable=True,
    )
    response["Retry-After"] = str(fault.retry_after)
    return response


@csrf_exempt  # token-authenticated machine clients send no cookies
@require_POST
def ingest_events(request: HttpRequest) -> JsonResponse:
    try:
        return _ingest_events(request)
    except DatabaseError as error:
        fault = classify(error)
        if fault is None:
            return _internal_error()
        record_fault("ingest.failed", fault, request=request, object_type="ingest_batch",
                     request_bytes=len(request.body))
        return unavailable_problem(fault)
    except Exception:
        return _internal_error()


def _internal_error() -> JsonResponse:
    # A machine client reads problem+json; Django's own 500 page would be HTML.
    logger.exception("ingest batch failed")
    return _problem(500, "Internal error", "The batch could not be processed; nothing of it was stored.")


def _ingest_events(request: HttpRequest) -> JsonResponse:
    token = _authenticate(request)
    if token is None:
        record_event("ingest.unauthorized", actor_label="ingest API", request=request,
                     scheme=request.headers.get("Authorization", "").partition(" ")[0][:20])
        return _problem(401, "Unauthorized", "Send an active data-source token: Authorization: Bearer <token>.")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        record_event("ingest.too_large", actor_label=f"ingest token {token.source}", obj=token, request=request,
                     content_length=int(request.META.get("CONTENT_LENGTH") or 0))
        return _problem(413, "Payload too large", f"A batch body is at most {limit} bytes; send smaller batches.")
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError, or an integer of > 4300 digits
        return _problem(400, "Malformed JSON", str(error))
    except RecursionError:
        return _problem(400, "Malformed JSON", "the JSON nests too deeply")
    try:
        result = ingest_batch(token, payload)
    except BatchError as error:
        return _problem(400, "Bad batch", str(error))
    except CalendarSettingsChanged as changed:
        # Nothing stored: the batch would be labelled in a calendar the history does not use. Resending
        # after the change is settled lands it once (event ids).
        return _problem(503, "Plant calendar being changed", str(changed), retryable=True)
    return JsonResponse(result.as_dict())


@require_GET
def ingest_schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema(request.build_absolute_uri("/")))
