"""Materialized paths of code trees (equipment hierarchy, downtime reason tree).

A tree model stores `path`, the codes from the root down joined by "/", so lists show the full
path and a subtree is one index range scan (`path LIKE 'A/B/%'`). A node's path depends on its
own code and on every ancestor's, so renaming or moving a node rewrites its whole subtree. The
rewrite goes through django-simple-history's bulk helper: every descendant gets a history record
with the same user and reason as the node that moved.

This module is the one writer of paths: the admin and the services save a node with `save_tree_node`,
the catalog import computes a file's paths with `paths_from_parents` and re-paths the rows below its
moves with `repath_subtrees`, and the seed composes paths with `child_path`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

PATH_SEPARATOR = "/"
# history_change_reason is a varchar(100) in every history table.
MAX_CHANGE_REASON_LENGTH = 100


def history_reason(reason: str) -> str:
    """A change reason that fits the history table's column."""
    return reason[:MAX_CHANGE_REASON_LENGTH]


def child_path(parent_path: str | None, code: str) -> str:
    """The path of a node with `code` below a parent with `parent_path` (a root when None)."""
    return f"{parent_path}{PATH_SEPARATOR}{code}" if parent_path is not None else code


def paths_from_parents(parent_of: Mapping[str, str | None]) -> dict[str, str | None]:
    """The path of every code of a tree given as code -> parent code (a parent the mapping does not hold
    counts as a root); None for a code on or below a cycle."""
    paths: dict[str, str | None] = {}

    def path_of(code: str, trail: tuple[str, ...] = ()) -> str | None:
        if code in paths:
            return paths[code]
        if code in trail:
            return None
        parent = parent_of.get(code)
        if parent is None:
            paths[code] = code
        else:
            parent_path = path_of(parent, (*trail, code))
            paths[code] = None if parent_path is None else child_path(parent_path, code)
        return paths[code]

    for code in parent_of:
        path_of(code)
    return paths


def _path_max_length(model: type[models.Model]) -> int:
    return model._meta.get_field("path").max_length


def stored_path(node: models.Model) -> str | None:
    """The path the database holds for `node` now (None for a new row)."""
    if node.pk is None:
        return None
    return type(node)._default_manager.filter(pk=node.pk).values_list("path", flat=True).first()


def prepare_tree_node(node: models.Model, *, old_path: str | None) -> None:
    """Compute `node.path` and reject a parent inside the node's own subtree.

    Raises ValidationError keyed by `parent` so forms and import reports show it on the column.
    """
    if PATH_SEPARATOR in node.code:
        raise ValidationError({"code": f"A code may not contain {PATH_SEPARATOR!r}: it separates the levels of paths."})
    parent = node.parent if node.parent_id else None
    if parent is not None and node.pk is not None:
        if parent.pk == node.pk:
            raise ValidationError({"parent": "A node cannot be its own parent."})
        if old_path and (parent.path == old_path or parent.path.startswith(old_path + PATH_SEPARATOR)):
            raise ValidationError({"parent": "This parent lies below the node itself: the tree would be circular."})
    node.path = child_path(parent.path if parent is not None else None, node.code)
    limit = _path_max_length(type(node))
    if len(node.path) > limit:
        raise ValidationError({"parent": f"The full path would exceed {limit} characters."})


def set_history_context(instance: models.Model, *, user=None, reason: str = "") -> None:
    """Attach the acting user and change reason that django-simple-history records on save."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user
    if reason:
        instance._change_reason = history_reason(reason)


@transaction.atomic
def save_tree_node(node: models.Model, *, user=None, reason: str = "") -> models.Model:
    """Validate and save a tree node, then re-path its subtree if its path changed."""
    model = type(node)
    old_path = None
    if node.pk is not None:
        # Lock the row so two concurrent moves of the same node cannot interleave their rewrites.
        old_path = model._default_manager.select_for_update().filter(pk=node.pk).values_list("path", flat=True).first()
    prepare_tree_node(node, old_path=old_path)
    node.full_clean()
    set_history_context(node, user=user, reason=reason)
    node.save()
    if old_path and old_path != node.path:
        _rewrite_subtree(model, old_path=old_path, new_path=node.path, user=user, reason=reason)
    return node


def _rewrite_subtree(model: type[models.Model], *, old_path: str, new_path: str, user, reason: str) -> int:
    return repath_subtrees(model, {old_path: new_path}, user=user,
                           reason=reason or f"path of ancestor changed to {new_path}")


def repath_subtrees(model: type[models.Model], moves: Mapping[str, str], *, exclude_codes=(), user=None,
                    reason: str = "", with_history: bool = True) -> int:
    """Rewrite the paths of the rows below each moved node (old path -> new path), each from the nearest
    moved ancestor, with one history record per row (same user and reason); rows in `exclude_codes` (those
    written with their own path) are left alone. Returns the rows rewritten."""
    if not moves:
        return 0
    below_a_move = models.Q()
    for old_path in moves:
        below_a_move |= models.Q(path__startswith=old_path + PATH_SEPARATOR)
    descendants = list(model._default_manager.select_for_update().filter(below_a_move)
                       .exclude(code__in=list(exclude_codes)).order_by("path"))
    limit = _path_max_length(model)
    now = timezone.now()
    changed = []
    for descendant in descendants:
        old_prefix = max((old for old in moves if descendant.path.startswith(old + PATH_SEPARATOR)), key=len)
        new_path = moves[old_prefix] + descendant.path[len(old_prefix):]
        if new_path == descendant.path:
            continue
        if len(new_path) > limit:
            raise ValidationError({"parent": f"The full path of {descendant.code} would exceed {limit} characters."})
        descendant.path = new_path
        descendant.updated_at = now
        changed.append(descendant)
    if not changed:
        return 0
    fields = ["path", "updated_at"] if hasattr(model, "updated_at") else ["path"]
    if not with_history:
        model._default_manager.bulk_update(changed, fields, batch_size=1000)
        return len(changed)
    history_user: Any = user if user is not None and getattr(user, "is_authenticated", False) else None
    bulk_update_with_history(changed, model, fields, batch_size=1000, default_user=history_user,
                             default_change_reason=history_reason(reason or "path of an ancestor changed"))
    return len(changed)
