"""Refinements of a candidate's code read off its context: the weapon in the subject makes
a generic attack specific (`instrument` cues), forces sent to help are military aid
(`help_purpose` cues), and natural forces and games are no political event."""
from __future__ import annotations

from tidings.nlp.syntax import conjuncts, prep_objects
from tidings.coding.context import ArticleIndex, Candidate
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


def refine_forces_sent_to_help(c: Candidate, art: ArticleIndex) -> None:
    """'Sent troops to help the army fight rebels', 'deployed police as part of a peacekeeping
    mission': forces sent to help are military aid, not a show of force (`help_purpose` cues)."""
    if c.code[:2] != "15" or not ("theme" in c.pattern.flags or c.noun is not None):
        return
    helps = art.lex.cue("help_purpose")
    for ch in [*c.anchor.children, *(c.noun.children if c.noun is not None else [])]:
        purpose = ch.dep_ in ("advcl", "xcomp", "acl", "relcl") and cue_lemma(ch, art) in helps
        mission = ch.dep_ == "prep" and any(t.lemma_.lower() in helps for t in ch.subtree)
        if purpose or mission:
            code = art.lex.cue_codes.get(("help_purpose", "code")) or "074"
            c.notes.append(f"forces sent to {ch.text!r}: {code} (help_purpose cues)")
            c.code = code
            return


def not_political(c: Candidate, art: ArticleIndex) -> bool:
    """'An earthquake struck', 'the cricket team beat Australia': a natural force or a game is
    no political event (`natural_force` and `sport` cues)."""
    if c.kind in ("nominal", "aspect"):
        return False
    subj, _ = subject_of(c, art)
    forces, sport = art.lex.cue("natural_force"), art.lex.cue("sport")
    for t in subj:
        if t.lemma_.lower() in forces:
            return True
        if any(x.lemma_.lower() in sport for x in t.subtree):
            return True
    return False
