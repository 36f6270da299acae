"""Online story clustering at two levels: event stories, and threads of event stories.

**Event stories** hold the articles about one happening. An arriving article joins a story
only when it agrees with most of the story's members, not with a centroid alone:

- each article is two sparse TF-IDF vectors (`weights.py`), plus optionally a dense
  sentence embedding (`embed.py`);
- candidate stories come from an inverted index over the top terms of *active* stories'
  centroids (`similarity.CentroidIndex`), and the best `link_candidates` of them by
  centroid similarity are scored member by member;
- a pair of articles scores the weighted mean of their per-space cosines, less
  `penalty_per_day` for each day between their dates beyond `grace_days`, and less
  `opinion_margin` when either is an opinion or analysis piece (they share a theme more
  often than an event);
- a story's score is the mean of the best `quorum` share of its kept members' pair
  scores: the article must agree with most of them. A story keeps its first
  `founders_kept` and last `recent_kept` members, so the state stays small and a story
  cannot drift away from the happening that founded it one day at a time;
- the article joins the best story scoring at least `threshold`, or founds a new one.

**Threads** group event stories of one developing topic (`threads.py`): a new story joins
the thread its first article is closest to, with a looser threshold and a gentler penalty
per day; every article added to a story is added to its thread.

A story idle for `window_days` of stream time leaves the index and the state, a thread
idle for `thread_window_days` likewise, so time and memory per article stay flat. Near
duplicates (`StoryFeatures.duplicate_of`) join their original's story. Story ids are
`records.stable_id` of the founding article id, thread ids that of ("thread", the
founding article id): both deterministic. The whole state is a JSON-able dict
(`state()` / `from_state()`), which the store keeps between runs.

How the thresholds were set is in `docs/output.md` ("How stories are made").
"""
from __future__ import annotations

import heapq
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tidings.records import Story, stable_id
from tidings.stories.embed import embeddings_wanted
from tidings.stories.features import StoryFeatures, day_number
from tidings.stories.similarity import CentroidIndex, gap_penalty, top_terms, truncated, weighted_cosine
from tidings.stories.threads import ThreadLinker, thread_id
from tidings.stories.weights import SPACES, TermWeights, Vectors

STATE_VERSION = 2


@dataclass
class ClusterConfig:
    # event stories
    threshold: float = 0.125           # a story's score must reach this for an article to join it
    quorum: float = 1.0                # share of a story's kept members whose pair scores are averaged (1: all)
    grace_days: float = 1.5            # this far apart is the same news cycle (time zones, late editions)
    penalty_per_day: float = 0.10      # subtracted from a pair's similarity per day of gap beyond the grace
    opinion_margin: float = 0.25       # subtracted when either article of a pair is opinion or analysis
    scene_margin: float = 0.2          # subtracted when two leads name disjoint countries and IGOs
    founders_kept: int = 3             # first members a story compares with, always
    recent_kept: int = 6               # ... and its latest members
    window_days: float = 7.0           # stories idle this long (in stream time) leave the index
    link_candidates: int = 6           # stories scored member by member per article
    # threads of event stories
    thread_threshold: float = 0.2      # a new story joins the best thread scoring at least this
    thread_grace_days: float = 2.0
    thread_penalty_per_day: float = 0.0  # none measured best: `thread_window_days` bounds a thread
    thread_window_days: float = 21.0   # threads idle this long leave the index
    # term weights and similarity
    weights: dict[str, float] = field(default_factory=lambda: {"head": 0.6, "body": 0.4, "dense": 0.25})
    title_boost: int = 2               # a headline word counts this many times in the head space
    entity_boost: int = 0              # extra counts of a resolved entity key over a word
    idf_prior_docs: float = 50.0       # unseen documents assumed before the first one
    df_half_life: int = 5000           # articles after which document frequencies count half
    member_terms: dict[str, int] = field(default_factory=lambda: {"head": 40, "body": 150})
    centroid_terms: dict[str, int] = field(default_factory=lambda: {"head": 80, "body": 150})
    index_terms: int = 30              # top centroid terms per space that go into the index
    query_terms: int = 20              # top article terms per space used to find candidates
    max_candidates: int = 40           # candidates ranked by centroid similarity per article
    max_active_stories: int = 50000    # hard bound on active stories (undated streams)
    max_members_kept: int = 500        # member ids a long-running story keeps (for duplicates)
    embeddings: bool = field(default_factory=lambda: embeddings_wanted())  # dense space; $TIDINGS_EMBEDDINGS
    dense_floor: float = 0.5           # dense cosine rescaled to 0 here: MiniLM rates unrelated news up to ~0.45

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "ClusterConfig":
        d = dict(d or {})
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def term_weights(self) -> TermWeights:
        return TermWeights(self.title_boost, self.entity_boost, self.idf_prior_docs, self.df_half_life)


