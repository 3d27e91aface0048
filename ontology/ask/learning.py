"""The learning loop: every question is logged with its reading and outcome, askers vote on answers,
and the review page turns an unrecognised word into a synonym in one step (history and audit as for
any edit of a term)."""

from __future__ import annotations

from collections import Counter

from django.db import transaction

from mfgplatform.audit import record_event
from mfgplatform.hierarchy import set_history_context

from ..models import OntologyTerm, QuestionLog

SYNONYM_PRIORITY = 90  # a taught word ranks with the everyday synonyms, under names and abbreviations


def log_answer(answer: dict, *, channel: str, user=None) -> QuestionLog:
    user = user if getattr(user, "is_authenticated", False) else None
    return QuestionLog.objects.create(
        question=answer["question"][:2000], language=answer["language"], channel=channel, user=user,
        outcome=answer["status"], summary=(answer.get("summary") or "")[:500],
        interpretation=answer.get("interpretation") or {}, unrecognised=answer.get("ignored") or [],
        resolve_ms=answer.get("timing_ms", {}).get("resolve"), total_ms=answer.get("timing_ms", {}).get("total"),
    )


def record_feedback(log_id: int, vote: int, comment: str = "", *, user=None) -> QuestionLog:
    if vote not in (1, -1):
        raise ValueError("feedback is +1 (helpful) or -1 (wrong)")
    entry = QuestionLog.objects.get(pk=log_id)
    entry.feedback, entry.feedback_comment = vote, comment[:2000]
    entry.save(update_fields=["feedback", "feedback_comment"])
    record_event("ask.feedback", actor=user, obj=entry, vote=vote)
    return entry


def words_to_review(limit: int = 50) -> list[tuple[str, int, list[str]]]:
    """Unrecognised words by frequency, each with up to three questions it came from."""
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for question, words in QuestionLog.objects.exclude(unrecognised=[]).values_list("question", "unrecognised"):
        for word in {w.casefold() for w in words}:
            counts[word] += 1
            examples.setdefault(word, [])
            if len(examples[word]) < 3 and question not in examples[word]:
                examples[word].append(question)
    known = set(OntologyTerm.objects.values_list("term", flat=True))
    known = {term.casefold() for term in known}
    return [(word, count, examples[word]) for word, count in counts.most_common() if word not in known][:limit]


def downvoted(limit: int = 50) -> list[tuple[str, int, str]]:
    counts: Counter[str] = Counter()
    summaries: dict[str, str] = {}
    for question, summary in QuestionLog.objects.filter(feedback=-1).values_list("question", "summary"):
        key = question.strip().casefold()
        counts[key] += 1
        summaries[key] = summary
    return [(question, count, summaries[question]) for question, count in counts.most_common(limit)]


@transaction.atomic
def add_synonym(word: str, concept: str, *, language: str = "en", user=None, request=None) -> OntologyTerm:
    """A term for `word` meaning `concept` ("metric:oee", "dimension:equipment", "shift:C", …)."""
    kind, _, code = concept.partition(":")
    if not code:
        raise ValueError(f"a concept looks like metric:oee or equipment:LINE-1, got {concept!r}")
    if kind in ("metric", "date_range", "dimension", "unit", "granularity"):
        concept_type, dimension = kind, ""
    else:
        concept_type, dimension = "dimension_member", kind
    term = OntologyTerm(term=word.strip(), language=language, concept_type=concept_type, dimension=dimension,
                        concept_code=code, priority=SYNONYM_PRIORITY, notes="Added from the question review.")
    term.full_clean()
    set_history_context(term, user=user, reason="added as a synonym from the question review")
    term.save()
    record_event("ontology.synonym_added", actor=user, obj=term, request=request, term=term.term, concept=concept)
    return term
