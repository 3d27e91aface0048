"""A query parameter no column can hold is a 400 on every page, never a server error."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["area=%00", "q=a%00b", "taxonomy_level=%00", "%00=1"])
def test_a_nul_in_a_query_parameter_is_a_bad_request(admin_client, query):
    response = admin_client.get(reverse("admin:equipment_equipment_changelist") + "?" + query)
    assert response.status_code == 400
    assert b"NUL" in response.content
