"""Online story clustering: each arriving article joins the story it tells or starts one.

The approach follows the news-stream clusterers of Miranda et al. (2018) and Staykovski
et al. (2019):

- each article is two sparse TF-IDF vectors (see `features.py`): headline + lead, and
  body; resolved entities (actor names and codes, GeoNames ids) are terms of both. IDF is
  learned online from the document frequencies of the articles seen so far, with a prior
  of unseen documents (so the first articles of an empty store are not all "common"),
  and forgotten with a half-life so memory stays bounded;
- a story is the running sum of its members' normalised vectors (truncated to its top
  terms): a centroid;
- candidate stories come from an inverted index over the top terms of *active* stories
  only, never from a scan of all stories;
- similarity is the weighted mean of the per-space cosines (only over the spaces the
  article has; plus, optionally, a rescaled cosine of sentence embeddings), times a
  Gaussian time decay on the gap between the article's date and the story's date range;
- a story not updated within `window_days` of the stream's newest date is dropped from
  the index (and from the state), so time and memory per article stay flat.

The weights were set by looking at which space separates same-story from other-story
article pairs (headline + lead does best, the body next; entities on their own are short
vectors whose cosine mostly says "same person"), not fitted to a gold set.

`cluster_articles` (the stateless `tidings cluster`) runs the same online pass over the
batch sorted by date, with IDF counted over the whole batch first, then lets each
article move to a better story once all stories are known (`refine` passes).

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
from tidings.stories.embed import embeddings_wanted
from tidings.stories.features import StoryFeatures, day_number, features_of

SPACES = ("head", "body")
STATE_VERSION = 1


@dataclass
class ClusterConfig:
    threshold: float = 0.21            # below this best similarity an article starts a new story
    weights: dict[str, float] = field(default_factory=lambda: {"head": 0.6, "body": 0.4, "dense": 1.0})
    title_boost: int = 2               # a headline word counts this many times in the head space
    entity_boost: int = 0              # extra counts of a resolved entity key over a word
    window_days: float = 7.0           # stories idle this long (in stream time) leave the index
    time_scale_days: float = 2.5       # Gaussian decay of similarity beyond `time_grace_days`
    time_grace_days: float = 1.0       # a day apart is the same news cycle (time zones, late editions)
    idf_prior_docs: float = 50.0       # unseen documents assumed before the first one
    df_half_life: int = 5000           # articles after which document frequencies count half
    centroid_terms: dict[str, int] = field(default_factory=lambda: {"head": 80, "body": 150})
    index_terms: int = 30              # top centroid terms per space that go into the index
    query_terms: int = 20              # top article terms per space used to find candidates
    max_candidates: int = 40           # stories scored in full per article
    refine_candidates: int = 10        # ... and per article and pass in batch refinement
    max_active_stories: int = 50000    # hard bound on active stories (undated streams)
    max_members_kept: int = 500        # member ids a long-running story keeps (for duplicates)
    embeddings: bool = field(default_factory=lambda: embeddings_wanted())  # dense space; $TIDINGS_EMBEDDINGS
    dense_floor: float = 0.4           # dense cosine of unrelated news; rescaled to 0 (MiniLM ~0.2-0.45)

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


def _cos_dense(a: Sequence[float], b: Sequence[float], floor: float = 0.0) -> float:
    """Cosine of two dense vectors, rescaled so that `floor` (what unrelated texts score)
    maps to 0 and 1 stays 1: sentence embeddings never score unrelated news near 0."""
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    cos = dot / (na * nb) if na and nb else 0.0
    return max(0.0, (cos - floor) / (1.0 - floor)) if floor else cos


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
        boost = 1 + self.config.entity_boost
        for k in f.lead_entities:
            head[k] = head.get(k, 0) + boost
        body = dict(f.body)
        for k, c in f.entities.items():
            body[k] = body.get(k, 0) + c * boost
        return {"head": head, "body": body}

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
        return time_decay(self.config, t, story.first, story.last)

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
            total += w.get("dense", 0.0) * _cos_dense(dense, story.dense, self.config.dense_floor)
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
        if len(story.members) > self.config.max_members_kept:
            for old in story.members[: -self.config.max_members_kept]:
                if self._article_story.get(old) == story.id:
                    del self._article_story[old]
            del story.members[: -self.config.max_members_kept]
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
                # rounded in memory as in the JSON state: a resumed run computes the same
                sums[term] = round(sums.get(term, 0.0) + w, 6)
            k = self.config.centroid_terms.get(space, 100)
            if len(sums) > k:
                story.sums[space] = sums = {term: sums[term] for term in _top(sums, k)}
            story.norms[space] = math.sqrt(sum(w * w for w in sums.values()))
        if dense is not None:
            story.dense = [round(x, 5) for x in dense] if story.dense is None else [
                round(a + b, 5) for a, b in zip(story.dense, dense)]
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
            ents = [t for t in _top(s.sums["body"], 60) if t[1:2] == ":"][:20]
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


def time_decay(config: ClusterConfig, t: float | None, first: float | None, last: float | None) -> float:
    """1 within the story's date range (and a grace day around it), then a Gaussian fall."""
    if t is None or first is None or last is None:
        return 1.0
    gap = max(0.0, first - t, t - last) - config.time_grace_days
    if gap <= 0:
        return 1.0
    z = gap / config.time_scale_days
    return math.exp(-0.5 * z * z)


