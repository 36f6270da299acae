"""Online story clustering: each arriving article joins the story it tells or starts one.

The approach follows the news-stream clusterers of Miranda et al. (2018) and Staykovski
et al. (2019):

- each article is three sparse TF-IDF vectors (headline + lead, body lemmas, resolved
  entities; see `features.py`), IDF learned online from the document frequencies of the
  articles seen so far (with a prior of unseen documents, so the first articles of an
  empty store are not all "common"), forgotten with a half-life so memory stays bounded;
- a story is the running sum of its members' normalised vectors (truncated to its top
  terms): a centroid;
- candidate stories come from an inverted index over the top terms of *active* stories
  only, never from a scan of all stories;
- similarity is the weighted mean of the per-space cosines (only over the spaces the
  article has), times a Gaussian time decay on the gap between the article's date and
  the story's date range;
- a story not updated within `window_days` of the stream's newest date is dropped from
  the index (and from the state), so time and memory per article stay flat.

Near duplicates (`StoryFeatures.duplicate_of`) join their original's story. Story ids are
`records.stable_id` of the founding article id, so they are deterministic. The whole state
is a JSON-able dict (`state()` / `from_state()`), which the store keeps between runs.
"""
from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tidings.records import AnnotatedArticle, Story, stable_id
from tidings.stories.features import StoryFeatures, day_number, features_of

SPACES = ("head", "body", "ent")
STATE_VERSION = 1


@dataclass
class ClusterConfig:
    threshold: float = 0.22            # below this best similarity an article starts a new story
    weights: dict[str, float] = field(default_factory=lambda: {"head": 0.35, "body": 0.35, "ent": 0.30, "dense": 0.5})
    title_boost: int = 2               # a headline word counts this many times in the head space
    window_days: float = 7.0           # stories idle this long (in stream time) leave the index
    time_scale_days: float = 2.5       # Gaussian decay of similarity beyond `time_grace_days`
    time_grace_days: float = 1.0       # a day apart is the same news cycle (time zones, late editions)
    idf_prior_docs: float = 50.0       # unseen documents assumed before the first one
    df_half_life: int = 20000          # articles after which document frequencies count half
    centroid_terms: dict[str, int] = field(default_factory=lambda: {"head": 80, "body": 150, "ent": 60})
    index_terms: int = 30              # top centroid terms per space that go into the index
    query_terms: int = 20              # top article terms per space used to find candidates
    max_candidates: int = 40           # stories scored in full per article
    max_active_stories: int = 50000    # hard bound on active stories (undated streams)
    embeddings: bool = False           # add a dense embedding space (needs tidings[embeddings])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "ClusterConfig":
        d = dict(d or {})
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class _Story:
    __slots__ = ("id", "first", "last", "n", "sums", "norms", "dense", "members", "outlets", "title", "indexed")

    def __init__(self, sid: str):
        self.id = sid
        self.first: float | None = None
        self.last: float | None = None
        self.n = 0
        self.sums: dict[str, dict[str, float]] = {s: {} for s in SPACES}
        self.norms: dict[str, float] = {s: 0.0 for s in SPACES}
        self.dense: list[float] | None = None
        self.members: list[str] = []
        self.outlets: list[str] = []
        self.title: str | None = None
        self.indexed: dict[str, list[str]] = {s: [] for s in SPACES}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "first": self.first, "last": self.last, "n": self.n, "sums": self.sums,
                "dense": self.dense, "members": self.members, "outlets": self.outlets, "title": self.title}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "_Story":
        s = cls(d["id"])
        s.first, s.last, s.n = d.get("first"), d.get("last"), d.get("n", 0)
        s.sums = {sp: dict(d.get("sums", {}).get(sp, {})) for sp in SPACES}
        s.norms = {sp: math.sqrt(sum(w * w for w in s.sums[sp].values())) for sp in SPACES}
        s.dense = d.get("dense")
        s.members = list(d.get("members", []))
        s.outlets = list(d.get("outlets", []))
        s.title = d.get("title")
        return s


