"""Times: every time expression of a parsed article, resolved to a TimeML value.

    resolve_times(doc, published) -> list[TimeRef]

How it works, in one pass over each Doc that spaCy has already parsed:

1. *Find*: the patterns of `data/times_patterns.tsv` (built from the word classes of
   `data/times_words.tsv`) are run over the text; where matches overlap the longest wins.
2. *Anchor*: the publication date; without one, the year is inferred from the text
   (`infer_anchor`: "Monday, July 8" fixes the year to one in which July 8 was a Monday).
3. *Tense* (`times_tense`): the verb governing each expression in the parse says whether it
   lies behind the anchor ("met on Thursday") or ahead of it ("will last until July 19").
4. *Normalise*: the rule named by the pattern (`times_rules.RULES`) computes the value.
5. *Context* (`times_context`): what an expression takes from its neighbours ("the
   following year" from the year last narrated); ranges ("from Saturday to Monday")
   become one entry with `value` and `end_value`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from spacy.tokens import Doc, Span

from tidings.nlp import times_calendar as cal
from tidings.nlp.times_context import coordinated_sets, day_shifts, narrated, quoted_speech, year_ago_quarters
from tidings.nlp.times_grammar import Candidate, Lexicon, lexicon, norm_key, patterns, trigger_words
from tidings.nlp.times_rules import RULES, Groups, Situation, Value
from tidings.nlp.times_tense import DIRECTION, clause_tense
from tidings.records import TimeRef

# entities whose words are names, not times ("Theresa May", "The Sunday Times")
NAME_LABELS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "FAC", "LAW", "NORP", "GPE", "LOC",
                         "LANGUAGE"})
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_WORD_BEFORE = re.compile(r"([\w'’.-]+)\W*$")
_NEXT_WORD = re.compile(r"[\s-]*(%|[^\W\d_]+)")


@dataclass
class Anchor:
    """What relative expressions are resolved against."""

    date: date | None                # the publication date, when known
    year: int | None                 # its year, or the year inferred from the text
    source: str                      # published, inferred, none

    @property
    def iso(self) -> str | None:
        return self.date.isoformat() if self.date else None


def parse_published(published: str | None) -> date | None:
    """An ISO date or datetime string ('2024-07-09', '2024-07-09T10:00:00Z'), else None.

    `Article.published` is ISO: every way in (`tidings add`, `tidings annotate`,
    `tidings.annotate`) reads publication dates with `ingest.dates.parse_date`, the one
    parser of them, so nothing else is read here."""
    if not published:
        return None
    m = _ISO_DATE.match(str(published).strip())
    if m:
        return cal.safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


# ---------------------------------------------------------------- finding candidates

_NUMBER_TRIGGER = re.compile(r"(?:1[0-9]|20)\d\d|\d.*[a-z:/-].*|[a-z].*\d.*|['’]\d0s", re.I)
_SCAN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+\d[\w'’:/.-]*|[^\W\d_]+|['’]?\d[\w'’:/.-]*")
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD_END = re.compile(r"[\w.'’-]*")
WINDOW_BEFORE, WINDOW_AFTER = 40, 30


def find_triggers(text: str) -> dict[str, list[tuple[int, int]]]:
    """Where the words that can carry a time expression are, by kind (month, unit, number ...)."""
    triggers = trigger_words()
    found: dict[str, list[tuple[int, int]]] = {}
    for m in _SCAN.finditer(text):
        word = m.group()
        kinds = triggers.get(word.lower())
        if kinds is None:
            if not word[0].isdigit() and not word[-1].isdigit() and word[0] not in "'’":
                continue
            if not _NUMBER_TRIGGER.fullmatch(word.rstrip(".")):
                continue
            kinds = _NUMBER_KIND
            for part in _LETTERS.findall(word):          # "10-year", "5pm"
                kinds = kinds | triggers.get(part.lower(), frozenset())
        for kind in kinds:
            found.setdefault(kind, []).append(m.span())
    return found


_NUMBER_KIND = frozenset({"number"})


def _windows(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    spans.sort()
    out: list[tuple[int, int]] = []
    for s, e in spans:
        start, end = max(0, s - WINDOW_BEFORE), min(len(text), e + WINDOW_AFTER)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return [(s, m.end() if (m := _WORD_END.match(text, e)) else e) for s, e in out]


def find_candidates(doc: Doc | None, text: str) -> list[Candidate]:
    """Every match of every pattern near a time word, longest first (ties: the earlier pattern).

    Running every pattern over the whole text would cost more than the rest of the layer;
    a time expression always holds a time word (month, weekday, unit ...) or a year- or
    clock-shaped number, so each pattern searches only the text around the words it can use.
    """
    out = []
    triggers = find_triggers(text)
    everywhere = [(0, len(text))]
    for p in patterns():
        if p.kinds:
            spans = [sp for kind in p.kinds for sp in triggers.get(kind, ())]
            if not spans:
                continue
            windows = _windows(spans, text)
        else:
            windows = everywhere
        finditer = p.regex.finditer
        for start, end in windows:
            out.extend(Candidate(m.start(), m.end(), p, m) for m in finditer(text, start, end))
    out.sort(key=lambda c: (c.start - c.end, c.pattern.priority, c.start))
    return out


# ---------------------------------------------------------------- the situation of one match

class DocInfo:
    """What every match of one Doc shares: its text (read once: `doc.text` is rebuilt on
    every access) and spaCy's entities as character intervals."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.text = doc.text
        ents = list(doc.ents)
        self.names = [(e.start_char, e.end_char) for e in ents if e.label_ in NAME_LABELS]
        self.dates = [(e.start_char, e.end_char) for e in ents if e.label_ in ("DATE", "TIME")]
        self.numbers = [(e.start_char, e.end_char) for e in ents
                        if e.label_ in ("MONEY", "QUANTITY", "PERCENT", "CARDINAL", "ORDINAL")]


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


