"""Finding predicates: which words of a sentence are events, and by which lexicon pattern.

`find_candidates(sent, art, discourse)` looks up verbs ("attacked", "met with"), light verbs
with event nouns ("held talks", "imposed sanctions"), taking part ("took part in the drills"),
aspect verbs whose subject is an event ("the exercises began Monday": the actors come from the
earlier mention of the exercises) and event nouns with actors attached ("Israel's attack on
Gaza"). The most specific pattern wins. Each hit is a `Candidate`; nothing here decides who.
"""
from __future__ import annotations

from spacy.tokens import Token
from spacy.tokens import Span as SpacySpan

from tidings.coding.lexicon import Pattern
from tidings.nlp.syntax import prep_objects
from tidings.coding.context import ArticleIndex, Candidate, Discourse, Group, OBJ, SUBJ, SUBJ_PASS, VERBAL
from tidings.coding.parse import (
    ANY_PREP, children_words, cue_lemma, has_actor, lookup, object_tokens, with_of, words_of,
)


_PARTICIPATION_PREPS = frozenset({"in", "into", "for"})
_CONTENT_NOUN_PREPS = frozenset({"for"})


def _match_verb(tok: Token, art: ArticleIndex) -> tuple[Pattern, list[Token]] | None:
    """The best verb pattern for `tok` and the object tokens its `=` items consumed."""
    found = lookup(art.lex.verbs, tok)
    if not found:
        return None
    key, plist = found
    words: set[str] | None = None
    # "supplied Ukraine with tanks" is "supplied tanks to Ukraine": the with-object is what is given
    given = prep_objects(tok, frozenset({"with"})) if key in art.lex.cue("give_with") and any(
        o.dep_ in OBJ and has_actor(o, art) for o in tok.children) else []
    for p in plist:  # sorted: most specific, then highest priority first
        if p.children or p.objects or p.comps:
            preps = frozenset().union(*p.children) if p.children else frozenset()
            objs = with_of(object_tokens(tok, preps)) + given
            if words is None:
                words = children_words(tok, art)
                for o in object_tokens(tok, ANY_PREP):
                    words |= children_words(o, art)
            if any(not (alt & words) for alt in p.children):
                continue
            used = []
            ok = True
            for alt in p.objects:
                hit = None
                for o in objs:
                    if "@actor" in alt and has_actor(o, art):
                        hit = o
                        break
                    if alt & words_of(o):
                        hit = o
                        break
                if hit is None:
                    ok = False
                    break
                used.append(hit)
            if not ok:
                continue
            if p.comps and not all(any((c.dep_ == "ccomp" and "*" in alt) or
                                       (c.dep_ in ("xcomp", "ccomp") and cue_lemma(c, art) in alt)
                                       for c in tok.children) for alt in p.comps):
                continue
            return p, used
        if "intransitive" in p.flags and any(c.dep_ in OBJ for c in tok.children):
            continue
        return p, []
    return None


def _match_noun(noun: Token, art: ArticleIndex, governor: Token | None = None) -> Pattern | None:
    if noun.pos_ not in ("NOUN", "PROPN"):
        return None
    found = lookup(art.lex.nouns, noun)
    if not found:
        return None
    plist = found[1]
    mods = {w for c in noun.children if c.dep_ in ("amod", "compound", "nmod", "npadvmod")
            for w in (c.lemma_.lower(), c.lower_)}
    words: set[str] | None = None
    for p in plist:
        if any(not (alt & mods) for alt in p.mods):
            continue
        if p.children or p.objects:
            if words is None:
                words = children_words(noun, art) | (children_words(governor, art) if governor is not None else set())
            if any(not (alt & words) for alt in p.children):
                continue
            preps = frozenset().union(*p.children) if p.children else frozenset()
            owords = {w for o in object_tokens(noun, preps) for w in words_of(o)}
            if any(not (alt & owords) for alt in p.objects):
                continue
        return p
    return None


