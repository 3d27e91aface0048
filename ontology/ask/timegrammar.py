"""The closed time grammar: every time expression a question may use, read on the platform's
calendar semantics (mfgplatform.calendar: production days, ISO weeks, fiscal years).

Rules, in the words of docs/ask.md:
- "last week/month/quarter/year" is the previous complete period; "last N days" is N complete
  production days ending yesterday (weeks, months, quarters likewise in whole periods);
- "this week/…" runs to today and is flagged partial;
- a bare period name (a month, "Q1", "week 12", a fiscal year) is the most recent complete one
  with that name unless a year is given; a named year that has not ended is partial;
- "since Monday" starts on the most recent Monday before today; "between X and Y" is inclusive;
- "tomorrow", "next week" … are future: there is nothing recorded to answer from.

`scan(keys, today)` returns the expressions found, each with the token span it covers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings

from mfgplatform.calendar import ONE_DAY, ResolvedRange, add_months, fiscal_period, resolve_date_range

from .normalise import key_of


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(key_of(phrase)[0] for phrase in phrases)


LAST = _words("last", "past", "previous", "prior", "letzte", "letzten", "letzter", "letztes", "vergangene",
              "vergangenen", "vergangener", "vorige", "vorigen", "voriger", "vorherige", "vorherigen")
THIS = _words("this", "current", "diese", "dieser", "diesen", "dieses", "aktuelle", "aktuellen", "laufende",
              "laufenden")
NEXT = _words("next", "coming", "nachste", "nachsten", "nachster", "kommende", "kommenden")
UNITS = {
    **dict.fromkeys(_words("day", "days", "tag", "tage", "tagen"), "day"),
    **dict.fromkeys(_words("week", "weeks", "woche", "wochen"), "week"),
    **dict.fromkeys(_words("month", "months", "monat", "monate", "monaten", "monats"), "month"),
    **dict.fromkeys(_words("quarter", "quarters", "quartal", "quartale", "quartalen"), "quarter"),
    **dict.fromkeys(_words("year", "years", "jahr", "jahre", "jahren", "jahres"), "year"),
}
FISCAL = _words("fiscal", "financial", "geschaftsjahr", "wirtschaftsjahr")
FISCAL_YEAR_TOKENS = _words("fy", "gj")
WEEK_WORDS = _words("week", "kw", "cw", "kalenderwoche", "calendar week", "woche")
QUARTER_WORDS = _words("quarter", "quartal")
SINCE = _words("since", "seit", "ab")
BETWEEN = _words("between", "zwischen")
FROM = _words("from", "vom", "von")
TO = _words("and", "to", "until", "till", "through", "und", "bis")
TODAY = _words("today", "heute")
YESTERDAY = _words("yesterday", "gestern")
DAY_BEFORE_YESTERDAY = _words("vorgestern")
FUTURE = _words("tomorrow", "morgen", "ubermorgen")
MONTHS = {
    **{key: index for index, names in enumerate((
        ("january", "jan", "januar", "janner"), ("february", "feb", "februar"), ("march", "mar", "marz", "maerz"),
        ("april", "apr"), ("may", "mai"), ("june", "jun", "juni"), ("july", "jul", "juli"),
        ("august", "aug"), ("september", "sep", "sept"), ("october", "oct", "oktober", "okt"),
        ("november", "nov"), ("december", "dec", "dezember", "dez"),
    ), start=1) for key in _words(*names)},
}
WEEKDAYS = {
    key: index for index, names in enumerate((
        ("monday", "montag"), ("tuesday", "dienstag"), ("wednesday", "mittwoch"), ("thursday", "donnerstag"),
        ("friday", "freitag"), ("saturday", "samstag", "sonnabend"), ("sunday", "sonntag"),
    ), start=1) for key in _words(*names)
}
# Ranges relative to the first one of a comparison ("yesterday vs the day before").
RELATIVE = {
    ("day", "before"): "previous", ("week", "before"): "previous", ("month", "before"): "previous",
    ("previou", "period"): "previous", ("prior", "period"): "previous", ("vorperiode",): "previous",
    ("vortag",): "previous", ("vorwoche",): "previous", ("vormonat",): "previous",
    ("year", "before"): "year_before", ("vorjahr",): "year_before", ("same", "period", "last", "year"): "year_before",
    ("vorjahreszeitraum",): "year_before",
}
QUARTER_TOKEN = re.compile(r"^q([1-4])$")
FY_TOKEN = re.compile(r"^(?:fy|gj)(\d{2}|\d{4})$")
KW_TOKEN = re.compile(r"^(?:kw|cw|w)(\d{1,2})$")
YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass(frozen=True)
class TimeExpression:
    start_token: int
    end_token: int  # exclusive
    label: str
    range: ResolvedRange | None = None
    future: bool = False
    relative: str | None = None  # "previous" / "year_before": derived from the first range

    @property
    def length(self) -> int:
        return self.end_token - self.start_token


class _Calendar:
    """Period arithmetic against one production day."""

    def __init__(self, today: dt.date):
        self.today = today
        self.fiscal_start = settings.FISCAL_YEAR_START_MONTH

    def rule(self, rule: str, **kwargs) -> ResolvedRange:
        return resolve_date_range(rule, self.today, fiscal_start_month=self.fiscal_start, **kwargs)

    def clip(self, start: dt.date, end: dt.date) -> ResolvedRange | None:
        """A period that may reach past today: cut at today and flag partial; None when all future."""
        if start > self.today:
            return None
        if end >= self.today:
            return ResolvedRange(start, self.today, True)
        return ResolvedRange(start, end)

    def week(self, iso_year: int, week: int) -> tuple[dt.date, dt.date]:
        start = dt.date.fromisocalendar(iso_year, week, 1)
        return start, start + dt.timedelta(days=6)

    def month(self, year: int, month: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, month, 1)
        return start, add_months(start, 1) - ONE_DAY

    def quarter(self, year: int, quarter: int) -> tuple[dt.date, dt.date]:
        start = dt.date(year, quarter * 3 - 2, 1)
        return start, add_months(start, 3) - ONE_DAY

    def fiscal_year(self, named_year: int) -> tuple[dt.date, dt.date]:
        start_year = named_year if self.fiscal_start == 1 else named_year - 1
        start = dt.date(start_year, self.fiscal_start, 1)
        return start, add_months(start, 12) - ONE_DAY

    def last_complete(self, periods) -> tuple[dt.date, dt.date]:
        """The first of `periods` (newest first) that ended before today."""
        for start, end in periods:
            if end < self.today:
                return start, end
        raise ValueError("no complete period")

    def last_n(self, unit: str, count: int) -> ResolvedRange:
        yesterday = self.today - ONE_DAY
        if unit == "day":
            return ResolvedRange(self.today - dt.timedelta(days=count), yesterday)
        if unit == "week":
            monday = self.today - dt.timedelta(days=self.today.isoweekday() - 1)
            return ResolvedRange(monday - dt.timedelta(days=7 * count), monday - ONE_DAY)
        months = {"month": 1, "quarter": 3, "year": 12}[unit]
        if unit == "month":
            anchor = self.today.replace(day=1)
        elif unit == "quarter":
            anchor = dt.date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1)
        else:
            anchor = dt.date(self.today.year, 1, 1)
        return ResolvedRange(add_months(anchor, -months * count), anchor - ONE_DAY)


def _int(key: str) -> int | None:
    return int(key) if key.isdigit() else None


def _year(keys: list[str], i: int) -> int | None:
    if i < len(keys) and YEAR.match(keys[i]):
        return int(keys[i])
    return None


class _Scanner:
    def __init__(self, keys: list[str], today: dt.date):
        self.keys, self.cal = keys, _Calendar(today)

    def at(self, i: int) -> str:
        return self.keys[i] if 0 <= i < len(self.keys) else ""

    # Each rule returns (tokens consumed, label, range | None, future, relative) or None.

    def relative(self, i):
        for phrase, kind in RELATIVE.items():
            start = i + 1 if self.at(i) in ("the", "den", "die", "das", "dem") else i
            if tuple(self.keys[start:start + len(phrase)]) == phrase and \
                    self.at(start + len(phrase)) not in YESTERDAY:
                return start - i + len(phrase), " ".join(phrase), None, False, kind
        return None

    def simple_day(self, i):
        key, cal = self.at(i), self.cal
        if key in TODAY:
            return 1, "today", cal.rule("today"), False, None
        if key in YESTERDAY:
            return 1, "yesterday", cal.rule("yesterday"), False, None
        article = 1 if key == "the" else 0
        if key in DAY_BEFORE_YESTERDAY or self.keys[i + article:i + article + 3] == ["day", "before", "yesterday"]:
            day = cal.today - 2 * ONE_DAY
            consumed = 1 if key in DAY_BEFORE_YESTERDAY else 3 + article
            return consumed, "the day before yesterday", ResolvedRange(day, day), False, None
        if key in FUTURE:
            return 1, key, None, True, None
        return None

    def last_this_next(self, i):
        key, cal = self.at(i), self.cal
        if key not in LAST | THIS | NEXT:
            return None
        j = i + 1
        count = _int(self.at(j))
        if count is not None:
            j += 1
        fiscal = self.at(j) in FISCAL
        if fiscal:
            j += 1
        unit = UNITS.get(self.at(j))
        if unit is None:
            return None
        j += 1
        word = "last" if key in LAST else "this" if key in THIS else "next"
        label = " ".join(filter(None, [word, str(count) if count else "", "fiscal" if fiscal else "", unit]))
        if word == "next":
            return j - i, label, None, True, None
        if fiscal and unit not in ("year", "quarter"):
            return None
        if count is not None:
            if word != "last" or count < 1 or fiscal:
                return None
            return j - i, label + ("s" if count > 1 else ""), cal.last_n(unit, count), False, None
        if unit == "day":
            return j - i, label, cal.rule("yesterday" if word == "last" else "today"), False, None
        rule = f"{word}_{'fiscal_' if fiscal else ''}{unit}"
        return j - i, label, cal.rule(rule), False, None

    def week_number(self, i):
        match = KW_TOKEN.match(self.at(i))
        if match and self.at(i) != "w":
            week, j = int(match.group(1)), i + 1
        elif self.at(i) in WEEK_WORDS and _int(self.at(i + 1)) is not None:
            week, j = int(self.at(i + 1)), i + 2
        elif self.at(i) == "calendar" and self.at(i + 1) == "week" and _int(self.at(i + 2)) is not None:
            week, j = int(self.at(i + 2)), i + 3
        else:
            return None
        if not 1 <= week <= 53:
            return None
        year = _year(self.keys, j)
        cal = self.cal
        try:
            if year:
                start, end = cal.week(year, week)
                j += 1
            else:
                iso_year = cal.today.isocalendar()[0]
                start, end = cal.last_complete(cal.week(y, week) for y in (iso_year, iso_year - 1, iso_year - 2)
                                               if week <= dt.date(y, 12, 28).isocalendar()[1])
        except ValueError:
            return None
        label = f"week {week}" + (f" {year}" if year else "")
        clipped = cal.clip(start, end)
        return j - i, label, clipped, clipped is None, None

    def month_name(self, i):
        month = MONTHS.get(self.at(i))
        if month is None:
            return None
        # "may" is also a verb: only a month when a year follows or it stands where a time goes.
        year = _year(self.keys, i + 1)
        j = i + 2 if year else i + 1
        cal = self.cal
        if year:
            start, end = cal.month(year, month)
        else:
            if self.at(i) == "may" and self.at(i - 1) not in ("in", "im", "for", "during", "of", "since", "seit"):
                return None
            start, end = cal.last_complete(cal.month(cal.today.year - back, month) for back in (0, 1))
        name = dt.date(2000, month, 1).strftime("%B")
        clipped = cal.clip(start, end)
        return j - i, f"{name} {start.year}" if year else name, clipped, clipped is None, None

    def quarter(self, i):
        match = QUARTER_TOKEN.match(self.at(i))
        if match:
            quarter, j = int(match.group(1)), i + 1
        elif _int(self.at(i)) in (1, 2, 3, 4) and self.at(i + 1) in QUARTER_WORDS:
            quarter, j = int(self.at(i)), i + 2
        elif self.at(i) in QUARTER_WORDS and _int(self.at(i + 1)) in (1, 2, 3, 4):
            quarter, j = int(self.at(i + 1)), i + 2
        else:
            return None
        year = _year(self.keys, j)
        cal = self.cal
        if year:
            start, end = cal.quarter(year, quarter)
            j += 1
        else:
            start, end = cal.last_complete(cal.quarter(cal.today.year - back, quarter) for back in (0, 1))
        clipped = cal.clip(start, end)
        return j - i, f"Q{quarter} {start.year}", clipped, clipped is None, None

    def fiscal_year(self, i):
        match = FY_TOKEN.match(self.at(i))
        if match:
            digits, j = match.group(1), i + 1
        elif self.at(i) in FISCAL_YEAR_TOKENS and re.match(r"^\d{2}(\d{2})?$", self.at(i + 1)):
            digits, j = self.at(i + 1), i + 2
        elif self.at(i) in FISCAL and self.at(i + 1) == "year" and YEAR.match(self.at(i + 2)):
            digits, j = self.at(i + 2), i + 3
        elif self.at(i) in FISCAL and YEAR.match(self.at(i + 1)):
            digits, j = self.at(i + 1), i + 2
        else:
            return None
        named = int(digits) if len(digits) == 4 else 2000 + int(digits)
        start, end = self.cal.fiscal_year(named)
        clipped = self.cal.clip(start, end)
        return j - i, f"FY{named}", clipped, clipped is None, None

    def calendar_year(self, i):
        if not YEAR.match(self.at(i)):
            return None
        year = int(self.at(i))
        clipped = self.cal.clip(dt.date(year, 1, 1), dt.date(year, 12, 31))
        return 1, str(year), clipped, clipped is None, None

    def weekday(self, i):
        weekday = WEEKDAYS.get(self.at(i))
        if weekday is None:
            return None
        day = self._previous_weekday(weekday)
        return 1, day.strftime("%A"), ResolvedRange(day, day), False, None

    def _previous_weekday(self, weekday: int) -> dt.date:
        back = (self.cal.today.isoweekday() - weekday) % 7 or 7
        return self.cal.today - dt.timedelta(days=back)

    def date(self, i) -> tuple[int, dt.date, dt.date] | None:
        """A day or a named period as (tokens, first day, last day): 2026-03-01, 1.3.2026, 1 March,
        March 1, a month name, week 12."""
        key = self.at(i)
        try:
            if re.match(r"^\d{4}-\d{2}-\d{2}$", key):
                day = dt.date.fromisoformat(key)
                return 1, day, day
            if re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$", key):
                d, m, y = (int(part) for part in key.split("."))
                day = dt.date(y if y > 99 else 2000 + y, m, d)
                return 1, day, day
            day_month = self._day_month(i)
            if day_month:
                return day_month
        except ValueError:
            return None
        for rule in (self.month_name, self.week_number, self.quarter, self.weekday, self.simple_day):
            found = rule(i)
            if found and found[2] is not None:
                return found[0], found[2].start, found[2].end
        return None

    def _day_month(self, i):
        """"1 March [2026]" or "March 1 [2026]"; without a year the most recent one not after today."""
        if _int(self.at(i)) and MONTHS.get(self.at(i + 1)):
            day_number, month = int(self.at(i)), MONTHS[self.at(i + 1)]
        elif MONTHS.get(self.at(i)) and _int(self.at(i + 1)) and int(self.at(i + 1)) <= 31:
            day_number, month = int(self.at(i + 1)), MONTHS[self.at(i)]
        else:
            return None
        j = i + 2
        year = _year(self.keys, j)
        if year:
            j += 1
        else:
            year = self.cal.today.year
            if dt.date(year, month, day_number) > self.cal.today:
                year -= 1
        day = dt.date(year, month, day_number)
        return j - i, day, day

    def between(self, i):
        if self.at(i) not in BETWEEN | FROM:
            return None
        first = self.date(i + 1)
        if not first:
            return None
        j = i + 1 + first[0]
        if self.at(j) not in TO:
            return None
        second = self.date(j + 1)
        if not second:
            return None
        start, end = first[1], second[2]
        if start > end and self.at(i + 1) in MONTHS:  # "between November and February"
            start = start.replace(year=start.year - 1)
        if start > end:
            return None
        clipped = self.cal.clip(start, end)
        return j + 1 + second[0] - i, f"{start.isoformat()}..{end.isoformat()}", clipped, clipped is None, None

    def since(self, i):
        if self.at(i) not in SINCE:
            return None
        weekday = WEEKDAYS.get(self.at(i + 1))
        if weekday:
            start = self._previous_weekday(weekday)
            consumed = 2
        else:
            found = self.date(i + 1)
            if not found:
                return None
            consumed, start = 1 + found[0], found[1]
        if start > self.cal.today:
            return None
        label = f"since {self.keys[i + 1]}" if weekday else f"since {start.isoformat()}"
        return consumed, label, ResolvedRange(start, self.cal.today, True), False, None

    def single_date(self, i):
        key = self.at(i)
        explicit = re.match(r"^(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{2,4})$", key)
        try:
            found = self.date(i) if explicit or self._day_month(i) else None
        except ValueError:
            return None
        if not found:
            return None
        clipped = self.cal.clip(found[1], found[2])
        return found[0], found[1].isoformat(), clipped, clipped is None, None

    RULES = ("relative", "simple_day", "last_this_next", "between", "since", "single_date", "week_number",
             "quarter", "fiscal_year", "month_name", "calendar_year", "weekday")


class TimeGrammar:
    """The grammar over one question's keys, asked position by position."""

    def __init__(self, keys: list[str], today: dt.date):
        self.scanner = _Scanner(keys, today)

    def match(self, i: int) -> TimeExpression | None:
        """The longest time expression starting at token i."""
        best = None
        for name in _Scanner.RULES:
            try:
                found = getattr(self.scanner, name)(i)
            except ValueError:  # an impossible date such as 31 February
                found = None
            if found and (best is None or found[0] > best[0]):
                best = found
        if best is None:
            return None
        consumed, label, resolved, future, relative = best
        return TimeExpression(i, i + consumed, label, resolved, future, relative)