class MatchSituation(Situation):
    def __init__(self, info: DocInfo, cand: Candidate, anchor: Anchor, forced: int | None = None,
                 anchor_date: date | None = None):
        self.info = info
        self.lex = lexicon()
        self.cand = cand
        self.anchor = anchor_date or anchor.date
        self.year = anchor.year
        self._forced = forced
        self._span: Span | None = None
        self._tense: str | None | bool = False

    @property
    def span(self) -> Span | None:
        if self._span is None:
            self._span = self.info.doc.char_span(self.cand.start, self.cand.end, alignment_mode="expand")
        return self._span

    def tense(self) -> str | None:
        if self._tense is False:
            self._tense = clause_tense(self.span) if self.span is not None and len(self.span) else None
        return self._tense  # type: ignore[return-value]

    def direction(self) -> int:
        if self._forced is not None:
            return self._forced
        tense = self.tense()
        if re.match(r"['’]s\b", self.next_text()) and tense not in ("past", "pluperfect", "future"):
            return 0                  # "Tuesday's ruling": a noun's date, not the clause's
        m = self.lex.phrase_before("aheadcue").search(self.info.text, max(0, self.cand.start - 30), self.cand.start)
        cue = self.lex.get("aheadcue", m.group("phrase")) if m else None
        if (cue == "always" and tense != "pluperfect") or (
                cue == "unless-past" and tense not in ("past", "pluperfect")):
            return 1                  # "postponed until Tuesday", "effective Feb. 1", "due by Friday"
                                      # (but "until Thursday they had not called him")
        return DIRECTION.get(tense, -1)

    def prev_word(self) -> str:
        return _before_word(self.info.text, self.cand.start)

    def next_text(self) -> str:
        return self.info.text[self.cand.end:self.cand.end + 40]

    def next_word(self) -> str:
        m = _NEXT_WORD.match(self.info.text, self.cand.end)
        return m.group(1).lower() if m else ""

    def prev_pos(self) -> str:
        span = self.span
        if span is None or span.start == 0:
            return ""
        return self.info.doc[span.start - 1].pos_

    def last_pos(self) -> str:
        span = self.span
        return span[-1].pos_ if span is not None and len(span) else ""

    def next_pos(self) -> str:
        span = self.span
        if span is None or span.end >= len(self.info.doc):
            return ""
        return self.info.doc[span.end].pos_


