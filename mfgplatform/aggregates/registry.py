"""Registry and refresh of the materialized views that hold the KPI building blocks.

Each app declares its views in `<app>/aggregates.py` with `register(...)`; the registry
discovers those modules, orders the views so that every view refreshes after the views it reads,
and refreshes them. A registered view is of one of two kinds:

- a `MaterializedView`: one that has never been populated gets a plain REFRESH (PostgreSQL refuses
  CONCURRENTLY on it), every later refresh runs CONCURRENTLY so readers are never blocked (each
  view has a unique index on plain, non-NULL columns for that);
- an `IncrementalAggregate`: a table kept by a SQL function that re-aggregates only what was
  written since its last pass (`function(rebuild => false)`), or everything its sources still hold
  (`rebuild => true`, a `full` refresh), and returns the rows it wrote in `rows_written`. Readers
  are never blocked either; the function serializes its own passes.

The refresh runs in the one refresh loop (mfgplatform.aggregates.refresh, the database function
`mfg_refresh_aggregates`): each view in a subtransaction of its own; a failure is logged and the views
that depend on it are skipped, the others still refresh. Every refresh is logged in `mv_refresh_log`
(start, duration, rows, outcome; for an incremental aggregate the rows written by the pass).

`refresh_order()` lists the materialized views only, the objects REFRESH MATERIALIZED VIEW applies
to; `refresh_plan()` lists both kinds (the jobs and the status page read it).

Before refreshing, the plant calendar functions in the database are brought in line with the
settings (PLANT_TIME_ZONE, PRODUCTION_DAY_START), so SQL windows and Python windows agree — unless
history was computed with another calendar, which is refused (aggregates.calendar_settings).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection

from ..app_registry import AppRegistry
from ..models import MaterializedViewRefresh
from .calendar_settings import ensure_plant_calendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaterializedView:
    name: str
    app_label: str
    description: str
    depends_on: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=(), compare=False)  # tables it reads


@dataclass(frozen=True)
class IncrementalAggregate:
    """A table kept current by the pass `function` (see the module docstring) instead of a REFRESH."""

    name: str
    app_label: str
    description: str
    function: str  # SQL function (rebuild boolean) returning a row with rows_written
    depends_on: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=(), compare=False)  # tables it reads


RegisteredView = MaterializedView | IncrementalAggregate
View = TypeVar("View", MaterializedView, IncrementalAggregate)

_views: AppRegistry[RegisteredView] = AppRegistry("aggregates", "materialized view")


def register(view: View) -> View:
    return _views.register(view.name, view)


def registered_views() -> dict[str, RegisteredView]:
    return _views.entries()


def refresh_order(names: Iterable[str] | None = None) -> list[MaterializedView]:
    """The materialized views to refresh, dependencies first: all, or `names` and every view downstream."""
    return [view for view in refresh_plan(names) if isinstance(view, MaterializedView)]


def refresh_plan(names: Iterable[str] | None = None) -> list[RegisteredView]:
    """The views of both kinds to refresh, dependencies first: all views, or `names` and every view
    downstream. Among views that do not depend on each other, materialized views come first."""
    views = registered_views()
    for view in views.values():
        missing = [dep for dep in view.depends_on if dep not in views]
        if missing:
            raise ValueError(f"{view.name} depends on unregistered view(s) {', '.join(missing)}")
    selected = set(views) if names is None else _with_dependents(set(names), views)
    ordered: list[RegisteredView] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError(f"dependency cycle: {' -> '.join((*trail, name))}")
        state[name] = "visiting"
        for dep in views[name].depends_on:
            visit(dep, (*trail, name))
        state[name] = "done"
        if name in selected:
            ordered.append(views[name])

    for name in sorted(views, key=lambda name: (isinstance(views[name], IncrementalAggregate), name)):
        visit(name, ())
    return ordered


def _with_dependents(names: set[str], views: dict[str, RegisteredView]) -> set[str]:
    unknown = names - set(views)
    if unknown:
        raise ValueError(f"unknown materialized view(s): {', '.join(sorted(unknown))}")
    selected = set(names)
    grew = True
    while grew:
        grew = False
        for view in views.values():
            if view.name not in selected and selected.intersection(view.depends_on):
                selected.add(view.name)
                grew = True
    return selected


def _with_unpopulated_dependencies(names: set[str]) -> set[str]:
    """A view cannot be refreshed while a view it reads has never been populated: add those."""
    views = registered_views()
    unknown = names - set(views)
    if unknown:
        raise ValueError(f"unknown materialized view(s): {', '.join(sorted(unknown))}")
    pending = list(names)
    while pending:
        for dependency in views[pending.pop()].depends_on:
            if dependency not in names and not is_populated(dependency):
                names.add(dependency)
                pending.append(dependency)
    return names


def sync_plant_calendar() -> bool:
    """Bring the SQL calendar functions in line with the settings; True when they were rewritten. Refuses
    (CalendarSettingsChanged) when history was computed with another calendar (calendar_settings)."""
    return ensure_plant_calendar()


def is_populated(name: str) -> bool:
    """Whether a materialized view has been populated; an incremental aggregate, a table that each
    pass brings up to date, always counts as populated."""
    if isinstance(registered_views().get(name), IncrementalAggregate):
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT ispopulated FROM pg_matviews WHERE matviewname = %s", [name])
        row = cursor.fetchone()
    if row is None:
        raise ValueError(f"materialized view {name} does not exist (are migrations applied?)")
    return bool(row[0])


def refresh_view(view: RegisteredView, *, concurrently: bool | None = None, full: bool = False,
                 triggered_by: str = "") -> MaterializedViewRefresh:
    """Refresh one view and log it. For a materialized view `concurrently=None` chooses: plain first,
    concurrent after; an incremental aggregate runs its pass, a rebuild with `full`."""
    return refresh_views_in_plan([view], concurrently=concurrently, full=full, triggered_by=triggered_by)[0]


def refresh_views(
    names: Iterable[str] | None = None, *, concurrently: bool | None = None, full: bool = False,
    triggered_by: str = "",
) -> list[MaterializedViewRefresh]:
    """Refresh the registered views of both kinds (or `names` and what depends on them) in dependency
    order; `full` rebuilds the incremental aggregates instead of running their incremental pass."""
    sync_plant_calendar()
    if names is not None:
        names = _with_unpopulated_dependencies(set(names))
    return refresh_views_in_plan(refresh_plan(names), concurrently=concurrently, full=full,
                                 triggered_by=triggered_by)


def refresh_views_in_plan(plan: list[RegisteredView], *, concurrently: bool | None, full: bool,
                          triggered_by: str) -> list[MaterializedViewRefresh]:
    """Every view of `plan` refreshed (none skipped as unchanged) by the one refresh loop
    (mfgplatform.aggregates.refresh); their mv_refresh_log entries, in plan order."""
    from .refresh import run_refresh_loop

    steps = run_refresh_loop(plan, triggered_by=triggered_by, force=True, rebuild=full, concurrently=concurrently)
    entries = MaterializedViewRefresh.objects.in_bulk([step.log_id for step in steps])
    return [entries[step.log_id] for step in steps]
