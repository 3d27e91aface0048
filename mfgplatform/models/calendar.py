"""Conformed calendar dimensions: dates, minutes of the day, shifts and named date ranges."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .. import calendar
from ..choices import DateRangeRule
from .base import CodedDimension


class DimDate(models.Model):
    """A calendar day with its ISO week, fiscal period and working-day flag."""

    date_key = models.IntegerField(primary_key=True, help_text="YYYYMMDD")
    date = models.DateField(unique=True)
    year = models.SmallIntegerField()
    quarter = models.SmallIntegerField()
    month = models.SmallIntegerField()
    month_name = models.CharField(max_length=9)
    day_of_month = models.SmallIntegerField()
    day_of_year = models.SmallIntegerField()
    day_of_week = models.SmallIntegerField(help_text="ISO 8601: 1 = Monday … 7 = Sunday")
    day_name = models.CharField(max_length=9)
    iso_year = models.SmallIntegerField()
    iso_week = models.SmallIntegerField()
    week_start = models.DateField(help_text="Monday of the ISO week")
    is_weekend = models.BooleanField()
    is_holiday = models.BooleanField(default=False)
    holiday_name = models.CharField(max_length=120, blank=True)
    is_working_day = models.BooleanField()
    fiscal_year = models.SmallIntegerField(help_text="Named after the calendar year in which it ends")
    fiscal_quarter = models.SmallIntegerField()
    fiscal_month = models.SmallIntegerField(help_text="Fiscal period 1..12")
    fiscal_year_start = models.DateField()

    history = HistoricalRecords(table_name="dim_date_history")

    class Meta:
        db_table = "dim_date"
        ordering = ["date"]
        verbose_name = "date"
        indexes = [
            models.Index(fields=["year", "month"], name="dim_date_year_month_idx"),
            models.Index(fields=["iso_year", "iso_week"], name="dim_date_iso_week_idx"),
            models.Index(fields=["fiscal_year", "fiscal_month"], name="dim_date_fiscal_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__range=(1, 4)), name="dim_date_quarter_range"),
            models.CheckConstraint(condition=Q(month__range=(1, 12)), name="dim_date_month_range"),
            models.CheckConstraint(condition=Q(day_of_week__range=(1, 7)), name="dim_date_dow_range"),
            models.CheckConstraint(condition=Q(fiscal_month__range=(1, 12)), name="dim_date_fiscal_month_range"),
            models.CheckConstraint(
                condition=Q(is_working_day=False) | Q(is_weekend=False, is_holiday=False),
                name="dim_date_working_day_consistent",
                violation_error_message="A weekend day or a holiday cannot be a working day.",
            ),
        ]

    def __str__(self) -> str:
        return self.date.isoformat()


class DimTime(models.Model):
    """A minute of the day (1,440 rows)."""

    minute_of_day = models.SmallIntegerField(primary_key=True, help_text="0 … 1439")
    time = models.TimeField(unique=True)
    hour = models.SmallIntegerField()
    minute = models.SmallIntegerField()
    hour_label = models.CharField(max_length=5)
    quarter_hour = models.SmallIntegerField(help_text="1 … 4 within the hour")
    period_of_day = models.CharField(max_length=9)

    history = HistoricalRecords(table_name="dim_time_history")

    class Meta:
        db_table = "dim_time"
        ordering = ["minute_of_day"]
        verbose_name = "time of day"
        verbose_name_plural = "times of day"
        constraints = [
            models.CheckConstraint(condition=Q(minute_of_day__range=(0, 1439)), name="dim_time_minute_range"),
        ]

    def __str__(self) -> str:
        return self.time.strftime("%H:%M")


def _plant_zone() -> ZoneInfo:
    return ZoneInfo(settings.PLANT_TIME_ZONE)


def _day_start() -> dt.time:
    return calendar.parse_clock(settings.PRODUCTION_DAY_START)


class DimShift(CodedDimension):
    """A shift pattern; its occurrences start every working day (or every listed weekday).

    A shift whose end is not after its start crosses midnight and belongs to the production day on
    which it starts.
    """

    start_time = models.TimeField()
    end_time = models.TimeField()
    crosses_midnight = models.GeneratedField(
        expression=Q(end_time__lte=F("start_time")),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    weekdays = ArrayField(
        models.SmallIntegerField(),
        default=list,
        blank=True,
        help_text="ISO weekdays (1 = Monday) the shift runs on; empty means every working day.",
    )
    planned_break_minutes = models.PositiveSmallIntegerField(
        default=0, editable=False,
        help_text="Total length of the shift's break windows (kept from them; the windows are what counts).",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(table_name="dim_shift_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_shift"
        ordering = ["sort_order", "code"]
        verbose_name = "shift"
        constraints = [
            models.CheckConstraint(
                condition=~Q(start_time=F("end_time")),
                name="dim_shift_nonzero_length",
                violation_error_message="A shift cannot start and end at the same time.",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]),
                name="dim_shift_weekdays_iso",
                violation_error_message="Weekdays are ISO numbers 1 (Monday) to 7 (Sunday).",
            ),
        ]

    def window(self, production_day: dt.date, tz: ZoneInfo | None = None) -> calendar.ShiftWindow:
        """This shift's occurrence in the given production day."""
        return calendar.shift_window(
            self.start_time, self.end_time, production_day, tz or _plant_zone(), _day_start()
        )

    def clean(self) -> None:
        super().clean()
        if self.start_time and self.end_time and self.pk:
            for shift_break in self.breaks.all():
                shift_break.check_inside(self)