def _gate_ok(info: DocInfo, cand: Candidate, sit: MatchSituation, lex: Lexicon) -> bool:
    if not cand.pattern.rule.startswith("holiday") and cand.pattern.gate != "shape" \
            and _inside(cand.start, cand.end, info.names):
        return False
    span = sit.span
    if span is None or not len(span):
        return False
    gate = cand.pattern.gate
    text = cand.match.group(0)
    if not cand.pattern.rule.startswith("holiday") and _titled_unit(text, span[0].is_sent_start, lex):
        return False                  # "CBS's 60 Minutes", ABC's "This Week": a programme's name
    if gate == "year" and text.isdigit():
        # a bare number is a year only where spaCy or a preposition says so
        before = info.text[max(0, cand.start - 2):cand.start]
        if "$" in before or "#" in before or _followed_by(sit, lex, "notyear"):
            return False
        if _overlaps(cand.start, cand.end, info.numbers):
            return False
        if not _overlaps(cand.start, cand.end, info.dates) and lex.get("yearprep", sit.prev_word()) is None:
            return False
    if gate == "noun" and span[-1].pos_ == "VERB":
        return False
    if gate == "entity" and cand.pattern.rule == "month" and _in_name(info, span, lex):
        return False
    if gate == "entity" and span[0].is_sent_start and lex.flagged("month", text, "homograph") \
            and not re.match(r"\s*[\d,.]", sit.next_text()):
        return False                  # "May I ...", "March on Washington": not the month
    if gate == "spoken" and _followed_by(sit, lex, "notyear"):
        return False
    return True


_WORD = re.compile(r"[^\W\d_]+")
_UNIT_CLASSES = ("unit", "calunit")


def _titled_unit(text: str, sent_start: bool, lex: Lexicon) -> bool:
    """A unit word written with a capital inside a sentence ("60 Minutes", "This Week"): a
    name, unless the whole expression is capitalised (a headline in capitals)."""
    words = [m.group() for m in _WORD.finditer(text)]
    if text.isupper() or not words:
        return False
    rest = words[1:] if sent_start and text[:1].isalpha() else words
    return any(w[:1].isupper() and any(lex.get(c, w) is not None for c in _UNIT_CLASSES) for w in rest)


def _followed_by(sit: MatchSituation, lex: Lexicon, cls: str) -> bool:
    """Whether the word right after the match is one of `cls` ("1990 people")."""
    return lex.get(cls, sit.next_word()) is not None


def _in_name(info: DocInfo, span: Span, lex: Lexicon) -> bool:
    """A month word inside a proper name spaCy did not mark ("Theresa May", "June Carter")."""
    doc = info.doc

    def name_word(i: int) -> bool:
        if not 0 <= i < len(doc):
            return False
        tok = doc[i]
        return (tok.pos_ == "PROPN" and tok.text[:1].isupper()
                and lex.get("month", tok.text) is None and lex.get("weekday", tok.text) is None)

    return name_word(span.start - 1) or (len(span) == 1 and name_word(span.end))


def _normalise(info: DocInfo, cand: Candidate, anchor: Anchor, lex: Lexicon, forced: int | None = None,
               anchor_date: date | None = None) -> Value | None:
    sit = MatchSituation(info, cand, anchor, forced, anchor_date)
    fn = RULES.get(cand.pattern.rule)
    if fn is None:
        return None
    return fn(Groups(cand.match, cand.pattern.groups, lex), sit)


