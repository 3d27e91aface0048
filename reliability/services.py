"""Writes to the downtime reason tree. Every path (admin, import, commands) saves reasons through here."""

from __future__ import annotations

from django.db import transaction

from mfgplatform.hierarchy import prepare_tree_node, save_tree_node, stored_path

from .models import DowntimeReason


def downtime_reason_validate(reason_node: DowntimeReason) -> None:
    """The tree checks a save enforces beyond `full_clean`. Sets `path` as a side effect."""
    prepare_tree_node(reason_node, old_path=stored_path(reason_node))


@transaction.atomic
def downtime_reason_save(*, downtime_reason: DowntimeReason, user=None, reason: str = "") -> DowntimeReason:
    """Validate and save one reason; a new code or parent re-paths the whole subtree.

    History records `user` and `reason` (the change reason) on the node and its descendants.
    """
    return save_tree_node(downtime_reason, user=user, reason=reason)
