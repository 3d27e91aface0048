"""The admin lists the domain catalogs first and infrastructure last, points to the workbench, and an
equipment record links to its KPI pages and events (the KPI pages link back to it)."""

import re

import pytest

from equipment.models import Equipment

from .conftest import dates_query


@pytest.mark.django_db
def test_admin_index_order_and_links_both_ways(seeded_plant, engineer_client):
    index = engineer_client.get("/admin/").content.decode()
    apps = re.findall(r'<caption>\s*<a[^>]*>([^<]+)</a>', index)
    assert apps.index("Equipment (ISO 14224 taxonomy)") == 0
    assert apps.index("Axes") > apps.index("Ontology") > apps.index("Reliability (ISO 14224)")
    assert 'href="/workbench/"' in index

    unit = Equipment.objects.filter(taxonomy_level=6).order_by("code").first()
    change = engineer_client.get(f"/admin/equipment/equipment/{unit.pk}/change/").content.decode()
    assert f'href="/workbench/?node={unit.code}"' in change
    assert f'href="/workbench/unit/?node={unit.code}"' in change
    assert f'href="/admin/reliability/factdowntime/?equipment__id__exact={unit.pk}"' in change

    page = engineer_client.get(f"/workbench/unit/?{dates_query(node=unit.code)}").content.decode()
    assert f'href="/admin/equipment/equipment/{unit.pk}/change/"' in page
    assert f'href="/admin/equipment/equipment/{unit.pk}/history/"' in page
