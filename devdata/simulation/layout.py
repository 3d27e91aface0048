"""The simulated plant: site → areas → lines → equipment units, products and planned run times.

Pure and deterministic: the same unit count and seed give the same plant. Lines are filled from
four area templates in turn (moulding, machining, pressing, packaging), five units per line, so a
larger plant is the smaller one plus more lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .profiles import PROFILES

SITE_CODE = "PLANT1"
SITE_NAME = "Demonstration plant (simulated)"
UNITS_PER_LINE = 5


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    family: str
    base_pri_seconds: float
    unit_cost: float
    characteristic: str
    target: float
    tolerance: float  # symmetric: LSL = target − tolerance, USL = target + tolerance


@dataclass(frozen=True)
class AreaTemplate:
    key: str
    name: str
    classes: tuple[str, ...]  # one line's units, in flow order
    products: tuple[ProductSpec, ...]


AREA_TEMPLATES: tuple[AreaTemplate, ...] = (
    AreaTemplate(
        "MLD", "Moulding", ("XM", "PU", "XR", "CV", "XM"),
        (
            ProductSpec("HSG-100", "Housing, top", "housings", 32.0, 1.80, "wall_thickness", 2.0, 0.10),
            ProductSpec("HSG-110", "Housing, base", "housings", 38.0, 2.10, "wall_thickness", 2.5, 0.12),
            ProductSpec("CAP-200", "Cap", "caps", 14.0, 0.35, "outer_diameter", 28.0, 0.15),
        ),
    ),
    AreaTemplate(
        "MCH", "Machining", ("XC", "XC", "XR", "CV", "PU"),
        (
            ProductSpec("SHF-300", "Drive shaft", "shafts", 150.0, 14.50, "bearing_diameter", 25.0, 0.02),
            ProductSpec("FLG-310", "Flange", "flanges", 95.0, 9.80, "bore_diameter", 40.0, 0.025),
            ProductSpec("HUB-320", "Hub", "hubs", 180.0, 17.20, "bore_diameter", 32.0, 0.02),
        ),
    ),
    AreaTemplate(
        "PRS", "Pressing", ("XP", "XR", "XO", "CV", "CO"),
        (
            ProductSpec("BRK-400", "Bracket", "brackets", 5.0, 0.60, "hole_pitch", 50.0, 0.15),
            ProductSpec("PLT-410", "Mounting plate", "plates", 6.5, 0.95, "hole_pitch", 80.0, 0.20),
            ProductSpec("CLM-420", "Clamp", "clamps", 4.0, 0.40, "gap_width", 12.0, 0.10),
        ),
    ),
    AreaTemplate(
        "PKG", "Packaging", ("XK", "XR", "CV", "XK", "CO"),
        (
            ProductSpec("KIT-500", "Service kit", "kits", 9.0, 22.00, "label_position", 12.0, 0.50),
            ProductSpec("KIT-510", "Repair kit", "kits", 11.0, 35.00, "label_position", 12.0, 0.50),
        ),
    ),
)


@dataclass(frozen=True)
class UnitSpec:
    """A level-6 equipment unit and what it makes."""

    code: str
    name: str
    class_code: str
    line_code: str
    index: int  # position in the plant, used to derive the unit's random stream
    pri_seconds: dict[str, float]  # product code → planned run time per item on this unit
    manufacturer: str
    serial_number: str
    attributes: dict[str, float]

    @property
    def produces(self) -> bool:
        return PROFILES[self.class_code].produces


@dataclass(frozen=True)
class NodeSpec:
    """A site, area or line (ISO 14224 levels 3–5)."""

    code: str
    name: str
    level: int
    parent: str | None


@dataclass(frozen=True)
class PlantLayout:
    site: NodeSpec
    areas: tuple[NodeSpec, ...]
    lines: tuple[NodeSpec, ...]
    units: tuple[UnitSpec, ...]
    products: tuple[ProductSpec, ...]

    def product(self, code: str) -> ProductSpec:
        return next(product for product in self.products if product.code == code)


MANUFACTURERS = {
    "XM": "Arburg", "XC": "DMG Mori", "XP": "Schuler", "XR": "KUKA", "XK": "Bosch Packaging",
    "XO": "Nabertherm", "CV": "Interroll", "PU": "Grundfos", "CO": "Atlas Copco",
}


def plant_layout(equipment_units: int, seed: int) -> PlantLayout:
    """The plant for `equipment_units` units; PRI factors come from the seed's layout stream."""
    if equipment_units < 1:
        raise ValueError("the plant needs at least one equipment unit")
    rng = np.random.default_rng([seed, 0xA1])
    site = NodeSpec(SITE_CODE, SITE_NAME, 3, None)
    line_count = -(-equipment_units // UNITS_PER_LINE)
    areas: dict[str, NodeSpec] = {}
    lines: list[NodeSpec] = []
    units: list[UnitSpec] = []
    class_counter: dict[str, int] = {}
    for line_index in range(line_count):
        template = AREA_TEMPLATES[line_index % len(AREA_TEMPLATES)]
        area_code = f"{SITE_CODE}-{template.key}"
        areas.setdefault(area_code, NodeSpec(area_code, template.name, 4, SITE_CODE))
        line_number = line_index // len(AREA_TEMPLATES) + 1
        line_code = f"{area_code}-L{line_number}"
        lines.append(NodeSpec(line_code, f"{template.name} line {line_number}", 5, area_code))
        slots = min(UNITS_PER_LINE, equipment_units - len(units))
        for class_code in template.classes[:slots]:
            class_counter[class_code] = class_counter.get(class_code, 0) + 1
            number = class_counter[class_code]
            produces = PROFILES[class_code].produces
            # A unit's rate differs from the product's nominal one (machine size, tooling).
            factors = rng.uniform(0.85, 1.15, size=len(template.products))
            pri = (
                {
                    product.code: round(product.base_pri_seconds * float(factor), 1)
                    for product, factor in zip(template.products, factors, strict=True)
                }
                if produces
                else {}
            )
            units.append(
                UnitSpec(
                    code=f"{line_code}-{class_code}{number:02d}",
                    name=f"{PROFILES_NAMES[class_code]} {number}",
                    class_code=class_code,
                    line_code=line_code,
                    index=len(units),
                    pri_seconds=pri,
                    manufacturer=MANUFACTURERS[class_code],
                    serial_number=f"SN-{class_code}-{10_000 + int(rng.integers(0, 90_000))}",
                    attributes=dict(CLASS_ATTRIBUTES[class_code]),
                )
            )
    used_areas = {line.parent for line in lines}
    products = tuple(
        product for template in AREA_TEMPLATES if f"{SITE_CODE}-{template.key}" in used_areas
        for product in template.products
    )
    return PlantLayout(site, tuple(areas.values()), tuple(lines), tuple(units), products)


# Nameplate data, keyed as the equipment classes' attribute schemas name them.
CLASS_ATTRIBUTES: dict[str, dict[str, float]] = {
    "XM": {"clamping_force_t": 150, "shot_volume_ml": 420, "rated_power_kw": 30},
    "XC": {"axes": 5, "spindle_speed_max_rpm": 18_000, "spindle_power_kw": 25},
    "XP": {"tonnage_t": 250, "stroke_mm": 300, "strokes_per_min_max": 40},
    "XR": {"payload_kg": 20, "reach_mm": 1_800, "axes": 6},
    "XK": {"packs_per_min_max": 60, "rated_power_kw": 7.5},
    "XO": {"max_temperature_degc": 250, "heating_power_kw": 45, "chamber_volume_m3": 6},
    "CV": {"length_m": 12, "speed_m_s": 0.5, "rated_power_kw": 2.2},
    "PU": {"rated_flow_m3h": 25, "rated_head_m": 40, "rated_power_kw": 5.5, "rated_speed_rpm": 2_900},
    "CO": {"rated_flow_m3h": 300, "discharge_pressure_bar": 8, "rated_power_kw": 37},
}

PROFILES_NAMES = {
    "XM": "Injection moulding machine", "XC": "CNC machining centre", "XP": "Press", "XR": "Robot",
    "XK": "Packaging machine", "XO": "Curing oven", "CV": "Conveyor", "PU": "Coolant pump", "CO": "Air compressor",
}
