"""A role that may only read a master-data record sees its page read-only, never a server error.

Read-only admin forms render every form field through the admin's attribute lookup, so an admin
method that shares its name with a form field would be called as a display function.
"""

import django.apps
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.urls import reverse

from mfgplatform.admin_base import MasterDataAdmin
from mfgplatform.roles import AUDITOR, MASTER_DATA_ENGINEER, VIEWER, sync_roles

from ..admin_workbench.factories import make_row

MASTER_DATA_ADMINS = sorted(
    (model._meta.label for model, model_admin in admin.site._registry.items()
     if isinstance(model_admin, MasterDataAdmin)),
)


@pytest.mark.django_db
@pytest.mark.parametrize("label", MASTER_DATA_ADMINS)
def test_read_only_roles_open_every_master_data_record(client, label):
    sync_roles(django.apps.apps)
    row = make_row(label)
    assert row is not None, f"no row factory for {label}"
    url = reverse(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk])
    for role in (AUDITOR, VIEWER, MASTER_DATA_ENGINEER):
        user = User.objects.create_user(f"reader-{role.split()[0].lower()}", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (role, response.status_code)
        assert b'name="change_reason"' not in response.content or role == MASTER_DATA_ENGINEER
        user.delete()
