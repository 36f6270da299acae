"""Context: what a time expression takes from the expressions around it, once every
expression of an article has been found and normalised on its own.

    narrated(chosen, anchor)                        'the following year', 'that quarter', 'in the afternoon'
    coordinated_sets(text, chosen)                  'on Monday and Tuesday nights'
    day_shifts(text, chosen, lex)                   'the day before last Tuesday'
    quoted_speech(doc, text, chosen, renormalise)   '"We sign tomorrow," he said on Monday'
    year_ago_quarters(doc, chosen, anchor)          'a year ago' beside 'the third quarter'

Each pass takes the article's chosen matches in text order, as (Candidate, Value) pairs,
and replaces values in place.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from collections.abc import Callable
from datetime import date, timedelta

from spacy.tokens import Doc

from tidings.nlp import times_calendar as cal
from tidings.nlp.times_grammar import Candidate, Lexicon, lexicon
from tidings.nlp.times_rules import Value
from tidings.nlp.times_tense import governing_verb

_CALENDAR_VALUE = re.compile(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?|-Q([1-4]))?")


def narrated(chosen: list[tuple[Candidate, Value]], anchor: date | None) -> None:
    """Resolve 'the following year', 'that day' against the last calendar time mentioned
    before them (the narrative's reference time); without one they stay unresolved, except a
    part of the same day ("in the afternoon"), which is then the anchor's."""
    ref: cal.Reference | None = None
    for k, (cand, value) in enumerate(chosen):
        if value.narrative is not None:
            unit, shift, pod = value.narrative
            here = ref
            if here is None and anchor is not None and pod and unit == "day" and shift == 0:
                here = (anchor.year, anchor.month, anchor.day, None)
            resolved = cal.shift_reference(here, unit, shift) if here else None
            if resolved and pod:
                resolved = f"{resolved}T{pod}" if len(resolved) == 10 else None
            value = Value(value.type, resolved)
            chosen[k] = (cand, value)
        m = _CALENDAR_VALUE.match(value.value or "")
        if m and value.type in ("DATE", "TIME"):
            ref = (int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None,
                   int(m.group(4)) if m.group(4) else None)


_WEEKLY = re.compile(r"XXXX-WXX-[1-7](T[A-Z]{2})?")
_JOINED = re.compile(r"\s*(?:,\s*|,?\s*(?:and|or|&)\s+)")


def coordinated_sets(text: str, chosen: list[tuple[Candidate, Value]]) -> None:
    """'on Monday and Tuesday nights', 'Saturdays and Sundays': a weekday joined to a weekly
    set shares that set and its part of the day."""
    for k in range(len(chosen) - 2, -1, -1):
        (a, av), (b, bv) = chosen[k], chosen[k + 1]
        m = _WEEKLY.fullmatch(bv.value or "")
        if (bv.type != "SET" or m is None or av.type != "DATE" or av.date is None
                or a.pattern.rule != "weekday" or not _JOINED.fullmatch(text, a.end, b.start)):
            continue
        chosen[k] = (a, Value("SET", f"XXXX-WXX-{av.date.isoweekday()}{m.group(1) or ''}"))


def day_shifts(text: str, chosen: list[tuple[Candidate, Value]], lex: Lexicon) -> None:
    """'the day before last Tuesday's hearing', 'the day after Christmas': one expression, a
    day off the day named."""
    finder = lex.phrase_before("dayshift")
    for k, (cand, value) in enumerate(chosen):
        if value.type != "DATE" or value.date is None or value.end_value:
            continue
        m = finder.search(text, max(0, cand.start - 30), cand.start)
        shift = lex.get("dayshift", m.group("phrase")) if m else None
        if m is None or shift is None or (k and chosen[k - 1][0].end > m.start()):
            continue
        day = value.date + timedelta(days=int(shift))
        wider = Candidate(m.start(), cand.end, cand.pattern, cand.match)
        chosen[k] = (wider, Value("DATE", day.isoformat(), relative=value.relative, date=day))


_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def year_ago_quarters(doc: Doc, chosen: list[tuple[Candidate, Value]], anchor: date) -> None:
    """In a quarterly report, "a year ago" / "year-earlier" / "last year" compare with the same
    quarter a year before: '$5 million in the third quarter, up from $3 million a year ago'."""
    last_year = f"{anchor.year - 1:04d}"
    sent_starts = [s.start_char for s in doc.sents]
    quarters = [(c.start, v.value) for c, v in chosen if v.value and _QUARTER.fullmatch(v.value)
                and c.pattern.rule in ("quarter", "quarter_this")]
    if not quarters:
        return
    for k, (cand, value) in enumerate(chosen):
        if value.value != last_year or cand.pattern.rule not in ("ago", "year_ago_adj", "rel_unit"):
            continue
        here = bisect.bisect_right(sent_starts, cand.start) - 1
        reach = 0 if cand.pattern.rule == "rel_unit" else 2
        near = [(start, q) for start, q in quarters
                if here - reach <= bisect.bisect_right(sent_starts, start) - 1 <= here]
        if not near:
            continue
        before = [x for x in near if x[0] < cand.start]
        _, q = (before or near)[-1 if before else 0]
        m = _QUARTER.fullmatch(q or "")
        if m:
            shifted = f"{int(m.group(1)) - 1:04d}-Q{m.group(2)}"
            chosen[k] = (cand, Value(value.type, shifted, value.end_value, True, value.date))


# a quotation within one paragraph: curly, guillemets, TeX-style (``...''), straight
_QUOTATION = re.compile(r'“[^”\n]{1,3000}”|«[^»\n]{1,3000}»|„[^“”\n]{1,3000}[“”]|``[^\n]{1,3000}?\'\'|"[^"\n]{1,3000}"')


def quoted_speech(doc: Doc, text: str, chosen: list[tuple[Candidate, Value]],
                  renormalise: Callable[[Candidate, date], Value | None]) -> None:
    """Times inside a quotation count from the day it was spoken, when the reporting clause
    dates it: in '"We sign tomorrow," the minister said on Monday', tomorrow is Tuesday,
    whenever the article appeared."""
    if not any(v.relative for _, v in chosen):
        return
    quotes = [m.span() for m in _QUOTATION.finditer(text)]
    says = lexicon().values.get("sayverb", {})
    for q_start, q_end in quotes:
        inside = [k for k, (c, v) in enumerate(chosen) if q_start < c.start and c.end < q_end and v.relative
                  and v.type in ("DATE", "TIME")]
        if not inside:
            continue
        span = doc.char_span(q_start, q_end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        lo, hi = span[0].sent.start_char, span[-1].sent.end_char     # the quotation's sentences
        spoken = [(c, v) for c, v in chosen
                  if lo <= c.start and c.end <= hi and not any(a <= c.start < b for a, b in quotes)
                  and v.type == "DATE" and v.date is not None and _said_on(doc, c, says)]
        if len(spoken) != 1:
            continue                  # no date of the speech, or two: the publication date stays
        day = spoken[0][1].date
        assert day is not None
        for k in inside:
            value = renormalise(chosen[k][0], day)
            if value is not None:
                chosen[k] = (chosen[k][0], replace(value, anchor=day))


def _said_on(doc: Doc, cand: Candidate, says: dict[str, str]) -> bool:
    """Whether the verb governing an expression is a verb of saying ("said on Monday")."""
    span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
    verb = governing_verb(span) if span is not None and len(span) else None
    return verb is not None and verb.lemma_.lower() in says
