"""Numbers an event's sentence gives: how many were killed, wounded, arrested or abducted, how
many troops were sent. `counts_of(candidate, art)` reads them off the parse ("killed 45
people", "45 people were killed", "..., killing at least 12", "deployed 1,000 troops") with
the `count_verb` and `count_noun` cues saying what each number counts; fusion compares them
across outlets (a number two outlets tell differently is a conflict)."""
from __future__ import annotations

import re

from spacy.tokens import Token

from tidings.coding.context import OBJ, SUBJ_PASS, ArticleIndex, Candidate
from tidings.coding.parse import cue_lemma

_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def counts_of(c: Candidate, art: ArticleIndex) -> dict[str, int]:
    """{what: number} for the candidate: its own verb and the participles hanging on it."""
    lex = art.lex
    out: dict[str, int] = {}
    verbs = [c.anchor] + [ch for ch in c.anchor.children if ch.dep_ in ("advcl", "conj", "xcomp", "ccomp")]
    for v in verbs:
        what = lex.cue_codes.get(("count_verb", cue_lemma(v, art)))
        if what:
            for n in _counted(v):
                value = number_of(n, art)
                if value is not None:
                    out.setdefault(what, value)
                    break
    if "theme" in c.pattern.flags or c.code[:2] in ("07", "15"):
        for o in [ch for ch in c.anchor.children if ch.dep_ in OBJ or ch.dep_ in SUBJ_PASS]:
            what = lex.cue_codes.get(("count_noun", o.lemma_.lower()))
            value = number_of(o, art) if what else None
            if value is not None:
                out.setdefault(what, value)
    return out


def _counted(v: Token) -> list[Token]:
    """What a verb of harm counts: its object, or its passive subject ('45 were killed')."""
    return [ch for ch in v.children if ch.dep_ in OBJ or ch.dep_ in SUBJ_PASS]


def number_of(noun: Token, art: ArticleIndex) -> int | None:
    """The number a noun phrase gives ('45 people', 'at least 1,000 troops', 'three soldiers',
    '45' alone), or None."""
    nums = [noun] if noun.like_num else [ch for ch in noun.children if ch.dep_ == "nummod"]
    for n in nums:
        value = _value(n, art)
        if value is not None:
            for ch in n.children:     # "two million", "1.5 thousand" are rare for the counted: scale only whole words
                scale = art.lex.cue_codes.get(("number_word", ch.lower_))
                if ch.dep_ in ("compound", "quantmod") and scale and int(scale) >= 100:
                    value *= int(scale)
            return value
    return None


def _value(tok: Token, art: ArticleIndex) -> int | None:
    text = tok.text
    if _DIGITS.match(text):
        return int(text.replace(",", ""))
    word = art.lex.cue_codes.get(("number_word", tok.lower_))
    return int(word) if word else None