# ---------------------------------------------------------------- the anchor

def infer_anchor(doc: Doc | str, published: str | None, today: date | None = None) -> Anchor:
    """The anchor of an article: its publication date, or a year inferred from its text.

    Without a publication date, a weekday named with its date ("Monday, July 8") fixes
    the year to the latest one, not after `today`, in which that date fell on that day;
    failing that, the most frequent year written out in full dates ("July 8, 2024").
    """
    if isinstance(doc, Doc):
        candidates = find_candidates(doc, doc.text)
    else:
        candidates = [Candidate(m.start(), m.end(), p, m) for p in patterns() if p.rule == "date"
                      for m in p.regex.finditer(doc)]
    return _anchor_from(candidates, published, lexicon(), today)


def _anchor_from(candidates: list[Candidate], published: str | None, lex: Lexicon,
                 today: date | None = None) -> Anchor:
    d = parse_published(published)
    if d is not None:
        return Anchor(d, d.year, "published")
    today = today or date.today()
    constraints: list[tuple[int, int, int]] = []
    years: dict[int, int] = {}
    for cand in candidates:
        if cand.pattern.rule != "date":
            continue
        g = Groups(cand.match, cand.pattern.groups, lex)
        month, day, year = g.int("month") or g.int("mnum"), g.int("day"), g.int("year")
        if not month or not day:
            continue
        if year:
            years[year] = years.get(year, 0) + 1
        elif g.has("weekday") and cal.valid_day(month, day):
            constraints.append((month, day, g.int("weekday") or 0))
    if constraints:
        best: tuple[int, int] | None = None
        for y in range(today.year, 1899, -1):
            fits = sum(1 for (m, dd, wd) in constraints
                       if (c := cal.safe_date(y, m, dd)) is not None and c.isoweekday() == wd and c <= today)
            if fits and (best is None or fits > best[1]):
                best = (y, fits)
                if fits == len(constraints):
                    break
        if best is not None:
            return Anchor(None, best[0], "inferred")
    if years:
        return Anchor(None, max(years, key=lambda y: (years[y], y)), "inferred")
    return Anchor(None, None, "none")


# ---------------------------------------------------------------- ranges

_YEAR = re.compile(r"\d{4}")
_DAY_TIME = re.compile(r"\d{4}-\d\d-\d\dT")


def _range_join(text: str, a: TimeRef, b: TimeRef, lex: Lexicon) -> bool:
    """True for 'from A to B', 'between A and B', 'A through B', and two years 'A to B'."""
    between = norm_key(text[a.end:b.start])
    join = lex.get("rangejoin", between)
    if join is None:
        return False
    opener = lex.get("rangeopen", _before_word(text, a.start))
    if opener is not None:
        return opener == join
    if a.type != "DATE" or b.type != "DATE" or a.value is None:
        return False
    return between in ("through", "-") or (join == "from" and _YEAR.fullmatch(a.value or "") is not None
                                            and _YEAR.fullmatch(b.value or "") is not None)


def _before_word(text: str, start: int) -> str:
    m = _WORD_BEFORE.search(text, max(0, start - 30), start)
    return m.group(1).lower() if m else ""


# ---------------------------------------------------------------- the entry point

def resolve_times(doc: Doc, published: str | None) -> list[TimeRef]:
    """Every time expression in `doc`, with doc character offsets and TimeML values."""
    info = DocInfo(doc)
    text = info.text
    if not text.strip():
        return []
    lex = lexicon()
    candidates = find_candidates(doc, text)
    anchor = _anchor_from(candidates, published, lex)
    taken = bytearray(len(text))
    chosen: list[tuple[Candidate, Value]] = []
    for cand in candidates:
        if any(taken[cand.start:cand.end]):
            continue
        sit = MatchSituation(info, cand, anchor)
        if not _gate_ok(info, cand, sit, lex):
            continue
        fn = RULES.get(cand.pattern.rule)
        value = fn(Groups(cand.match, cand.pattern.groups, lex), sit) if fn else None
        if value is None:
            continue
        taken[cand.start:cand.end] = b"\x01" * (cand.end - cand.start)
        chosen.append((cand, value))
    chosen.sort(key=lambda cv: cv[0].start)
    day_shifts(text, chosen, lex)
    quoted_speech(doc, text, chosen, lambda cand, day: _normalise(info, cand, anchor, lex, anchor_date=day))
    narrated(chosen, anchor.date)
    coordinated_sets(text, chosen)
    if anchor.date is not None:
        year_ago_quarters(doc, chosen, anchor.date)
    return _merge_ranges(info, chosen, anchor, lex)


