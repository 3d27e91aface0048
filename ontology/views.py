"""The Ask box: a question, its answer, how it was understood (chips that drop a phrase when
clicked), the rows as a table with bars, and 👍/👎."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from workbench.views.base import render_page, workbench_view

from .ask import answer_question
from .ask.learning import record_feedback
from .models import QuestionLog

EXAMPLES = [
    "OEE by line last week", "worst machine by availability yesterday", "scrap rate last week vs the week before",
    "MTBF by failure mode last quarter", "Verfügbarkeit gestern pro Schicht",
]


@workbench_view("production.view_factproduction")
def ask_page(request):
    if request.method == "POST":
        log_id = request.POST.get("log_id")
        vote = request.POST.get("vote")
        if log_id and vote in ("1", "-1") and QuestionLog.objects.filter(pk=log_id, user=request.user).exists():
            record_feedback(int(log_id), int(vote), request.POST.get("comment", ""), user=request.user)
        return redirect(f"{reverse('ontology:ask')}?voted={vote}")
    question = (request.GET.get("q") or "").strip()[:500]
    answer, chips, bars = None, [], []
    if question:
        answer = answer_question(question, channel="web", user=request.user)
        for match in answer["matches"]:
            if str(match["concept"]).startswith("structure:"):
                continue
            remaining = question.casefold().replace(match["text"], " ", 1) if match["text"] in question.casefold() \
                else question
            chips.append({"text": match["text"], "concept": match["concept"], "label": match.get("label", ""),
                          "without": " ".join(remaining.split())})
        values = [row["value"] for row in answer["rows"] if row["value"] is not None]
        top = max((abs(v) for v in values), default=0) or 1
        bars = [row | {"width": round(abs(row["value"]) / top * 100, 1) if row["value"] is not None else 0}
                for row in answer["rows"]]
    return render_page(request, "ontology/ask.html", {
        "question": question, "answer": answer, "chips": chips, "bars": bars, "examples": EXAMPLES,
        "voted": request.GET.get("voted"),
    }, title="Ask")
