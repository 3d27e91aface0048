"""Equipment and downtime reason saves keep the materialized path of the node and its subtree, with history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from equipment.models import Equipment
from equipment.services import equipment_save
from reliability.models import DowntimeReason
from reliability.services import downtime_reason_save

from . import factories


@pytest.fixture
def plant():
    """SITE / AREA / LINE / PUMP and a second area."""
    site = factories.equipment("SITE")
    area = factories.equipment("AREA1", parent=site, level=4)
    line = factories.equipment("LINE1", parent=area, level=5)
    pump = factories.equipment("PUMP1", parent=line, level=6, equipment_class=factories.equipment_class())
    other_area = factories.equipment("AREA2", parent=site, level=4)
    return {"site": site, "area": area, "line": line, "pump": pump, "other_area": other_area}


PLANT_CODES = ["SITE", "AREA1", "AREA2", "AREA9", "LINE1", "LINE2", "PUMP1"]


def _paths() -> dict[str, str]:
    return dict(Equipment.objects.filter(code__in=PLANT_CODES).values_list("code", "path"))


@pytest.mark.django_db
def test_new_equipment_gets_its_full_path(plant):
    assert _paths() == {
        "SITE": "SITE", "AREA1": "SITE/AREA1", "LINE1": "SITE/AREA1/LINE1", "PUMP1": "SITE/AREA1/LINE1/PUMP1",
        "AREA2": "SITE/AREA2",
    }


@pytest.mark.django_db
def test_moving_a_node_repaths_its_subtree_with_history(plant, admin_user):
    line = plant["line"]
    line.parent = plant["other_area"]
    equipment_save(equipment=line, user=admin_user, reason="line moved to area 2")

    assert _paths()["LINE1"] == "SITE/AREA2/LINE1"
    assert _paths()["PUMP1"] == "SITE/AREA2/LINE1/PUMP1"
    pump_history = plant["pump"].history.order_by("history_date", "history_id")
    assert [(h.history_type, h.path, h.history_change_reason) for h in pump_history] == [
        ("+", "SITE/AREA1/LINE1/PUMP1", "test fixture"),
        ("~", "SITE/AREA2/LINE1/PUMP1", "line moved to area 2"),
    ]
    assert pump_history.last().history_user == admin_user
    assert line.history.latest().history_user == admin_user


@pytest.mark.django_db
def test_renaming_a_code_repaths_the_subtree(plant):
    area = plant["area"]
    area.code = "AREA9"
    equipment_save(equipment=area, reason="renamed")
    assert _paths()["PUMP1"] == "SITE/AREA9/LINE1/PUMP1"
    assert _paths()["LINE1"] == "SITE/AREA9/LINE1"


@pytest.mark.django_db
def test_a_parent_inside_the_own_subtree_is_rejected(plant):
    area = plant["area"]
    area.parent = plant["pump"]
    area.taxonomy_level = 7  # passes the level rule, so the tree rule must catch it
    with pytest.raises(ValidationError) as caught:
        equipment_save(equipment=area)
    assert "parent" in caught.value.message_dict
    assert Equipment.objects.get(code="AREA1").path == "SITE/AREA1"


@pytest.mark.django_db
def test_attributes_are_checked_against_the_class_schema(plant):
    pump_class = factories.equipment_class(
        "T-PU2",
        schema={
            "type": "object",
            "properties": {"rated_power_kw": {"type": "number", "minimum": 0}, "seal": {"enum": ["single", "double"]}},
            "required": ["rated_power_kw"],
            "additionalProperties": False,
        },
    )
    pump = plant["pump"]
    pump.equipment_class = pump_class
    pump.attributes = {"rated_power_kw": -3, "seal": "triple", "colour": "red"}
    with pytest.raises(ValidationError) as caught:
        equipment_save(equipment=pump)
    assert caught.value.message_dict == {
        "attributes": [
            "rated_power_kw: must be at least 0",
            "seal: must be one of 'single', 'double'",
            "colour: is not an attribute of this equipment class",
        ]
    }
    pump.attributes = {"rated_power_kw": 7.5, "seal": "double"}
    equipment_save(equipment=pump)
    assert Equipment.objects.get(code="PUMP1").attributes == {"rated_power_kw": 7.5, "seal": "double"}


@pytest.mark.django_db
def test_downtime_reason_tree_keeps_paths():
    mechanical = factories.downtime_reason("T-MECH")
    bearing = factories.downtime_reason("T-BRG", parent=mechanical)
    electrical = factories.downtime_reason("T-ELEC")
    mechanical.parent = electrical
    downtime_reason_save(downtime_reason=mechanical, reason="regrouped")
    codes = ["T-MECH", "T-BRG", "T-ELEC"]
    assert dict(DowntimeReason.objects.filter(code__in=codes).values_list("code", "path")) == {
        "T-ELEC": "T-ELEC", "T-MECH": "T-ELEC/T-MECH", "T-BRG": "T-ELEC/T-MECH/T-BRG",
    }
    assert bearing.history.latest().history_change_reason == "regrouped"


@pytest.mark.django_db
def test_admin_save_goes_through_the_service(client, admin_user, plant):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:equipment_equipment_add"),
        {"code": "LINE2", "name": "Line 2", "taxonomy_level": 5, "parent": plant["area"].pk, "criticality": "medium",
         "attributes": "{}", "is_active": "on", "change_reason": "new packaging line"},
    )
    assert response.status_code == 302
    line = Equipment.objects.get(code="LINE2")
    assert line.path == "SITE/AREA1/LINE2"
    creation = line.history.get()
    assert (creation.history_user, creation.history_change_reason) == (admin_user, "new packaging line")


@pytest.mark.django_db
def test_admin_form_shows_schema_errors_on_the_attributes_field(client, admin_user, plant):
    factories.equipment_class("T-PU3", schema={"type": "object", "properties": {"stages": {"type": "integer"}}})
    client.force_login(admin_user)
    pump = plant["pump"]
    response = client.post(
        reverse("admin:equipment_equipment_change", args=[pump.pk]),
        {"code": "PUMP1", "name": "Pump", "taxonomy_level": 6, "parent": plant["line"].pk, "criticality": "high",
         "equipment_class": factories.equipment_class("T-PU3").pk, "attributes": '{"stages": "two"}'},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attributes"] == ["stages: must be of type integer"]
    assert Equipment.objects.get(code="PUMP1").attributes == {}


@pytest.mark.django_db
def test_admin_form_rejects_a_circular_move(client, admin_user, plant):
    client.force_login(admin_user)
    area = plant["area"]
    response = client.post(
        reverse("admin:equipment_equipment_change", args=[area.pk]),
        {"code": "AREA1", "name": "Area", "taxonomy_level": 7, "parent": plant["pump"].pk, "criticality": "medium",
         "attributes": "{}"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "This parent would make the hierarchy circular."
    ]


def test_one_rule_composes_the_paths_of_a_tree_given_by_parents():
    from mfgplatform.hierarchy import paths_from_parents

    assert paths_from_parents({"A": None, "B": "A", "C": "B", "X": "Y", "Y": "X", "Z": "X", "Q": "GONE"}) == {
        "A": "A", "B": "A/B", "C": "A/B/C", "X": None, "Y": None, "Z": None, "Q": "GONE/Q", "GONE": "GONE"}


@pytest.mark.django_db
def test_the_subtree_writer_repaths_from_the_nearest_moved_ancestor_with_history(admin_user):
    """The writer the admin's saves and the import's moves share: nested moves in one call, rows written
    with their own path left alone."""
    from mfgplatform.hierarchy import repath_subtrees

    root = factories.downtime_reason("W-ROOT", time_category="")
    group = factories.downtime_reason("W-GRP", parent=root, time_category="")
    leaf = factories.downtime_reason("W-LEAF", parent=group)
    kept = factories.downtime_reason("W-KEPT", parent=group)
    # The file moved the group elsewhere than its old root's new place: the group's move wins below it.
    DowntimeReason.objects.filter(code="W-GRP").update(path="W-OTHER/W-GRP")

    moved = repath_subtrees(DowntimeReason, {"W-ROOT": "W-NEW", "W-ROOT/W-GRP": "W-OTHER/W-GRP"},
                            exclude_codes={"W-GRP", "W-KEPT"}, user=admin_user, reason="regrouped by file")

    assert moved == 1
    paths = dict(DowntimeReason.objects.filter(code__startswith="W-").values_list("code", "path"))
    assert paths == {"W-ROOT": "W-ROOT", "W-GRP": "W-OTHER/W-GRP", "W-LEAF": "W-OTHER/W-GRP/W-LEAF",
                     "W-KEPT": "W-ROOT/W-GRP/W-KEPT"}
    latest = leaf.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "regrouped by file")
    assert kept.history.count() == 1
