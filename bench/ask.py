"""Questions: gold-set accuracy and resolve / answer latency (targets: ≥ 95 % exact, 0 confidently
wrong, resolve ≤ 20 ms, answer ≤ 100 ms).

    .venv/bin/python manage.py seed_iso_compliant --size demo --days 365 && .venv/bin/python manage.py refresh_views
    .venv/bin/python -m bench.ask [--repeats 5]

Accuracy: the gold plant is loaded inside a transaction that is rolled back, with every other
equipment and product deactivated so that only its names compete. Latency: the demo questions below
against the seeded data, warm lexicon, median and p95 over --repeats; the baseline of the same run is
the bare KPI-service call for each answered frame, printed with the ratio answer / baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django

DEMO_QUESTIONS = [
    "OEE of Pressing line 1 last week",
    "availability by machine yesterday",
    "worst line by OEE last month",
    "top 3 machines by scrap rate last 30 days",
    "OEE daily last week",
    "MTBF by failure mode last quarter",
    "OEE of the night shift this month",
    "scrap rate last week compared to the week before",
    "Verfügbarkeit gestern pro Schicht",
    "which day last week had the worst OEE",
    "OEE line 1 last week",
    "first pass yield of Moulding line 1 last 90 days",
]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def accuracy() -> None:
    from django.db import transaction

    from equipment.models import Equipment
    from ontology.ask import gold
    from production.models import Product

    with transaction.atomic():
        Equipment.objects.update(is_active=False)
        Product.objects.update(is_active=False)
        gold.load_plant()
        outcomes = gold.evaluate()
        transaction.set_rollback(True)
    total = len(outcomes)
    exact = sum(o.exact for o in outcomes)
    clarified = sum(o.status == "clarify" for o in outcomes)
    wrong = sum(o.confidently_wrong for o in outcomes)
    print(f"gold set: {total} questions  exact {exact} ({exact / total:.1%})  "
          f"clarification rate {clarified / total:.1%}  confidently wrong {wrong}")
    for outcome in outcomes:
        if not outcome.exact:
            print(f"  not exact: {outcome.question!r}: {gold.differences(outcome)}")


def latency(repeats: int) -> None:
    from mfgplatform.kpi import compute_kpis
    from ontology.ask import answer_question, resolve_question
    from ontology.ask.lexicon import current

    current()  # build the lexicon once, as a running server has it
    resolve_times: list[float] = []
    print(f"\n{'question':<52} {'status':<9} {'resolve ms':>10} {'answer ms':>10} {'service ms':>10} {'ratio':>6}")
    answer_all, service_all = [], []
    for question in DEMO_QUESTIONS:
        resolves, answers, services = [], [], []
        status = ""
        for _ in range(repeats):
            started = time.perf_counter()
            resolution = resolve_question(question)
            resolves.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            answer = answer_question(question)
            answers.append((time.perf_counter() - started) * 1000)
            status = answer["status"]
            frame = resolution.frame
            if status == "answered" and frame.group_by in ("none", "equipment", "equipment_class", "failure_mode"):
                started = time.perf_counter()
                compute_kpis(frame.metrics, equipment=frame.equipment, equipment_classes=frame.equipment_classes,
                             start=frame.range.start, end=frame.range.end, granularity=frame.granularity,
                             group_by=frame.group_by if frame.group_by != "none" else "none",
                             failure_mode=frame.failure_mode, shift=frame.shift)
                if frame.compare:
                    compute_kpis(frame.metrics, equipment=frame.equipment, start=frame.compare.start,
                                 end=frame.compare.end, granularity=frame.granularity, shift=frame.shift)
                services.append((time.perf_counter() - started) * 1000)
        resolve_times += resolves
        answer_all += answers
        median_answer = statistics.median(answers)
        service = f"{statistics.median(services):10.1f}" if services else f"{'—':>10}"
        ratio = f"{median_answer / statistics.median(services):6.2f}" if services else f"{'':>6}"
        if services:
            service_all += services
        print(f"{question[:52]:<52} {status:<9} {statistics.median(resolves):10.2f} {median_answer:10.1f} "
              f"{service} {ratio}")
    print(f"\nresolve: median {statistics.median(resolve_times):.2f} ms, p95 {_percentile(resolve_times, .95):.2f} ms "
          f"(target ≤ 20 ms)")
    print(f"answer:  median {statistics.median(answer_all):.1f} ms, p95 {_percentile(answer_all, .95):.1f} ms "
          f"(target ≤ 100 ms); bare KPI service median {statistics.median(service_all):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    settings.FISCAL_YEAR_START_MONTH = 1  # the gold set's expectations assume calendar fiscal years
    started = time.perf_counter()
    accuracy()
    latency(args.repeats)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
