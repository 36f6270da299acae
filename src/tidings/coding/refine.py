"""Refinements of a candidate's code read off its context: the weapon in the subject makes
a generic attack specific (`instrument` cues), peacekeepers and forces sent to help are aid
(`helping_force`, `help_purpose` cues), and natural forces, games and accidents are no
political event."""
from __future__ import annotations

from tidings.coding.context import OBJ, ArticleIndex, Candidate
from tidings.nlp.syntax import conjuncts, prep_objects
from tidings.coding.parse import agent_tokens, cue_lemma, subject_of


def refine_by_instrument(c: Candidate, art: ArticleIndex) -> None:
    """'Warplanes struck', 'a suicide bomber killed': the weapon in the subject (or in 'with
    drones') makes a generic attack code specific (`instrument` cues with their codes)."""
    if c.kind != "verb" or not c.code.endswith("0") or c.code[:2] not in ("18", "19"):
        return
    cues = art.lex.cue("instrument")
    subj, passive = subject_of(c, art)
    heads = agent_tokens(c.anchor) if passive else list(subj)
    heads += prep_objects(c.anchor, frozenset({"with", "using"}))
    for h in heads:
        for t in conjuncts(h):
            words = [t.lemma_.lower()] + [f"{x.lemma_.lower()} {t.lemma_.lower()}" for x in t.children
                                          if x.dep_ in ("compound", "amod")]
            for w in reversed(words):
                if w in cues:
                    code = art.lex.cue_codes.get(("instrument", w))
                    if code and code[:2] == c.code[:2] or code and c.code in ("190", "180"):
                        c.notes.append(f"by {w!r}: {code} (instrument cue)")
                        c.code = code
                        return


def _force_tokens(c: Candidate, art: ArticleIndex) -> list:
    """The force a deployment moves: the object of 'sent troops', the subject of 'troops were
    deployed' or of 'peacekeepers arrived'."""
    subj, passive = subject_of(c, art)
    if "theme" in c.pattern.flags:
        objs = [o for o in c.anchor.children if o.dep_ in OBJ]
        return objs + (list(subj) if passive else [])
    if "visit" in c.pattern.flags and not passive:
        return list(subj)
    return []


def refine_deployment(c: Candidate, art: ArticleIndex) -> None:
    """Forces sent or arriving: peacekeepers, observers or rescuers are aid (`helping_force`
    cues with their codes), and so are forces sent to help ('sent troops to help the army',
    'as part of a peacekeeping mission': `help_purpose` cues), not a show of force or a visit.
    Who receives them says so with its own verb ('welcomed peacekeepers from Ghana': 0861)."""
    deploying = c.code[:2] == "15" and ("theme" in c.pattern.flags or c.noun is not None)
    arriving = "visit" in c.pattern.flags and c.kind == "verb"
    if not (deploying or arriving):
        return
    helpers = art.lex.cue("helping_force")
    for f in _force_tokens(c, art):
        for t in conjuncts(f):
            words = [t.lemma_.lower()] + [f"{x.lemma_.lower()} {t.lemma_.lower()}" for x in t.children
                                          if x.dep_ in ("compound", "amod")]
            for w in reversed(words):
                if w in helpers:
                    code = art.lex.cue_codes.get(("helping_force", w)) or "074"
                    c.notes.append(f"{w!r} sent or arriving: {code} (helping_force cue)")
                    c.code = code
                    return
    forces = art.lex.cue("force")
    if not deploying and not any(t.lemma_.lower() in forces for t in _force_tokens(c, art)):
        return      # "the president arrived to help": a visit; "troops arrived to help": aid
    helps = art.lex.cue("help_purpose")
    children = [*c.anchor.children, *(c.noun.children if c.noun is not None else [])]
    for ch in children:
        purpose = ch.dep_ in ("advcl", "xcomp", "acl", "relcl") and cue_lemma(ch, art) in helps
        mission = ch.dep_ in ("prep", "dative") and any(t.lemma_.lower() in helps for t in ch.subtree)
        if purpose or mission:
            code = art.lex.cue_codes.get(("help_purpose", "code")) or "074"
            c.notes.append(f"forces sent to {ch.text!r}: {code} (help_purpose cues)")
            c.code = code
            return


def not_political(c: Candidate, art: ArticleIndex) -> bool:
    """'An earthquake struck', 'the cricket team beat Australia', 'an explosion at a chemical
    plant killed 12': a natural force, a game or an accident is no political event
    (`natural_force`, `sport` and `accident_*` cues)."""
    if c.kind in ("nominal", "aspect"):
        return False
    subj, _ = subject_of(c, art)
    forces, sport = art.lex.cue("natural_force"), art.lex.cue("sport")
    for t in subj:
        if t.lemma_.lower() in forces:
            return True
        if any(x.lemma_.lower() in sport for x in t.subtree):
            return True
    # a contest won where games are played: "beat Uganda in the Africa Cup qualifier" (but
    # "gunmen attacked fans at a football match" is an attack)
    if cue_lemma(c.anchor, art) in art.lex.cue("contest_verb"):
        for g in prep_objects(c.anchor, frozenset({"in", "at", "during"})):
            if any(x.lemma_.lower() in sport for x in g.subtree):
                return True
    return _accident(c, art)


def _accident(c: Candidate, art: ArticleIndex) -> bool:
    """'A bus crashed, killing 20', 'a gas explosion killed three', 'a blast at a fertiliser
    factory killed nine': harm done by an accident, with nobody named doing it."""
    lex = art.lex
    t = c.anchor
    if t.dep_ in ("advcl", "conj", "xcomp") and cue_lemma(t.head, art) in lex.cue("accident_verb"):
        return not any(art.actor(x) is not None for x in subject_of(c, art)[0])
    subj, passive = subject_of(c, art)
    doers = agent_tokens(t) if passive else list(subj)
    if not doers or any(art.actor(d) is not None for d in doers):
        return False
    causes, sites = lex.cue("accident_cause"), lex.cue("accident_site")
    for d in doers:
        lemma = d.lemma_.lower()
        if lemma in lex.cue("accident"):
            return True                               # "the crash killed ...", "a stampede"
        mods = {x.lemma_.lower() for x in d.children if x.dep_ in ("compound", "amod")}
        if lemma not in lex.cue("accident_thing"):
            continue                                  # "gunmen killed five at a factory": no accident
        if mods & causes:
            return True                               # "a gas explosion", "a boiler blast"
        where = prep_objects(d, frozenset({"at", "in", "inside", "near"})) + prep_objects(
            t, frozenset({"at", "in", "inside"}))
        for g in where:
            words = {g.lemma_.lower()} | {x.lemma_.lower() for x in g.children if x.dep_ in ("compound", "amod")}
            if g.lemma_.lower() in sites or words & causes:
                return True                           # "an explosion at a chemical plant"
    return False