def _iso(day: float | None) -> str | None:
    if day is None:
        return None
    import datetime as _dt

    return _dt.date.fromordinal(int(day)).isoformat()


def cluster_features(
    features: list[StoryFeatures],
    config: ClusterConfig | dict[str, Any] | None = None,
    refine: int = 2,
) -> list[str]:
    """Story ids for a batch of features, in input order.

    The batch is one stream sorted by date (undated articles last, input order among
    equals), and its document frequencies are counted before any assignment, so the
    first articles are weighed with the same IDF as the last. Then, since the whole batch
    is at hand, up to `refine` passes move each article to the story it is closest to once
    all stories are known (an online pass can only compare with what came before)."""
    clusterer = StoryClusterer(config)
    for f in features:
        clusterer.observe(f)
    days = [day_number(f.published) for f in features]
    order = sorted(range(len(features)), key=lambda i: (days[i] is None, days[i] or 0.0, i))
    out: list[str] = [""] * len(features)
    assigned: dict[str, str] = {}
    for i in order:
        f = features[i]
        if f.id in assigned:  # the same article twice in one input
            out[i] = assigned[f.id]
            continue
        out[i] = assigned[f.id] = clusterer.assign(f, observed=True)
    if refine and len(features) > 2:
        out = _refine(clusterer, features, days, order, out, refine)
    return out


