"""Load a deterministic simulated plant (master data and facts) for development and benchmarks."""

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from devdata.simulation.masterdata import facts_exist
from devdata.simulation.seed import SeedError, SeedOptions, default_first_day, seed_plant
from devdata.simulation.sizes import SIZES


class Command(BaseCommand):
    help = (
        "Simulate a plant (site → areas → lines → ISO 14224 equipment; production, downtime, quality and "
        "sensor facts) from a seed and load it through COPY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="demo",
                            help="tiny (tests), small, demo (make run), large (benchmarks, ≥ 50M sensor readings)")
        parser.add_argument("--days", type=int, help="Production days to simulate (default: the size's).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--start", type=dt.date.fromisoformat,
                            help="First production day, YYYY-MM-DD (default: the horizon ends yesterday).")
        parser.add_argument("--reset", action="store_true",
                            help="Empty the fact tables and delete the master data an earlier seed created first.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when fact_production already has rows.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")
        parser.add_argument("--weekend-nights", action=argparse.BooleanOptionalAction, default=None,
                            help="Add the weekend night shift (Saturday and Sunday 22:00–06:00) if missing; "
                                 "default: on for the demo size, off otherwise.")

    def handle(self, *args, size, days, seed, start, reset, if_empty, no_progress, weekend_nights, **options):
        if if_empty and not reset and facts_exist():
            self.stdout.write("Facts already loaded; nothing to do (--if-empty).")
            return
        seed_size = SIZES[size]
        days = days or seed_size.days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        first_day = start or default_first_day(days)

        def progress(units, total):
            return tqdm(units, total=total, desc=f"seed {size}", unit="unit", disable=no_progress or None)

        try:
            result = seed_plant(
                SeedOptions(size=seed_size, days=days, seed=seed, first_day=first_day, reset=reset,
                            weekend_nights=seed_size.weekend_nights if weekend_nights is None else weekend_nights),
                progress,
            )
        except SeedError as error:
            raise CommandError(str(error)) from error
        if result.deleted_master_data:
            self.stdout.write(f"Reset: deleted seeded master data {result.deleted_master_data}.")
        rows = ", ".join(f"{table} {count:,}" for table, count in result.rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.units} units × {days} days from {first_day} (seed {seed}) in {result.seconds:.1f} s: "
                f"{rows}; sensor chunk interval {result.chunk_interval}; "
                f"{result.sensor_rows_per_second:,.0f} sensor rows/s."
            )
        )
