"""Roles keep up with models that later migrations add: migrate completes the groups' permissions."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from mfgplatform.roles import AUDITOR, VIEWER

pytestmark = pytest.mark.django_db


def _codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_the_auditor_reads_the_operations_records_added_after_the_roles_migration():
    auditor = _codenames(AUDITOR)
    assert {"view_compliancereport", "view_reportdelivery", "view_materializedviewrefresh", "view_taskresult",
            "view_auditlog"} <= auditor
    assert not {codename for codename in auditor if codename.startswith(("add_", "change_", "delete_"))}


def test_a_missing_permission_is_restored_by_the_next_migrate():
    auditor = Group.objects.get(name=AUDITOR)
    auditor.permissions.remove(*auditor.permissions.filter(codename="view_compliancereport"))
    assert "view_compliancereport" not in _codenames(AUDITOR)
    call_command("migrate", verbosity=0)
    assert "view_compliancereport" in _codenames(AUDITOR)
    assert "view_compliancereport" not in _codenames(VIEWER)
