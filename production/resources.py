"""Import-export resources of products and planned run times."""

from equipment.models import Equipment
from mfgplatform.imports.resources import MasterDataResource, code_field
from mfgplatform.models import DimUnitOfMeasure

from .models import PlannedRunTime, Product


class ProductResource(MasterDataResource):
    unit = code_field("unit", DimUnitOfMeasure)

    class Meta(MasterDataResource.Meta):
        model = Product
        fields = ("code", "name", "description", "product_family", "unit", "default_pri_seconds",
                  "defect_opportunities_per_unit", "is_active")


class PlannedRunTimeResource(MasterDataResource):
    """Keyed by product code, equipment code and the date the rate applies from."""

    product = code_field("product", Product)
    equipment = code_field("equipment", Equipment)

    class Meta(MasterDataResource.Meta):
        model = PlannedRunTime
        import_id_fields = ("product", "equipment", "valid_from")
        fields = ("product", "equipment", "valid_from", "pri_seconds")
