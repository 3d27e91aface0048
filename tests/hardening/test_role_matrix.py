"""Every role × every admin action on representative models of each app: the documented permission
(mfgplatform.roles) decides 200 or 403, and no request ends in a server error.

Representative rather than exhaustive: one or two models per app and per kind (master data with
history and import/export, a tree, an ontology term, facts, the audit log) cover every admin base
class; the whole registry at once took minutes for no additional code path.
"""

import django.apps
import pytest
from django.contrib.auth.models import Group, User
from django.urls import NoReverseMatch, reverse

from mfgplatform.roles import AUDITOR, DATA_STEWARD, MASTER_DATA_ENGINEER, VIEWER, role_permissions, sync_roles

from ..admin_workbench.factories import make_row

ROLES = (MASTER_DATA_ENGINEER, DATA_STEWARD, AUDITOR, VIEWER)
MODELS = ("equipment.Equipment", "production.Product", "quality.DefectType", "reliability.DowntimeReason",
          "mfgplatform.KpiDefinition", "ontology.OntologyTerm", "production.FactProduction",
          "reliability.FactDowntime", "mfgplatform.AuditLog")
READ_ONLY = {"production.FactProduction", "reliability.FactDowntime", "mfgplatform.AuditLog"}


def expected(permissions: set[tuple[str, str]], app: str, model: str, action: str, read_only: bool,
             tracked: bool) -> int:
    """The documented answer. History of a tracked model (django-simple-history) needs its history
    model's view permission; other models show Django's admin action log to whoever may view them."""
    def has(codename: str) -> bool:
        return (app, codename) in permissions

    allowed = {
        "list": has(f"view_{model}") or has(f"change_{model}"),
        "record": has(f"view_{model}") or has(f"change_{model}"),
        "history": (has(f"view_historical{model}") or has(f"change_historical{model}")) if tracked
        else has(f"view_{model}") or has(f"change_{model}"),
        "add": has(f"add_{model}") and not read_only,
        "delete": has(f"delete_{model}") and not read_only,
        "import": has(f"import_{model}"),
        "export": has(f"export_{model}"),
    }[action]
    return 200 if allowed else 403


def _url(app: str, model: str, action: str, pk) -> str | None:
    name = {"list": "changelist", "record": "change"}.get(action, action)
    args = [pk] if action in ("record", "history", "delete") else []
    try:
        return reverse(f"admin:{app}_{model}_{name}", args=args)
    except NoReverseMatch:
        return None  # the admin has no such page (facts have no import, history or delete view)


@pytest.mark.django_db
def test_every_role_gets_its_documented_answer_on_every_page(client):
    sync_roles(django.apps.apps)
    rows = {label: make_row(label) for label in MODELS}
    permissions = role_permissions()
    users = {}
    for role in ROLES:
        users[role] = User.objects.create_user(f"matrix-{role.split()[0].lower()}", is_staff=True)
        users[role].groups.add(Group.objects.get(name=role))
    checked, mismatches = 0, []
    for label, row in rows.items():
        app, model = row._meta.app_label, row._meta.model_name
        for action in ("list", "record", "history", "add", "delete", "import", "export"):
            url = _url(app, model, action, row.pk)
            if url is None:
                continue
            for role in ROLES:
                client.force_login(users[role])
                status = client.get(url).status_code
                checked += 1
                assert status != 500, (label, action, role)
                wanted = expected(permissions[role], app, model, action, label in READ_ONLY,
                                  tracked=hasattr(type(row), "history"))
                if status != wanted:
                    mismatches.append((label, action, role, status, wanted))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert checked >= 150
