"""Tense: whether a time expression lies behind the anchor or ahead of it, read from the
verb that governs it in the dependency parse and from that verb's auxiliaries.

    clause_tense(span) -> "past" | "future" | ... | None;  DIRECTION[tense] -> -1, 0, +1

The cue words (future auxiliaries, verbs of saying and planning, verbs whose infinitive
lies ahead) are the classes `futureaux`, `sayverb`, `conditionalaux`, `planverb` and
`futurehead` of `data/times_words.tsv`.
"""
from __future__ import annotations

import functools

from spacy.tokens import Span, Token

from tidings.nlp.times_grammar import lexicon


@functools.lru_cache(maxsize=1)
def _cues() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    lex = lexicon()
    return (frozenset(lex.words("futureaux")), frozenset(lex.words("sayverb")),
            frozenset(lex.words("conditionalaux")), frozenset(lex.words("planverb")))


def governing_verb(span: Span) -> Token | None:
    """The nearest verb above the expression in the dependency tree."""
    tok = span.root
    for _ in range(12):
        if tok.pos_ in ("VERB", "AUX") and tok not in span:
            return tok
        if tok.head is tok:
            break
        tok = tok.head
    return tok if tok.pos_ in ("VERB", "AUX") else None


def clause_tense(span: Span) -> str | None:
    """past, pluperfect, perfect, future, planned, conditional, progressive, present, say (a
    present verb of saying) or None, from the verb governing the expression and its auxiliaries."""
    verb = governing_verb(span)
    return verb_tense(verb, span.start) if verb is not None else None


# the tenses an infinitive takes from the verb above it ("is to resume trading Tuesday",
# "would have to pay by Friday"); under any other ("agreed to buy", "is trying to sell") its
# act follows that verb's, on either side of the anchor
INFINITIVE_TAKES = frozenset({"future", "conditional", "planned", "present"})


def verb_tense(verb: Token, at: int, depth: int = 0) -> str | None:
    """The tense of the clause of `verb` (the time expression starts at token `at`).

    A clause without a tense of its own ("to resume trading Tuesday", "with the third flight
    departing from August 6", "will meet in June and sign in July") takes the tense of the
    clause it hangs from: "is to resume"
    lies ahead, "would leave ..., with the third departing" ahead; under a past verb an
    infinitive's act follows it, on either side of the anchor ("agreed to buy it in February")."""
    future_aux, say_verbs, conditional_aux, plan_verbs = _cues()
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & future_aux and not ("going" in words and not any(a.lower_ == "to" for a in auxes)):
        return "future"
    if any(a.tag_ == "VBD" and a.lemma_ == "have" for a in auxes):
        return "pluperfect"           # "had been due to expire Friday"
    if verb.lemma_.lower() in plan_verbs and verb.i < at and verb.dep_ not in ("acl", "amod"):
        return "planned"              # "scheduled a news conference Thursday": what is planned lies ahead
    if any(a.tag_ == "MD" for a in auxes):
        return "conditional" if words & conditional_aux else "modal"   # would: ahead; could, may: unknown
    # "plans to meet", "is expected to sign", "is due to arrive"
    head = verb
    for _ in range(3):
        if any(c.lower_ == "to" and c.dep_ == "aux" for c in head.children) and head.head is not head and (
                _future_head(head.head, head)):
            if any(a.tag_ == "VBD" and a.lemma_ == "have" for a in head.head.children if a.dep_ in ("aux", "auxpass")):
                return "pluperfect"   # "had been scheduled to expire Friday"
            return "future"
        if head.dep_ not in ("xcomp", "ccomp", "advcl") or head.head is head:
            break
        head = head.head
    tags = {verb.tag_} | {a.tag_ for a in auxes}
    if "VBD" in tags:
        return "past"
    if any(a.lemma_ == "have" for a in auxes):
        return "perfect"
    if verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod"):
        return "past"
    if verb.tag_ == "VBG" and any(a.lemma_ == "be" for a in auxes):
        return "progressive"
    if verb.tag_ in ("VBZ", "VBP") or (verb.tag_ == "VB" and any(a.tag_ in ("VBZ", "VBP") for a in auxes)):
        return "say" if verb.lemma_.lower() in say_verbs else "present"
    untensed = (verb.tag_ == "VB" and "to" in words) or (verb.tag_ == "VBG" and not auxes) or (
        verb.tag_ == "VB" and not auxes and verb.dep_ == "conj")   # "will meet in June and sign in July"
    if untensed and depth < 3 and verb.head is not verb:
        above = verb.head
        while above.pos_ not in ("VERB", "AUX") and above.head is not above and above.dep_ not in ("ROOT",):
            above = above.head        # "ready to leave Tuesday": through the adjective to its verb
        if above.pos_ in ("VERB", "AUX") and above is not verb:
            tense = verb_tense(above, at, depth + 1)
            if verb.tag_ == "VBG" or "to" not in words or tense in INFINITIVE_TAKES:
                return tense
            if tense is not None:
                return "infinitive"   # "agreed to buy it in February": after the agreeing, either side of now
    if verb.tag_ == "VB" and "to" in words:
        return "infinitive"           # "to resume trading Tuesday" with nothing above it
    return None


def _future_head(verb: Token, infinitive: Token) -> bool:
    """Whether `verb` puts its to-infinitive ahead ("plans to meet", "is to resume")."""
    lex = lexicon()
    word = verb.lemma_.lower() if lex.get("futurehead", verb.lemma_) is not None else verb.lower_
    if lex.get("futurehead", word) is None:
        return False
    if lex.flagged("futurehead", word, "present"):
        return verb.tag_ in ("VBZ", "VBP") and infinitive.i == verb.i + 2
    return True


# which way each tense moves an expression from the anchor (0: the nearest reading; no
# tense at all: behind, as news mostly reports what has happened)
DIRECTION: dict[str | None, int] = {"past": -1, "pluperfect": -1, "perfect": -1, "say": -1, "future": 1,
                                    "planned": 1, "progressive": 1,
                                    "conditional": 1, "infinitive": 0, "present": 0, "modal": 0}
