"""Import-export resource of the defect catalog."""

from mfgplatform.imports.resources import MasterDataResource

from .models import DefectType


class DefectTypeResource(MasterDataResource):
    class Meta(MasterDataResource.Meta):
        model = DefectType
        fields = ("code", "name", "category", "severity", "description", "is_reworkable", "is_active")
