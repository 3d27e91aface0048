"""Writing platform events to the JSONB audit log.

Row edits of master data are recorded by django-simple-history; this log holds the events around
them: imports, exports, logins, permission changes, job runs.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditLog


def client_address(request) -> str | None:
    """The client's address as the web server saw it (REMOTE_ADDR; a proxy sets it via gunicorn's
    forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record_event(
    action: str,
    *,
    actor=None,
    actor_label: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    request=None,
    **payload: Any,
) -> AuditLog:
    """Append one event. `action` is a namespaced verb such as "import.completed" or "auth.login_failed";
    keyword arguments become the JSON payload."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    return AuditLog.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address=client_address(request),
        payload=payload,
    )
