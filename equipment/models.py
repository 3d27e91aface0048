"""The asset hierarchy (ISO 14224 taxonomy) and its equipment classes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from mfgplatform.hierarchy import child_path
from mfgplatform.models.base import CodedDimension

from .choices import Criticality, EquipmentCategory, TaxonomyLevel


class EquipmentClass(CodedDimension):
    """An ISO 14224 equipment class (Table A.4), e.g. PU pumps, EM electric motors, CV conveyors.

    `attribute_schema` is a JSON Schema that the JSON attributes of equipment of this class must
    satisfy.
    """

    category = models.CharField(max_length=24, choices=EquipmentCategory.choices)
    description = models.TextField(blank=True)
    attribute_schema = models.JSONField(default=dict, blank=True)
    is_work_unit = models.BooleanField(
        default=True, db_default=True,
        help_text="Production work unit (ISO 22400): its equipment enters OEE and the time model's roll-ups. "
                  "Off for support equipment (pumps, compressors) that runs continuously and makes no product.",
    )

    history = HistoricalRecords(table_name="ref_iso14224_equipment_class_history")

    class Meta(CodedDimension.Meta):
        db_table = "ref_iso14224_equipment_class"
        verbose_name = "equipment class"
        verbose_name_plural = "equipment classes"


class Equipment(CodedDimension):
    """A node of the asset hierarchy: site, area, line, equipment unit, subunit, maintainable item.

    The tag number identifies the function/location, the serial number the physical unit (ISO 14224
    keeps both). `path` holds the codes from the root down, maintained by the save service, so the
    full path shows in lists and a subtree is one index range scan.
    """

    description = models.TextField(blank=True)
    taxonomy_level = models.PositiveSmallIntegerField(choices=TaxonomyLevel.choices)
    equipment_class = models.ForeignKey(
        EquipmentClass, on_delete=models.PROTECT, null=True, blank=True, related_name="equipment"
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField(max_length=1000, editable=False, default="", db_index=True)
    tag_number = models.CharField(max_length=64, blank=True)
    serial_number = models.CharField(max_length=64, blank=True)
    manufacturer = models.CharField(max_length=120, blank=True)
    model_number = models.CharField(max_length=120, blank=True)
    criticality = models.CharField(max_length=8, choices=Criticality.choices, default=Criticality.MEDIUM)
    commissioned_on = models.DateField(null=True, blank=True)
    decommissioned_on = models.DateField(null=True, blank=True)
    is_work_unit = models.BooleanField(
        null=True, blank=True, verbose_name="work unit (override)",
        help_text="Empty: as the equipment class says. Set to override the class for this unit.",
    )
    attributes = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(table_name="dim_equipment_history")

    class Meta(CodedDimension.Meta):
        db_table = "dim_equipment"
        verbose_name = "equipment"
        verbose_name_plural = "equipment"
        indexes = [
            models.Index(fields=["taxonomy_level", "equipment_class"], name="dim_equipment_level_class_idx"),
            models.Index(fields=["parent"], name="dim_equipment_parent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(taxonomy_level__range=(1, 9)), name="dim_equipment_level_range"
            ),
            models.CheckConstraint(
                condition=~Q(taxonomy_level=TaxonomyLevel.EQUIPMENT_UNIT) | Q(equipment_class__isnull=False),
                name="dim_equipment_unit_has_class",
                violation_error_message="An equipment unit (level 6) needs an equipment class.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="dim_equipment_not_own_parent"
            ),
            models.UniqueConstraint(
                fields=["tag_number"],
                condition=~Q(tag_number=""),
                name="dim_equipment_tag_unique",
                violation_error_message="Another equipment already has this tag number.",
            ),
            models.CheckConstraint(
                condition=Q(decommissioned_on__isnull=True)
                | Q(commissioned_on__isnull=True)
                | Q(decommissioned_on__gte=F("commissioned_on")),
                name="dim_equipment_decommissioned_after_commissioned",
                violation_error_message="Decommissioning cannot precede commissioning.",
            ),
            models.CheckConstraint(
                condition=Exact(
                    Func(F("attributes"), function="jsonb_typeof", output_field=models.CharField()), "object"
                ),
                name="dim_equipment_attributes_object",
                violation_error_message="Attributes must be a JSON object.",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        # The parent object, not parent_id: an import links a parent created in the same file before
        # either is saved, and that parent must pass the same checks.
        parent = self.parent
        if parent is not None:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": "Equipment cannot be its own parent."})
            if parent.taxonomy_level >= self.taxonomy_level:
                raise ValidationError(
                    {"parent": "The parent must sit at a higher taxonomy level (a smaller level number)."}
                )
            if self.pk and self.code in parent.path.split("/"):
                raise ValidationError({"parent": "This parent would make the hierarchy circular."})
        if not isinstance(self.attributes, dict):
            raise ValidationError({"attributes": "Attributes must be a JSON object."})

    def compute_path(self) -> str:
        return child_path(self.parent.path if self.parent_id else None, self.code)


class EquipmentFact(models.Model):
    """What every fact about one equipment unit's operation carries: the unit, the production day and
    shift its start belongs to, and the ingestion batch that landed it."""

    id = models.BigAutoField(primary_key=True)
    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="+")
    date = models.ForeignKey(
        "mfgplatform.DimDate", on_delete=models.PROTECT, db_column="date_key", related_name="+",
        help_text="Production day of the start",
    )
    shift = models.ForeignKey("mfgplatform.DimShift", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    load_batch = models.UUIDField(null=True, blank=True, help_text="Ingestion batch that landed the row")

    class Meta:
        abstract = True
