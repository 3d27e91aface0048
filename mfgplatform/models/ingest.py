"""Data sources allowed to push machine events, and the event ids already received from them."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models

TOKEN_PREFIX = "mfg_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class IngestToken(models.Model):
    """The credential of one data source (a line PLC gateway, an MES, a historian bridge).

    Only a SHA-256 hash of the token is stored; the token itself is shown once, when it is created.
    """

    class Scope(models.TextChoices):
        INGEST = "ingest", "Push machine events"
        READ = "read", "Read KPIs (questions), nothing written"

    source = models.CharField(max_length=100, unique=True, help_text="Name of the data source.")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.INGEST,
                             help_text="What the token may do: push events, or only read.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=12, editable=False, help_text="First characters, to recognise it.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "ingest_token"
        ordering = ["source"]
        verbose_name = "ingest token"

    def __str__(self) -> str:
        return f"{self.source} ({self.token_hint}…)"

    @classmethod
    def issue(cls, source: str, scope: str = "ingest") -> tuple[IngestToken, str]:
        """A new active token for `source`; returns the row and the clear token (never stored)."""
        row = cls(source=source, scope=scope)
        token = row.assign_new_token()
        row.save()
        return row, token

    @classmethod
    def from_request(cls, request, scope: str) -> IngestToken | None:
        """The active token of `scope` sent as `Authorization: Bearer <token>`, or None."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return cls.objects.filter(token_hash=hash_token(token.strip()), is_active=True, scope=scope).first()

    def assign_new_token(self) -> str:
        """Gives this (unsaved) row a fresh token; returns the clear token, which is not kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash, self.token_hint = hash_token(token), token[:10]
        return token


class IngestEventReceipt(models.Model):
    """An event id a source has delivered; a repeated id is acknowledged without landing again."""

    id = models.BigAutoField(primary_key=True)
    token = models.ForeignKey(IngestToken, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "ingest_event_receipt"
        verbose_name = "received event"
        constraints = [
            models.UniqueConstraint(fields=["token", "event_id"], name="ingest_event_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.event_id}"
