"""The equipment tree: sites → areas → lines → units → subunits, expandable, with the number of children
and of equipment units below each node, linked to its KPI page and its admin record."""

from __future__ import annotations

from dataclasses import dataclass, field

from equipment.choices import TaxonomyLevel
from equipment.models import Equipment

from .base import render_page, workbench_view

OPEN_DOWN_TO = TaxonomyLevel.PLANT_UNIT  # sites and areas start expanded, lines collapsed


@dataclass
class Node:
    equipment: Equipment
    children: list[Node] = field(default_factory=list)
    units: int = 0  # equipment units (level 6) anywhere below

    @property
    def is_open(self) -> bool:
        return self.equipment.taxonomy_level <= OPEN_DOWN_TO


def build_tree(queryset) -> list[Node]:
    """Nodes from rows in path order (a parent's path is a prefix of its children's); one query."""
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for equipment in queryset.order_by("path"):
        node = by_id[equipment.pk] = Node(equipment)
        parent = by_id.get(equipment.parent_id)
        (parent.children if parent else roots).append(node)

    def count(node: Node) -> int:
        node.units = sum(count(child) + (child.equipment.taxonomy_level == TaxonomyLevel.EQUIPMENT_UNIT)
                         for child in node.children)
        return node.units

    for root in roots:
        count(root)
    return roots


@workbench_view("equipment.view_equipment")
def tree(request):
    show_inactive = request.GET.get("inactive") == "1"
    queryset = Equipment.objects.select_related("equipment_class")
    if not show_inactive:
        queryset = queryset.filter(is_active=True)
    return render_page(request, "workbench/tree.html", {"roots": build_tree(queryset),
                                                        "show_inactive": show_inactive}, title="Equipment tree")