def _ref(text: str, cand: Candidate, value: Value, anchor: Anchor) -> TimeRef:
    return TimeRef(cand.start, cand.end, text[cand.start:cand.end], value.type or cand.pattern.type, value.value,
                   value.end_value, _anchor_of(value, anchor))


def _anchor_of(value: Value, anchor: Anchor) -> str | None:
    """The date a relative value was computed from: the publication date, or the day a
    quotation was spoken."""
    if value.anchor is not None:
        return value.anchor.isoformat()
    return anchor.iso if value.relative else None


def _merge_ranges(info: DocInfo, chosen: list[tuple[Candidate, Value]], anchor: Anchor,
                  lex: Lexicon) -> list[TimeRef]:
    out: list[TimeRef] = []
    i = 0
    while i < len(chosen):
        cand, value = chosen[i]
        ref = _ref(info.text, cand, value, anchor)
        if i + 1 < len(chosen):
            nxt_cand, nxt_value = chosen[i + 1]
            nxt = _ref(info.text, nxt_cand, nxt_value, anchor)
            if ref.type in ("DATE", "TIME") and nxt.type == ref.type and ref.end_value is None \
                    and nxt.start - ref.end < 12 and _range_join(info.text, ref, nxt, lex):
                merged = _resolve_range(info, cand, value, nxt_cand, nxt_value, anchor, lex)
                if merged is not None:
                    out.append(merged)
                    i += 2
                    continue
        out.append(ref)
        i += 1
    return out


def _resolve_range(info: DocInfo, a: Candidate, av: Value, b: Candidate, bv: Value, anchor: Anchor,
                   lex: Lexicon) -> TimeRef | None:
    """One entry for a range; a relative start is resolved against the end (or the end against
    the start when the range lies ahead), so 'from Saturday to Monday' never runs backwards."""
    sit = MatchSituation(info, a, anchor)
    if sit.direction() > 0 and av.date is not None:
        bv2 = (_normalise(info, b, anchor, lex, forced=1, anchor_date=av.date)
               if bv.relative and b.pattern.rule in ("weekday", "date") else bv)
        av2: Value | None = av
    elif bv.date is not None and av.relative and a.pattern.rule in ("weekday", "date"):
        av2 = _normalise(info, a, anchor, lex, forced=-1, anchor_date=bv.date)
        bv2 = bv
    else:
        av2, bv2 = av, bv
    if av2 is not None and bv2 is not None and a.pattern.name == "clock" and av2.type == bv2.type == "TIME" \
            and av2.value and bv2.value and _DAY_TIME.match(bv2.value) and _DAY_TIME.match(av2.value):
        av2 = replace(av2, value=bv2.value[:10] + av2.value[10:])   # "from 9 a.m. to 5 p.m. on Friday"
    if av2 is None or bv2 is None:
        return None
    if av2.value and bv2.value and len(av2.value) == len(bv2.value) and bv2.value < av2.value \
            and av2.value[:1].isdigit():
        return None                   # "between 1990 and 1985" is no range: keep the two dates
    return TimeRef(a.start, b.end, info.text[a.start:b.end], av2.type, av2.value, bv2.value,
                   _anchor_of(av2, anchor) or _anchor_of(bv2, anchor))
