"""URLs under /workbench/: the workbench's own pages (namespace "workbench") and every app's
`workbench_pages` module under /workbench/<its app_name>/ (see workbench.navigation)."""

from django.urls import include, path

from .navigation import page_modules
from .views import home, pareto, quality, reliability, reports, sensors, tree, unit

workbench_patterns = [
    path("", home.home, name="home"),
    path("unit/", unit.unit, name="unit"),
    path("downtime/", pareto.pareto, name="pareto"),
    path("reliability/", reliability.reliability, name="reliability"),
    path("sensors/", sensors.sensors, name="sensors"),
    path("equipment/", tree.tree, name="tree"),
    path("reports/", reports.reports, name="reports"),
    path("reports/preview/", reports.preview, name="report-preview"),
    # The quality app's own pages are mounted below /workbench/quality/ (quality/workbench_pages.py).
    path("quality/", quality.quality, name="quality"),
]

urlpatterns = [
    path("", include((workbench_patterns, "workbench"))),
    *[path(f"{module.app_name}/", include(module)) for module in page_modules()],
]
