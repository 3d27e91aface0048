"""Admin of the ontology: the words people use and the concepts they stand for."""

from django.contrib import admin

from mfgplatform.admin_base import MasterDataAdmin

from .models import OntologyTerm
from .resources import OntologyTermResource


@admin.register(OntologyTerm)
class OntologyTermAdmin(MasterDataAdmin):
    resource_classes = [OntologyTermResource]
    list_display = ("term", "language", "concept_type", "dimension", "concept_code", "priority", "is_active")
    list_filter = ("concept_type", "dimension", "language", "is_active")
    search_fields = ("term", "concept_code")
