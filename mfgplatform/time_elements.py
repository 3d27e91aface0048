"""The ISO 22400-2 time and quantity elements: symbol, ISO name and what the platform books there.

Every surface that names an element — the KPI formulas, the downtime reason categories in the admin,
the compliance report, `manage.py kpi elements`, the workbench pages and the documentation — takes
its words from here, so one element never carries two meanings.

Two symbols are easy to swap. ISO 22400-2 calls ADET the actual unit *delay* time (malfunctions,
minor stops and other unplanned interruptions while an order is processed) and ADOT the actual unit
*down* time, meaning the unit is available but runs no order — idle, not broken. Some literature
swaps the two; the platform follows the standard and shows the plain meaning next to the symbol.

Plain Python on purpose: model choices import it while the apps are still loading.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    symbol: str  # as the KPI formulas and the element sources name it
    iso_name: str  # the standard's name ("" where the platform adds a helper element)
    meaning: str  # what the platform books there, in plain words
    unit: str  # "s" for time, "units" for quantities, "s" for PRI-weighted quantities too

    @property
    def label(self) -> str:
        """The meaning with the symbol, e.g. "Delay incl. malfunctions and minor stops (ADET)"."""
        return f"{self.meaning} ({self.symbol.replace('_', '·')})"


TIME = "s"
UNITS = "units"

ELEMENTS: dict[str, Element] = {e.symbol: e for e in (
    Element("POT", "Planned operation time", "Planned operation time", TIME),
    Element("PDT", "Planned down time", "Planned downtime", TIME),
    Element("PDT_BREAKS", "", "Planned downtime in break windows", TIME),
    Element("PDT_OTHER", "", "Planned downtime outside break windows", TIME),
    Element("PBT", "Planned busy time", "Planned busy time", TIME),
    Element("ADOT", "Actual unit down time", "Idle, available without an order", TIME),
    Element("AUBT", "Actual unit busy time", "Busy time", TIME),
    Element("ADET", "Actual unit delay time", "Delay incl. malfunctions and minor stops", TIME),
    Element("ADET_MINOR", "", "Minor stops (part of ADET)", TIME),
    Element("AUPT", "Actual unit processing time", "Processing time, setup and production", TIME),
    Element("AUST", "Actual unit setup time", "Setup", TIME),
    Element("APT", "Actual production time", "Actual production time", TIME),
    Element("AOET", "Actual order execution time", "Order execution time", TIME),
    Element("PQ", "Produced quantity", "Produced quantity", UNITS),
    Element("GQ", "Good quantity", "Good quantity", UNITS),
    Element("SQ", "Scrap quantity", "Scrap quantity", UNITS),
    Element("RQ", "Rework quantity", "Rework quantity", UNITS),
    Element("PSQ", "Planned scrap quantity", "Planned scrap quantity", UNITS),
    Element("PRI_PQ", "", "Planned run time of the produced quantity", TIME),
    Element("PRI_GQ", "", "Planned run time of the good quantity", TIME),
)}


def label(symbol: str) -> str:
    return ELEMENTS[symbol].label


# The downtime reason categories of the time model (reliability.choices.TimeCategory) and the
# element each books its time to.
CATEGORY_ELEMENT = {"planned_downtime": "PDT", "setup": "AUST", "delay": "ADET", "idle": "ADOT"}


def category_label(category: str) -> str:
    """The admin's words for a reason category: the element's meaning and symbol."""
    if category == "planned_downtime":
        return "Planned downtime (outside PBT)"
    return label(CATEGORY_ELEMENT[category])