class Member:
    """What a story keeps of one member article: small truncated vectors and its date."""

    __slots__ = ("id", "t", "vecs", "dense", "opinion", "where")

    def __init__(self, id: str, t: float | None, vecs: Vectors, dense: list[float] | None, opinion: bool,
                 where: frozenset[str] = frozenset()):
        self.id, self.t, self.vecs, self.dense, self.opinion, self.where = id, t, vecs, dense, opinion, where

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "t": self.t, "head": self.vecs["head"], "body": self.vecs["body"],
                "dense": self.dense, "opinion": self.opinion, "where": sorted(self.where)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Member":
        return cls(d["id"], d.get("t"), {"head": d.get("head") or {}, "body": d.get("body") or {}},
                   d.get("dense"), bool(d.get("opinion")), frozenset(d.get("where") or ()))


def pair_score(config: ClusterConfig, a: Member, b: Member) -> float:
    """How much two articles look like one happening: their similarity, less what the gap
    between their dates costs and the opinion margin."""
    dense = config.embeddings and a.dense is not None and b.dense is not None
    s = weighted_cosine(config.weights, a.vecs, b.vecs, None, a.dense if dense else None,
                        b.dense if dense else None, config.dense_floor)
    s -= gap_penalty(a.t, b.t, b.t, config.grace_days, config.penalty_per_day)
    if a.opinion or b.opinion:
        s -= config.opinion_margin
    if a.where and b.where and a.where.isdisjoint(b.where):
        s -= config.scene_margin
    return s


def agreement(config: ClusterConfig, scores: Sequence[float]) -> float:
    """The mean of the best `quorum` share of pair scores: high only when most agree."""
    if not scores:
        return 0.0
    k = max(1, math.ceil(config.quorum * len(scores) - 1e-9))
    best = heapq.nlargest(k, scores)
    return sum(best) / k


