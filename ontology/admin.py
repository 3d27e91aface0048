"""Admin of the ontology: the words people use and the concepts they stand for."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from mfgplatform.admin_base import MasterDataAdmin

from .ask.learning import add_synonym, downvoted, words_to_review
from .ask.lexicon import current as current_lexicon
from .models import OntologyTerm, QuestionLog
from .resources import OntologyTermResource


@admin.register(OntologyTerm)
class OntologyTermAdmin(MasterDataAdmin):
    resource_classes = [OntologyTermResource]
    list_display = ("term", "language", "concept_type", "dimension", "concept_code", "priority", "is_active")
    list_filter = ("concept_type", "dimension", "language", "is_active")
    search_fields = ("term", "concept_code")


@admin.register(QuestionLog)
class QuestionLogAdmin(admin.ModelAdmin):
    """Questions asked, read-only; "Questions to review" lists what to teach the vocabulary next."""

    list_display = ("asked_at", "question", "outcome", "summary", "feedback", "channel", "language")
    list_filter = ("outcome", "feedback", "channel", "language")
    search_fields = ("question", "summary")
    date_hierarchy = "asked_at"
    readonly_fields = [field.name for field in QuestionLog._meta.fields]
    change_list_template = "admin/ontology/questionlog/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("review/", self.admin_site.admin_view(self.review_view), name="ontology_questionlog_review"),
            *super().get_urls(),
        ]

    def review_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_teach = request.user.has_perm("ontology.add_ontologyterm")
        if request.method == "POST":
            if not can_teach:
                raise PermissionDenied
            word, concept = request.POST.get("word", ""), request.POST.get("concept", "")
            try:
                term = add_synonym(word, concept, language=request.POST.get("language", "en"), user=request.user,
                                   request=request)
            except (ValueError, ValidationError) as error:
                messages.error(request, f"“{word}” was not added: {error}")
            else:
                messages.success(request, f"“{term.term}” now means {concept}.")
            return redirect("admin:ontology_questionlog_review")
        lexicon = current_lexicon()
        concepts = sorted({(f"metric:{code}", f"KPI: {row['name']}") for code, row in lexicon.metrics.items()}
                          | {(ref, f"{ref.split(':')[0]}: {label}") for ref, label in lexicon.labels.items()},
                          key=lambda item: item[1])
        context = {
            **self.admin_site.each_context(request), "title": "Questions to review", "opts": self.model._meta,
            "words": words_to_review(), "downvoted": downvoted(), "concepts": concepts, "can_teach": can_teach,
        }
        return TemplateResponse(request, "admin/ontology/questionlog/review.html", context)
