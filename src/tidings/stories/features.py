"""What story clustering needs of an article, and nothing more.

`StoryFeatures` is small, picklable and JSON-able: it may cross a process or a Dask
worker, and the clusterer never sees a spaCy `Doc`. Three term spaces are kept apart so
the clusterer can weight them apart:

- `head`: the headline and the lead (first content words of the text) — what the story
  is about, and all there is for a short lead;
- `body`: content-word lemmas of the whole text, counted;
- `entities`: resolved keys (actor names and codes, GeoNames ids of places), counted.

Terms of every space go through one light normaliser (`norm_term`) so that a headline's
surface words ("troops", "exercises") meet the lemmas of the text ("troop", "exercise").
"""
from __future__ import annotations

import datetime as _dt
import functools
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from tidings.records import AnnotatedArticle, Article
from tidings.resources import load_lines

LEAD_TERMS = 40          # content words of the text that count as its lead
MAX_BODY_TERMS = 300     # distinct body lemmas kept (most frequent first)
MAX_ENTITY_KEYS = 60
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", re.I)


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """spaCy's English stop words plus `data/stories_stopwords.txt` (news-generic words)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | frozenset(w.strip().lower() for w in load_lines("stories_stopwords.txt"))


def norm_term(word: str) -> str:
    """Lower case, possessive dropped, plural folded (`troops` -> `troop`, `parties` -> `party`)."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ys", "as", "os")):
        return w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """Normalised content words of a text, in order, without spaCy (headlines, benchmarks)."""
    stop = stopwords()
    out = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        if len(w) < 2 or w.lower() in stop:
            continue
        t = norm_term(w)
        if t not in stop:
            out.append(t)
    return out


def day_number(value: str | None) -> float | None:
    """An ISO date or datetime as days since 0001-01-01 (fractional with a time); None if unknown."""
    if not value:
        return None
    s = str(value).strip()
    try:
        d = _dt.date.fromisoformat(s[:10])
    except ValueError:
        return None
    frac = 0.0
    if len(s) >= 16 and s[10] in "T ":
        try:
            frac = (int(s[11:13]) * 60 + int(s[14:16])) / 1440.0
        except ValueError:
            frac = 0.0
    return d.toordinal() + frac


def outlet_identity(article: Article) -> str:
    """Who published an article: its outlet, else its URL's host, else its own id.

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


@dataclass(slots=True)
class StoryFeatures:
    id: str
    published: str | None = None
    outlet: str | None = None
    title: list[str] = field(default_factory=list)      # normalised headline words
    lead: list[str] = field(default_factory=list)       # normalised first content words of the text
    body: dict[str, int] = field(default_factory=dict)  # normalised lemma -> count
    entities: dict[str, int] = field(default_factory=dict)  # resolved key -> count
    duplicate_of: str | None = None
    vector: list[float] | None = None                   # optional dense embedding of headline + lead
    headline: str | None = None                         # display title for the story record

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StoryFeatures":
        return cls(**{k: d[k] for k in cls.__slots__ if k in d})  # type: ignore[attr-defined]


def _headline(article: Article, first_sentence: str | None) -> str | None:
    if article.title and article.title.strip():
        return article.title.strip()
    first_line = article.text.strip().split("\n", 1)[0].strip()
    if 0 < len(first_line) <= 200:
        return first_line
    return first_sentence.strip()[:200] if first_sentence else None


def entity_keys(annotated: AnnotatedArticle) -> Counter:
    """Resolved entities as keys: `n:` actor names, `a:` actor codes, `p:` GeoNames ids."""
    keys: Counter = Counter()
    for a in annotated.actors:
        if a.name:
            keys["n:" + a.name.lower()] += 1
        if a.code and not a.code.startswith("---"):
            keys["a:" + a.code] += 1
    for p in annotated.places:
        if p.geonameid is not None:
            keys[f"p:{p.geonameid}"] += 1
    return keys


def make_features(
    article: Article,
    keywords: list[str],
    entities: dict[str, int] | Counter | None = None,
    first_sentence: str | None = None,
) -> StoryFeatures:
    """Features from an article, its content lemmas (in text order) and its entity keys."""
    stop = stopwords()
    terms = [t for t in (norm_term(k) for k in keywords) if t not in stop and len(t) > 1]
    headline = _headline(article, first_sentence)
    title = content_terms(article.title) if article.title else []
    body = Counter(terms)
    if len(body) > MAX_BODY_TERMS:
        body = Counter(dict(sorted(body.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_BODY_TERMS]))
    ents = Counter(entities or {})
    if len(ents) > MAX_ENTITY_KEYS:
        ents = Counter(dict(sorted(ents.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ENTITY_KEYS]))
    return StoryFeatures(
        id=article.id,
        published=article.published,
        outlet=outlet_identity(article),
        title=title,
        lead=terms[:LEAD_TERMS],
        body=dict(body),
        entities=dict(ents),
        duplicate_of=article.duplicate_of,
        headline=headline,
    )


def features_of(annotated: AnnotatedArticle) -> StoryFeatures:
    """What the clusterer needs of an annotated article.

    Uses `annotated.keywords` (content lemmas from the annotate pipeline); when a caller
    left them empty the words of the text stand in, so clustering never silently sees
    nothing."""
    article = annotated.article
    keywords = annotated.keywords or content_terms(article.text)
    first = annotated.sentences[0].text if annotated.sentences else None
    return make_features(article, keywords, entity_keys(annotated), first)
