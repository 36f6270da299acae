"""The records every stage shares: plain, typed dataclasses and nothing else.

A stage takes records and returns records. All offsets are character offsets into
`Article.text` (the cleaned text), end exclusive. Dates are ISO strings (`2024-07-08`)
or TimeML values where a layer keeps granularity (`2024-06`, `2024-W27`).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_SPACE = re.compile(r"\s+")
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", re.I)


def normalise_text(text: str) -> str:
    """The form an article's identity is computed on: NFC, case-folded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_id(text: str) -> str:
    """Stable article id: the same text from two files or two runs is one article."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:16]


def stable_id(*parts: object) -> str:
    """A short deterministic id from any parts (for events, stories, sources)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass
class Article:
    """One news article as ingest makes it: cleaned text plus what we know of its origin."""

    id: str
    text: str
    url: str | None = None          # the path or URL it came from
    outlet: str | None = None
    title: str | None = None
    published: str | None = None    # ISO date (or datetime) of publication, if known
    lang: str = "en"
    author: str | None = None
    sources: list[str] = field(default_factory=list)  # every path/URL this exact text came from
    duplicate_of: str | None = None  # id of the original when this is a near duplicate
    external_id: str | None = None   # the id a JSON Lines input gave it
    opinion: bool = False            # an opinion, editorial, column or analysis piece, not a report

    @classmethod
    def from_text(cls, text: str, **meta: Any) -> "Article":
        return cls(id=content_id(text), text=text, **meta)


def outlet_identity(article: Article) -> str:
    """Who published an article: its outlet, else its URL's host, else its own id.

    The one definition of an outlet: story listings and fused events count outlets with it.
    Two articles of unknown outlet thus count as two outlets, never as one."""
    if article.outlet and article.outlet.strip():
        return article.outlet.strip()
    for url in [article.url, *article.sources]:
        if url:
            m = _URL_HOST.match(url)
            if m:
                host = m.group(1).lower()
                return host[4:] if host.startswith("www.") else host
    return f"article:{article.id}"


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class TimeRef:
    """A time expression resolved to a TimeML value, anchored on the publication date."""

    start: int
    end: int
    text: str
    type: str                        # DATE, TIME, DURATION, SET
    value: str | None                # TimeML value: 2024-07-08, 2024-W27, P11D, PRESENT_REF ...
    end_value: str | None = None     # end of a range ("from Saturday to Monday")
    anchor: str | None = None        # the date the value was computed from, if relative


@dataclass
class Place:
    """A toponym resolved to a GeoNames entry."""

    start: int
    end: int
    text: str
    geonameid: int | None
    name: str | None = None
    country: str | None = None       # ISO-3166 alpha-2
    lat: float | None = None
    lon: float | None = None
    feature: str | None = None       # city, country, admin1, region, continent ...
    metonym: bool = False            # "Minsk is allied with Moscow": an actor, not a location
    # A street, building or venue has no GeoNames entry of its own: it takes the point (and
    # country) of the town it is in, and this names that town as written in the text
    # ("Memphis St., Alexandria" -> "Alexandria"); None for a place with its own entry.
    resolved_from: str | None = None


@dataclass
class ActorRef:
    """A mention of an actor resolved to a CAMEO-style code (country + sectors)."""

    start: int
    end: int
    text: str
    code: str                        # e.g. BLRMIL, CHNGOV, IGO, ---
    country: str | None = None       # ISO-3166 alpha-3, or IGO / NGO
    sector: str | None = None        # GOV, MIL, ... (first sector)
    kind: str = "group"              # person, country, org, igo, group
    name: str | None = None          # canonical name (person, IGO, organisation)
    role: str | None = None          # "Foreign Minister", "President" ...
    # Where the country came from: "text" (said in the mention: "Latvian police"), "lexicon"
    # (looked up: a known office holder, organisation or people), "located" (a place attached
    # to the mention: "rebels in Chad"), "context" (the one country its sentence names); None
    # when there is no country.
    country_from: str | None = None


@dataclass
class Attribution:
    """Who says so: a speaker, the cue that marks the report, and the claim's span."""

    start: int                       # span of the whole attributed sentence/clause
    end: int
    speaker: str
    speaker_code: str | None = None
    cue: str | None = None           # said, according to, reported ...
    speaker_start: int | None = None
    speaker_end: int | None = None
    claim_start: int | None = None
    claim_end: int | None = None


@dataclass
class EventMention:
    """One coded event as read from one sentence of one article, with its evidence."""

    article: str
    start: int                       # the sentence span
    end: int
    source: str | None               # actor code, None when unknown
    target: str | None
    code: str                        # CAMEO code, 2-4 digits
    plover: str | None = None
    goldstein: float | None = None
    quad_class: int | None = None
    date: str | None = None
    date_end: str | None = None
    date_source: str | None = None   # clause, sentence, published
    place: Place | None = None
    attributed_to: str | None = None
    negated: bool = False
    modality: str = "asserted"       # asserted, planned, hypothetical
    source_span: Span | None = None
    target_span: Span | None = None
    predicate_span: Span | None = None
    rule: str | None = None          # the lexicon entry that fired
    outlet: str | None = None
    id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)   # numbers told: {"killed": 45, "troops": 1000}


@dataclass
class Conflict:
    field: str
    values: list[dict[str, Any]]     # [{"value": ..., "outlets": [...], "articles": [...]}]


@dataclass
class Event:
    """A happening fused from every mention of it in one story."""

    id: str
    story: str | None
    source: str | None
    target: str | None
    code: str
    plover: str | None
    goldstein: float | None
    quad_class: int | None
    date: str | None
    date_end: str | None
    place: Place | None
    attributed_to: str | None
    negated: bool
    modality: str
    mentions: list[EventMention] = field(default_factory=list)
    outlets: int = 0
    outlet_names: list[str] = field(default_factory=list)
    syndicated: bool = False
    first_seen: str | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)   # numbers told, the best supported
    # finer codes of the same act, with who gave them: [{"field", "value", "outlets", "refines": [...]}]
    refinements: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Story:
    """An event story: the articles about one happening; `thread` groups the event stories
    of one developing topic over days or weeks."""

    id: str
    title: str | None
    articles: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    actors: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    n_events: int = 0                # fused events of the story
    thread: str | None = None


@dataclass
class AnnotatedArticle:
    """An article with every annotate and code layer; what `tidings annotate` prints."""

    article: Article
    sentences: list[Span] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    actors: list[ActorRef] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    events: list[EventMention] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)  # content-word lemmas, for story clustering


_SCALARS = (str, int, float, bool, type(None))


def to_dict(record: Any) -> Any:
    """Records (and lists of them) as plain JSON-ready dicts."""
    if isinstance(record, _SCALARS):  # most values: checked first, this runs for every stored layer item
        return record
    if isinstance(record, list):
        return [to_dict(r) for r in record]
    if isinstance(record, dict):
        return {k: to_dict(v) for k, v in record.items()}
    names = _field_names(type(record))
    if names is not None:
        return {name: to_dict(getattr(record, name)) for name in names}
    return record


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
