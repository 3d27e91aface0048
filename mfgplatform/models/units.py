"""Units of measure with their conversion to a base unit."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import QuantityKind
from .base import CodedDimension


class DimUnitOfMeasure(CodedDimension):
    """A unit of measure. value_in_base = value × factor_to_base + offset_to_base.

    A base unit (the one each quantity kind converts to) has no base_unit, factor 1 and offset 0.
    """

    symbol = models.CharField(max_length=16)
    quantity_kind = models.CharField(max_length=24, choices=QuantityKind.choices)
    base_unit = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derived_units"
    )
    factor_to_base = models.DecimalField(max_digits=30, decimal_places=12, default=Decimal(1))
    offset_to_base = models.DecimalField(max_digits=20, decimal_places=8, default=Decimal(0))

    history = HistoricalRecords(table_name="dim_unit_of_measure_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_unit_of_measure"
        verbose_name = "unit of measure"
        verbose_name_plural = "units of measure"
        constraints = [
            models.CheckConstraint(
                condition=Q(factor_to_base__gt=0),
                name="dim_unit_of_measure_factor_positive",
                violation_error_message="The conversion factor must be positive.",
            ),
            models.CheckConstraint(
                condition=~Q(base_unit__isnull=True) | Q(factor_to_base=1, offset_to_base=0),
                name="dim_unit_of_measure_base_is_identity",
                violation_error_message="A base unit converts to itself: factor 1, offset 0.",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if self.base_unit_id:
            base = self.base_unit
            if base.base_unit_id is not None:
                raise ValidationError({"base_unit": "The base unit must itself be a base unit."})
            if base.quantity_kind != self.quantity_kind:
                raise ValidationError({"base_unit": "The base unit must measure the same quantity kind."})

    @property
    def base(self) -> "DimUnitOfMeasure":
        return self.base_unit or self

    def to_base(self, value: Decimal) -> Decimal:
        return Decimal(value) * self.factor_to_base + self.offset_to_base

    def convert(self, value: Decimal, to: "DimUnitOfMeasure") -> Decimal:
        """Convert a value in this unit to another unit of the same quantity kind."""
        if self.base.pk != to.base.pk:
            raise ValueError(f"cannot convert {self.code} to {to.code}: different base units")
        return (self.to_base(value) - to.offset_to_base) / to.factor_to_base
