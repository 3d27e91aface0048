"""Compile a question into a query frame, or into a clarifying question, or a polite refusal.

Steps: tokens → spots (longest match of time grammar, ontology terms and master data) → structure
words (group, order, comparison) → frame → validation against the KPI catalog. Where a phrase has
several meanings the higher priority wins when it leads by at least MARGIN; otherwise the resolver
asks, offering at most three options. Nothing here computes a number.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from mfgplatform.calendar import parse_clock, production_date, resolve_date_range
from mfgplatform.kpi import kpi_formulas

from . import lexicon as lexicon_module
from . import vocabulary as vocab
from .frame import DateSpan, Frame
from .lexicon import Concept, Lexicon
from .messages import say
from .normalise import Token, tokenize
from .timegrammar import UNITS, TimeExpression, TimeGrammar, derive

MARGIN = 10  # a reading must lead the next by this much priority to be taken without asking
MAX_OPTIONS = 3
DEFAULT_RANGE = "last_7_days"
GROUPABLE = {"equipment": "equipment", "equipment_class": "equipment_class", "failure_mode": "failure_mode",
             "line": "line", "area": "area", "site": "site"}
UNSUPPORTED_DIMENSIONS = {"product", "defect_type", "downtime_reason"}
DIMENSION_NAMES = {
    "equipment": "machine", "line": "line", "area": "area", "site": "site", "equipment_class": "equipment class",
    "failure_mode": "failure mode", "product": "product", "defect_type": "defect type",
    "downtime_reason": "downtime reason", "shift": "shift", "characteristic": "characteristic",
}
LEVEL_DIMENSION = {3: "site", 4: "area", 5: "line", 6: "equipment"}
METRIC_SUGGESTIONS = {
    "failure_mode": ["mtbf", "mttr", "failure_rate"], "characteristic": ["cpk", "cp", "ppk"],
    "default": ["oee", "availability", "scrap_ratio"],
}
NO_PRODUCT_SPLIT = "the time model and the quality counts are kept per machine and shift, not per product."


@dataclass
class Spot:
    """A phrase of the question and what it was read as."""

    start: int
    end: int
    text: str
    kind: str  # concept, time, structure
    candidates: list[Concept] = field(default_factory=list)
    chosen: Concept | None = None
    time: TimeExpression | None = None
    role: str = ""  # for structure words: group, order, compare, which, number, scope
    note: str = ""

    def as_dict(self) -> dict:
        if self.kind == "time":
            found = self.time.range if self.time else None
            return {"text": self.text, "concept": "time", "label": self.time.label if self.time else "",
                    "range": f"{found.start}..{found.end}" if found else None}
        if self.kind == "structure":
            return {"text": self.text, "concept": f"structure:{self.role}"}
        concept = self.chosen or (self.candidates[0] if self.candidates else None)
        return {"text": self.text, "concept": concept.ref if concept else None,
                "source": concept.source if concept else None, "priority": concept.priority if concept else None,
                "ambiguous": self.chosen is None and len(self.candidates) > 1}


@dataclass
class Resolution:
    question: str
    language: str
    today: dt.date
    status: str = "answered"  # answered (ready to run), clarify, declined
    frame: Frame = field(default_factory=Frame)
    spots: list[Spot] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)
    alternatives: list[dict] = field(default_factory=list)
    message: str = ""
    summary: str = ""

    def as_dict(self) -> dict:
        return {
            "question": self.question, "language": self.language, "status": self.status,
            "production_date": self.today.isoformat(), "summary": self.summary, "message": self.message,
            "interpretation": self.frame.as_dict(), "matches": [spot.as_dict() for spot in self.spots],
            "ignored": self.ignored, "options": self.options, "alternatives": self.alternatives,
        }


def production_today(now: dt.datetime | None = None) -> dt.date:
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = now.replace(tzinfo=ZoneInfo(settings.PLANT_TIME_ZONE))
    return production_date(now, ZoneInfo(settings.PLANT_TIME_ZONE), parse_clock(settings.PRODUCTION_DAY_START))


def detect_language(tokens: list[Token]) -> str:
    """German when German function words or nouns make up a fair share of the question."""
    german = sum(token.text in vocab.GERMAN_MARKERS for token in tokens)
    return "de" if german >= 1 and german >= len(tokens) * 0.15 else "en"


def resolve_question(question: str, *, now: dt.datetime | None = None, lexicon: Lexicon | None = None) -> Resolution:
    lexicon = lexicon or lexicon_module.current()
    tokens = tokenize(question)
    resolution = Resolution(question=question, language=detect_language(tokens), today=production_today(now))
    _Compiler(resolution, tokens, lexicon).run()
    return resolution


class _Decided(Exception):  # noqa: N818 (control flow: the resolver settled on clarify or declined)
    pass


class _Compiler:
    def __init__(self, resolution: Resolution, tokens: list[Token], lexicon: Lexicon):
        self.r, self.tokens, self.lexicon = resolution, tokens, lexicon
        self.keys = [token.key for token in tokens]
        self.frame = resolution.frame

    # --- outcome helpers --------------------------------------------------------------------------

    def clarify(self, message: str, options: list[dict]) -> None:
        self.r.status, self.r.message, self.r.options = "clarify", message, options[:MAX_OPTIONS]
        raise _Decided

    def decline(self, message: str) -> None:
        self.r.status, self.r.message = "declined", message
        raise _Decided

    def say(self, key: str, **values) -> str:
        return say(self.r.language, key, **values)

    def rewrite(self, spot: Spot, replacement: str) -> str:
        words = [token.text for token in self.tokens]
        return " ".join([*words[:spot.start], replacement, *words[spot.end:]])

    def metric_name(self, code: str) -> str:
        return self.lexicon.metrics.get(code, {}).get("name", code)

    # --- the pipeline ----------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self.spot()
            self.check_scope()
            self.fill()
            self.validate()
        except _Decided:
            pass
        self.r.spots = self.spots
        self.r.ignored = [self.tokens[i].text for i in self.ignored]
        self.r.alternatives = self.alternatives()
        self.r.summary = self.summary()

    def spot(self) -> None:
        """Longest match at each position over the time grammar and the lexicon; the rest is structure."""
        keys, grammar = self.keys, TimeGrammar(self.keys, self.r.today)
        self.spots: list[Spot] = []
        self.loose: list[int] = []  # token indexes not covered by a time expression or a term
        i = 0
        while i < len(keys):
            time = grammar.match(i)
            length, concepts = self.lexicon.lookup(keys, i)
            date_term = any(c.kind == "date_range" for c in concepts)
            if length and (time is None or length > time.length or (length == time.length and date_term)):
                self.spots.append(Spot(i, i + length, self.text(i, i + length), "concept", concepts))
                i += length
            elif time:
                self.spots.append(Spot(i, time.end_token, self.text(i, time.end_token), "time", time=time))
                i = time.end_token
            else:
                self.loose.append(i)
                i += 1
        self.ignored: list[int] = []
        for i in self.loose:
            key = keys[i]
            role = self.structure_role(i)
            if role:
                self.spots.append(Spot(i, i + 1, self.tokens[i].text, "structure", role=role))
            elif key not in vocab.STOPWORDS:
                self.ignored.append(i)
        self.spots.sort(key=lambda spot: spot.start)

    def structure_role(self, i: int) -> str:
        key = self.keys[i]
        previous = self.keys[i - 1] if i else ""
        if key in vocab.COMPARE:
            return "compare"
        if key in vocab.BEST | vocab.WORST | vocab.HIGHEST | vocab.LOWEST:
            return "order"
        if key in vocab.RANK:
            return "rank"
        if key in vocab.WHICH:
            return "which"
        if key in vocab.GROUP_PREFIX:
            return "group"
        if key.isdigit() and (previous in vocab.BEST | vocab.WORST | vocab.HIGHEST | vocab.LOWEST):
            return "number"
        if key.isdigit() and i + 1 < len(self.keys) and self.keys[i + 1] in vocab.BEST | vocab.WORST | (
            vocab.HIGHEST | vocab.LOWEST
        ):
            return "number"
        if key in UNITS and UNITS[key] in ("day", "week", "month") and self.after_order_or_which(i):
            return "grain"
        if key in vocab.COMPARE_VERB:
            return "compare_verb"
        if key in vocab.OUT_OF_SCOPE:
            return "out_of_scope"
        return ""

    def after_order_or_which(self, i: int) -> bool:
        for j in range(i - 1, max(-1, i - 4), -1):
            if self.keys[j] in vocab.BEST | vocab.WORST | vocab.HIGHEST | vocab.LOWEST | vocab.WHICH | vocab.RANK:
                return True
            if self.keys[j] not in vocab.STOPWORDS and not self.keys[j].isdigit():
                return False
        return False

    def text(self, start: int, end: int) -> str:
        return " ".join(token.text for token in self.tokens[start:end])

    def check_scope(self) -> None:
        for spot in self.spots:
            if spot.role == "out_of_scope":
                self.decline(self.say(f"out_of_scope_{vocab.OUT_OF_SCOPE[self.keys[spot.start]]}"))
            if spot.kind == "time" and spot.time and spot.time.future:
                self.decline(self.say("future", text=spot.text))

    # --- frame filling ---------------------------------------------------------------------------

    def fill(self) -> None:
        concept_spots = [s for s in self.spots if s.kind == "concept"]
        for spot in concept_spots:
            self.choose(spot, concept_spots)
        self.fill_time()
        self.fill_concepts(concept_spots)
        self.fill_structure(concept_spots)
        self.check_partial_names()

    def check_partial_names(self) -> None:
        """Unrecognised words that are part of master-data names ("welding robots") name something
        the question did not spell out: ask which, rather than answer for a wider scope."""
        words = [self.keys[i] for i in self.ignored if self.keys[i] in self.lexicon.name_words]
        if not words:
            return
        sets = [{c.ref: c for c in self.lexicon.name_words[word]} for word in words]
        common = set.intersection(*(set(found) for found in sets)) or set(sets[0])
        pool = sorted((sets[0].get(ref) or next(f[ref] for f in sets if ref in f) for ref in common),
                      key=lambda c: (c.level or 9, c.label))
        text = " ".join(self.tokens[i].text for i in self.ignored if self.keys[i] in self.lexicon.name_words)
        self.clarify(self.say("unknown_member", text=text), [
            {"label": f"{c.label} ({c.code})", "concept": c.ref,
             "question": f"{self.r.question} {c.code}"} for c in pool[:MAX_OPTIONS]
        ])

    def choose(self, spot: Spot, all_spots: list[Spot]) -> None:
        candidates = spot.candidates
        if len(candidates) == 1 or candidates[0].priority - candidates[1].priority >= MARGIN:
            spot.chosen = candidates[0]
            if len(candidates) > 1:
                spot.note = f"priority {candidates[0].priority} leads {candidates[1].priority} by ≥ {MARGIN}"
            return
        top = [c for c in candidates if candidates[0].priority - c.priority < MARGIN]
        # Another member of the question that contains exactly one candidate settles it ("line 3 in Pressing").
        anchors = [s.candidates[0] for s in all_spots if s is not spot and len(s.candidates) == 1
                   and s.candidates[0].dimension == "equipment"]
        narrowed = [c for c in top if c.dimension == "equipment"
                    and any(c.path.startswith(f"{a.path}/") for a in anchors)]
        if len(narrowed) == 1:
            spot.chosen = narrowed[0]
            spot.note = "narrowed by " + ", ".join(a.label for a in anchors)
            return
        spot.note = f"{len(top)} readings within {MARGIN} priority points"

    def ambiguous(self, spot: Spot) -> None:
        top = [c for c in spot.candidates if spot.candidates[0].priority - c.priority < MARGIN]
        dimension = top[0].dimension if top[0].kind == "member" else top[0].kind
        if top[0].kind == "member" and top[0].dimension == "equipment":
            dimension = LEVEL_DIMENSION.get(top[0].level, "equipment")
        options = [self.option(c, spot) for c in sorted(top, key=lambda c: (-c.priority, c.label))]
        self.clarify(self.say("which_member", text=spot.text, dimension=DIMENSION_NAMES.get(dimension, dimension)),
                     options)

    def option(self, concept: Concept, spot: Spot) -> dict:
        replacement = concept.code if concept.kind == "member" else concept.label
        return {"label": f"{concept.label} ({concept.code})" if concept.kind == "member" else concept.label,
                "concept": concept.ref, "question": self.rewrite(spot, replacement)}

    def fill_time(self) -> None:
        times = [s for s in self.spots if s.kind == "time" or (s.kind == "concept" and s.candidates[0].kind ==
                                                                 "date_range")]
        compare_at = next((s.start for s in self.spots if s.role == "compare"), None)
        has_compare_verb = any(s.role == "compare_verb" for s in self.spots)
        spans = [(spot, self.span_of(spot)) for spot in times]
        first = [(s, span) for s, span in spans if compare_at is None or s.start < compare_at]
        second = [(s, span) for s, span in spans if compare_at is not None and s.start > compare_at]
        if compare_at is None and has_compare_verb and len(spans) == 2:
            first, second = spans[:1], spans[1:]
        relative_first = [(s, span) for s, span in first if s.time and s.time.relative]
        if relative_first:
            self.ignored.extend(range(relative_first[0][0].start, relative_first[0][0].end))
            first = [(s, span) for s, span in first if not (s.time and s.time.relative)]
        if len(first) > 1:
            self.clarify(self.say("which_range"), [
                {"label": f"{span.label} ({span.text})", "concept": f"range:{span.text}",
                 "question": self.rewrite_without(s for s, _ in first if s is not spot)}
                for spot, span in first
            ])
        if first:
            self.frame.range = first[0][1]
        else:
            self.frame.range = self.named_range(DEFAULT_RANGE, default=True)
        if second:
            spot, span = second[0]
            if spot.time and spot.time.relative:
                label, found = derive(spot.time.relative, _as_range(self.frame.range))
                span = DateSpan(found.start, found.end, label, found.is_partial)
            self.frame.compare = span

    def rewrite_without(self, spots) -> str:
        drop = {i for spot in spots for i in range(spot.start, spot.end)}
        return " ".join(token.text for i, token in enumerate(self.tokens) if i not in drop)

    def span_of(self, spot: Spot) -> DateSpan | None:
        if spot.kind == "time":
            found = spot.time.range
            if found is None:
                return None
            return DateSpan(found.start, found.end, spot.time.label, found.is_partial)
        spot.chosen = spot.candidates[0]
        return self.named_range(spot.chosen.code, label=spot.text)

    def named_range(self, code: str, *, label: str = "", default: bool = False) -> DateSpan:
        row = self.lexicon.date_ranges[code]
        found = resolve_date_range(
            row["rule"], self.r.today, length_days=row["length_days"],
            fiscal_start_month=settings.FISCAL_YEAR_START_MONTH,
            fixed_start=row["fixed_start"], fixed_end=row["fixed_end"],
        )
        return DateSpan(found.start, found.end, label or row["name"].lower(), found.is_partial, default)

    def fill_concepts(self, concept_spots: list[Spot]) -> None:
        members: list[tuple[Spot, Concept]] = []
        for spot in concept_spots:
            if spot.chosen is None:
                self.ambiguous(spot)
            concept = spot.chosen
            if concept.kind == "metric" and concept.code not in self.frame.metrics:
                self.frame.metrics.append(concept.code)
            elif concept.kind == "granularity":
                self.frame.granularity = concept.code
            elif concept.kind == "member":
                members.append((spot, concept))
        self.fill_members(members)

    def fill_members(self, members: list[tuple[Spot, Concept]]) -> None:
        frame = self.frame
        equipment = [c for _, c in members if c.dimension == "equipment"]
        # A member inside another one named in the question is the narrower scope.
        equipment = [c for c in equipment if not any(o.path.startswith(f"{c.path}/") for o in equipment)]
        frame.equipment = list(dict.fromkeys(c.code for c in equipment))
        for spot, concept in members:
            dimension = concept.dimension
            if dimension == "equipment_class":
                frame.equipment_classes.append(concept.code)
            elif dimension == "shift":
                if frame.shift and frame.shift != concept.code:
                    self.clarify(self.say("two_shifts"), [])
                frame.shift = concept.code
            elif dimension == "failure_mode":
                frame.failure_mode = concept.code
            elif dimension == "product":
                frame.product = concept.code
            elif dimension == "characteristic":
                frame.characteristic = concept.code
            elif dimension in UNSUPPORTED_DIMENSIONS:
                self.unsupported_filter = (dimension, spot)
        if len(frame.equipment) > 1:
            frame.group_by = "member"

    unsupported_filter: tuple[str, Spot] | None = None

    def fill_structure(self, concept_spots: list[Spot]) -> None:
        frame = self.frame
        order_spot = next((s for s in self.spots if s.role == "order"), None)
        if order_spot:
            key = self.keys[order_spot.start]
            frame.order = ("best" if key in vocab.BEST else "worst" if key in vocab.WORST
                           else "highest" if key in vocab.HIGHEST else "lowest")
        number = next((s for s in self.spots if s.role == "number"), None)
        if number:
            frame.limit = int(self.keys[number.start])
        grouped = self.group_noun(concept_spots)
        if grouped:
            dimension, spot = grouped
            plural = self.tokens[spot.end - 1].text.endswith(("s", "en", "n")) and len(spot.text) > 4
            if dimension == "shift":
                frame.granularity = "shift"
            elif dimension in GROUPABLE:
                frame.group_by = GROUPABLE[dimension]
            elif dimension in UNSUPPORTED_DIMENSIONS:
                metric = self.metric_name(frame.metrics[0]) if frame.metrics else "This KPI"
                self.decline(self.say("unsupported_group", metric=metric,
                                      dimension=DIMENSION_NAMES.get(dimension, dimension)))
            if frame.order and frame.limit is None and not plural:
                frame.limit = 1
        grain = next((s for s in self.spots if s.role == "grain"), None)
        if grain:
            frame.granularity = UNITS[self.keys[grain.start]]
            if frame.order and frame.limit is None and not self.tokens[grain.start].text.endswith("s"):
                frame.limit = 1
        if frame.order and frame.group_by == "none" and frame.granularity == "total":
            self.clarify(self.say("which_group", order=order_spot.text), [
                {"label": f"by {name}", "concept": f"group:{group}",
                 "question": f"{self.r.question} by {name}"}
                for group, name in (("equipment", "machine"), ("line", "line"), ("shift", "shift"))
            ])
        if frame.order is None and any(s.role == "rank" for s in self.spots):
            frame.order = "best"

    def group_noun(self, concept_spots: list[Spot]) -> tuple[str, Spot] | None:
        """A dimension noun that asks for a breakdown: after by/per/which/worst/top N, or plural."""
        for spot in concept_spots:
            concept = spot.chosen
            if concept is None or concept.kind != "dimension":
                continue
            for j in range(spot.start - 1, max(-1, spot.start - 4), -1):
                key = self.keys[j]
                if key in vocab.GROUP_PREFIX | vocab.WHICH | vocab.BEST | vocab.WORST | vocab.HIGHEST | vocab.LOWEST \
                        or key.isdigit() or key in vocab.RANK:
                    return concept.code, spot
                if key not in vocab.STOPWORDS:
                    break
            raw = self.tokens[spot.end - 1].text
            if raw.endswith("s") and not raw.endswith("ss") and self.keys[spot.end - 1] != raw:
                return concept.code, spot
            self.unknown_member_check(spot, concept)
        return None

    def unknown_member_check(self, spot: Spot, concept: Concept) -> None:
        """"line 7" or "blue machine": a dimension noun with an unknown word beside it names a member
        the master data does not have; ask rather than answer for the whole plant."""
        neighbours = [j for j in (spot.start - 1, spot.end) if j in self.ignored or (
            0 <= j < len(self.keys) and self.keys[j].isdigit() and j in self.loose)]
        if not neighbours:
            return
        dimension = concept.code
        pool = self.lexicon.members.get("equipment" if dimension in ("line", "area", "site") else dimension, [])
        if dimension in ("line", "area", "site"):
            level = {"site": 3, "area": 4, "line": 5}[dimension]
            pool = [c for c in pool if c.level == level]
        words = {self.keys[j] for j in neighbours}
        ranked = sorted(pool, key=lambda c: (-len(words & set(c.label.casefold().split())), c.label))
        text = " ".join(self.tokens[j].text for j in sorted([*neighbours, *range(spot.start, spot.end)]))
        self.clarify(self.say("unknown_member", text=text), [
            {"label": f"{c.label} ({c.code})", "concept": c.ref, "question": self.rewrite(spot, c.code)}
            for c in ranked[:MAX_OPTIONS]
        ])

    # --- validation against the catalog ------------------------------------------------------------

    def validate(self) -> None:
        frame = self.frame
        if not frame.metrics:
            recognised = [s for s in self.spots if s.kind in ("concept", "time")]
            if not recognised:
                self.decline(self.say("nothing"))
            context = "failure_mode" if frame.failure_mode or frame.group_by == "failure_mode" else (
                "characteristic" if frame.characteristic else "default")
            self.clarify(self.say("which_metric"), [
                {"label": self.metric_name(code), "concept": f"metric:{code}",
                 "question": f"{self.metric_name(code)} {self.r.question}"}
                for code in METRIC_SUGGESTIONS[context]
            ])
        formulas = kpi_formulas()
        for code in frame.metrics:
            if code not in formulas:
                row = self.lexicon.metrics.get(code, {})
                needs = ", ".join(row.get("elements") or []) or "elements not recorded"
                self.decline(self.say("not_computable", metric=self.metric_name(code), reason=f"needs {needs}"))
        first = formulas[frame.metrics[0]]
        name = self.metric_name(first.code)
        if self.unsupported_filter:
            dimension, _ = self.unsupported_filter
            self.decline(self.say("unsupported_filter", metric=name, dimension=DIMENSION_NAMES[dimension],
                                  why="the KPI service does not filter by it."))
        capability = any("capability" in formulas[code].sources for code in frame.metrics)
        if frame.product and not capability:
            self.decline(self.say("unsupported_filter", metric=name, dimension="product", why=NO_PRODUCT_SPLIT))
        reliability = all("reliability_events" in formulas[code].sources for code in frame.metrics)
        if (frame.failure_mode or frame.group_by == "failure_mode") and not reliability:
            self.decline(self.say("unsupported_group", metric=name, dimension="failure mode"))
        if capability and not frame.characteristic:
            options = self.lexicon.members.get("characteristic", [])
            self.clarify(self.say("which_characteristic", metric=name), [
                {"label": c.label, "concept": c.ref, "question": f"{self.r.question} {c.label}"}
                for c in options[:MAX_OPTIONS]
            ])

    # --- explanation -------------------------------------------------------------------------------

    def alternatives(self) -> list[dict]:
        """Every phrase with more than one meaning, its candidates with their priorities, and the
        readings they combine into, best first (for `ask --explain`)."""
        spots = [s for s in getattr(self, "spots", []) if s.kind == "concept" and len(s.candidates) > 1]
        phrases = [{
            "text": s.text, "chosen": s.chosen.ref if s.chosen else None, "why": s.note,
            "candidates": [{"concept": c.ref, "label": c.label, "priority": c.priority, "source": c.source}
                           for c in s.candidates],
        } for s in spots]
        readings = []
        for combination in itertools.islice(itertools.product(*[s.candidates[:3] for s in spots]), 9):
            readings.append({"score": sum(c.priority for c in combination),
                             "reading": [f"{s.text} → {c.ref}" for s, c in zip(spots, combination, strict=True)]})
        readings.sort(key=lambda reading: -reading["score"])
        return phrases + ([{"readings": readings}] if readings else [])

    def summary(self) -> str:
        frame = self.frame
        if self.r.status != "answered":
            return ""
        parts = [" + ".join(self.metric_name(code) for code in frame.metrics)]
        scope = [self.lexicon.labels.get(f"equipment:{code}", code) for code in frame.equipment]
        scope += [self.lexicon.labels.get(f"equipment_class:{code}", code) for code in frame.equipment_classes]
        for dimension in ("shift", "failure_mode", "product", "characteristic"):
            code = getattr(frame, dimension)
            if code:
                scope.append(self.lexicon.labels.get(f"{dimension}:{code}", code))
        parts.append(", ".join(scope) or "whole plant")
        if frame.range:
            note = " (partial)" if frame.range.partial else ""
            parts.append(f"{frame.range.text} ({frame.range.label}){note}")
        if frame.granularity != "total":
            parts.append(f"by {frame.granularity}")
        if frame.group_by not in ("none", "member"):
            parts.append(f"by {DIMENSION_NAMES.get(frame.group_by, frame.group_by)}")
        if frame.order:
            parts.append(f"{frame.order}" + (f" {frame.limit}" if frame.limit else ""))
        if frame.compare:
            parts.append(f"vs {frame.compare.text} ({frame.compare.label})")
        return " · ".join(parts)


def _as_range(span: DateSpan):
    from mfgplatform.calendar import ResolvedRange

    return ResolvedRange(span.start, span.end, span.partial)
