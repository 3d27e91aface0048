"""Defect catalog, inspection results and scrap (ISO 9001 records behind the quality metrics)."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from equipment.models import EquipmentFact
from mfgplatform.models.base import CodedDimension

from .choices import DefectCategory, DefectSeverity, InspectionKind, ScrapDisposition


class DefectType(CodedDimension):
    """A kind of nonconformity, e.g. scratch, out-of-tolerance bore, missing label."""

    category = models.CharField(max_length=16, choices=DefectCategory.choices)
    severity = models.CharField(max_length=8, choices=DefectSeverity.choices, default=DefectSeverity.MAJOR)
    description = models.TextField(blank=True)
    is_reworkable = models.BooleanField(default=False)

    history = HistoricalRecords(table_name="dim_quality_defect_type_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_quality_defect_type"
        verbose_name = "defect type"


class FactQuality(EquipmentFact):
    """One inspection result.

    An attribute row counts units inspected for one check, the units found defective (optionally of
    one defect type), the defects found and the units that passed the first time (GP for FPY).
    A variable row holds one measurement of a characteristic with its specification limits, grouped
    in subgroups for Cp/Cpk (within) and Pp/Ppk (overall).
    """

    kind = models.CharField(max_length=9, choices=InspectionKind.choices)
    inspected_at = models.DateTimeField()
    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="+")
    lot_code = models.CharField(max_length=64, blank=True)
    defect_type = models.ForeignKey(DefectType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    inspected_qty = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    defective_qty = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    defect_count = models.PositiveIntegerField(default=0)
    first_pass_good_qty = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    characteristic = models.CharField(max_length=64, blank=True)
    measured_value = models.FloatField(null=True, blank=True)
    lower_spec_limit = models.FloatField(null=True, blank=True)
    upper_spec_limit = models.FloatField(null=True, blank=True)
    target_value = models.FloatField(null=True, blank=True)
    unit = models.ForeignKey(
        "mfgplatform.DimUnitOfMeasure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subgroup = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "fact_quality"
        ordering = ["-inspected_at"]
        verbose_name = "inspection result"
        indexes = [
            models.Index(fields=["equipment", "inspected_at"], name="fact_quality_equip_time_idx"),
            models.Index(fields=["date", "shift"], name="fact_quality_date_shift_idx"),
            models.Index(fields=["defect_type"], name="fact_quality_defect_idx"),
            models.Index(
                fields=["product", "characteristic", "inspected_at"],
                name="fact_quality_charact_idx",
                condition=Q(kind=InspectionKind.VARIABLE),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(inspected_qty__gte=0, defective_qty__gte=0)
                & (Q(first_pass_good_qty__isnull=True) | Q(first_pass_good_qty__gte=0)),
                name="fact_quality_quantities_nonnegative",
                violation_error_message="Quantities cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(defective_qty__lte=F("inspected_qty")),
                name="fact_quality_defective_le_inspected",
                violation_error_message="Defective units cannot exceed inspected units.",
            ),
            models.CheckConstraint(
                condition=Q(first_pass_good_qty__isnull=True) | Q(first_pass_good_qty__lte=F("inspected_qty")),
                name="fact_quality_first_pass_le_inspected",
                violation_error_message="First-pass good units cannot exceed inspected units.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=InspectionKind.ATTRIBUTE) | Q(inspected_qty__gt=0, measured_value__isnull=True),
                name="fact_quality_attribute_shape",
                violation_error_message="An attribute check counts inspected units and carries no measurement.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=InspectionKind.VARIABLE)
                | (Q(measured_value__isnull=False) & ~Q(characteristic="")),
                name="fact_quality_variable_shape",
                violation_error_message="A measurement needs a characteristic and a value.",
            ),
            models.CheckConstraint(
                condition=Q(lower_spec_limit__isnull=True)
                | Q(upper_spec_limit__isnull=True)
                | Q(upper_spec_limit__gt=F("lower_spec_limit")),
                name="fact_quality_spec_limits_ordered",
                violation_error_message="The upper specification limit must exceed the lower one.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.equipment_id} {self.inspected_at:%Y-%m-%d %H:%M}"


class FactScrap(EquipmentFact):
    """Scrapped material: quantity, reason and cost."""

    occurred_at = models.DateTimeField()
    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="+")
    reason = models.ForeignKey(DefectType, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    unit = models.ForeignKey("mfgplatform.DimUnitOfMeasure", on_delete=models.PROTECT, related_name="+")
    is_planned = models.BooleanField(default=False, help_text="Planned scrap (start-up, ramp-up): part of PSQ")
    disposition = models.CharField(max_length=8, choices=ScrapDisposition.choices, default=ScrapDisposition.SCRAP)
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    production_run = models.ForeignKey(
        "production.FactProduction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "fact_scrap"
        ordering = ["-occurred_at"]
        verbose_name = "scrap record"
        indexes = [
            models.Index(fields=["equipment", "occurred_at"], name="fact_scrap_equip_time_idx"),
            models.Index(fields=["date", "shift"], name="fact_scrap_date_shift_idx"),
            models.Index(fields=["reason"], name="fact_scrap_reason_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="fact_scrap_quantity_positive",
                violation_error_message="Scrap quantity must be positive.",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="fact_scrap_cost_nonnegative",
                violation_error_message="Scrap cost cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.product_id} {self.occurred_at:%Y-%m-%d}"
