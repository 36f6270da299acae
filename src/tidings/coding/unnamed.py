"""Sides the text leaves unnamed (docs/events.md has the same table for users).

In this order: the target named only in the act's purpose ("to show their anger at X"),
doers no actor stands for belong to the event's place ("youths rioted in Paris"), the place
is the target when nobody else is named, and protests and curfews are aimed at the doer's
own country. Also the targets of a controller read off its content ("threatened to cut off
electricity to X") and of a threat's condition ("unless Israel rescinded ...").
"""
from __future__ import annotations

from spacy.tokens import Token

from tidings.coding.lexicon import Lexicon
from tidings.nlp.syntax import prep_objects
from tidings.records import Place
from tidings.coding.context import (
    ArticleIndex, Candidate, DEFAULT_TARGET_PREPS, Discourse, OBJ, PURPOSE_PREPS, SUBJ, SUBJ_PASS,
    Side, VERBAL, iso3,
)
from tidings.coding.parse import agent_tokens, cue_lemma, lookup, subject_of, to_infinitive
from tidings.coding.participants import actor_sides


LOCATION_AS_TARGET = True
VIOLENT_ROOTS = frozenset({"17", "18", "19", "20"})


def unnamed_sides(c: Candidate, pairs: list[tuple[Side | None, Side | None]], place: Place | None,
                   place_source: str | None, art: ArticleIndex) -> list[tuple[Side | None, Side | None]]:
    """Sides the text leaves unnamed, read from the event's place or the doer's own country
    (docs/events.md): doers of the place, the place as the target, the own country."""
    lex = art.lex
    host = iso3(place.country) if place is not None and place_source == "clause" else None
    doer = unnamed_doer(c, art) if host and not c.speech and all(a is None for a, _ in pairs) else None
    if doer is not None:
        # "youths rioted in Paris", "an explosion near Samarra killed ...": doers who are not
        # named are of the place (with the sector their noun says, `unnamed_doer` cues)
        side = Side(host + doer, None, None, None, f"unnamed doers in {place.text}", "country", host)
        if not any(t is not None and t.code == side.code for _, t in pairs):
            pairs = [(side, t) for _, t in pairs]
        if doer and all(t is None for _, t in pairs) and "notarget" not in c.pattern.flags \
                and not domestic_sector(c.code, lex):
            # "a suicide bomber killed 14 people at a checkpoint in Peshawar": the place's people
            where = Side(host, place.start, place.end, place.text, f"country of the place {place.text}",
                         "country", host)
            pairs = [(a, where) for a, _ in pairs]
    elif LOCATION_AS_TARGET and place is not None and place_source == "clause" and not c.speech \
            and "notarget" not in c.pattern.flags and all(t is None for _, t in pairs):
        # "lifted the curfew in Montenegro", "demonstrated in Kirkuk": the place's country is on the
        # receiving end when no one else is named
        host = iso3(place.country)
        # "rebels seized a town in Myanmar": violence at home is aimed at the country too
        at_home = c.code[:2] in VIOLENT_ROOTS
        if host and all(a is None or (a.country or (a.code or "")[:3]) != host or (at_home and a.code != host)
                        for a, _ in pairs):
            side = Side(host, place.start, place.end, place.text, f"country of the place {place.text}",
                        "country", host)
            pairs = [(a, side) for a, _ in pairs if not (a is not None and a.code == host)] or pairs
    domestic = domestic_sector(c.code, lex)
    if all(t is None for _, t in pairs) and not c.speech and domestic:
        # "opposition parties staged a general strike": with no one else named, a protest or a
        # curfew is aimed at the actor's own country
        pairs = [(a, home_country(a, domestic)) for a, _ in pairs]
    return pairs