def _refine(clusterer: StoryClusterer, features: list[StoryFeatures], days: list[float | None],
            order: list[int], labels: list[str], passes: int) -> list[str]:
    """Batch reassignment (one k-means step per pass, in date order): an article moves to
    the story whose centroid, without it, is more similar to it than its own story's
    centroid without it. Story ids are then re-derived from each story's first article."""
    cfg = clusterer.config
    use_dense = cfg.embeddings
    vecs = [clusterer.vectors(f) for f in features]
    dense = [f.vector if use_dense else None for f in features]
    uniq: dict[str, int] = {}
    for i in order:  # repeated article ids ride along with their first occurrence
        uniq.setdefault(features[i].id, i)
    rank = {i: r for r, i in enumerate(order)}
    items = sorted(set(uniq.values()), key=rank.__getitem__)
    label = {i: labels[i] for i in items}
    members: dict[str, set[int]] = {}
    sums: dict[str, dict[str, dict[str, float]]] = {}
    sqnorm: dict[tuple[str, str], float] = {}  # |centroid sum|^2 per (story, space)
    dsum: dict[str, list[float] | None] = {}
    postings: dict[str, set[str]] = {}

    span: dict[str, tuple[float, float] | None] = {}  # dated range of each story's members

    def respan(sid: str) -> None:
        dated = [days[m] for m in members.get(sid, ()) if days[m] is not None]
        span[sid] = (min(dated), max(dated)) if dated else None

    def in_window(i: int, sid: str) -> bool:
        sp = span.get(sid)
        t = days[i]
        return t is None or sp is None or max(sp[0] - t, t - sp[1]) <= cfg.window_days

    def add(i: int, sid: str, sign: float) -> None:
        sp = sums.setdefault(sid, {s: {} for s in SPACES})
        for space in SPACES:
            d = sp[space]
            v = vecs[i][space]
            dot = sum(w * d.get(t, 0.0) for t, w in v.items())
            sqnorm[sid, space] = sqnorm.get((sid, space), 0.0) + 2 * sign * dot + sum(w * w for w in v.values())
            for t, w in v.items():
                d[t] = d.get(t, 0.0) + sign * w
        if dense[i] is not None:
            cur = dsum.get(sid)
            dsum[sid] = [sign * x for x in dense[i]] if cur is None else [a + sign * b for a, b in zip(cur, dense[i])]
        if sign > 0:
            members.setdefault(sid, set()).add(i)
            for space in SPACES:
                for t in tops[i][space]:
                    postings.setdefault(space[0] + t, set()).add(sid)
        else:
            members[sid].discard(i)
        respan(sid)

    tops = {i: {space: _top(vecs[i][space], cfg.query_terms) for space in SPACES} for i in items}
    for i in items:
        add(i, label[i], 1.0)

    def candidates(i: int, own: str) -> list[str]:
        acc: dict[str, float] = {}
        for space in SPACES:
            q = vecs[i][space]
            w = cfg.weights.get(space, 0.0)
            for t in tops[i][space]:
                for sid in postings.get(space[0] + t, ()):
                    acc[sid] = acc.get(sid, 0.0) + w * q[t]
        ranked = sorted((sid for sid in acc if sid != own and members.get(sid) and in_window(i, sid)),
                        key=lambda sid: (-acc[sid], sid))
        return ranked[: cfg.refine_candidates]

    def score(i: int, sid: str) -> float | None:
        mine = i in members[sid]
        if len(members[sid]) <= (1 if mine else 0):
            return None
        if mine:  # the story's date range without this article
            dated = [days[m] for m in members[sid] if m != i and days[m] is not None]
            sp = (min(dated), max(dated)) if dated else None
        else:
            sp = span.get(sid)
        first, last = sp if sp else (None, None)
        if days[i] is not None and first is not None and max(first - days[i], days[i] - last) > cfg.window_days:
            return None  # outside the window: the online pass could never have joined them
        total = weight = 0.0
        for space in SPACES:
            q = vecs[i][space]
            if not q:
                continue
            weight += cfg.weights.get(space, 0.0)
            c = sums[sid][space]
            dot = sum(qw * c.get(t, 0.0) for t, qw in q.items())
            sqn = sqnorm[sid, space]
            if mine:  # the story without this article
                qq = sum(qw * qw for qw in q.values())
                sqn, dot = sqn - 2 * dot + qq, dot - qq
            if sqn > 1e-9:
                total += cfg.weights.get(space, 0.0) * dot / math.sqrt(sqn)
        if use_dense and dense[i] is not None and dsum.get(sid) is not None:
            d = dsum[sid]
            if mine:
                d = [a - b for a, b in zip(d, dense[i])]
            weight += cfg.weights.get("dense", 0.0)
            total += cfg.weights.get("dense", 0.0) * _cos_dense(dense[i], d, cfg.dense_floor)
        if not weight:
            return 0.0
        return total / weight * time_decay(cfg, days[i], first, last)

    for _ in range(passes):
        moved = 0
        for i in items:
            own = label[i]
            best_sid, best = own, score(i, own)
            if best is None:
                best = cfg.threshold
            for sid in candidates(i, own):
                s = score(i, sid)
                if s is not None and s > best:
                    best_sid, best = sid, s
            if best_sid != own:
                add(i, own, -1.0)
                add(i, best_sid, 1.0)
                label[i] = best_sid
                moved += 1
        if not moved:
            break
    # a story's id is that of its first article (date order), as in the online pass
    rename: dict[str, str] = {}
    for i in items:
        rename.setdefault(label[i], stable_id(features[i].id))
    return [rename[label[uniq[f.id]]] for f in features]


def cluster_articles(annotated: Iterable[AnnotatedArticle], config: ClusterConfig | dict[str, Any] | None = None) -> list[str]:
    """The stateless `tidings cluster` contract: one story id per article, in input order."""
    annotated = list(annotated)
    cfg = config if isinstance(config, ClusterConfig) else ClusterConfig.from_dict(config)
    features = [features_of(a, embeddings=False) for a in annotated]
    if cfg.embeddings:
        from tidings.stories.embed import add_vectors

        add_vectors(features, annotated)  # in batches, faster than one by one
    return cluster_features(features, cfg)
