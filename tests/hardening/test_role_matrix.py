"""Every registered admin model × every role × every admin action: the documented permission
(mfgplatform.roles) decides the answer, and no request ends in a server error.

The actions are the pages (list, record, history, add, delete, import, export) and a change: the
record's own form, as the admin renders it to a superuser, posted back unchanged by each role. A role
that may change the model gets its row saved (a redirect); any other role gets 403 and the row stays
as it was.
"""

from __future__ import annotations

from html.parser import HTMLParser

import django.apps
import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from mfgplatform.roles import (
    AUDITOR,
    DATA_STEWARD,
    MASTER_DATA_ENGINEER,
    OPEN_TO_STAFF,
    VIEWER,
    role_permissions,
    sync_roles,
)

from ..admin_workbench.factories import make_row

ROLES = (MASTER_DATA_ENGINEER, DATA_STEWARD, AUDITOR, VIEWER)
PAGES = ("list", "record", "history", "add", "delete", "import", "export")
REGISTERED = sorted(model._meta.label for model in admin.site._registry)


def expected(permissions: set[tuple[str, str]], app: str, model: str, action: str, *, tracked: bool,
             addable: bool, changeable: bool, deletable: bool) -> int:
    """The documented answer: 200 for a page (302 for a saved change), 403 otherwise. History of a
    tracked model (django-simple-history) needs its history model's view permission; other models show
    Django's admin action log to whoever may view them. `addable`/`changeable`/`deletable`: whether the
    model's admin allows the action to anybody at all (facts and evidence are read-only by design)."""
    def has(codename: str) -> bool:
        return (app, codename) in permissions

    may_view = has(f"view_{model}") or has(f"change_{model}") or model in OPEN_TO_STAFF.get(app, ())
    allowed = {
        "list": may_view,
        "record": may_view,
        "history": (has(f"view_historical{model}") or has(f"change_historical{model}")) if tracked else may_view,
        "add": has(f"add_{model}") and addable,
        "delete": has(f"delete_{model}") and deletable,
        "import": has(f"import_{model}"),
        "export": has(f"export_{model}"),
        "change": has(f"change_{model}") and changeable,
    }[action]
    if not allowed:
        return 403
    return 302 if action == "change" else 200


def _url(app: str, model: str, action: str, pk) -> str | None:
    name = {"list": "changelist", "record": "change", "change": "change"}.get(action, action)
    args = [pk] if action in ("record", "change", "history", "delete") else []
    try:
        return reverse(f"admin:{app}_{model}_{name}", args=args)
    except NoReverseMatch:
        return None  # the admin has no such page (facts have no import, history or delete view)


def _page_opens(client, url: str | None) -> bool:
    return url is not None and client.get(url).status_code == 200


class _ChangeForm(HTMLParser):
    """The fields of the admin's change form as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image") or (kind in ("checkbox", "radio")
                                                                 and "checked" not in attrs):
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # Django renders a textarea's content after a newline the browser strips.
            self.data[self._textarea][-1] += data.removeprefix("\n") if not self.data[self._textarea][-1] else data


def change_form_data(client, url: str) -> dict[str, list[str]]:
    parser = _ChangeForm()
    parser.feed(client.get(url).content.decode())
    data = parser.data
    if "change_reason" in data:
        data["change_reason"] = ["role matrix: saved unchanged"]
    data["_save"] = ["Save"]
    return data


@pytest.mark.django_db
def test_every_role_gets_its_documented_answer_on_every_page_of_every_model(client):
    sync_roles(django.apps.apps)
    rows = {label: make_row(label) for label in REGISTERED}
    assert not [label for label, row in rows.items() if row is None], "every registered model needs a test row"
    permissions = role_permissions()
    users = {}
    for role in ROLES:
        users[role] = User.objects.create_user(f"matrix-{role.split()[0].lower()}", is_staff=True)
        users[role].groups.add(Group.objects.get(name=role))
    superuser = User.objects.create_superuser("matrix-super", "super@example.com", "x")
    checked, mismatches = 0, []
    for label, row in rows.items():
        app, model = row._meta.app_label, row._meta.model_name
        client.force_login(superuser)
        record_url = _url(app, model, "record", row.pk)
        capability = {
            "addable": _page_opens(client, _url(app, model, "add", row.pk)),
            "deletable": _page_opens(client, _url(app, model, "delete", row.pk)),
            # The admin offers a save button only where a change can be saved.
            "changeable": b'name="_save"' in client.get(record_url).content,
        }
        form = change_form_data(client, record_url) if capability["changeable"] else {"_save": ["Save"]}
        before = model_to_dict(type(row).objects.get(pk=row.pk))
        for action in (*PAGES, "change"):
            url = _url(app, model, action, row.pk)
            if url is None:
                continue
            for role in ROLES:
                client.force_login(users[role])
                response = client.post(url, form) if action == "change" else client.get(url)
                status = response.status_code
                checked += 1
                assert status < 500, (label, action, role, status)
                wanted = expected(permissions[role], app, model, action, tracked=hasattr(type(row), "history"),
                                  **capability)
                if status != wanted:
                    errors = response.context.get("errors") if status == 200 and response.context else None
                    mismatches.append((label, action, role, status, wanted, str(errors or "")[:200]))
                if action == "change" and wanted == 403:
                    after = model_to_dict(type(row).objects.get(pk=row.pk))
                    assert after == before, (label, role, "a refused change altered the row")
    assert not mismatches, "\n".join(map(str, mismatches))
    assert checked >= len(REGISTERED) * len(ROLES) * 4
