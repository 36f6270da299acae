"""Anchoring an event in time and place: `date_of` and `place_of`.

Both look first in the event's own clause, then in the clauses coordinated with it ("visited
Beijing and met Wang on Monday"), then in the clauses above it, then on the main line of the
sentence, never in another event's clause; a date falls back on the earlier mention of the
same happening, then on the publication date. A place that stands for an actor ("Moscow
said") or belongs to another happening ("the war in Ukraine") is not the event's place.
"""
from __future__ import annotations

import datetime as dt

from spacy.tokens import Token
from spacy.tokens import Span as SpacySpan

from tidings.records import Place, TimeRef
from tidings.coding.context import (
    ArticleIndex, Candidate, DATE_VALUE, DAY_VALUE, DURATION_VALUE, OBJ, SUBJ, SUBJ_PASS,
    SUBORDINATE, Side, VERBAL, day_of, iso3,
)
from tidings.coding.parse import clause_of, cue_lemma, lookup


def _time_root(t: TimeRef, art: ArticleIndex) -> Token | None:
    toks = [tok for tok in art.doc.char_span(t.start, t.end, alignment_mode="expand") or []]
    if not toks:
        return None
    inside = {x.i for x in toks}
    for tok in toks:
        if tok.head.i not in inside or tok.head.i == tok.i:
            return tok
    return toks[0]


def _usable(t: TimeRef) -> bool:
    return t.type in ("DATE", "TIME") and bool(t.value) and bool(DATE_VALUE.match(t.value[:10]) or
                                                                   DAY_VALUE.match(t.value[:10]))


def _times_in(tokens: set[int], art: ArticleIndex) -> list[TimeRef]:
    seen, out = set(), []
    for i in sorted(tokens):
        k = art.time_at[i]
        if k >= 0 and k not in seen:
            seen.add(k)
            out.append(art.ann.times[k])
    return out


def _is_end(t: TimeRef, art: ArticleIndex) -> bool:
    root = _time_root(t, art)
    return root is not None and root.dep_ == "pobj" and root.head.lower_ in art.lex.cue("end_prep")


def search_levels(c: Candidate, others: set[int], art: ArticleIndex) -> list[tuple[set[int], str]]:
    """Where to look for an event's date and place, nearest first: its own clause, the clauses
    coordinated with it ("visited Beijing and met Wang on Monday"), the clauses above it, then
    the main line of the sentence (never another event's clause or a subordinate clause)."""
    own = clause_of(c.anchor, include_acl=c.kind == "nominal")
    if "content" in c.pattern.flags or c.pattern.comps:
        # "threatened to impose a curfew in Algiers": the content's clause is the act's own
        for ch in c.anchor.children:
            if ch.dep_ in ("xcomp", "ccomp"):
                own |= clause_of(ch)
    levels: list[tuple[set[int], str]] = [(own, "clause")]
    first = c.anchor
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    siblings = [first] + [x for x in first.children if x.dep_ == "conj" and x.pos_ in VERBAL]
    levels.append((set().union(*[clause_of(x) for x in siblings if x.i != c.anchor.i]), "sentence"))
    t = c.anchor
    hops = 0
    while t.head.i != t.i and hops < 6:
        t = t.head
        hops += 1
        levels.append((clause_of(t), "sentence"))
    main = main_line(c.anchor.sent, art)
    levels.append((main - others, "sentence"))
    return levels


def main_line(sent: SpacySpan, art: ArticleIndex) -> set[int]:
    """Tokens of the sentence outside subordinate clauses (cached per sentence)."""
    found = art._main.get(sent.start)
    if found is not None:
        return found
    sub: dict[int, bool] = {}

    def is_sub(t: Token) -> bool:
        chain = []
        while t.i not in sub:
            chain.append(t)
            if t.dep_ in SUBORDINATE or t.head.i == t.i:
                sub[t.i] = t.dep_ in SUBORDINATE
                chain.pop()
                break
            t = t.head
        v = sub[t.i]
        for x in chain:
            sub[x.i] = v
        return v

    found = {x.i for x in sent if not is_sub(x)}
    art._main[sent.start] = found
    return found


def date_of(c: Candidate, art: ArticleIndex, others: set[int]) -> tuple[str | None, str | None, str | None]:
    """(date, date_end, date_source) for a candidate."""
    levels = search_levels(c, others, art)
    date = end = None
    source = None
    taken: set[int] = set()
    for toks, how in levels:
        toks = toks - taken
        taken |= toks
        for tr in _times_in(toks, art):
            if not _usable(tr):
                continue
            value = tr.value[:10] if DAY_VALUE.match(tr.value[:10]) else tr.value
            if _is_end(tr, art):
                end = end or day_of(tr.end_value or tr.value)
                continue
            if date is None:
                date, source = value, how
                if tr.end_value:
                    end = end or day_of(tr.end_value)
        if date is not None:
            break
    if date is None and c.antecedent is not None and c.antecedent.first.date_source != "published":
        date, source = c.antecedent.first.date, "sentence"
    if end is None and date is not None:
        end = _duration_end(c, art, date)
    if end is None and c.antecedent is not None:
        end = c.antecedent.first.date_end
    if date is None and art.published:
        date, source = art.published, "published"
    if end is not None and date is not None and end < date:
        end = None
    return date, end, source


