"""Named data-set sizes of the plant simulation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedSize:
    """How much plant and how much history to simulate.

    Sensor readings are taken around the clock for every tag of every unit, so their count is
    units × tags × days × 86,400 / sensor_interval_seconds.
    """

    name: str
    equipment_units: int
    days: int
    sensor_interval_seconds: int
    weekend_nights: bool = False  # the default of seed_iso_compliant --weekend-nights

    def sensor_rows(self, days: int | None = None, tags_per_unit: int = 4) -> int:
        days = self.days if days is None else days
        return self.equipment_units * tags_per_unit * days * 86_400 // self.sensor_interval_seconds


SIZES: dict[str, SeedSize] = {
    # Tests: a few seconds end to end.
    "tiny": SeedSize("tiny", equipment_units=4, days=3, sensor_interval_seconds=60),
    "small": SeedSize("small", equipment_units=12, days=14, sensor_interval_seconds=300),
    # `make run`: 40 units × one year with weekend night shifts, so both daylight-saving nights are in it;
    # 8.4 million sensor readings.
    "demo": SeedSize("demo", equipment_units=40, days=365, sensor_interval_seconds=600, weekend_nights=True),
    # Benchmarks: 60 units × 4 tags × 150 days at one reading a minute = 51.8 million readings.
    "large": SeedSize("large", equipment_units=60, days=150, sensor_interval_seconds=60),
}