def _top(weights: dict[str, float], k: int) -> list[str]:
    if len(weights) <= k:
        return sorted(weights, key=lambda t: (-weights[t], t))
    return [t for t, _ in heapq.nsmallest(k, weights.items(), key=lambda kv: (-kv[1], kv[0]))]


def _cos_dense(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


class StoryClusterer:
    """Online clusterer; `assign(features)` returns the story id of each arriving article."""

    def __init__(self, config: ClusterConfig | dict[str, Any] | None = None):
        self.config = config if isinstance(config, ClusterConfig) else ClusterConfig.from_dict(config)
        self.n_docs = 0.0                                   # decayed document count
        self.seen = 0                                       # articles observed (for the half-life)
        self.df: dict[str, dict[str, float]] = {s: {} for s in SPACES}
        self.now: float | None = None                       # newest article date seen (days)
        self._stories: OrderedDict[str, _Story] = OrderedDict()  # least recently updated first
        self._index: dict[str, dict[str, set[str]]] = {s: {} for s in SPACES}
        self._article_story: dict[str, str] = {}
        self._expiry: list[tuple[float, str]] = []

    # ------------------------------------------------------------------ IDF

    def observe(self, features: StoryFeatures) -> None:
        """Count an article's terms into the document frequencies (once per article)."""
        self.seen += 1
        self.n_docs += 1.0
        for space, terms in self._space_terms(features).items():
            df = self.df[space]
            for t in terms:
                df[t] = df.get(t, 0.0) + 1.0
        if self.config.df_half_life and self.seen % self.config.df_half_life == 0:
            self._halve_df()

    def _halve_df(self) -> None:
        self.n_docs *= 0.5
        for space in SPACES:
            self.df[space] = {t: v * 0.5 for t, v in self.df[space].items() if v * 0.5 >= 0.3}

    def _idf(self, space: str, term: str) -> float:
        n = self.n_docs + self.config.idf_prior_docs
        return math.log((n + 1.0) / (self.df[space].get(term, 0.0) + 1.0))

    def _space_terms(self, f: StoryFeatures) -> dict[str, dict[str, int]]:
        head: dict[str, int] = {}
        for t in f.title:
            head[t] = head.get(t, 0) + self.config.title_boost
        for t in f.lead:
            head[t] = head.get(t, 0) + 1
        return {"head": head, "body": f.body, "ent": f.entities}

    def vectors(self, features: StoryFeatures) -> dict[str, dict[str, float]]:
        """The article's L2-normalised TF-IDF vector per space (sublinear term frequency)."""
        out: dict[str, dict[str, float]] = {}
        for space, counts in self._space_terms(features).items():
            vec = {t: (1.0 + math.log(c)) * self._idf(space, t) for t, c in counts.items() if c > 0}
            vec = {t: w for t, w in vec.items() if w > 0}
            norm = math.sqrt(sum(w * w for w in vec.values()))
            out[space] = {t: w / norm for t, w in vec.items()} if norm else {}
        return out

    # ------------------------------------------------------------------ similarity

    def _time_factor(self, t: float | None, story: _Story) -> float:
        if t is None or story.first is None or story.last is None:
            return 1.0
        gap = max(0.0, story.first - t, t - story.last) - self.config.time_grace_days
        if gap <= 0:
            return 1.0
        z = gap / self.config.time_scale_days
        return math.exp(-0.5 * z * z)

    def similarity(self, vecs: dict[str, dict[str, float]], dense: list[float] | None,
                   story: _Story, t: float | None) -> float:
        """Weighted mean of per-space cosines to the story's centroid, times time decay."""
        w = self.config.weights
        total = weight = 0.0
        for space in SPACES:
            q = vecs[space]
            if not q:
                continue
            weight += w.get(space, 0.0)
            norm = story.norms[space]
            if norm:
                c = story.sums[space]
                total += w.get(space, 0.0) * sum(qw * c.get(term, 0.0) for term, qw in q.items()) / norm
        if self.config.embeddings and dense is not None and story.dense is not None:
            weight += w.get("dense", 0.0)
            total += w.get("dense", 0.0) * _cos_dense(dense, story.dense)
        if not weight:
            return 0.0
        return total / weight * self._time_factor(t, story)

    def _candidates(self, vecs: dict[str, dict[str, float]]) -> list[str]:
        acc: dict[str, float] = {}
        w = self.config.weights
        for space in SPACES:
            q = vecs[space]
            index = self._index[space]
            for term in _top(q, self.config.query_terms):
                for sid in index.get(term, ()):
                    acc[sid] = acc.get(sid, 0.0) + w.get(space, 0.0) * q[term]
        if len(acc) <= self.config.max_candidates:
            return sorted(acc)
        return [sid for sid, _ in heapq.nsmallest(self.config.max_candidates, acc.items(), key=lambda kv: (-kv[1], kv[0]))]

    # ------------------------------------------------------------------ assignment

    def assign(self, features: StoryFeatures, observed: bool = False) -> str:
        """The story of an arriving article: the best active story above the threshold, or a
        new one founded by it. `observed=True` when `observe` already counted it."""
        known = self._article_story.get(features.id)
        if known is not None:
            return known
        if not observed:
            self.observe(features)
        t = day_number(features.published)
        if t is not None and (self.now is None or t > self.now):
            self.now = t
            self._expire()
        vecs = self.vectors(features)
        dense = features.vector if self.config.embeddings else None
        story = None
        if features.duplicate_of and features.duplicate_of in self._article_story:
            story = self._stories.get(self._article_story[features.duplicate_of])
        if story is None:
            best, best_sim = None, self.config.threshold
            for sid in self._candidates(vecs):
                cand = self._stories[sid]
                sim = self.similarity(vecs, dense, cand, t)
                if sim > best_sim or (sim == best_sim and best is not None and sid < best.id):
                    best, best_sim = cand, sim
            story = best
        if story is None:
            story = _Story(stable_id(features.id))
            story.title = features.headline
            self._stories[story.id] = story
        self._add(story, features, vecs, dense, t)
        return story.id

    def _add(self, story: _Story, f: StoryFeatures, vecs: dict[str, dict[str, float]],
             dense: list[float] | None, t: float | None) -> None:
        story.n += 1
        story.members.append(f.id)
        if f.outlet and f.outlet not in story.outlets:
            story.outlets.append(f.outlet)
        if story.title is None and f.headline:
            story.title = f.headline
        if t is None:
            t = self.now  # an undated article keeps its story alive as of the stream's newest date
        else:
            story.first = t if story.first is None else min(story.first, t)
        if t is not None:
            story.last = t if story.last is None else max(story.last, t)
            heapq.heappush(self._expiry, (story.last, story.id))
        for space in SPACES:
            sums = story.sums[space]
            for term, w in vecs[space].items():
                sums[term] = sums.get(term, 0.0) + w
            k = self.config.centroid_terms.get(space, 100)
            if len(sums) > k:
                story.sums[space] = sums = {term: sums[term] for term in _top(sums, k)}
            story.norms[space] = math.sqrt(sum(w * w for w in sums.values()))
        if dense is not None:
            story.dense = list(dense) if story.dense is None else [a + b for a, b in zip(story.dense, dense)]
        self._reindex(story)
        self._article_story[f.id] = story.id
        self._stories.move_to_end(story.id)
        while len(self._stories) > self.config.max_active_stories:
            self._drop(next(iter(self._stories)))

    def _reindex(self, story: _Story) -> None:
        for space in SPACES:
            index = self._index[space]
            new = _top(story.sums[space], self.config.index_terms)
            old = story.indexed[space]
            if new == old:
                continue
            new_set, old_set = set(new), set(old)
            for term in old_set - new_set:
                posting = index.get(term)
                if posting is not None:
                    posting.discard(story.id)
                    if not posting:
                        del index[term]
            for term in new_set - old_set:
                index.setdefault(term, set()).add(story.id)
            story.indexed[space] = new

    def _drop(self, sid: str) -> None:
        story = self._stories.pop(sid, None)
        if story is None:
            return
        for space in SPACES:
            index = self._index[space]
            for term in story.indexed[space]:
                posting = index.get(term)
                if posting is not None:
                    posting.discard(sid)
                    if not posting:
                        del index[term]
        for a in story.members:
            if self._article_story.get(a) == sid:
                del self._article_story[a]

    def _expire(self) -> None:
        """Drop stories idle for longer than the window, as of the newest date seen."""
        if self.now is None:
            return
        horizon = self.now - self.config.window_days
        while self._expiry and self._expiry[0][0] < horizon:
            last, sid = heapq.heappop(self._expiry)
            story = self._stories.get(sid)
            if story is not None and story.last is not None and story.last < horizon:
                self._drop(sid)

    # ------------------------------------------------------------------ inspection and state

    def story_of(self, article_id: str) -> str | None:
        """The story an article joined, while that story is active."""
        return self._article_story.get(article_id)

    def __len__(self) -> int:
        return len(self._stories)

    def stories(self) -> list[Story]:
        """Active stories as records: members, outlets, date range, main actors and places."""
        out = []
        for s in self._stories.values():
            ents = _top(s.sums["ent"], 20)
            out.append(Story(
                id=s.id, title=s.title, articles=list(s.members), outlets=list(s.outlets),
                first_seen=_iso(s.first), last_seen=_iso(s.last),
                actors=[e[2:] for e in ents if e.startswith(("a:", "n:"))][:8],
                places=[e[2:] for e in ents if e.startswith("p:")][:5],
            ))
        return out

    def state(self) -> dict[str, Any]:
        """Everything needed to resume, as plain JSON types (only active stories are kept)."""
        return {
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "n_docs": self.n_docs,
            "seen": self.seen,
            "now": self.now,
            "df": self.df,
            "stories": [s.to_dict() for s in self._stories.values()],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], config: ClusterConfig | dict[str, Any] | None = None) -> "StoryClusterer":
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"story clusterer state version {state.get('version')!r}, expected {STATE_VERSION}")
        self = cls(config if config is not None else state.get("config"))
        self.n_docs = float(state.get("n_docs", 0.0))
        self.seen = int(state.get("seen", 0))
        self.now = state.get("now")
        self.df = {s: dict(state.get("df", {}).get(s, {})) for s in SPACES}
        for d in state.get("stories", []):
            story = _Story.from_dict(d)
            self._stories[story.id] = story
            self._reindex(story)
            for a in story.members:
                self._article_story[a] = story.id
            if story.last is not None:
                heapq.heappush(self._expiry, (story.last, story.id))
        return self


