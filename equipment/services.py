"""Writes to the asset hierarchy. Every path (admin, import, commands) saves equipment through here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from mfgplatform.hierarchy import prepare_tree_node, save_tree_node, stored_path

from .attribute_schema import attribute_errors
from .models import Equipment, EquipmentClass


def equipment_attribute_errors(equipment: Equipment) -> list[str]:
    """Where the JSON attributes break the schema of the equipment's class."""
    if not equipment.equipment_class_id:
        return []
    equipment_class: EquipmentClass = equipment.equipment_class
    return attribute_errors(equipment.attributes, equipment_class.attribute_schema)


def equipment_validate(equipment: Equipment) -> None:
    """The checks beyond `full_clean` that a save enforces: hierarchy position and attribute schema.

    Sets `equipment.path` as a side effect. Raises ValidationError keyed by field.
    """
    errors: dict[str, list[str]] = {}
    try:
        prepare_tree_node(equipment, old_path=stored_path(equipment))
    except ValidationError as error:
        errors.update(error.message_dict)
    problems = equipment_attribute_errors(equipment)
    if problems:
        errors.setdefault("attributes", []).extend(problems)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def equipment_save(*, equipment: Equipment, user=None, reason: str = "") -> Equipment:
    """Validate and save one equipment node; a new code or parent re-paths the whole subtree.

    History records `user` and `reason` on the node and on every re-pathed descendant.
    """
    problems = equipment_attribute_errors(equipment)
    if problems:
        raise ValidationError({"attributes": problems})
    return save_tree_node(equipment, user=user, reason=reason)
