"""Walks of the dependency parse that several coding stages share: the lemma a lexicon
lookup uses, objects and subjects of a verb (own or inherited), passive agents, and a
clause's own tokens. Structure only: what words mean is in the lexicon."""
from __future__ import annotations

from spacy.tokens import Token

from tidings.coding.lexicon import Lexicon, Pattern
from tidings.coding.context import (
    ArticleIndex, CLAUSAL, Candidate, OBJ, OBJECT_CONTROL_DEPS, RELATIVE_PRONOUNS, SUBJ, SUBJ_PASS,
    VERBAL,
)


class _AnyPrep(frozenset):
    def __contains__(self, item: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


ANY_PREP = _AnyPrep()


def children_words(tok: Token, art: "ArticleIndex | None" = None) -> set[str]:
    """Words of the dependents ("with" in "met with"); a preposition heading a time expression
    ("on Thursday") does not count."""
    out = set()
    for c in tok.children:
        if c.dep_ in SUBJ:
            continue
        if art is not None and c.dep_ == "prep" and any(art.time_at[g.i] >= 0 for g in c.children if g.dep_ == "pobj"):
            continue
        out.add(c.lemma_.lower())
        out.add(c.lower_)
    return out


def object_tokens(tok: Token, preps: frozenset[str] | set[str] = frozenset()) -> list[Token]:
    """Object-like dependents: direct object, passive subject, attribute, and the objects of
    the prepositions named in `preps` ("go on strike", "take into custody")."""
    out = []
    passive = is_passive(tok)
    for c in tok.children:
        if c.dep_ in OBJ or (passive and c.dep_ in SUBJ_PASS):
            out.append(c)
        elif preps and c.dep_ in ("prep", "dative", "agent", "prt") and c.lower_ in preps:
            out.extend(g for g in c.children if g.dep_ in ("pobj", "pcomp"))
    return out


def with_of(objs: list[Token]) -> list[Token]:
    """Objects plus what they quantify: "70 million dollars of aid", "part of a program"."""
    out = list(objs)
    for o in objs:
        for c in o.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                out.extend(g for g in c.children if g.dep_ == "pobj")
    return out


def has_actor(tok: Token, art: "ArticleIndex") -> bool:
    """Is the token an actor, or modified by one ("his Lebanese counterpart")?"""
    if art.actor(tok) is not None:
        return True
    return any(c.dep_ in ("compound", "amod", "poss", "appos") and art.actor(c) is not None for c in tok.children)


def words_of(tok: Token) -> set[str]:
    words = {tok.lemma_.lower(), tok.lower_}
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod"):
            words.add(c.lemma_.lower())
            words.add(c.lower_)
    return words


def is_passive(tok: Token) -> bool:
    return any(c.dep_ in SUBJ_PASS or c.dep_ == "auxpass" for c in tok.children)


def lemma_forms(tok: Token) -> list[str]:
    """Lemma, then the word itself, then de-inflected guesses: the tagger's lemma is sometimes
    wrong ("staged" -> "stag")."""
    low = tok.lower_
    out = [tok.lemma_.lower(), low]
    if len(low) > 4:
        if low.endswith("ied") or low.endswith("ies"):
            out.append(low[:-3] + "y")
        if low.endswith("ed"):
            out += [low[:-1], low[:-2]]
            if len(low) > 5 and low[-3] == low[-4]:
                out.append(low[:-3])
        elif low.endswith("ing"):
            out += [low[:-3], low[:-3] + "e"]
            if len(low) > 6 and low[-4] == low[-5]:
                out.append(low[:-4])
        elif low.endswith("es"):
            out += [low[:-1], low[:-2]]
        elif low.endswith("s"):
            out.append(low[:-1])
    return out


def lookup(index: dict[str, list[Pattern]], tok: Token) -> tuple[str, list[Pattern]] | None:
    for key in lemma_forms(tok):
        plist = index.get(key)
        if plist:
            return key, plist
    return None


def cue_lemma(tok: Token, art: ArticleIndex) -> str:
    """The lemma used for cue lookups, with the same repair as `lemma_forms`."""
    lemma = tok.lemma_.lower()
    if lemma in art.known:
        return lemma
    for key in lemma_forms(tok)[1:]:
        if key in art.known:
            return key
    return lemma


def subject_tokens(v: Token, lex: Lexicon, seen: int = 0) -> tuple[list[Token], bool]:
    """The subject of `v` (own, or inherited from a controlling / coordinated verb) and
    whether it is a passive subject."""
    for deps, passive in ((SUBJ, False), (SUBJ_PASS, True)):
        # "China, Belarus hold ...": a list written with a comma may come out as two subjects
        subjects = [c for c in v.children if c.dep_ in deps]
        if subjects:
            if subjects[0].lower_ in RELATIVE_PRONOUNS and v.dep_ == "relcl":
                return [v.head], passive
            return subjects, passive
    if seen > 4 or v.head.i == v.i:
        return [], False
    head, dep = v.head, v.dep_
    if dep == "xcomp":
        objs = [c for c in head.children if c.dep_ in OBJECT_CONTROL_DEPS and c.pos_ in ("NOUN", "PROPN", "PRON")]
        if objs:
            return objs, False
        return subject_tokens(head, lex, seen + 1)[0], False
    if dep == "conj" and head.pos_ in VERBAL:
        subj, _ = subject_tokens(head, lex, seen + 1)
        return subj, is_passive(v)
    if dep == "acomp":  # "France is ready to ..."
        return subject_tokens(head, lex, seen + 1)[0], False
    if dep in ("advcl", "pcomp") and head.pos_ in VERBAL:
        return subject_tokens(head, lex, seen + 1)[0], is_passive(v)
    if dep == "pcomp" and head.head.pos_ in VERBAL:  # "after meeting X"
        return subject_tokens(head.head, lex, seen + 1)[0], False
    if dep == "acl" and head.pos_ in ("NOUN", "PROPN"):
        # "troops stationed in X" / "the attack carried out by X"; but a main verb misread as a
        # participle keeps its object or a finite conjunct ("groups donated and delivered aid")
        active = any(ch.dep_ in OBJ or (ch.dep_ == "conj" and ch.tag_ in ("VBD", "VBZ", "VBP"))
                     for ch in v.children)
        return [head], v.tag_ == "VBN" and not active
    return [], False


def subject_of(c: Candidate, art: ArticleIndex) -> tuple[list[Token], bool]:
    """The candidate's subject and whether it is passive, as its participants were read."""
    if c.subject is None:
        c.subject = subject_tokens(c.anchor, art.lex)
    return c.subject


def agent_tokens(v: Token) -> list[Token]:
    return [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]


def clause_of(anchor: Token, include_acl: bool = False) -> frozenset[int]:
    """Token indices of `anchor`'s own clause: its subtree without embedded clauses (cached per
    doc: the date and place of every event look at the clauses above it)."""
    cache = anchor.doc.user_data.setdefault("tidings_clauses", {})
    key = (anchor.i, include_acl)
    found = cache.get(key)
    if found is None:
        found = cache[key] = frozenset(_walk_clause(anchor, include_acl))
    return found


def _walk_clause(anchor: Token, include_acl: bool) -> set[int]:
    out: set[int] = set()
    stack = [anchor]
    while stack:
        t = stack.pop()
        out.add(t.i)
        for ch in t.children:
            if ch.dep_ in CLAUSAL and not (include_acl and ch.dep_ == "acl") and (
                    ch.pos_ in VERBAL or ch.dep_ in ("ccomp", "advcl", "relcl", "xcomp", "parataxis")):
                continue
            if ch.dep_ == "conj" and ch.pos_ in VERBAL and t.i == anchor.i:
                continue
            stack.append(ch)
    return out


def to_infinitive(t: Token) -> bool:
    """'sworn to fight' parsed as a purpose clause: an infinitive without its own subject."""
    return t.dep_ == "advcl" and any(ch.dep_ == "aux" and ch.lower_ == "to" for ch in t.children) and not any(
        ch.dep_ in SUBJ for ch in t.children)
