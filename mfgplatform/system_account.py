"""The account that management commands and background jobs write master data as.

People change master data through the admin, so each history record names them. Commands
(`seed_iso_compliant`, `load_calendar`) and jobs have no person behind them; their changes are
recorded under one inactive account without a usable password, so the audit trail never has a
change without a user (ISO 9001 7.5.3.2) and nobody can log in as it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords

from .audit import record_event

SYSTEM_USERNAME = "system"


def system_user():
    """The system account, created on first use (inactive, unusable password)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: SYSTEM_USERNAME},
        defaults={"is_active": False, "first_name": "System", "last_name": "(commands and jobs)"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class _ActingRequest:
    """What django-simple-history reads the acting user from outside a web request."""

    def __init__(self, user) -> None:
        self.user = user


@contextmanager
def history_user(user) -> Iterator[None]:
    """Record every history entry written inside the block (saves, deletes, bulk_create_with_history)
    under `user`, as the history middleware does for a web request."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = _ActingRequest(user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def record_system_event(action: str, user, *, command: str, reason: str, **payload: Any) -> None:
    """The audit event of a command's or job's change: who (the system account), which command, why,
    and what it changed (`payload`: counts, ranges)."""
    record_event(action, actor=user, command=command, reason=reason, **payload)
