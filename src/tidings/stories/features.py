"""What story clustering needs of an article, and nothing more.

`StoryFeatures` is small, picklable and JSON-able: it may cross a process or a Dask
worker, and the clusterer never sees a spaCy `Doc`. Three term spaces are kept apart so
the clusterer can weight them apart:

- `head`: the headline and the lead (first content words of the text, and the entities
  resolved in the first sentences) — what the story is about, and all there is for a
  short lead;
- `body`: content-word lemmas of the whole text, counted, and every resolved entity
  (actor names and codes, GeoNames ids of places), counted.

Entity keys carry a prefix (`n:`, `a:`, `p:`) and never meet a word. They are terms of
the two spaces rather than a space of their own: an article has few of them, and the
cosine of two two-key vectors says "same person" far more often than "same story".

Terms of every space go through one light normaliser (`norm_term`) so that a headline's
surface words ("troops", "exercises") meet the lemmas of the text ("troop", "exercise").
"""
from __future__ import annotations

import datetime as _dt
import email.utils
import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from tidings.records import AnnotatedArticle, Article, outlet_identity
from tidings.resources import load_lines, load_tsv

LEAD_TERMS = 40          # content words of the text that count as its lead
LEAD_SENTENCES = 3       # entities resolved in these first sentences count in the lead
LEAD_CHARS = 600         # ... and at most this far into the text
MAX_BODY_TERMS = 300     # distinct body lemmas kept (most frequent first)
MAX_ENTITY_KEYS = 60
_WORD = re.compile(r"\b[^\W\d_]+(?:['’][^\W\d_]+)?\b")
_DATELINE_ENDS = ("-", "–", "—")
_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", re.I)


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """spaCy's English stop words plus `data/stories_stopwords.txt` (news-generic words)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | frozenset(w.strip().lower() for w in load_lines("stories_stopwords.txt"))


def norm_term(word: str) -> str:
    """A light stem shared by headline words and lemmas, so that they meet.

    Lower case, possessive dropped, plural folded, `-ing`/`-ed` and a final `-e` cut, a
    doubled final consonant undone: `troops`, `troop` -> `troop`; `vowing`, `vow` -> `vow`;
    `restored`, `restore` -> `restor`; `capping`, `cap` -> `cap`. It only has to map a
    headline's surface form and a lemma to the same key, not to be a word."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "ys", "as", "os")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = _undouble(w[:-3])
    elif len(w) > 4 and w.endswith("ied"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("ed") and not w.endswith("eed"):
        w = _undouble(w[:-2])
    if len(w) > 3 and w.endswith("e") and not w.endswith("ee"):
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
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
    """A date or datetime as days since 0001-01-01 (fractional with a time, in UTC when it
    carries an offset); None if unknown. ISO first, then the RFC 2822 dates of feeds."""
    if not value:
        return None
    s = str(value).strip()
    try:
        d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        try:
            d = _dt.datetime.combine(_dt.date.fromisoformat(s[:10]), _dt.time())
        except ValueError:
            try:
                d = email.utils.parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                return None
    if isinstance(d, _dt.datetime):
        if d.tzinfo is not None:
            d = d.astimezone(_dt.timezone.utc)
        return d.toordinal() + (d.hour * 60 + d.minute) / 1440.0
    return float(d.toordinal())


@dataclass(slots=True)
class StoryFeatures:
    id: str
    published: str | None = None
    outlet: str | None = None
    title: list[str] = field(default_factory=list)      # normalised headline words
    lead: list[str] = field(default_factory=list)       # normalised first content words of the text
    body: dict[str, int] = field(default_factory=dict)  # normalised lemma -> count
    entities: dict[str, int] = field(default_factory=dict)  # resolved key -> count
    lead_entities: list[str] = field(default_factory=list)  # resolved keys of the lead
    duplicate_of: str | None = None
    vector: list[float] | None = None                   # optional dense embedding of headline + lead
    headline: str | None = None                         # display title for the story record
    headline_only: bool = False                         # a headline feed's record: its title is all its text
    happened: str | None = None                         # the day the lead says its news happened (ISO)
    where: list[str] = field(default_factory=list)      # countries and IGOs the lead names (`lead_parties`)
    opinion: bool = False                               # an opinion or analysis piece (`Article.opinion`)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "StoryFeatures":
        return cls(**{k: d[k] for k in cls.__slots__ if k in d})  # type: ignore[attr-defined]


def _headline(article: Article, first_sentence: str | None) -> str | None:
    if article.title and article.title.strip():
        return article.title.strip()
    first_line = article.text.strip().split("\n", 1)[0].strip()
    if 0 < len(first_line) <= 200 and not first_line.endswith(_DATELINE_ENDS):  # "NAIROBI, April 5 -" is no title
        return first_line
    return first_sentence.strip()[:200] if first_sentence else None


def is_headline_only(article: Article) -> bool:
    """A record of a headline feed: no text but its title (ingest makes the title its text)."""
    text = article.text.strip()
    return not text or (article.title is not None and text == article.title.strip())


def entity_keys(annotated: AnnotatedArticle, before: int | None = None) -> Counter:
    """Resolved entities as keys: `n:` actor names, `a:` actor codes, `p:` GeoNames ids
    (only those starting before character `before`, when given)."""
    keys: Counter = Counter()
    for a in annotated.actors:
        if before is not None and a.start >= before:
            continue
        if a.name:
            keys["n:" + a.name.lower()] += 1
        if a.code and not a.code.startswith("---"):
            keys["a:" + a.code] += 1
    for p in annotated.places:
        if before is not None and p.start >= before:
            continue
        if p.geonameid is not None:
            keys[f"p:{p.geonameid}"] += 1
    return keys


@functools.lru_cache(maxsize=1)
def _iso3_of() -> dict[str, str]:
    return {r["iso2"]: r["iso3"] for r in load_tsv("actors_countries.tsv") if r.get("iso2") and r.get("iso3")}


def lead_parties(annotated: AnnotatedArticle, before: int) -> list[str]:
    """Who and where the lead is about: the ISO-3 countries of its places and actors, and the
    names of the international organisations it names (`IGO:NATO`). One happening has one
    scene: two leads naming disjoint sets are rarely about the same one."""
    out: set[str] = set()
    iso3 = _iso3_of()
    for p in annotated.places:
        if p.start < before and p.country and not p.metonym and p.country.upper() in iso3:
            out.add(iso3[p.country.upper()])
    for a in annotated.actors:
        if a.start >= before or not a.country:
            continue
        if a.country in ("IGO", "NGO"):
            if a.name:
                out.add(f"{a.country}:{a.name.lower()}")
        elif len(a.country) == 3 and a.country.isalpha() and a.country != "---":
            out.add(a.country)
    return sorted(out)


HAPPENED_WITHIN_DAYS = 3  # a day the lead names this far before publication is the news's day


def happened_on(annotated: AnnotatedArticle, before: int) -> str | None:
    """The day the lead says its news happened: the first day it names ("on Friday",
    "March 3") that lies within `HAPPENED_WITHIN_DAYS` before publication; None if it
    names none (the publication date then stands for it). A report two days late about
    Friday's vote is then compared with Friday's reports, not with Sunday's."""
    published = day_number(annotated.article.published)
    if published is None:
        return None
    for t in annotated.times:
        if t.start >= before or t.type not in ("DATE", "TIME") or not t.value or t.end_value:
            continue
        day = day_number(t.value[:10]) if len(t.value) >= 10 and t.value[4] == "-" and t.value[7] == "-" else None
        if day is not None and 0 <= int(published) - day <= HAPPENED_WITHIN_DAYS:
            return t.value[:10]
    return None


def lead_end(annotated: AnnotatedArticle) -> int:
    """Where the lead ends: after the first sentences, and not beyond `LEAD_CHARS`."""
    sents = annotated.sentences[:LEAD_SENTENCES]
    end = sents[-1].end if sents else LEAD_CHARS
    return min(end, LEAD_CHARS)


def make_features(
    article: Article,
    keywords: list[str],
    entities: dict[str, int] | Counter | None = None,
    first_sentence: str | None = None,
    lead_entities: Iterable[str] = (),
) -> StoryFeatures:
    """Features from an article, its content lemmas (in text order), its entity keys and
    those of them found in its lead."""
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
        lead_entities=sorted(set(lead_entities)),
        duplicate_of=article.duplicate_of,
        headline=headline,
        headline_only=is_headline_only(article),
        opinion=bool(getattr(article, "opinion", False)),
    )


def features_of(annotated: AnnotatedArticle, embeddings: bool | None = None) -> StoryFeatures:
    """What the clusterer needs of an annotated article.

    Uses `annotated.keywords` (content lemmas from the annotate pipeline); when a caller
    left them empty the words of the text stand in, so clustering never silently sees
    nothing. `embeddings` (default: `$TIDINGS_EMBEDDINGS`, see `embed.py`) adds the dense
    vector of the headline and lead."""
    article = annotated.article
    keywords = annotated.keywords or content_terms(article.text)
    first = annotated.sentences[0].text if annotated.sentences else None
    end = lead_end(annotated)
    features = make_features(article, keywords, entity_keys(annotated), first, entity_keys(annotated, before=end))
    features.happened = happened_on(annotated, end)
    features.where = lead_parties(annotated, end)
    from tidings.stories.embed import add_vectors, embeddings_wanted

    if embeddings or (embeddings is None and embeddings_wanted()):
        add_vectors([features], [annotated])
    return features
