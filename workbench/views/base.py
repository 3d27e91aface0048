"""What every workbench page shares: staff login, a permission, the admin's context, navigation, and
how current the aggregates behind its numbers are ("data as of …", stale after a failed or overdue
refresh; mfgplatform.kpi.freshness)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from mfgplatform.kpi.freshness import recorded_freshness, recording_view_reads

from ..navigation import navigation_for
from ..selection import Selection, named_ranges


def workbench_view(permission: str | None = None) -> Callable:
    """Staff only (others go to the admin login and come back); `permission` (e.g.
    "production.view_factproduction") is then required, or the page answers 403."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if permission and not request.user.has_perm(permission):
                raise PermissionDenied(f"This page needs the permission {permission}.")
            # Every aggregate the page reads is noted, so render_page can say how current they are.
            with recording_view_reads():
                return view(request, *args, **kwargs)

        return staff_member_required(guarded)

    return decorate


def render_page(request, template: str, context: dict, *, title: str, selection: Selection | None = None):
    """Render a page extending workbench/base.html with the admin's context (header, user links,
    colours), the navigation bar, when given, the selection form, and the freshness banner of the
    aggregates read so far (a page reads its data before it renders)."""
    page_context = admin.site.each_context(request) | {
        "title": title,
        "workbench_nav": navigation_for(request.user, request.path),
        "selection": selection,
        "is_nav_sidebar_enabled": False,
        "data_freshness": recorded_freshness(),
    }
    if selection is not None:
        page_context["named_ranges"] = named_ranges()
    return render(request, template, page_context | context)