def scan(keys: list[str], today: dt.date) -> list[TimeExpression]:
    """Time expressions in `keys`, left to right, each the longest that starts at its position."""
    grammar = TimeGrammar(keys, today)
    found: list[TimeExpression] = []
    i = 0
    while i < len(keys):
        expression = grammar.match(i)
        if expression:
            found.append(expression)
            i = expression.end_token
        else:
            i += 1
    return found


def derive(kind: str, first: ResolvedRange) -> tuple[str, ResolvedRange]:
    """The comparison range relative to the first: the period just before, or a year earlier."""
    if kind == "year_before":
        try:
            start, end = first.start.replace(year=first.start.year - 1), first.end.replace(year=first.end.year - 1)
        except ValueError:  # 29 February
            start, end = first.start - dt.timedelta(days=365), first.end - dt.timedelta(days=365)
        return "the same period a year before", ResolvedRange(start, end, first.is_partial)
    if first.start.day == 1 and (first.end + ONE_DAY).day == 1 and not first.is_partial:
        months = (first.end.year - first.start.year) * 12 + first.end.month - first.start.month + 1
        start = add_months(first.start, -months)
        return "the period before", ResolvedRange(start, first.start - ONE_DAY)
    days = first.days
    return "the period before", ResolvedRange(first.start - dt.timedelta(days=days), first.start - ONE_DAY)


def fiscal_label(day: dt.date) -> str:
    return f"FY{fiscal_period(day, settings.FISCAL_YEAR_START_MONTH).year}"