class ShiftBreak(models.Model):
    """A planned break of a shift at a fixed position: its local wall-clock start and its length.

    A break window is planned downtime of every occurrence of the shift, except the part of it in
    which a unit actually ran (that is production time: the plant ran through the break); a stop
    inside a break window is planned downtime as well (docs/kpi.md, "Breaks").
    """

    shift = models.ForeignKey(DimShift, on_delete=models.CASCADE, related_name="breaks")
    start_time = models.TimeField(help_text="Local wall-clock start; earlier than the shift's start means after "
                                            "midnight (night shift).")
    minutes = models.PositiveSmallIntegerField(help_text="Length in elapsed minutes.")

    history = HistoricalRecords(table_name="dim_shift_break_history")

    class Meta:
        db_table = "dim_shift_break"
        ordering = ["shift", "start_time"]
        verbose_name = "shift break"
        constraints = [
            models.UniqueConstraint(fields=["shift", "start_time"], name="dim_shift_break_unique_start"),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="dim_shift_break_minutes_positive",
                                   violation_error_message="A break lasts at least one minute."),
        ]

    def __str__(self) -> str:
        return f"{self.start_time:%H:%M} +{self.minutes} min"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_break_total(self.shift_id)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        update_break_total(self.shift_id)
        return result

    def check_inside(self, shift: DimShift) -> None:
        """A break lies within the shift's wall-clock window."""
        length = calendar.clock_offset(shift.start_time, shift.end_time) or calendar.ONE_DAY
        offset = calendar.clock_offset(shift.start_time, self.start_time)
        if offset + dt.timedelta(minutes=self.minutes) > length:
            raise ValidationError(
                f"The break at {self.start_time:%H:%M} ({self.minutes} min) does not lie within the shift "
                f"{shift.start_time:%H:%M}–{shift.end_time:%H:%M}."
            )

    def clean(self) -> None:
        super().clean()
        if self.shift_id is None or self.start_time is None or self.minutes is None:
            return
        self.check_inside(self.shift)
        mine = (calendar.clock_offset(self.shift.start_time, self.start_time), self.minutes)
        for other in ShiftBreak.objects.filter(shift_id=self.shift_id).exclude(pk=self.pk):
            theirs = (calendar.clock_offset(self.shift.start_time, other.start_time), other.minutes)
            first, second = sorted([mine, theirs])
            if first[0] + dt.timedelta(minutes=first[1]) > second[0]:
                raise ValidationError(f"The break overlaps the break at {other}.")


def update_break_total(shift_id: int) -> None:
    """Keep `DimShift.planned_break_minutes` equal to the sum of the shift's break windows."""
    total = ShiftBreak.objects.filter(shift_id=shift_id).aggregate(total=models.Sum("minutes"))["total"] or 0
    DimShift.objects.filter(pk=shift_id).update(planned_break_minutes=total)


def occurs_on(shift: DimShift, day: DimDate) -> bool:
    """Whether a shift has an occurrence on a production day: on working days when its weekday list is
    empty, otherwise on the listed ISO weekdays except holidays (as mv_shift_occurrence and mfg_shift_at)."""
    if not shift.is_active:
        return False
    if not shift.weekdays:
        return day.is_working_day
    return day.day_of_week in shift.weekdays and not day.is_holiday


def shift_occurrence_at(instant: dt.datetime, shifts=None) -> tuple[DimShift, calendar.ShiftWindow] | None:
    """The shift occurrence that contains `instant`, or None when it lies outside every occurrence
    (unscheduled). Among overlapping occurrences the one that starts first wins, then the lower id: the
    rule of mfg_shift_at, which labels facts in SQL."""
    tz, day_start = _plant_zone(), _day_start()
    day = calendar.production_date(instant, tz, day_start)
    shifts = list(shifts if shifts is not None else DimShift.objects.filter(is_active=True))
    # An occurrence that started on the previous production day may still be running.
    days = {row.date: row for row in DimDate.objects.filter(date__in=(day, day - calendar.ONE_DAY))}
    found = []
    for candidate in days.values():
        for shift in shifts:
            if not occurs_on(shift, candidate):
                continue
            window = calendar.shift_window(shift.start_time, shift.end_time, candidate.date, tz, day_start)
            if window.start <= instant < window.end:
                found.append((window.start, shift.pk or 0, shift, window))
    if not found:
        return None
    _, _, shift, window = min(found, key=lambda item: item[:2])
    return shift, window


class DimDateRange(CodedDimension):
    """A named date range ("last 7 days", "previous month", "fiscal year to date") that resolves to
    concrete production dates against a reference day."""

    rule = models.CharField(max_length=32, choices=DateRangeRule.choices)
    length_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For last-N-days ranges.")
    fixed_start = models.DateField(null=True, blank=True)
    fixed_end = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    history = HistoricalRecords(table_name="dim_date_range_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_date_range"
        verbose_name = "named date range"
        constraints = [
            models.CheckConstraint(
                condition=~Q(rule=DateRangeRule.LAST_N_DAYS) | Q(length_days__isnull=False, length_days__gte=1),
                name="dim_date_range_length_required",
                violation_error_message="A last-N-days range needs a length of at least one day.",
            ),
            models.CheckConstraint(
                condition=~Q(rule=DateRangeRule.FIXED)
                | Q(fixed_start__isnull=False, fixed_end__isnull=False, fixed_end__gte=F("fixed_start")),
                name="dim_date_range_fixed_bounds",
                violation_error_message="A fixed range needs a start and an end on or after it.",
            ),
        ]

    def resolve(self, today: dt.date | None = None) -> calendar.ResolvedRange:
        if today is None:
            from django.utils import timezone

            today = calendar.production_date(timezone.now(), _plant_zone(), _day_start())
        return calendar.resolve_date_range(
            self.rule,
            today,
            length_days=self.length_days,
            fiscal_start_month=settings.FISCAL_YEAR_START_MONTH,
            fixed_start=self.fixed_start,
            fixed_end=self.fixed_end,
        )
