"""The KPI catalog: each KPI's formula, unit, range and trend (ISO 22400-1 content model)."""

from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import KpiCategory, KpiStandard, KpiTrend
from .base import CodedDimension


class KpiDefinition(CodedDimension):
    """A KPI as the standard defines it. Values are always computed as ratios of summed elements."""

    standard = models.CharField(max_length=16, choices=KpiStandard.choices)
    edition = models.CharField(max_length=40, blank=True, help_text="e.g. ISO 22400-2:2014")
    iso_number = models.PositiveSmallIntegerField(null=True, blank=True, help_text="KPI number in the standard")
    category = models.CharField(max_length=16, choices=KpiCategory.choices)
    formula = models.CharField(max_length=200)
    elements = models.JSONField(default=list, blank=True, help_text="Element symbols the formula reads")
    unit = models.CharField(max_length=40)
    range_min = models.FloatField(null=True, blank=True)
    range_max = models.FloatField(null=True, blank=True, help_text="Empty: unbounded")
    trend = models.CharField(max_length=8, choices=KpiTrend.choices)
    description = models.TextField(blank=True)

    history = HistoricalRecords(table_name="ref_kpi_definition_history")

    class Meta(CodedDimension.Meta):
        db_table = "ref_kpi_definition"
        verbose_name = "KPI definition"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(range_min__isnull=True)
                | models.Q(range_max__isnull=True)
                | models.Q(range_max__gte=models.F("range_min")),
                name="ref_kpi_definition_range_ordered",
            ),
        ]
