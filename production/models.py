"""Products, their planned run times, and production runs (ISO 22400 quantity elements)."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from equipment.models import EquipmentFact
from mfgplatform.models.base import CodedDimension, TimeStampedModel


class Product(CodedDimension):
    """A product (material) that equipment produces."""

    description = models.TextField(blank=True)
    product_family = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("mfgplatform.DimUnitOfMeasure", on_delete=models.PROTECT, related_name="+")
    default_pri_seconds = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True,
        help_text="Planned run time per item (PRI) where no equipment-specific rate exists.",
    )
    defect_opportunities_per_unit = models.PositiveIntegerField(
        default=1, help_text="Opportunities for a defect per unit (DPMO denominator)."
    )

    history = HistoricalRecords(table_name="dim_product_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_product"
        verbose_name = "product"
        constraints = [
            models.CheckConstraint(
                condition=Q(default_pri_seconds__isnull=True) | Q(default_pri_seconds__gt=0),
                name="dim_product_pri_positive",
                violation_error_message="The planned run time per item must be positive.",
            ),
            models.CheckConstraint(
                condition=Q(defect_opportunities_per_unit__gte=1), name="dim_product_opportunities_positive"
            ),
        ]


class PlannedRunTime(TimeStampedModel):
    """The planned run time per item (PRI) of a product on one equipment unit, from a date on."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="planned_run_times")
    equipment = models.ForeignKey("equipment.Equipment", on_delete=models.CASCADE, related_name="planned_run_times")
    valid_from = models.DateField()
    pri_seconds = models.DecimalField(max_digits=12, decimal_places=4)

    history = HistoricalRecords(table_name="ref_planned_run_time_history")

    class Meta:
        db_table = "ref_planned_run_time"
        ordering = ["product", "equipment", "-valid_from"]
        verbose_name = "planned run time per item"
        verbose_name_plural = "planned run times per item"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "equipment", "valid_from"], name="ref_planned_run_time_unique"
            ),
            models.CheckConstraint(
                condition=Q(pri_seconds__gt=0),
                name="ref_planned_run_time_pri_positive",
                violation_error_message="The planned run time per item must be positive.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.equipment_id} from {self.valid_from}: {self.pri_seconds} s"


class FactProduction(EquipmentFact):
    """A production run of one product on one equipment unit, with the ISO 22400 quantity elements.

    PQ (produced) ≥ GQ (good) + SQ (scrap) + RQ (rework); the seed and loaders write the partition
    identity PQ = GQ + SQ + RQ, the database only forbids over-counting. PRI is the planned run time
    per item the run used, so PRI·PQ and PRI·GQ need no lookup later.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    order_number = models.CharField(max_length=64, blank=True)
    planned_order_qty = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    produced_qty = models.DecimalField(max_digits=14, decimal_places=3, help_text="PQ")
    good_qty = models.DecimalField(max_digits=14, decimal_places=3, help_text="GQ")
    scrap_qty = models.DecimalField(max_digits=14, decimal_places=3, default=0, help_text="SQ")
    rework_qty = models.DecimalField(max_digits=14, decimal_places=3, default=0, help_text="RQ")
    planned_scrap_qty = models.DecimalField(max_digits=14, decimal_places=3, default=0, help_text="PSQ")
    pri_seconds = models.DecimalField(max_digits=12, decimal_places=4, help_text="PRI used by the run")

    class Meta:
        db_table = "fact_production"
        ordering = ["-started_at"]
        verbose_name = "production run"
        indexes = [
            models.Index(fields=["equipment", "started_at"], name="fact_prod_equip_start_idx"),
            models.Index(fields=["date", "shift"], name="fact_prod_date_shift_idx"),
            models.Index(fields=["product"], name="fact_prod_product_idx"),
            models.Index(fields=["load_batch"], name="fact_prod_batch_idx"),
            # The day-kept time model reads the runs that reach into the days it recomputes, and
            # the runs of an order (mfgplatform/sql/day_aggregate).
            models.Index(fields=["ended_at"], name="fact_prod_end_idx"),
            models.Index(fields=["equipment", "order_number", "started_at"], name="fact_prod_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")),
                name="fact_production_end_after_start",
                violation_error_message="A production run must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(produced_qty__gte=0, good_qty__gte=0, scrap_qty__gte=0, rework_qty__gte=0,
                            planned_scrap_qty__gte=0),
                name="fact_production_quantities_nonnegative",
                violation_error_message="Quantities cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(good_qty__lte=F("produced_qty")),
                name="fact_production_good_le_produced",
                violation_error_message="Good quantity cannot exceed produced quantity.",
            ),
            models.CheckConstraint(
                condition=Q(produced_qty__gte=F("good_qty") + F("scrap_qty") + F("rework_qty")),
                name="fact_production_partition_le_produced",
                violation_error_message="Good + scrap + rework cannot exceed produced quantity.",
            ),
            models.CheckConstraint(
                condition=Q(pri_seconds__gt=0),
                name="fact_production_pri_positive",
                violation_error_message="The planned run time per item must be positive.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.product_id} {self.started_at:%Y-%m-%d %H:%M}"
