"""Import-export resource of ontology terms."""

from mfgplatform.imports.resources import MasterDataResource

from .models import OntologyTerm


class OntologyTermResource(MasterDataResource):
    """Keyed by the term's meaning: the term (case-insensitive), language, concept type and code."""

    class Meta(MasterDataResource.Meta):
        model = OntologyTerm
        import_id_fields = ("term", "language", "concept_type", "concept_code")
        fields = ("term", "language", "concept_type", "dimension", "concept_code", "priority", "is_active", "notes")

    def key_of(self, values):
        term, language, concept_type, concept_code = super().key_of(values)
        return (str(term).lower(), language, concept_type, concept_code)

    def key_of_instance(self, instance):
        return (instance.term.lower(), instance.language, instance.concept_type, instance.concept_code)
