"""Every registered admin renders its changelist, add page (where adding is allowed) and change page
for a superuser, within a query budget."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from .factories import ROW_FACTORIES, make_row

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTERED]
ROW_FACTORY_MODELS = {model for model, _ in REGISTERED if model._meta.label in ROW_FACTORIES}

# Session, user, the page's own queries, one query per related-field filter, the estimate and count,
# the date navigation's MIN/MAX. The most expensive page today needs 11 queries.
CHANGELIST_BUDGET = 12
ADD_BUDGET = 9
CHANGE_BUDGET = 10
# Operational pages (job status, reports) registered by other modules compute more per page.
OTHER_PAGE_BUDGET = 20


# The operations status page has a row factory but is an operational page: it reads the views' state, the
# chunks, the schedules and the whole run and change history.
OPERATIONAL_PAGES = {"mfgplatform.OperationsStatus"}


def budget(model, own_budget: int) -> int:
    """The budget of master data, facts and the audit trail, or the looser one of other pages."""
    if model in ROW_FACTORY_MODELS and model._meta.label not in OPERATIONAL_PAGES:
        return own_budget
    return OTHER_PAGE_BUDGET


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_renders_within_budget(superuser_client, django_assert_max_num_queries, model, model_admin):
    make_row(model._meta.label)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(budget(model, CHANGELIST_BUDGET)):
        response = superuser_client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_add_page_renders_within_budget(superuser_client, rf, admin_user, django_assert_max_num_queries, model,
                                        model_admin):
    request = rf.get("/")
    request.user = admin_user
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    except NoReverseMatch:
        pytest.skip(f"{model._meta.label} has no add page")
    if not model_admin.has_add_permission(request):
        assert superuser_client.get(url).status_code == 403
        return
    with django_assert_max_num_queries(budget(model, ADD_BUDGET)):
        response = superuser_client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_change_page_renders_within_budget(superuser_client, django_assert_max_num_queries, model, model_admin):
    row = make_row(model._meta.label)
    if row is None:
        pytest.skip(f"no row factory for {model._meta.label} (registered outside the master-data admin)")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk])
    with django_assert_max_num_queries(budget(model, CHANGE_BUDGET)):
        response = superuser_client.get(url)
    assert response.status_code == 200