def _event_nouns(tok: Token) -> list[Token]:
    """The noun and its conjuncts ("talks and exercises")."""
    out = [tok]
    out.extend(c for c in tok.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN"))
    return out


def find_candidates(sent: SpacySpan, art: ArticleIndex, state: Discourse) -> list[Candidate]:
    lex = art.lex
    light, aspect, participate = lex.cue("light"), lex.cue("aspect"), lex.cue("participate")
    cands: list[Candidate] = []
    nouns_used: set[int] = set()
    for tok in sent:
        pos = tok.pos_
        if pos in VERBAL or (pos == "ADJ" and tok.dep_ in ("acomp", "ROOT", "conj")):
            if tok.dep_ in ("amod", "compound", "nmod") or (tok.tag_ == "VBN" and tok.dep_ == "acl" and False):
                continue  # "alleged bombers", "mass demonstrations": modifiers, not predicates
            lemma = cue_lemma(tok, art)
            verb = _match_verb(tok, art)
            if pos == "AUX" and verb is None and lemma not in aspect:
                continue
            noun_cand = None
            controls = verb is not None and "content" in verb[0].flags
            # light verbs and taking part: the event noun decides ("held talks", "joined the drills")
            if lemma in light or lemma in participate or controls or (lemma == "take" and "part" in children_words(tok)):
                kind = "participate" if (lemma in participate or lemma == "take") else "light"
                preps = _PARTICIPATION_PREPS if kind == "participate" else (
                    _CONTENT_NOUN_PREPS | frozenset().union(*verb[0].children) if controls else frozenset())
                for o in with_of(object_tokens(tok, preps)):
                    if o.lemma_.lower() == "part":
                        continue
                    for n in _event_nouns(o):
                        np = _match_noun(n, art, tok)
                        if np is not None:
                            noun_cand = Candidate(n, tok, np, np.code, kind, noun=n)
                            break
                    if noun_cand:
                        break
            if noun_cand is None and verb is None and lemma in lex.cue("suffer"):
                noun_cand = _suffered(tok, art)
            if verb is not None:
                vp, used = verb
                if "content" in vp.flags and noun_cand is not None:
                    # "demanded talks", "called for a ceasefire": the noun is the content
                    combined = lex.combine(vp.code, noun_cand.code)
                    c = Candidate(tok, tok, vp, combined or vp.code, "verb")
                    if combined:
                        c.combined_with = noun_cand.pattern.rule
                    nouns_used.add(noun_cand.pred.i)
                    cands.append(c)
                    continue
                if noun_cand is not None and not vp.objects and not vp.comps and vp.priority <= noun_cand.pattern.priority + 2:
                    nouns_used.add(noun_cand.pred.i)
                    cands.append(noun_cand)
                    continue
                for u in used:
                    nouns_used.add(u.i)
                c = Candidate(tok, tok, vp, vp.code, "verb", speech="speech" in vp.flags)
                if used:
                    c.noun = used[0]
                cands.append(c)
                continue
            if noun_cand is not None:
                nouns_used.add(noun_cand.pred.i)
                cands.append(noun_cand)
                continue
            if lemma in participate or (lemma == "take" and "part" in children_words(tok)):
                ante = _recent_event(state, window=1)
                if ante is not None and not object_tokens(tok, _PARTICIPATION_PREPS):
                    # "Chinese troops are taking part": in the exercises just mentioned
                    c = Candidate(tok, tok, _anaphora_pattern(ante, tok), ante.code, "participate")
                    c.antecedent = ante
                    cands.append(c)
                    continue
            if lemma in aspect:
                c = _aspect_candidate(tok, art, state)
                if c is not None:
                    nouns_used.add(c.pred.i)
                    cands.append(c)
    # nominal events: nouns with actors attached, not already the object of a predicate
    for tok in sent:
        if tok.pos_ not in ("NOUN", "PROPN") or tok.i in nouns_used:
            continue
        np = _match_noun(tok, art)
        if np is None or "nominal" not in np.flags:
            continue
        cands.append(Candidate(tok, tok, np, np.code, "nominal", noun=tok))
    return cands


_SUFFER_PREPS = frozenset({"of", "from", "after", "under", "following"})
VIOLENT_ROOTS = frozenset({"17", "18", "19", "20"})


def _suffered(verb: Token, art: ArticleIndex) -> Candidate | None:
    """'The prisoner died of torture', 'suffered beatings', 'died due to torture': a violent
    act the subject suffers (`suffer` cues); the subject is its target (`Candidate.victim`)."""
    objs = object_tokens(verb, _SUFFER_PREPS)
    for ch in verb.children:          # "due to", "owing to": the object hangs on "to"
        if ch.dep_ in ("prep", "amod", "advmod") and ch.lower_ in ("due", "owing"):
            objs += prep_objects(ch, frozenset({"to"}))
            objs += [g for t in ch.children if t.lower_ == "to" for g in t.children if g.dep_ == "pobj"]
    illness = art.lex.cue("illness")
    for o in with_of(objs):
        if any(m.lemma_.lower() in illness for m in o.children if m.dep_ in ("compound", "amod")):
            continue                  # "died of a heart attack"
        np = _match_noun(o, art, verb)
        if np is not None and np.code[:2] in VIOLENT_ROOTS:
            c = Candidate(o, verb, np, np.code, "light", noun=o)
            c.victim = True
            return c
    return None


def _aspect_candidate(verb: Token, art: ArticleIndex, state: Discourse) -> Candidate | None:
    """'The exercises began on Monday', 'They will last eleven days', 'Talks took place in X'."""
    subj = next((c for c in verb.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS), None)
    if subj is None and verb.dep_ == "conj":
        return None  # "began ... and will last": the first conjunct carries the event
    if subj is None:
        return None
    if verb.lemma_.lower() == "take" and "place" not in children_words(verb):
        return None
    np = _match_noun(subj, art, verb)
    if np is not None:
        c = Candidate(subj, verb, np, np.code, "aspect", noun=subj)
        c.antecedent = _antecedent(subj.lemma_.lower(), np.code, state)
        if c.antecedent is not None:
            c.code = c.antecedent.code  # the same happening: keep the code it was first given
        return c
    if subj.lower_ in art.lex.cue("pronoun_plural") | art.lex.cue("pronoun_thing"):
        ante = _recent_event(state)
        if ante is not None:
            c = Candidate(subj, verb, _anaphora_pattern(ante, subj), ante.code, "aspect", noun=subj)
            c.antecedent = ante
            return c
    return None


def _anaphora_pattern(ante: Group, tok: Token) -> Pattern:
    return Pattern(code=ante.code, kind="noun", text=f"{tok.text!r} = the {ante.lemma} of sentence {ante.sent_i + 1}",
                   heads=frozenset(), origin="anaphora")


def _recent_event(state: Discourse, window: int = 2) -> Group | None:
    """The latest nominal event of the previous sentences ("They began on Monday")."""
    if state.last_nominal and state.sent_i - state.last_nominal[-1].sent_i <= window:
        return state.last_nominal[-1]
    return None


def _antecedent(lemma: str, code: str, state: Discourse) -> Group | None:
    found = state.by_noun.get(lemma)
    if found:
        return found[-1]
    for g in reversed(state.last_nominal):
        if g.code[:2] == code[:2]:
            return g
    return None
