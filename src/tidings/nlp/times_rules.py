"""Normalisers: one function per `rule` of times_patterns.tsv, turning a match into a TimeML value.

Each rule takes the match's groups (already looked up: `g.month` is 7 for "July") and a
`Situation` (anchor date, inferred year, tense of the governing clause, the words around
the match) and returns a `Value`, or None to reject the match. Rules are registered by
name in `RULES`; the patterns file names the rule it wants.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tidings.nlp import times_calendar as cal
from tidings.nlp.times_grammar import Lexicon, norm_key, parse_number, parse_spoken_year, spoken_year_is_pair


@dataclass
class Value:
    type: str
    value: str | None
    end_value: str | None = None
    relative: bool = False           # computed from the anchor (so the TimeRef records it)
    date: date | None = None         # the day it resolved to, when it is one day
    narrative: tuple[str, int, str] | None = None  # (unit, shift, part of day) from the last narrated time
    anchor: date | None = None       # what it was computed from, when not the publication date


class Groups:
    """A match's named groups: `g.text(name)` is what matched, `g.get(name)` what it means."""

    def __init__(self, match: re.Match[str], classes: dict[str, str], lex: Lexicon):
        self.match = match
        self.classes = classes
        self.lex = lex
        self._cache: dict[str, Any] = {}

    def text(self, name: str) -> str | None:
        try:
            return self.match.group(name)
        except IndexError:
            return None

    def has(self, name: str) -> bool:
        return self.text(name) is not None

    def get(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        raw = self.text(name)
        value: Any = None
        if raw is not None:
            cls = self.classes.get(name, name)
            parser = PARSERS.get(cls)
            value = parser(raw, self.lex) if parser else self.lex.get(cls, raw)
        self._cache[name] = value
        return value

    def int(self, name: str) -> int | None:
        v = self.get(name)
        try:
            return int(v) if v is not None else None
        except (TypeError, ValueError):
            return None

    @property
    def all_text(self) -> str:
        return self.match.group(0)


def _parse_day(raw: str, lex: Lexicon) -> int | None:
    m = re.match(r"\d+", raw)
    return int(m.group()) if m else None


def _parse_int(raw: str, lex: Lexicon) -> int | None:
    return int(raw) if raw.isdigit() else None


def _parse_yy(raw: str, lex: Lexicon) -> int:
    yy = int(raw[-2:])
    return 2000 + yy if yy < 50 else 1900 + yy


def _parse_decade(raw: str, lex: Lexicon) -> str | None:
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 4:
        return digits[:3]
    if len(digits) == 2:
        return ("20" if int(digits) < 30 else "19") + digits[0]
    return None


def _parse_clock(raw: str, lex: Lexicon) -> str | None:
    word = lex.get("clockword", raw)
    if word:
        return word
    t = norm_key(raw)
    m = re.match(r"(\d{1,2})(?:[:.](\d\d))?", t)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    halves = {lex.get("meridiem", w) for w in re.findall(r"[a-z][a-z.]*", t[m.end():])}
    if "PM" in halves and hour < 12:
        hour += 12
    elif "AM" in halves and hour == 12:
        hour = 0
    if hour > 24 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


PARSERS: dict[str, Callable[[str, Lexicon], Any]] = {
    "day": _parse_day, "day2": _parse_day, "mnum": _parse_int, "qnum": _parse_int, "cnum": _parse_int,
    "year": _parse_int, "yy": _parse_yy, "decade": _parse_decade, "clock": _parse_clock,
    "num": lambda raw, lex: parse_number(raw, lex),
    "spokenyear": lambda raw, lex: parse_spoken_year(raw, lex),
}


class Situation:
    """What a rule may know beyond the match: anchor, year, tense, and the words around it."""

    anchor: date | None
    year: int | None

    def direction(self) -> int:          # -1 behind the anchor, +1 ahead, 0 unknown
        raise NotImplementedError

    def tense(self) -> str | None:
        raise NotImplementedError

    def prev_word(self) -> str:
        raise NotImplementedError

    def next_text(self) -> str:
        raise NotImplementedError

    def next_word(self) -> str:           # the word right after the match, lower case
        raise NotImplementedError

    def prev_pos(self) -> str:
        raise NotImplementedError

    def last_pos(self) -> str:
        raise NotImplementedError

    def next_pos(self) -> str:            # the part of speech of the word right after the match
        raise NotImplementedError


Rule = Callable[[Groups, Situation], Value | None]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn
    return register


def _day(d: date, relative: bool = True) -> Value:
    return Value("DATE", d.isoformat(), relative=relative, date=d)


def _year_of(g: Groups, *names: str) -> int | None:
    for n in names:
        if g.has(n):
            v = g.get(n)
            if isinstance(v, (int, float)) and v:
                return int(v)
    return None


def _rel(g: Groups, name: str = "rel") -> int | None:
    v = g.get(name)
    return int(v) if v is not None else None


# ---------------------------------------------------------------- calendar dates

def resolve_month_day(month: int, day: int, year: int | None, s: Situation,
                      direction: int | None = None, weekday: int | None = None) -> Value | None:
    if year is not None:
        d = cal.safe_date(year, month, day)
        return Value("DATE", d.isoformat(), date=d) if d else None
    if not cal.valid_day(month, day):
        return None
    if s.anchor is not None:
        if weekday:
            # "Monday, Oct. 26": the year near the anchor in which that date is that weekday
            fits = [y for y in (s.anchor.year - 1, s.anchor.year, s.anchor.year + 1)
                    if (c := cal.safe_date(y, month, day)) is not None and c.isoweekday() == weekday]
            if len(fits) == 1:
                return _day(date(fits[0], month, day))
        y = cal.month_day_year(s.anchor, month, day, s.direction() if direction is None else direction)
        d = cal.safe_date(y, month, day)
        return _day(d) if d else None
    if s.year is not None:
        d = cal.safe_date(s.year, month, day)
        return Value("DATE", d.isoformat(), date=d) if d else None
    return Value("DATE", f"XXXX-{month:02d}-{day:02d}")


@rule("date")
def date_rule(g: Groups, s: Situation) -> Value | None:
    month = g.int("month") or g.int("mnum")
    day = g.int("day") or g.int("dayord")
    if not month or not day or day < 1:
        return None
    year = _year_of(g, "year", "spokenyear")
    rel = _rel(g) if g.has("rel") else None
    if rel and year is None and s.anchor is not None:
        # "last Oct. 23": the last one strictly before the anchor (next: strictly after)
        y = s.anchor.year
        d = cal.safe_date(y, month, day)
        if d is None:
            return None
        if rel < 0 and d >= s.anchor:
            d = cal.safe_date(y - 1, month, day)
        elif rel > 0 and d <= s.anchor:
            d = cal.safe_date(y + 1, month, day)
        return _day(d) if d else None
    return resolve_month_day(month, day, year, s, weekday=g.int("weekday"))


@rule("date_range")
def date_range(g: Groups, s: Situation) -> Value | None:
    start = date_rule(g, s)
    month, day2 = g.int("month"), g.int("day2")
    if start is None or not month or not day2 or start.date is None or day2 <= start.date.day:
        return start if start and start.date is None and day2 else None
    end = cal.safe_date(start.date.year, month, day2)
    if end is None:
        return None
    return Value("DATE", start.value, end.isoformat(), start.relative, start.date)


@rule("month_year")
def month_year(g: Groups, s: Situation) -> Value | None:
    month = g.int("month")
    year = _year_of(g, "year", "spokenyear", "yy")
    if not month or not year:
        return None
    return Value("DATE", f"{year:04d}-{month:02d}")


@rule("month_relyear")
def month_relyear(g: Groups, s: Situation) -> Value | None:
    month, rel = g.int("month"), _rel(g)
    if not month or rel is None:
        return None
    if s.anchor is None:
        return Value("DATE", f"XXXX-{month:02d}") if s.year is None else None
    return Value("DATE", f"{s.anchor.year + rel:04d}-{month:02d}", relative=True)


def _abbreviated(lex: Lexicon, cls: str, word: str) -> bool:
    """A bare abbreviation: a shorter form of a longer word of the same class and value."""
    key = norm_key(word)
    value = lex.get(cls, key)
    return not key.endswith(".") and any(
        w != key and len(w) > len(key) and w.startswith(key) and v == value for w, v in lex.values[cls].items())


@rule("month")
def month_rule(g: Groups, s: Situation) -> Value | None:
    month = g.int("month")
    if not month:
        return None
    word = g.text("month") or ""
    rel = _rel(g)
    if rel is None and not g.has("edge") and _abbreviated(g.lex, "month", word):
        return None                   # "Jan" alone (no dot) is a name more often than a month
    if s.anchor is None:
        year = s.year
        return Value("DATE", f"{year:04d}-{month:02d}" if year else f"XXXX-{month:02d}")
    if rel is None:
        y = cal.month_year(s.anchor, month, s.direction())
    elif rel == 0:
        y = s.anchor.year
    else:
        y = cal.month_year(s.anchor, month, rel, strict=True)
    return Value("DATE", f"{y:04d}-{month:02d}", relative=True)


@rule("year")
def year_rule(g: Groups, s: Situation) -> Value | None:
    year = _year_of(g, "year", "yy")
    if year is None and g.has("spokenyear"):
        year = g.get("spokenyear")
        if year is None or (not g.has("theyear") and not spoken_year_is_pair(g.text("spokenyear") or "", g.lex)):
            return None               # "two thousand" alone is a number; "the year two thousand" a year
    if year is None:
        return None
    return Value("DATE", f"{year:04d}")


@rule("year_range")
def year_range(g: Groups, s: Situation) -> Value | None:
    """'2024-2026', '1939-45': a span of years, as a range of both."""
    first = _year_of(g, "year")
    if first is None:
        return None
    last = _year_of(g, "year2")
    if last is None and g.has("yy2"):
        last = first // 100 * 100 + int(g.text("yy2") or 0)
    if last is None or not first < last <= first + 99:
        return None                   # "1990-85", "2001-1999": no span of years
    return Value("DATE", f"{first:04d}", f"{last:04d}")


@rule("decade")
def decade_rule(g: Groups, s: Situation) -> Value | None:
    if g.has("decadeword"):
        v = g.get("decadeword")
        text = norm_key(g.all_text)
        m = re.search(r"\b(\d\d)[a-z]", text)
        if m:
            v = m.group(1) + str(v)[-1]
        return Value("DATE", v) if v else None
    v = g.get("decade")
    return Value("DATE", v) if v else None


@rule("century")
def century_rule(g: Groups, s: Situation) -> Value | None:
    n = g.int("ordinal") or g.int("cnum")
    if not n or n < 1 or n > 30:
        return None
    return Value("DATE", f"{n - 1:02d}")


# ---------------------------------------------------------------- quarters, halves, seasons

def _latest_quarter(anchor: date) -> tuple[int, int]:
    """The last quarter completed by the anchor (the one a news report is about)."""
    q = cal.quarter_of(anchor) - 1
    return (anchor.year, q) if q >= 1 else (anchor.year - 1, 4)


@rule("quarter")
def quarter_rule(g: Groups, s: Situation) -> Value | None:
    q = g.int("ordinal") or g.int("qnum")
    if q == -1:
        q = 4
    if not q or not 1 <= q <= 4:
        if re.fullmatch(r"[1-4]Q", g.all_text.strip(), re.I):
            q = int(g.all_text.strip()[0])
        else:
            return None
    year = _year_of(g, "year", "year2", "ownyear")
    if year is not None:
        return Value("DATE", cal.quarter_value(year, q))
    if s.anchor is None:
        return Value("DATE", f"{s.year:04d}-Q{q}" if s.year else f"XXXX-Q{q}")
    rel = _rel(g) if g.has("rel") else (_rel(g, "rel2") if g.has("rel2") else None)
    if g.has("yearago"):
        rel = -1                      # "the year-ago third quarter"
    if rel is not None:
        return Value("DATE", f"{s.anchor.year + rel:04d}-Q{q}", relative=True)
    y = s.anchor.year
    if q > cal.quarter_of(s.anchor) and s.direction() <= 0:
        y -= 1
    return Value("DATE", f"{y:04d}-Q{q}", relative=True)


# "the quarter ended July 31", "the three months ending Sept. 30": the quarter is named by its end
_ENDED = re.compile(r",?\s+(?:which\s+)?end(?:ed|ing)\s+(?P<month>[A-Za-z]+\.?)\s+(?P<day>\d{1,2})\b(?:,?\s+(?P<year>\d{4}))?")


def _quarter_ended(g: Groups, s: Situation) -> Value | None:
    """The calendar quarter holding most of the three months that end on the date after the
    match: a fiscal quarter ended July 31 (May to July) is the second."""
    m = _ENDED.match(s.next_text())
    month = g.lex.get("month", m.group("month")) if m else None
    if m is None or month is None or s.anchor is None:
        return None
    day = int(m.group("day"))
    year = int(m.group("year")) if m.group("year") else None
    if year is None:
        end = cal.safe_date(s.anchor.year, int(month), day)
        year = s.anchor.year if end is None or end <= s.anchor else s.anchor.year - 1
    end = cal.safe_date(year, int(month), day)
    if end is None:
        return None
    middle = end - timedelta(days=45)
    return Value("DATE", cal.quarter_value(middle.year, cal.quarter_of(middle)), relative=m.group("year") is None)


@rule("quarter_months")
def quarter_months(g: Groups, s: Situation) -> Value | None:
    """'the April-June quarter', 'the July-September period': the calendar quarter of those
    three months, the latest such one unless a year is given or the clause lies ahead."""
    first, last = g.int("month"), g.int("month2")
    if not first or not last or (last - first) % 12 != 2:
        return None
    q = (first % 12) // 3 + 1 if first % 3 == 1 else None
    if q is None:
        return None                   # "the February-April period" is no calendar quarter
    year = _year_of(g, "year")
    if year is not None:
        return Value("DATE", cal.quarter_value(year, q))
    if s.anchor is None:
        return Value("DATE", f"{s.year:04d}-Q{q}" if s.year else f"XXXX-Q{q}")
    y = s.anchor.year
    if q > cal.quarter_of(s.anchor) and s.direction() <= 0:
        y -= 1
    return Value("DATE", f"{y:04d}-Q{q}", relative=True)


@rule("quarter_this")
def quarter_this(g: Groups, s: Situation) -> Value | None:
    if s.anchor is None:
        return None
    ended = _quarter_ended(g, s)
    if ended is not None:
        return ended
    if any(g.lex.get("rel", w) == "0" for w in norm_key(g.all_text).split()) or s.direction() > 0:
        return Value("DATE", cal.quarter_value(s.anchor.year, cal.quarter_of(s.anchor)), relative=True)
    y, q = _latest_quarter(s.anchor)
    return Value("DATE", cal.quarter_value(y, q), relative=True)


@rule("quarter_year")
def quarter_year(g: Groups, s: Situation) -> Value | None:
    """'the 1988 quarter': the quarter being reported on, in that year."""
    year = _year_of(g, "year")
    if year is None:
        return None
    if s.anchor is None:
        return Value("DATE", f"{year:04d}")
    return Value("DATE", cal.quarter_value(year, _latest_quarter(s.anchor)[1]))


@rule("quarter_yearago")
def quarter_yearago(g: Groups, s: Situation) -> Value | None:
    if s.anchor is None:
        return None
    y, q = _latest_quarter(s.anchor)
    return Value("DATE", cal.quarter_value(y - 1, q), relative=True)


@rule("half")
def half_rule(g: Groups, s: Situation) -> Value | None:
    h = g.int("ordinal")
    if h == -1:
        h = 2
    if h not in (1, 2):
        return None
    year = _year_of(g, "year", "year2")
    if year is None:
        if s.anchor is None:
            return Value("DATE", f"{s.year:04d}-H{h}" if s.year else f"XXXX-H{h}")
        rel = _rel(g) if g.has("rel") else (_rel(g, "rel2") if g.has("rel2") else 0)
        year = s.anchor.year + (rel or 0)
    if "'" in g.all_text or "’" in g.all_text:
        return None
    return Value("DATE", f"{year:04d}-H{h}", relative=year is None)


@rule("season")
def season_rule(g: Groups, s: Situation) -> Value | None:
    season = g.get("season")
    if not season:
        return None
    year = _year_of(g, "year", "spokenyear")
    if year is not None:
        return Value("DATE", f"{year:04d}-{season}")
    rel = _rel(g)
    if rel is None and not g.has("edge"):
        # a bare season word needs a time preposition or article before it ("in the fall")
        if g.lex.get("seasonprep", s.prev_word()) is None or s.last_pos() != "NOUN":
            return None
    if s.anchor is None:
        return Value("DATE", f"{s.year:04d}-{season}" if s.year else f"XXXX-{season}")
    if rel is None:
        y = cal.season_year(s.anchor, season, s.direction())
    elif rel == 0:
        y = s.anchor.year
    else:
        y = cal.season_year(s.anchor, season, rel, strict=True)
    return Value("DATE", f"{y:04d}-{season}", relative=True)


# ---------------------------------------------------------------- relative to the anchor

def shift_unit(anchor: date, unit: str, shift: int) -> str | None:
    if unit == "year":
        return f"{anchor.year + shift:04d}"
    if unit == "month":
        return cal.month_value(anchor.year, anchor.month, shift)
    if unit == "week":
        return cal.week_value(anchor, shift)
    if unit == "weekend":
        return cal.week_value(anchor, shift) + "-WE"
    if unit == "quarter":
        return cal.quarter_value(anchor.year, cal.quarter_of(anchor), shift)
    if unit == "decade":
        return f"{anchor.year // 10 + shift:03d}"
    if unit == "century":
        return f"{anchor.year // 100:02d}" if shift == 0 else None   # "the past century" is a span
    if unit == "day":
        return (anchor + timedelta(days=shift)).isoformat()
    return None


@rule("rel_unit")
def rel_unit(g: Groups, s: Situation) -> Value | None:
    unit = g.get("calunit")
    rel = _rel(g) if g.has("rel") else 0
    if unit is None or rel is None:
        return None
    if unit == "day":
        return None                   # "the next day", "later in the day" count from a narrated day
    if s.anchor is None:
        if unit == "year" and s.year is not None and rel == 0:
            return Value("DATE", f"{s.year:04d}")
        return Value("DATE", None)
    if unit == "weekend" and rel == 0:
        return weekend(g, s)
    if unit in ("decade", "century") and rel and (unit == "century" or g.lex.get("extentprep", s.prev_word())):
        # "over the past decade" is the last ten years, not the 1970s said in 1989
        return Value("DURATION", period(1, "10Y" if unit == "decade" else "100Y"))
    if rel == -1 and g.lex.flagged("rel", g.text("rel") or "", "span"):
        value = cal.unit_holding_most(s.anchor, unit)
        if value is not None:
            return Value("DATE", value, relative=True)
    value = shift_unit(s.anchor, unit, rel)
    return Value("DATE", value, relative=True) if value else None


@rule("fiscal_year")
def fiscal_year(g: Groups, s: Situation) -> Value | None:
    """'last fiscal year', 'the latest financial year', 'FY2024', 'fiscal 2023-24': a year of
    accounts, valued (as TimeML does) by the calendar year it is named by; a year written
    across two ('2023-24') is a range of both."""
    first = _year_of(g, "year", "year2")
    if first is None and g.has("fyy"):
        first = 2000 + int(g.text("fyy") or 0)
    if first is not None:
        end_text = g.text("fyend") or g.text("fyend2")
        if not end_text:
            return Value("DATE", f"{first:04d}")
        end = int(end_text) if len(end_text) == 4 else first // 100 * 100 + int(end_text)
        if end != first + 1:
            return None               # "2023-27" is no year of accounts
        return Value("DATE", f"{first:04d}", f"{end:04d}")
    rel = _rel(g) if g.has("rel") else _rel(g, "latest")
    if rel is None:
        return None
    if s.anchor is None:
        return Value("DATE", f"{s.year + rel:04d}" if s.year else None)
    return Value("DATE", f"{s.anchor.year + rel:04d}", relative=True)


@rule("narrative")
def narrative(g: Groups, s: Situation) -> Value | None:
    """'the following year', 'that day', 'the next morning': counted from the time the article
    last mentioned, which resolve_times fills in once every expression is known."""
    unit = g.get("calunit") or "day"
    shift = g.int("narrel") if g.has("narrel") else (g.int("dayshift") if g.has("dayshift") else 1)
    if unit is None or shift is None or unit == "weekend":
        return None
    pod = g.get("pod") or ""
    return Value("TIME" if pod else "DATE", None, narrative=(unit, shift, pod))


@rule("narrative_pod")
def narrative_pod(g: Groups, s: Situation) -> Value | None:
    """'in the afternoon', 'that night', 'by mid-afternoon': a part of the day last narrated
    (of the anchor's day when none was)."""
    pod = g.get("pod")
    if not pod or norm_key(g.text("pod") or "").endswith("s"):
        return None                   # "in the mornings" is a habit, not a time
    if norm_key(g.text("article") or "") != "that":
        prep = norm_key(s.prev_word())
        if g.lex.get("podprep", prep) is None or (not g.has("article") and not g.lex.flagged("podprep", prep, "bare")):
            return None               # "morning papers"
    if s.next_pos() in ("NOUN", "PROPN"):
        return None                   # "during the afternoon session", "the evening news"
    return Value("TIME", None, narrative=("day", 0, pod))


@rule("year_end")
def year_end(g: Groups, s: Situation) -> Value | None:
    year = s.anchor.year if s.anchor else s.year
    return Value("DATE", f"{year:04d}-12" if year else "XXXX-12", relative=s.anchor is not None)


@rule("the_year_span")
def the_year_span(g: Groups, s: Situation) -> Value | None:
    """'the year ended Sept. 30': a year's span, not a calendar year."""
    return Value("DURATION", "P1Y")


@rule("the_year")
def the_year(g: Groups, s: Situation) -> Value | None:
    year = s.anchor.year if s.anchor else s.year
    return Value("DATE", f"{year:04d}" if year else None, relative=s.anchor is not None)


@rule("week_of")
def week_of(g: Groups, s: Situation) -> Value | None:
    """'the week of March 6': the ISO week of that day."""
    return _week_of_day(date_rule(g, s))


def _week_of_day(day: Value | None) -> Value | None:
    """The ISO week of a day another rule read (no value when that day has none)."""
    if day is None or day.date is None:
        return Value("DATE", None) if day is not None else None
    return Value("DATE", cal.week_value(day.date), relative=day.relative)


@rule("nth_week")
def nth_week(g: Groups, s: Situation) -> Value | None:
    """'the first week of August', 'the last week of June': the ISO week holding the middle of
    that month's n-th (or last) seven days."""
    n, month = g.int("ordinal"), g.int("month")
    if not n or not month or not (n == -1 or 1 <= n <= 5):
        return None
    year = _year_of(g, "year")
    if year is None:
        if s.anchor is None:
            return Value("DATE", None)
        year = cal.month_year(s.anchor, month, s.direction())
    last = cal.days_in_month(year, month)
    middle = last - 3 if n == -1 else (n - 1) * 7 + 4
    if middle > last:
        return None
    return Value("DATE", cal.week_value(date(year, month, middle)), relative=g.has("year") is False)


@rule("day_of_month")
def day_of_month(g: Groups, s: Situation) -> Value | None:
    """'on the 15th': that day of the anchor's month, or of the month before or after when the
    tense puts it there ("talks resume on the 3rd" said on the 20th: next month's)."""
    if s.next_pos() in ("NOUN", "PROPN", "ADJ", "NUM"):
        return None                   # "the 15th century", "the 10th day", "the 2nd round"
    if g.lex.get("dayofmonthprep", s.prev_word()) is None:
        return None
    dom = int(g.text("dom") or 0)
    if s.anchor is None:
        return Value("DATE", None)
    here = cal.safe_date(s.anchor.year, s.anchor.month, dom)
    direction = s.direction()
    if here is None or (direction < 0 and here > s.anchor) or (direction > 0 and here < s.anchor):
        shift = -1 if direction < 0 else 1
        if here is None and direction == 0:
            return None
        ym = cal.month_value(s.anchor.year, s.anchor.month, shift)
        here = cal.safe_date(int(ym[:4]), int(ym[5:]), dom)
    return _day(here) if here else None


@rule("weekend")
def weekend(g: Groups, s: Situation) -> Value | None:
    if s.anchor is None:
        return Value("DATE", None)
    rel = _rel(g) if g.has("rel") else None
    if rel not in (None, 0):
        return Value("DATE", shift_unit(s.anchor, "weekend", rel), relative=True)
    direction = s.direction()
    in_weekend = s.anchor.isoweekday() >= 6
    shift = 0 if in_weekend or direction > 0 or rel == 0 else -1
    return Value("DATE", shift_unit(s.anchor, "weekend", shift), relative=True)


def _pod_suffix(g: Groups) -> str:
    pod = g.get("pod")
    return f"T{pod}" if pod else ""


@rule("dayrel")
def dayrel(g: Groups, s: Situation) -> Value | None:
    shift = g.int("dayrel")
    if shift is None:
        return None
    suffix = _pod_suffix(g)
    kind = "TIME" if suffix else "DATE"
    if s.anchor is None:
        return Value(kind, None)
    d = s.anchor + timedelta(days=shift)
    return Value(kind, d.isoformat() + suffix, relative=True, date=d)


@rule("daypod")
def daypod(g: Groups, s: Situation) -> Value | None:
    """'last night', 'tonight': a day counted from the anchor and a part of it."""
    spec = g.get("daypod")
    if not spec or ":" not in spec:
        return None
    shift, part = spec.split(":", 1)
    if s.anchor is None:
        return Value("TIME", None)
    d = s.anchor + timedelta(days=int(shift))
    return Value("TIME", f"{d.isoformat()}T{part}", relative=True, date=d)


@rule("this_pod")
def this_pod(g: Groups, s: Situation) -> Value | None:
    pod = g.get("pod")
    if not pod or norm_key(g.text("pod") or "").endswith("s"):
        return None
    if s.anchor is None:
        return Value("TIME", None)
    return Value("TIME", f"{s.anchor.isoformat()}T{pod}", relative=True, date=s.anchor)


def resolve_weekday(weekday: int, rel: int | None, s: Situation) -> date | None:
    if s.anchor is None:
        return None
    if rel in (-1, 1):
        return cal.weekday_date(s.anchor, weekday, rel, strict=True)
    return cal.weekday_date(s.anchor, weekday, s.direction())


@rule("weekday")
def weekday_rule(g: Groups, s: Situation) -> Value | None:
    wd = g.int("weekday")
    if not wd:
        return None
    suffix = _pod_suffix(g)
    if suffix and norm_key(g.text("pod") or "").endswith("s"):
        return Value("SET", f"XXXX-WXX-{wd}{suffix}")        # "Tuesday nights"
    kind = "TIME" if suffix else "DATE"
    d = resolve_weekday(wd, _rel(g) if g.has("rel") else None, s)
    if d is None:
        return Value(kind, None)
    return Value(kind, d.isoformat() + suffix, relative=True, date=d)


@rule("holiday")
def holiday(g: Groups, s: Situation) -> Value | None:
    spec = g.get("holiday")
    if not spec:
        return None
    year = _year_of(g, "year")

    def on(y: int) -> date | None:
        if spec.startswith("easter"):             # "easter-2": two days before Easter Sunday
            return cal.easter(y) + timedelta(days=int(spec[6:] or 0))
        if ":" in spec:
            m, wd, n = (int(x) for x in spec.split(":"))
            return cal.nth_weekday(y, m, wd, n)
        mm, dd = (int(x) for x in spec.split("-"))
        return cal.safe_date(y, mm, dd)

    if year is None and s.anchor is not None:
        if on(s.anchor.year) is None:
            return None
        direction = _rel(g) if g.has("rel") else s.direction()
        y = cal.choose_year(s.anchor, lambda y: on(y) or date(y, 6, 30), direction)
        d = on(y)
        return _day(d) if d else None
    year = year or s.year
    if year is None:
        return Value("DATE", f"XXXX-{spec}" if re.fullmatch(r"\d\d-\d\d", spec) else None)
    d = on(year)
    return Value("DATE", d.isoformat(), date=d) if d else None


@rule("holiday_week")
def holiday_week(g: Groups, s: Situation) -> Value | None:
    """'Christmas week', 'Easter week': the ISO week the feast falls in."""
    return _week_of_day(holiday(g, s))


@rule("clock")
def clock(g: Groups, s: Situation) -> Value | None:
    hm = g.get("clock")
    if not hm:
        return None
    alone = not (g.has("weekday") or g.has("dayrel") or g.has("month"))
    if alone and g.lex.get("clockword", g.text("clock") or "") and g.lex.get("clockprep", s.prev_word()) is None:
        return None                   # "High Noon" is a film
    day: Value | None = None
    if g.has("weekday"):
        day = weekday_rule(g, s)
    elif g.has("dayrel"):
        day = dayrel(g, s)
    elif g.has("month"):
        day = date_rule(g, s)
    elif s.anchor is not None:
        day = Value("DATE", s.anchor.isoformat(), relative=True, date=s.anchor)
    if day is None or day.value is None:
        return Value("TIME", f"XXXX-XX-XXT{hm}")
    return Value("TIME", f"{day.value[:10]}T{hm}", relative=day.relative, date=day.date)


# ---------------------------------------------------------------- "two years ago"

@rule("ago")
def ago(g: Groups, s: Situation) -> Value | None:
    unit = g.get("unit")
    sign = 1 if g.has("ahead") else (g.int("dir") if g.has("dir") else -1)   # "in a month's time"
    if unit is None or sign is None:
        return None
    n = g.get("num") if g.has("num") else (g.get("indef") if g.has("indef") else g.get("vague"))
    if not g.has("num") and not g.has("indef") and not g.has("vague"):
        n = "X"
    if n is None:
        return None
    if n == "X" or str(n) == "X":
        return Value("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
    n = float(n)
    if n != int(n):
        return None
    n = int(n) * sign
    if s.anchor is None:
        if unit == "Y" and s.year is not None:
            return Value("DATE", f"{s.year + n:04d}")
        return Value("DATE", None)
    a = s.anchor
    if unit == "D":
        return _day(a + timedelta(days=n))
    if unit in ("W", "2W"):
        weeks = n * (2 if unit == "2W" else 1)
        return _day(a + timedelta(weeks=weeks))
    if unit == "M":
        return Value("DATE", cal.month_value(a.year, a.month, n), relative=True)
    if unit == "Q":
        return Value("DATE", cal.quarter_value(a.year, cal.quarter_of(a), n), relative=True)
    if unit in ("Y", "10Y"):
        year = a.year + n * (10 if unit == "10Y" else 1)
        if not 1 <= year <= 9999:
            return Value("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF")
        return Value("DATE", f"{year:04d}", relative=True)
    if unit == "100Y":
        return Value("DATE", f"{a.year // 100 + n:02d}", relative=True)
    return None


@rule("year_ago_adj")
def year_ago_adj(g: Groups, s: Situation) -> Value | None:
    if s.anchor is None:
        return Value("DATE", f"{s.year - 1:04d}" if s.year else None)
    return Value("DATE", f"{s.anchor.year - 1:04d}", relative=True)


# ---------------------------------------------------------------- durations and sets

def _number(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def period(n: float | str, unit: str) -> str | None:
    """TimeML duration of n units: P11D, PT2H, P20Y (decades as years), P6M (quarters as months)."""
    clock = unit.startswith("T")
    base = unit[1:] if clock else unit
    scale = 1
    m = re.fullmatch(r"(\d+)([A-Z]+)", base)
    if m:
        scale, base = int(m.group(1)), m.group(2)
    if n == "X":
        vague = {("Y", 10): "DE", ("Y", 100): "CE", ("Y", 1000): "ML"}.get((base, scale), base)
        return f"PTX{vague}" if clock else f"PX{vague}"
    n = float(n) * scale
    if base == "Q" and n == int(n):
        n, base = n * 3, "M"
    if n != int(n):
        whole, frac = int(n), n - int(n)
        smaller = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "TH"), "TH": (60, "TM"),
                   "TM": (60, "TS")}
        key = "T" + base if clock else base
        if key not in smaller:
            return None
        factor, sub = smaller[key]
        part = frac * factor
        if part != int(part):
            return None
        head = f"{whole}{base}" if whole else ""
        if clock:
            return f"PT{head}{int(part)}{sub[1]}"
        if sub.startswith("T"):
            return f"P{head}T{int(part)}{sub[1]}"
        return f"P{head}{int(part)}{sub}"
    return f"PT{_number(n)}{base}" if clock else f"P{_number(n)}{base}"


@rule("duration")
def duration(g: Groups, s: Situation) -> Value | None:
    unit = g.get("unit")
    if unit is None:
        return None
    unit_word = norm_key(g.text("unit") or "")
    text = norm_key(g.all_text)
    if g.lex.get("ageword", s.next_word()) is not None:
        return None                    # an age: "52 years old", "a 6-year-old boy"
    if g.has("indef"):
        if unit == "TS" or (unit == "Q" and g.lex.get("fractionword", s.next_word()) is not None):
            return None                # "a second term", "a quarter of the vote"
        if unit_word.endswith("s"):
            return None
        if not g.has("approx") and len(text.split()) == 2:
            # "$5 million a year", "four flights a week", "twice a year": a rate
            if s.prev_pos() in ("NUM", "NOUN", "PROPN", "SYM") or g.lex.get("multiplier", s.prev_word()):
                return Value("SET", period(1, unit))
        return Value("DURATION", period(float(g.get("indef") or 1), unit))
    if g.has("num"):
        n = g.get("num")
        num_text = g.text("num") or ""
        if n is None or n > 100000 or (re.fullmatch(r"(1[89]|20)\d\d", num_text) and unit != "TS"):
            return None               # "the 1988 quarter" is a date, not 1988 quarters
        if unit == "Q" and g.lex.get("fractionword", s.next_word()) is not None:
            return None               # "three-quarters of its food"
        return Value("DURATION", period(n, unit))
    v = g.get("vague")
    if v is None:
        return None
    return Value("DURATION", period(v if v == "X" else float(v), unit))


@rule("duration_half")
def duration_half(g: Groups, s: Situation) -> Value | None:
    unit = g.get("unit")
    n = g.get("num") if g.has("num") else g.get("indef")
    if unit is None or n is None:
        return None
    value = period(float(n) + 0.5, unit)
    return Value("DURATION", value) if value else None


_YEAR_NEXT = re.compile(r"\s+(?:1[0-9]|20)\d\d\b")


@rule("duration_vague")
def duration_vague(g: Groups, s: Situation) -> Value | None:
    unit = g.get("unit")
    word = norm_key(g.text("unit") or "")
    if unit is None or not word.endswith("s") or unit == "TS":
        return None
    if unit == "Q" and norm_key(g.all_text) == word:
        return None                   # bare "quarters" are rooms more often than time
    if g.lex.get("ageword", s.next_word()) is not None:
        return None
    if _YEAR_NEXT.match(s.next_text()):
        return None                   # "the years 2020 to 2022": the years named next are the time
    return Value("DURATION", period("X", unit))


@rule("set_every")
def set_every(g: Groups, s: Situation) -> Value | None:
    unit = g.get("unit")
    if unit is None:
        return None
    n = g.get("num") if g.has("num") else 1
    if n is None:
        return None
    if g.has("other"):
        n = 2                         # "every other week"
    if unit == "Q":
        return Value("SET", f"P{_number(float(n))}Q")
    return Value("SET", period(n, unit))


@rule("set_rate")
def set_rate(g: Groups, s: Situation) -> Value | None:
    """'twice a week', 'three times a year': the period is one unit."""
    unit = g.get("unit")
    if unit is None:
        return None
    return Value("SET", "P1Q" if unit == "Q" else period(1, unit))


@rule("set_weekday")
def set_weekday(g: Groups, s: Situation) -> Value | None:
    wd = g.int("weekday") or g.int("weekdays")
    if not wd:
        return None
    return Value("SET", f"XXXX-WXX-{wd}{_pod_suffix(g)}")


@rule("set_month")
def set_month(g: Groups, s: Situation) -> Value | None:
    month = g.int("month")
    return Value("SET", f"XXXX-{month:02d}") if month else None


@rule("set_season")
def set_season(g: Groups, s: Situation) -> Value | None:
    season = g.get("season")
    return Value("SET", f"XXXX-{season}") if season else None


@rule("set_pod")
def set_pod(g: Groups, s: Situation) -> Value | None:
    pod = g.get("pod")
    return Value("SET", f"XXXX-XX-XXT{pod}") if pod else None


@rule("set_word")
def set_word(g: Groups, s: Situation) -> Value | None:
    value = g.get("setword")
    return Value("SET", value) if value else None


@rule("fuzzy")
def fuzzy(g: Groups, s: Situation) -> Value | None:
    value = g.get("fuzzy")
    if not value:
        return None
    flags = g.lex.flags.get("fuzzy", {}).get(norm_key(g.text("fuzzy") or ""), frozenset())
    if "adj" in flags and s.last_pos() not in ("ADJ", "NOUN", "PROPN"):
        return None
    if "afterprep" in flags and g.lex.get("fuzzyprep", s.prev_word()) is None:
        return None                   # "at the moment", not "the moment he arrived"
    if "notbeforeas" in flags and s.next_word() == "as":
        return None                   # "as soon as" is a conjunction
    if "notpast" in flags and s.tense() in ("past", "pluperfect", "perfect"):
        return None                   # "he was soon released" counts from the narrated time
    return Value("DATE", value)
