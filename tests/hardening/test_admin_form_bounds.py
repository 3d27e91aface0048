"""Admin forms apply the same bounds as every other way in: a value its column cannot hold is a form
error on the field, never a server error."""

import pytest
from django.urls import reverse

from equipment.models import EquipmentClass
from mfgplatform.models import KpiDefinition

pytestmark = pytest.mark.django_db

KPI = {"code": "B-KPI", "name": "Bounded", "standard": "iso22400", "category": "production", "formula": "A/B",
       "unit": "%", "trend": "higher", "is_active": "on"}


def test_a_float_beyond_the_measured_value_limit_is_a_form_error(admin_client):
    response = admin_client.post(reverse("admin:mfgplatform_kpidefinition_add"), {**KPI, "range_max": "1e200"})
    assert response.status_code == 200
    assert "is out of range" in str(response.context["adminform"].form.errors["range_max"])
    assert not KpiDefinition.objects.filter(code="B-KPI").exists()


def test_a_nul_inside_a_json_field_is_a_form_error(admin_client):
    response = admin_client.post(reverse("admin:equipment_equipmentclass_add"), {
        "code": "B-CL", "name": "Pumps", "category": "rotating", "attribute_schema": '{"title": "a\\u0000b"}',
        "is_active": "on"})
    assert response.status_code == 200
    assert "NUL" in str(response.context["adminform"].form.errors["attribute_schema"])
    assert not EquipmentClass.objects.filter(code="B-CL").exists()
