"""Words people use for the platform's concepts, for natural-language questions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from mfgplatform.models.base import TimeStampedModel

from .choices import ConceptType, Dimension


class OntologyTerm(TimeStampedModel):
    """A term ("uptime", "line 3", "last week") and the canonical concept it stands for.

    When several terms match a question, the higher priority wins.
    """

    term = models.CharField(max_length=120)
    language = models.CharField(max_length=8, default="en")
    concept_type = models.CharField(max_length=20, choices=ConceptType.choices)
    dimension = models.CharField(
        max_length=20, choices=Dimension.choices, blank=True, help_text="For dimension members."
    )
    concept_code = models.CharField(
        max_length=64, help_text="Business code of the concept: a KPI, a date range, a unit, an equipment …"
    )
    priority = models.SmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords(table_name="ontology_term_history")

    class Meta:
        db_table = "ontology_term"
        ordering = ["term", "-priority"]
        verbose_name = "ontology term"
        indexes = [
            models.Index(Lower("term"), "language", name="ontology_term_lookup_idx"),
            models.Index(fields=["concept_type", "concept_code"], name="ontology_term_concept_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("term"), "language", "concept_type", "concept_code",
                name="ontology_term_unique_meaning",
                violation_error_message="This term already stands for this concept in this language.",
            ),
            models.CheckConstraint(
                condition=~Q(concept_type=ConceptType.DIMENSION_MEMBER) | ~Q(dimension=""),
                name="ontology_term_member_has_dimension",
                violation_error_message="A dimension member needs its dimension.",
            ),
            models.CheckConstraint(condition=~Q(term=""), name="ontology_term_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.concept_type}:{self.concept_code}"


class QuestionLog(models.Model):
    """One question asked, how it was understood and how the asker rated the answer.

    The review page reads these for the weekly vocabulary task: words nobody recognised and answers
    voted down, most frequent first.
    """

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        CLARIFY = "clarify", "Asked back"
        DECLINED = "declined", "Declined"

    class Channel(models.TextChoices):
        COMMAND = "command", "manage.py ask"
        API = "api", "JSON endpoint"
        WEB = "web", "Ask box"
        MCP = "mcp", "MCP server"

    asked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    question = models.TextField()
    language = models.CharField(max_length=8)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    summary = models.CharField(max_length=500, blank=True)
    interpretation = models.JSONField(default=dict, blank=True)
    unrecognised = models.JSONField(default=list, blank=True, help_text="Words no term or name matched")
    feedback = models.SmallIntegerField(null=True, blank=True, help_text="+1 helpful, −1 wrong")
    feedback_comment = models.TextField(blank=True)
    resolve_ms = models.FloatField(null=True, blank=True)
    total_ms = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "ontology_question_log"
        ordering = ["-asked_at"]
        verbose_name = "asked question"
        constraints = [
            models.CheckConstraint(condition=Q(feedback__in=[-1, 1]) | Q(feedback__isnull=True),
                                   name="ontology_question_feedback_vote"),
        ]

    def __str__(self) -> str:
        return self.question[:80]
