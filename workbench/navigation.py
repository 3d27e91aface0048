"""The workbench's navigation and the pages other apps plug into it.

An app adds pages by providing a module `<app>/workbench_pages.py` with

    app_name = "quality"                       # URL namespace, and the prefix /workbench/quality/
    urlpatterns = [path("capability/", views.capability, name="capability")]
    navigation = [NavItem("Capability", "quality:capability", order=40, permission="quality.view_factquality")]

`workbench.urls` includes every such module under /workbench/<app_name>/ and the navigation bar
lists its items; nothing in the workbench app changes when a page is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.urls import NoReverseMatch, reverse

PAGES_MODULE = "workbench_pages"


@dataclass(frozen=True)
class NavItem:
    """One entry of the navigation bar: a label, a URL name, its place and who may see it."""

    label: str
    url_name: str
    order: int = 100
    permission: str | None = None  # e.g. "production.view_factproduction"; None = every staff user

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


# The workbench's own pages; the numbers leave room between them for pages of other apps.
CORE_NAVIGATION = [
    NavItem("Performance", "workbench:home", order=10, permission="production.view_factproduction"),
    NavItem("Downtime Pareto", "workbench:pareto", order=30, permission="reliability.view_factdowntime"),
    NavItem("Quality", "workbench:quality", order=40, permission="quality.view_factquality"),
    NavItem("Reliability", "workbench:reliability", order=50, permission="reliability.view_factdowntime"),
    NavItem("Sensors", "workbench:sensors", order=60, permission="reliability.view_factsensorevent"),
    NavItem("Equipment tree", "workbench:tree", order=70, permission="equipment.view_equipment"),
    NavItem("Reports", "workbench:reports", order=80, permission="mfgplatform.view_compliancereport"),
]


def page_modules() -> list:
    """The `workbench_pages` modules of the installed apps, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(import_module(f"{config.name}.{PAGES_MODULE}"))
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.{PAGES_MODULE}":
                raise  # the module exists but an import inside it failed: show that error
    return modules


def navigation_items() -> list[NavItem]:
    items = list(CORE_NAVIGATION)
    for module in page_modules():
        items.extend(getattr(module, "navigation", []))
    return sorted(items, key=lambda item: (item.order, item.label))


def navigation_for(user, current_path: str) -> list[dict]:
    """The entries `user` may see, with their URLs and which one is the current page."""
    entries = []
    for item in navigation_items():
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # a page whose URL is not (yet) installed is not offered
        current = current_path == url or (url != reverse("workbench:home") and current_path.startswith(url))
        entries.append({"label": item.label, "url": url, "current": current})
    return entries