class _Story:
    __slots__ = ("id", "thread", "first", "last", "n", "founders", "recent", "members", "outlets", "title")

    def __init__(self, sid: str, thread: str):
        self.id = sid
        self.thread = thread
        self.first: float | None = None
        self.last: float | None = None
        self.n = 0
        self.founders: list[Member] = []
        self.recent: list[Member] = []
        self.members: list[str] = []
        self.outlets: list[str] = []
        self.title: str | None = None

    def kept(self) -> list[Member]:
        return self.founders + self.recent

    def to_dict(self, index: CentroidIndex) -> dict[str, Any]:
        return {"id": self.id, "thread": self.thread, "first": self.first, "last": self.last, "n": self.n,
                "founders": [m.to_dict() for m in self.founders], "recent": [m.to_dict() for m in self.recent],
                "members": self.members, "outlets": self.outlets, "title": self.title,
                "sums": index.sums[self.id], "dense": index.dense.get(self.id)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "_Story":
        s = cls(d["id"], d.get("thread") or thread_id(d["id"]))
        s.first, s.last, s.n = d.get("first"), d.get("last"), d.get("n", 0)
        s.founders = [Member.from_dict(m) for m in d.get("founders", [])]
        s.recent = [Member.from_dict(m) for m in d.get("recent", [])]
        s.members = list(d.get("members", []))
        s.outlets = list(d.get("outlets", []))
        s.title = d.get("title")
        return s


class StoryClusterer:
    """Online clusterer; `assign(features)` returns the event story of each arriving article
    and `thread_of(story)` the thread that story belongs to."""

    def __init__(self, config: ClusterConfig | dict[str, Any] | None = None):
        self.config = config if isinstance(config, ClusterConfig) else ClusterConfig.from_dict(config)
        self.weights = self.config.term_weights()
        self.now: float | None = None                       # newest article date seen (days)
        self._stories: OrderedDict[str, _Story] = OrderedDict()  # least recently updated first
        self._index = CentroidIndex(self.config.centroid_terms, self.config.index_terms)
        self.threads = ThreadLinker(self.config)
        self._article_story: dict[str, str] = {}
        self._expiry: list[tuple[float, str]] = []

    # ------------------------------------------------------------------ term weights

    def observe(self, features: StoryFeatures) -> None:
        """Count an article's terms into the document frequencies (once per article)."""
        self.weights.observe(features)

    def vectors(self, features: StoryFeatures) -> Vectors:
        return self.weights.vectors(features)

    def member(self, features: StoryFeatures, vecs: Vectors | None = None) -> Member:
        """The article as a story keeps it: its vectors cut to `member_terms` per space."""
        vecs = vecs if vecs is not None else self.vectors(features)
        cut = {s: truncated(vecs[s], self.config.member_terms.get(s, 50)) for s in SPACES}
        dense = [round(x, 5) for x in features.vector] if self.config.embeddings and features.vector else None
        t = day_number(features.happened or features.published)
        return Member(features.id, t, cut, dense, features.opinion, frozenset(features.where))

    # ------------------------------------------------------------------ assignment

    def story_score(self, article: Member, story: _Story) -> float:
        return agreement(self.config, [pair_score(self.config, article, m) for m in story.kept()])

    def _best_story(self, vecs: Vectors, article: Member) -> _Story | None:
        cfg = self.config
        ranked = []
        for sid in self._index.candidates(vecs, cfg.weights, cfg.query_terms, cfg.max_candidates):
            story = self._stories[sid]
            centroid = self._index.similarity(sid, cfg.weights, vecs, article.dense, cfg.dense_floor)
            centroid -= gap_penalty(article.t, story.first, story.last, cfg.grace_days, cfg.penalty_per_day)
            ranked.append((-centroid, sid))
        best, best_score = None, cfg.threshold
        for _, sid in heapq.nsmallest(cfg.link_candidates, ranked):
            story = self._stories[sid]
            score = self.story_score(article, story)
            if score > best_score or (score == best_score and best is not None and sid < best.id):
                best, best_score = story, score
        return best

    def assign(self, features: StoryFeatures, observed: bool = False) -> str:
        """The story of an arriving article: the best active story it agrees with, or a new
        one founded by it. `observed=True` when `observe` already counted it."""
        known = self._article_story.get(features.id)
        if known is not None:
            return known
        if not observed:
            self.observe(features)
        t = day_number(features.published)
        if t is not None and (self.now is None or t > self.now):
            self.now = t
            self._expire()
            self.threads.expire(self.now)
        article = self.member(features)
        vecs = article.vecs  # its heaviest terms stand for it everywhere: cheaper, and as good
        story = None
        if features.duplicate_of and features.duplicate_of in self._article_story:
            story = self._stories.get(self._article_story[features.duplicate_of])
        if story is None:
            story = self._best_story(vecs, article)
        new = story is None
        if story is None:
            dense = article.dense
            thread = self.threads.link(vecs, dense, t) or thread_id(features.id)
            story = _Story(stable_id(features.id), thread)
            story.title = features.headline
            self._stories[story.id] = story
        self._add(story, features, vecs, article)
        self.threads.add(story.thread, vecs, article.dense, t, new_story=new)
        return story.id

    def thread_of(self, story_id: str) -> str | None:
        """The thread of an active story."""
        story = self._stories.get(story_id)
        return story.thread if story is not None else None

    def _add(self, story: _Story, f: StoryFeatures, vecs: Vectors, article: Member) -> None:
        cfg = self.config
        story.n += 1
        story.members.append(f.id)
        if len(story.members) > cfg.max_members_kept:
            for old in story.members[: -cfg.max_members_kept]:
                if self._article_story.get(old) == story.id:
                    del self._article_story[old]
            del story.members[: -cfg.max_members_kept]
        if len(story.founders) < cfg.founders_kept:
            story.founders.append(article)
        else:
            story.recent.append(article)
            del story.recent[: -cfg.recent_kept]
        if f.outlet and f.outlet not in story.outlets:
            story.outlets.append(f.outlet)
        if story.title is None and f.headline:
            story.title = f.headline
        t = article.t
        if t is None:
            t = self.now  # an undated article keeps its story alive as of the stream's newest date
        else:
            story.first = t if story.first is None else min(story.first, t)
        if t is not None:
            story.last = t if story.last is None else max(story.last, t)
            heapq.heappush(self._expiry, (story.last, story.id))
        self._index.add(story.id, vecs, article.dense)
        self._article_story[f.id] = story.id
        self._stories.move_to_end(story.id)
        while len(self._stories) > cfg.max_active_stories:
            self._drop(next(iter(self._stories)))

    def _drop(self, sid: str) -> None:
        story = self._stories.pop(sid, None)
        if story is None:
            return
        self._index.drop(sid)
        for a in story.members:
            if self._article_story.get(a) == sid:
                del self._article_story[a]

    def _expire(self) -> None:
        """Drop stories idle for longer than the window, as of the newest date seen."""
        if self.now is None:
            return
        horizon = self.now - self.config.window_days
        while self._expiry and self._expiry[0][0] < horizon:
            _, sid = heapq.heappop(self._expiry)
            story = self._stories.get(sid)
            if story is not None and story.last is not None and story.last < horizon:
                self._drop(sid)

    # ------------------------------------------------------------------ inspection and state

    def story_of(self, article_id: str) -> str | None:
        """The story an article joined, while that story is active."""
        return self._article_story.get(article_id)

    def __len__(self) -> int:
        return len(self._stories)

    def index_size(self) -> int:
        """Postings in the story and thread indexes (for benchmarks)."""
        return self._index.postings_size() + self.threads.index.postings_size()

    def stories(self) -> list[Story]:
        """Active stories as records: members, outlets, date range, thread, main actors and places."""
        out = []
        for s in self._stories.values():
            ents = [t for t in top_terms(self._index.sums[s.id]["body"], 60) if t[1:2] == ":"][:20]
            out.append(Story(
                id=s.id, title=s.title, articles=list(s.members), outlets=list(s.outlets),
                first_seen=_iso(s.first), last_seen=_iso(s.last),
                actors=[e[2:] for e in ents if e.startswith(("a:", "n:"))][:8],
                places=[e[2:] for e in ents if e.startswith("p:")][:5],
                thread=s.thread,
            ))
        return out

    def state(self) -> dict[str, Any]:
        """Everything needed to resume, as plain JSON types (only active stories and threads)."""
        return {
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "weights": self.weights.state(),
            "now": self.now,
            "stories": [s.to_dict(self._index) for s in self._stories.values()],
            "threads": self.threads.state(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], config: ClusterConfig | dict[str, Any] | None = None) -> "StoryClusterer":
        version = state.get("version")
        if version == 1:
            state = upgrade_state_v1(state)
        elif version != STATE_VERSION:
            raise ValueError(f"story clusterer state version {version!r}, expected {STATE_VERSION}")
        self = cls(config if config is not None else state.get("config"))
        self.weights.load(state.get("weights", {}))
        self.now = state.get("now")
        for d in state.get("stories", []):
            story = _Story.from_dict(d)
            self._stories[story.id] = story
            self._index.load(story.id, d.get("sums", {}), d.get("dense"))
            for a in story.members:
                self._article_story[a] = story.id
            if story.last is not None:
                heapq.heappush(self._expiry, (story.last, story.id))
        self.threads.load(state.get("threads", []))
        return self


def upgrade_state_v1(state: dict[str, Any]) -> dict[str, Any]:
    """A version 1 state (centroids only) as version 2: each active story keeps its centroid
    as its one founding member and becomes a thread of its own, as stored articles do when
    the store migrates (`thread` = `story`)."""
    # what version 1 tuned for centroids gives way to this version's defaults
    config = {k: v for k, v in (state.get("config") or {}).items()
              if k not in ("threshold", "time_scale_days", "time_grace_days", "refine_candidates", "weights",
                           "dense_floor")}
    member_terms = ClusterConfig.from_dict(config).member_terms
    stories, threads = [], []
    for d in state.get("stories", []):
        sums = {s: dict((d.get("sums") or {}).get(s, {})) for s in SPACES}
        founder = {"id": f"{d['id']}:centroid", "t": d.get("last"), "dense": None, "opinion": False,
                   **{s: truncated(sums[s], member_terms.get(s, 50)) for s in SPACES}}
        stories.append({**d, "thread": d["id"], "founders": [founder], "recent": [], "sums": sums})
        threads.append({"id": d["id"], "first": d.get("first"), "last": d.get("last"), "stories": 1,
                        "sums": sums, "dense": d.get("dense")})
    return {"version": STATE_VERSION, "config": config, "now": state.get("now"),
            "weights": {"n_docs": state.get("n_docs", 0.0), "seen": state.get("seen", 0), "df": state.get("df", {})},
            "stories": stories, "threads": threads}


def _iso(day: float | None) -> str | None:
    if day is None:
        return None
    import datetime as _dt

    return _dt.date.fromordinal(int(day)).isoformat()
