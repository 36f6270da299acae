"""Modality: whether a candidate is negated, planned ("will hold", "plans to") or
hypothetical ("if", "could"). `read_modality(candidate, art)` looks at the predicate's own
auxiliaries and negations, then walks up the verbs that control it."""
from __future__ import annotations

from spacy.tokens import Token

from tidings.coding.context import ArticleIndex, Candidate
from tidings.coding.parse import cue_lemma, lookup


def read_modality(c: Candidate, art: ArticleIndex) -> None:
    lex = art.lex
    future, hypo, cond = lex.cue("future"), lex.cue("hypothetical"), lex.cue("condition")
    intent, negating = lex.cue("intent"), lex.cue("negating")
    planned_mod = lex.cue("planned_mod")
    negated = False
    modality = "asserted"
    own = [c.anchor]
    if c.noun is not None and c.noun.i != c.anchor.i:
        own.append(c.noun)
    for t in own:
        for ch in t.children:
            low = ch.lower_
            if ch.dep_ == "neg" or (ch.dep_ == "det" and low == "no"):
                negated = True
            elif ch.dep_ == "aux" and (low in future or ch.lemma_.lower() in future and ch.tag_ == "MD"):
                modality = _stronger(modality, "planned")
            elif ch.dep_ == "aux" and low in hypo:
                modality = _stronger(modality, "planned" if low == "would" and _under_speech(c.anchor, art)
                                     else "hypothetical")
            elif ch.dep_ == "mark" and low in cond:
                modality = _stronger(modality, "hypothetical")
            elif ch.dep_ in ("amod", "compound") and low in planned_mod and c.noun is not None and t.i == c.noun.i \
                    and c.kind != "verb":   # "cancelled a planned visit": the visit was planned, not the act
                modality = _stronger(modality, "planned")
    if c.anchor.dep_ == "ROOT" and any(ch.dep_ == "aux" and ch.lower_ == "to" for ch in c.anchor.children) and \
            any(ch.dep_ in ("nsubj", "nsubjpass") for ch in c.anchor.children):
        modality = _stronger(modality, "planned")   # a headline's "Ghana to send troops": ahead
    if c.kind == "light" and cue_lemma(c.anchor, art) in intent:
        modality = _stronger(modality, "planned")   # "a joint drill is planned for June", "scheduled talks"
    # walk up the controlling clauses: "plans to hold", "denied attacking", "if ... , X would"
    t = c.anchor
    hops = 0
    while t.head.i != t.i and hops < 6:
        dep, head = t.dep_, t.head
        hops += 1
        hl = cue_lemma(head, art)
        if dep in ("xcomp", "ccomp", "pcomp", "acomp") or (dep == "pobj" and head.dep_ == "prep"):
            if hl in negating or (dep == "pcomp" and cue_lemma(head.head, art) in negating):
                negated = True
            if hl in intent or (hl == "be" and any(ch.dep_ == "xcomp" and ch.i == t.i for ch in head.children)
                                and t.dep_ == "xcomp"):
                modality = _stronger(modality, "planned")
            for ch in head.children:
                if ch.dep_ == "aux" and ch.lower_ in future and dep == "xcomp":
                    modality = _stronger(modality, "planned")
                elif ch.dep_ == "aux" and ch.lower_ in hypo and dep == "xcomp":
                    modality = _stronger(modality, "planned" if ch.lower_ == "would" and _under_speech(head, art)
                                         else "hypothetical")
                if ch.dep_ == "mark" and ch.lower_ in cond:
                    modality = _stronger(modality, "hypothetical")
                if ch.dep_ == "neg" and dep == "xcomp" and hl in intent:
                    negated = True
        elif dep == "advcl":
            break
        elif dep == "conj":
            for ch in head.children:
                if ch.dep_ == "aux" and ch.lower_ in future | hypo and not any(
                        x.dep_ == "aux" for x in t.children):
                    modality = _stronger(modality, "planned" if ch.lower_ in future else "hypothetical")
        else:
            break
        if dep == "ccomp":
            break
        t = head
    c.negated = c.negated or negated
    c.modality = _stronger(c.modality, modality)


_RANK = {"asserted": 0, "planned": 1, "hypothetical": 2}


def _stronger(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def _under_speech(tok: Token, art: ArticleIndex) -> bool:
    t = tok
    while t.dep_ in ("ccomp", "conj", "xcomp") and t.head.i != t.i:
        t = t.head
        plist = (lookup(art.lex.verbs, t) or ("", []))[1]
        if any("speech" in p.flags for p in plist):
            return True
    return False


def conditional(c: Candidate, art: ArticleIndex, kind: str = "condition") -> bool:
    """'will withdraw unless ...', 'may halt ... if ...'."""
    cond = art.lex.cue(kind)
    return c.modality != "asserted" and any(
        ch.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in cond for m in ch.children)
        for ch in c.anchor.children)
