"""The equipment form's typed attribute fields (from the class's schema) and readable history diffs."""

import pytest
from django.urls import reverse

from equipment.models import Equipment

from .factories import equipment, equipment_class

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "rated_power_kw": {"type": "number", "title": "Rated power", "unit": "kW", "minimum": 0},
        "stages": {"type": "integer", "title": "Stages", "minimum": 1, "maximum": 12},
        "seal": {"type": "string", "title": "Seal type", "enum": ["mechanical", "packing"]},
        "atex": {"type": "boolean", "title": "ATEX rated"},
        "tag_prefix": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "spares": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["rated_power_kw"],
    "additionalProperties": True,
}


@pytest.fixture
def pump(admin_user):
    line = equipment("A-LINE", parent=equipment("A-AREA", parent=equipment("A-SITE"), level=4), level=5)
    return equipment("A-PU1", parent=line, level=6, equipment_class=equipment_class("A-PU", SCHEMA),
                     attributes={"rated_power_kw": 5.5, "seal": "packing", "vendor_ref": "X-12"})


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _post_data(unit: Equipment, **attributes) -> dict:
    data = {"code": unit.code, "name": unit.name, "taxonomy_level": unit.taxonomy_level,
            "equipment_class": unit.equipment_class_id, "parent": unit.parent_id, "criticality": unit.criticality,
            "is_active": "on", "is_work_unit": "unknown", "attributes": '{"vendor_ref": "X-12"}',
            "change_reason": "nameplate read on site"}
    data.update({f"attr__{name}": value for name, value in attributes.items()})
    return data


def test_the_change_form_has_one_typed_field_per_attribute(admin_client, pump):
    page = admin_client.get(reverse("admin:equipment_equipment_change", args=[pump.pk]))
    form = page.context["adminform"].form
    assert form.fields["attr__rated_power_kw"].label == "Rated power (kW)"
    assert form.fields["attr__rated_power_kw"].required
    assert type(form.fields["attr__stages"]).__name__ == "IntegerField"
    assert [value for value, _ in form.fields["attr__seal"].choices] == ["", "mechanical", "packing"]
    assert form["attr__rated_power_kw"].value() == 5.5
    assert form["attr__seal"].value() == "packing"
    assert form.initial["attributes"] == {"vendor_ref": "X-12"}  # what the schema does not describe
    html = page.content.decode()
    assert 'name="attr__rated_power_kw"' in html
    assert "Attributes of the class" in html


def test_typed_values_are_stored_as_json_with_the_history(admin_client, pump):
    response = admin_client.post(reverse("admin:equipment_equipment_change", args=[pump.pk]), _post_data(
        pump, rated_power_kw="7.5", stages="3", seal="mechanical", atex="true", tag_prefix="PU",
        spares="impeller, seal kit"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    pump.refresh_from_db()
    assert pump.attributes == {"rated_power_kw": 7.5, "stages": 3, "seal": "mechanical", "atex": True,
                               "tag_prefix": "PU", "spares": ["impeller", "seal kit"], "vendor_ref": "X-12"}
    latest = pump.history.first()
    assert latest.history_change_reason == "nameplate read on site"
    assert latest.attributes == pump.attributes


def test_each_bad_attribute_gets_its_own_error_and_nothing_is_saved(admin_client, pump):
    response = admin_client.post(reverse("admin:equipment_equipment_change", args=[pump.pk]), _post_data(
        pump, rated_power_kw="-1", stages="40", seal="other", tag_prefix="pump"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "at least 0" in errors["attr__rated_power_kw"][0] or "greater than or equal to 0" in \
        errors["attr__rated_power_kw"][0]
    assert "less than or equal to 12" in errors["attr__stages"][0]
    assert "Select a valid choice" in errors["attr__seal"][0]
    assert "must match the pattern" in errors["attr__tag_prefix"][0]
    pump.refresh_from_db()
    assert pump.attributes == {"rated_power_kw": 5.5, "seal": "packing", "vendor_ref": "X-12"}


def test_a_required_attribute_left_empty_is_refused_on_its_field(admin_client, pump):
    response = admin_client.post(reverse("admin:equipment_equipment_change", args=[pump.pk]),
                                 _post_data(pump, rated_power_kw=""))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attr__rated_power_kw"] == ["This field is required."]


def test_the_schema_check_of_the_service_lands_on_the_attribute(admin_client, pump):
    # The form's own bounds pass (no maximum on the field), the service's schema check still runs.
    pump.equipment_class.attribute_schema = {**SCHEMA, "properties": {
        **SCHEMA["properties"], "rated_power_kw": {"type": "number", "exclusiveMaximum": 100}}}
    pump.equipment_class.save()
    response = admin_client.post(reverse("admin:equipment_equipment_change", args=[pump.pk]),
                                 _post_data(pump, rated_power_kw="150"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["attr__rated_power_kw"] == ["must be less than 100"]


def test_the_history_lists_changed_attribute_keys_and_choice_labels(admin_client, pump):
    admin_client.post(reverse("admin:equipment_equipment_change", args=[pump.pk]), {
        **_post_data(pump, rated_power_kw="7.5", stages="2"), "criticality": "high"})
    page = admin_client.get(reverse("admin:equipment_equipment_history", args=[pump.pk]))
    [latest, *_] = page.context["page_obj"]
    changes = {change["field"]: (change["old"], change["new"]) for change in latest.history_delta_changes}
    assert changes["Attributes · rated_power_kw"] == ("5.5", "7.5")
    assert changes["Attributes · stages (added)"] == ("—", "2")
    assert changes["Attributes · seal (removed)"] == ("packing", "—")
    assert changes["Criticality"] == ("Medium", "High")  # labels, not the stored codes
    html = page.content.decode()
    assert "Attributes · rated_power_kw:</strong>" in html
    assert "{&#x27;rated_power_kw&#x27;" not in html  # no raw dict
