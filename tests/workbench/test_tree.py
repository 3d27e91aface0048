"""The equipment tree lists every active node once under its parent with its counts."""

import re

import pytest

from equipment.models import Equipment


@pytest.mark.django_db
def test_tree_nests_nodes_with_counts(seeded_plant, engineer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        html = engineer_client.get("/workbench/equipment/").content.decode()
    listed = re.findall(r'<li data-code="([^"]+)"', html)
    assert sorted(listed) == sorted(Equipment.objects.filter(is_active=True).values_list("code", flat=True))
    site = Equipment.objects.get(parent__isnull=True)
    units = Equipment.objects.filter(path__startswith=f"{site.path}/", taxonomy_level=6).count()
    children = Equipment.objects.filter(parent=site).count()
    assert f"{children} · {units}</span>" in html