def _duration_end(c: Candidate, art: ArticleIndex, date: str) -> str | None:
    """'began on Monday and will last eleven days' -> the last day of the event."""
    if not DAY_VALUE.match(date):
        return None
    toks = set(clause_of(c.anchor))
    durations = art.lex.cue("duration")
    for ch in c.anchor.children:
        if ch.dep_ == "conj" and cue_lemma(ch, art) in durations:
            toks |= {x.i for x in ch.subtree}
    for tr in _times_in(toks, art):
        if tr.type != "DURATION" or not tr.value:
            continue
        m = DURATION_VALUE.match(tr.value)
        if not m:
            continue
        n, unit = int(m.group(1)), m.group(2)
        days = {"D": n, "W": 7 * n}.get(unit)
        if not days:
            continue
        start = dt.date.fromisoformat(date)
        return (start + dt.timedelta(days=days - 1)).isoformat()
    return None


def place_of(c: Candidate, art: ArticleIndex, others: set[int], sides: list[Side]) -> tuple[Place | None, str | None]:
    if c.place is not None:
        return c.place, "clause"
    blocked = [(s.start, s.end) for s in sides if s.start is not None]
    levels = search_levels(c, others, art)
    locative = art.lex.cue("locative")
    taken: set[int] = set()
    for toks, how in levels:
        toks = toks - taken
        taken |= toks
        best, best_rank = None, 9
        seen = set()
        for i in sorted(toks):
            k = art.place_at[i]
            if k < 0 or k in seen:
                continue
            seen.add(k)
            pl = art.ann.places[k]
            if pl.metonym or pl.geonameid is None or _clashes(pl, i, art):
                continue
            if any(s < pl.end and pl.start < e for s, e in blocked):
                continue
            tok = art.doc[i]
            if _inside_other_event(tok, c, art):
                continue  # "the war in Ukraine", "the summit in Washington": another happening's place
            rank = 1.0
            h = tok
            for _ in range(3):
                if h.dep_ == "pobj" and h.head.lower_ in locative:
                    rank = 0.0
                    break
                if h.dep_ not in ("pobj", "compound", "appos", "prep") or h.head.i == h.i:
                    break
                h = h.head
            if tok.dep_ in OBJ and any("visit" in p.flags for p in (lookup(art.lex.verbs, tok.head) or ("", []))[1]):
                rank = 0.0  # "visited Beijing"
            if rank > 0 and (art.actor_at[i] >= 0 or tok.dep_ in SUBJ or tok.dep_ in SUBJ_PASS or tok.dep_ == "poss"):
                continue  # a place standing for an actor ("Moscow said", "the Beijing government")
            if pl.feature in ("country", "continent", "region", "admin1"):
                rank += 0.5  # "in the Kazakhstan capital of Astana": the city is the place
            if rank < best_rank:
                best, best_rank = pl, rank
        if best is not None:
            return best, how
    return None, None


def _clashes(pl: Place, i: int, art: ArticleIndex) -> bool:
    """A place read where the actors layer sees an actor of another country or an IGO ("NATO")."""
    k = art.actor_at[i]
    if k < 0:
        return False
    a = art.ann.actors[k]
    country = (a.country or a.code or "")[:3]
    return country in ("IGO", "NGO") or (len(country) == 3 and country.isalpha() and country != iso3(pl.country))


def _inside_other_event(tok: Token, c: Candidate, art: ArticleIndex) -> bool:
    """Does the path from a place up to the event pass through another event noun?"""
    own = {c.anchor.i, c.pred.i} | ({c.noun.i} if c.noun is not None else set())
    # "an explosion near Samarra killed ...": the doer's place is the event's
    own |= {t.i for t in c.anchor.children if t.dep_ in SUBJ or t.dep_ in SUBJ_PASS}
    if c.combined_with:
        # "demanded a ceasefire in Sudan": the ceasefire is this act's content
        own |= {o.i for o in c.anchor.children if o.dep_ in OBJ}
    if "content" in c.pattern.flags or c.pattern.comps:
        # "threatened to impose a curfew in Algiers": the curfew is this act's content, not another event
        for comp in c.anchor.children:
            if comp.dep_ in ("xcomp", "ccomp"):
                own.add(comp.i)
                own |= {o.i for o in comp.children if o.dep_ in OBJ}
    t = tok
    for _ in range(8):
        if t.head.i == t.i or t.i in own:
            return False
        t = t.head
        if t.i in own:
            return False
        if t.pos_ in ("NOUN", "PROPN") and lookup(art.lex.nouns, t) is not None:
            return True
        if t.pos_ in VERBAL:
            return False
    return False
