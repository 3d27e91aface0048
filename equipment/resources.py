"""Import-export resources of equipment classes and the asset hierarchy."""

from mfgplatform.imports.resources import MasterDataResource, TreeResource, code_field

from .models import Equipment, EquipmentClass
from .services import equipment_attribute_errors


class EquipmentClassResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = EquipmentClass
        fields = ("code", "name", "category", "description", "attribute_schema", "is_active")


class EquipmentResource(TreeResource):
    parent = code_field("parent", Equipment)
    equipment_class = code_field("equipment_class", EquipmentClass)

    class Meta(TreeResource.Meta):
        model = Equipment
        fields = ("code", "name", "description", "taxonomy_level", "equipment_class", "parent", "tag_number",
                  "serial_number", "manufacturer", "model_number", "criticality", "commissioned_on",
                  "decommissioned_on", "attributes", "is_active")

    def validate_rows(self, importer, rows, result) -> None:
        from mfgplatform.imports.engine import RowError

        super().validate_rows(importer, rows, result)
        for row in rows:
            if row.is_new or row.changed:
                result.errors.extend(
                    RowError(row.number, "attributes", problem) for problem in equipment_attribute_errors(row.instance)
                )