def _iso(day: float | None) -> str | None:
    if day is None:
        return None
    import datetime as _dt

    return _dt.date.fromordinal(int(day)).isoformat()


def cluster_features(features: list[StoryFeatures], config: ClusterConfig | dict[str, Any] | None = None) -> list[str]:
    """Story ids for a batch of features, in input order.

    The batch is one stream sorted by date (undated articles last, input order among
    equals), and its document frequencies are counted before any assignment, so the
    first articles are weighed with the same IDF as the last."""
    clusterer = StoryClusterer(config)
    for f in features:
        clusterer.observe(f)
    order = sorted(range(len(features)), key=lambda i: (day_number(features[i].published) is None,
                                                         day_number(features[i].published) or 0.0, i))
    out: list[str] = [""] * len(features)
    assigned: dict[str, str] = {}
    for i in order:
        f = features[i]
        if f.id in assigned:  # the same article twice in one input
            out[i] = assigned[f.id]
            continue
        out[i] = assigned[f.id] = clusterer.assign(f, observed=True)
    return out


def cluster_articles(annotated: Iterable[AnnotatedArticle], config: ClusterConfig | dict[str, Any] | None = None) -> list[str]:
    """The stateless `tidings cluster` contract: one story id per article, in input order."""
    annotated = list(annotated)
    cfg = config if isinstance(config, ClusterConfig) else ClusterConfig.from_dict(config)
    features = [features_of(a) for a in annotated]
    if cfg.embeddings:
        from tidings.stories.embed import add_vectors

        add_vectors(features, annotated)
    return cluster_features(features, cfg)
