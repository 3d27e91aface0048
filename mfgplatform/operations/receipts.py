"""Purge of the ingest API's event-id receipts (the body of the receipt-purge job).

docs/operations.md explains the retention.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


# --- Ingest receipts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptPurge:
    cutoff: dt.datetime
    deleted: int


def purge_ingest_receipts(*, retention_days: int, now: dt.datetime | None = None,
                          batch_size: int = 50_000) -> ReceiptPurge:
    """Delete the ingest API's event-id receipts older than now - retention_days, in batches of
    `batch_size`, each committed on its own so that a long backlog never holds one huge transaction
    (a job stopped half way leaves only older receipts, and the next run continues)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days)
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """DELETE FROM ingest_event_receipt WHERE id IN (
                       SELECT id FROM ingest_event_receipt WHERE received_at < %s LIMIT %s)""",
                [cutoff, batch_size],
            )
            deleted += cursor.rowcount
            if cursor.rowcount < batch_size:
                break
    logger.info("Deleted %d ingest receipts received before %s", deleted, cutoff)
    return ReceiptPurge(cutoff=cutoff, deleted=deleted)