def purpose_targets(c: Candidate, art: ArticleIndex, state: Discourse) -> list[Side]:
    """Targets named only in the purpose of the act: "blocked a road to show their anger at X's
    policies", "staged a hunger strike in protest against abuses by X", "rallied, demanding
    independence from X". The first actor found, breadth first, that is not a source."""
    mine = {s.code for s in c.sources if s is not None}
    if c.recip or len(mine) > 1:
        return []                           # joint acts have their partners already
    purpose_nouns, purpose_verbs = art.lex.cue("purpose_noun"), art.lex.cue("purpose_verb")
    heads = [c.anchor] + ([c.noun] if c.noun is not None and c.noun.i != c.anchor.i else [])
    queue: list[tuple[Token, int]] = []
    for h in heads:
        for ch in h.children:
            if ch.dep_ in ("advcl", "xcomp") and ch.pos_ in VERBAL and not any(
                    x.dep_ in SUBJ or x.dep_ in SUBJ_PASS or x.dep_ == "mark" for x in ch.children) and (
                    to_infinitive(ch) or ch.dep_ == "xcomp" or cue_lemma(ch, art) in purpose_verbs):
                queue.append((ch, 0))       # "to show ...", "demanding ..." (not "deepening ...")
            elif ch.dep_ == "prep":
                for g in ch.children:
                    if g.dep_ == "pobj" and g.lemma_.lower() in purpose_nouns:
                        queue.append((g, 0))  # "in protest against ...", "in solidarity with ..."
    seen: set[int] = set()
    while queue:
        t, depth = queue.pop(0)
        if t.i in seen or depth > 4:
            continue
        seen.add(t.i)
        if t.pos_ in ("NOUN", "PROPN") and depth > 0:
            found = [s for s in actor_sides([t], art, state) if s.code and s.code not in mine]
            if found:
                for s in found:
                    s.how = f"{s.how}; in the purpose of {c.pred.text!r}"
                return found
        for ch in t.children:
            if ch.dep_ in OBJ or ch.dep_ in ("pobj", "pcomp", "xcomp", "ccomp", "dative") or (
                    ch.dep_ == "prep" and ch.lower_ in PURPOSE_PREPS):
                queue.append((ch, depth + 1))
    return []


def domestic_sector(code: str, lex: Lexicon) -> str | None:
    """For codes whose target, when nobody is named, is the actor's own country (`domestic_target`
    cues): the sector that target has when the actor is the country itself ("Iraqis protested":
    the Iraqi government), else None."""
    for prefix in lex.cue("domestic_target"):
        if code.startswith(prefix):
            return lex.cue_codes.get(("domestic_target", prefix)) or "GOV"
    return None


def unnamed_doer(c: Candidate, art: ArticleIndex) -> str | None:
    """The sector ("" when the cue gives none) of a doer the clause names but no actor stands
    for ("hundreds of youths", "an explosion": `unnamed_doer` cues), or None when it names none."""
    if c.kind not in ("verb", "light", "participate"):
        return None
    subj, passive = subject_of(c, art)
    doers = agent_tokens(c.anchor) if passive else subj
    for t in doers:
        if t.pos_ not in ("NOUN", "PROPN") or t.lemma_.lower() in art.lex.cue("natural_force"):
            continue
        words = [t] + [g for p in t.children if p.dep_ == "prep" and p.lower_ == "of"
                       for g in p.children if g.dep_ == "pobj"]        # "hundreds of youths"
        for w in words:
            if w.lemma_.lower() in art.lex.cue("unnamed_doer"):
                return art.lex.cue_codes.get(("unnamed_doer", w.lemma_.lower())) or ""
        if lookup(art.lex.nouns, t) is not None:
            return ""   # a happening as the subject ("an attempt on his life was foiled in X")
    return None     # "used tear gas to disperse ...": the gas is no doer


def home_country(a: Side | None, sector: str) -> Side | None:
    country = (a.country or (a.code or "")[:3]) if a is not None else ""
    if len(country) != 3 or not country.isalpha() or country in ("IGO", "NGO"):
        return None
    code = country + sector if a.code == country else country   # never the same code on both sides
    return Side(code, None, None, None, "own country: nobody else named", "country", country)


def complement_targets(ctl: Candidate, art: ArticleIndex, state: Discourse) -> list[Side]:
    """Targets read off a complement that holds no coded event: 'demanded that Hamas renounce
    ...' -> Hamas; 'threatened to cut off electricity to X' -> X."""
    mine = {s.code for s in ctl.sources}
    for comp in ctl.anchor.children:
        if comp.dep_ not in ("xcomp", "ccomp"):
            continue
        own = [c for c in comp.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS]
        found = [s for s in actor_sides(own, art, state) if s.code not in mine]
        if not found:
            objs = [o for o in comp.children if o.dep_ in OBJ or o.dep_ in ("dative", "iobj")]
            found = [s for s in actor_sides(objs, art, state) if s.code not in mine]
        if not found:
            found = [s for s in actor_sides(prep_objects(comp, DEFAULT_TARGET_PREPS), art, state) if s.code not in mine]
        if found:
            return found
    return []


def condition_subjects(c: Candidate, art: ArticleIndex, state: Discourse) -> list[Side]:
    """'threatened to strike unless Israel rescinded ...': the threat is aimed at Israel."""
    cond = art.lex.cue("condition") | art.lex.cue("threat_condition")
    mine = {s.code for s in c.sources}
    heads = [c.anchor] + [ch for ch in c.anchor.children if ch.dep_ in ("xcomp", "ccomp") or to_infinitive(ch)]
    for h in heads:
        for ch in h.children:
            if ch.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in cond for m in ch.children):
                found = [s for s in actor_sides([x for x in ch.children if x.dep_ in SUBJ], art, state)
                         if s.code not in mine]
                if found:
                    return found
    return []
