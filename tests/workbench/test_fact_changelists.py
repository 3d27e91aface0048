"""Fact changelists: a duration column, and a filter by area or line that lists the subtree's facts only."""

import pytest

from equipment.models import Equipment
from production.models import FactProduction
from reliability.models import FactDowntime


@pytest.mark.django_db
def test_filter_by_line_and_duration_column(seeded_plant, engineer_client):
    line = Equipment.objects.filter(taxonomy_level=5).order_by("code").first()
    units = set(Equipment.objects.filter(path__startswith=f"{line.path}/").values_list("id", flat=True))
    for url, model in (("/admin/reliability/factdowntime/", FactDowntime),
                       ("/admin/production/factproduction/", FactProduction)):
        response = engineer_client.get(f"{url}?subtree={line.code}")
        assert response.status_code == 200
        listed = list(response.context["cl"].result_list)
        assert listed
        assert {fact.equipment_id for fact in listed} <= units
        assert len(listed) == min(model.objects.filter(equipment_id__in=units).count(),
                                  response.context["cl"].list_per_page)
        first = listed[0]
        minutes = (first.ended_at - first.started_at).total_seconds() / 60
        assert "Duration (min)" in response.content.decode()
        assert f"{minutes:,.1f}" in response.content.decode()
