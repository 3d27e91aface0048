"""The service behind `manage.py seed_iso_compliant`: simulate the plant and COPY it in.

Everything happens in one transaction: a failed seed leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from mfgplatform import calendar
from mfgplatform.system_account import history_user, record_system_event, system_user

from .layout import PlantLayout, UnitSpec, plant_layout
from .masterdata import delete_seeded_master_data, ensure_plant, facts_exist, truncate_facts
from .process import simulate_unit
from .profiles import SENSOR_TAGS
from .quality import simulate_quality
from .reference import ensure_reference, shift_patterns
from .sensors import simulate_sensors
from .shifts import Window, epoch, shift_windows
from .sizes import SeedSize
from .writer import FactWriter

COMMAND = "seed_iso_compliant"
# Bytes of index per sensor reading: the unique (equipment, tag, time) key, the time index and
# the equipment index of fact_sensor_event, about 25–35 B each with B-tree overhead.
SENSOR_INDEX_BYTES_PER_ROW = 100
# The indexes of the chunk being written should stay well inside the 25 % of memory Timescale's
# sizing guide allows for all active chunks: aim at a tenth of that.
ACTIVE_CHUNK_MEMORY_SHARE = 0.025
MIN_CHUNK = dt.timedelta(hours=1)
MAX_CHUNK = dt.timedelta(days=7)


class SeedError(Exception):
    """The seed cannot run in the current state of the database."""


@dataclass(frozen=True)
class SeedOptions:
    size: SeedSize
    days: int
    seed: int
    first_day: dt.date
    reset: bool = False
    weekend_nights: bool = False  # add the weekend night shift (catalog.WEEKEND_NIGHT_SHIFT) if missing


@dataclass
class SeedResult:
    rows: dict[str, int] = field(default_factory=dict)
    deleted_master_data: dict[str, int] = field(default_factory=dict)
    chunk_interval: dt.timedelta | None = None
    units: int = 0
    seconds: float = 0.0

    @property
    def sensor_rows_per_second(self) -> float:
        return self.rows.get("fact_sensor_event", 0) / self.seconds if self.seconds else 0.0


def default_first_day(days: int) -> dt.date:
    """The horizon ends with yesterday's production day, so the data looks current."""
    today = calendar.production_date(timezone.now(), plant_zone(), day_start())
    return today - dt.timedelta(days=days)


def plant_zone() -> ZoneInfo:
    return ZoneInfo(settings.PLANT_TIME_ZONE)


def day_start() -> dt.time:
    return calendar.parse_clock(settings.PRODUCTION_DAY_START)


def physical_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def sensor_chunk_interval(rows_per_second: float, memory_bytes: int) -> dt.timedelta:
    """Chunk length whose index volume at `rows_per_second` fits the active-chunk memory budget."""
    if rows_per_second <= 0:
        return MAX_CHUNK
    seconds = memory_bytes * ACTIVE_CHUNK_MEMORY_SHARE / (rows_per_second * SENSOR_INDEX_BYTES_PER_ROW)
    return max(MIN_CHUNK, min(MAX_CHUNK, dt.timedelta(seconds=int(seconds))))


def set_sensor_chunk_interval(interval: dt.timedelta) -> None:
    """Applies to chunks created from now on (Timescale never resizes existing chunks)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_chunk_time_interval('fact_sensor_event', %s::interval)", [interval])


def horizon(first_day: dt.date, days: int) -> tuple[int, int]:
    """Epoch seconds of the start of the first production day and of the day after the last."""
    start = calendar.local_instant(first_day, day_start(), plant_zone())
    end = calendar.local_instant(first_day + dt.timedelta(days=days), day_start(), plant_zone())
    return epoch(start), epoch(end)


def seed_load_batch(options: SeedOptions) -> uuid.UUID:
    """Deterministic, so the same seed writes identical rows (load_batch included)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"seed_iso_compliant:{options.seed}:{options.first_day}:{options.days}")


def seed_plant(
    options: SeedOptions,
    progress: Callable[[Iterable[UnitSpec], int], Iterable[UnitSpec]] | None = None,
) -> SeedResult:
    started = time.perf_counter()
    result = SeedResult()
    last_day = options.first_day + dt.timedelta(days=options.days - 1)
    account = system_user()
    with transaction.atomic(), history_user(account):
        if options.reset:
            truncate_facts()
            result.deleted_master_data = delete_seeded_master_data()
            record_system_event(
                "master_data.reset", account, command=COMMAND, reason="--reset: replace the simulated plant",
                deleted=result.deleted_master_data,
            )
        elif facts_exist():
            raise SeedError("The fact tables already hold data; use --reset to replace them or --if-empty to skip.")
        reference = ensure_reference(options.first_day, last_day, weekend_nights=options.weekend_nights)
        layout: PlantLayout = plant_layout(options.size.equipment_units, options.seed)
        plant = ensure_plant(layout, reference, options.first_day)
        windows: list[Window] = shift_windows(
            shift_patterns(reference.shifts), options.first_day, options.days, reference.non_working_days,
            plant_zone(), day_start(), reference.holidays,
        )
        interval = options.size.sensor_interval_seconds
        result.chunk_interval = sensor_chunk_interval(
            len(layout.units) * len(SENSOR_TAGS) / interval, physical_memory_bytes()
        )
        set_sensor_chunk_interval(result.chunk_interval)
        writer = FactWriter(
            reference,
            {code: row.id for code, row in plant.equipment.items()},
            {code: row.id for code, row in plant.products.items()},
            seed_load_batch(options),
        )
        start, end = horizon(options.first_day, options.days)
        units: Iterable[UnitSpec] = layout.units
        if progress is not None:
            units = progress(layout.units, len(layout.units))
        for unit in units:
            timeline = simulate_unit(unit, windows, options.seed)
            quality = simulate_quality(timeline, layout, options.seed)
            sensors = simulate_sensors(timeline, options.seed, start, end, interval)
            for table, count in writer.write(timeline, quality, sensors).items():
                result.rows[table] = result.rows.get(table, 0) + count
        result.units = len(layout.units)
        record_system_event(
            "master_data.seeded", account, command=COMMAND, reason="simulated plant for development and tests",
            size=options.size.name, seed=options.seed, first_day=options.first_day.isoformat(), days=options.days,
            rows=result.rows,
        )
    result.seconds = time.perf_counter() - started
    return result
