"""Orchestration of `tidings add`: ingest → annotate → code → stories → store, batch by batch.

Three steps per batch, always in input order:

1. `_Admission` (writing process): exact duplicates of an article already stored, or
   earlier in the run, are dropped before any NLP work; only their new source paths are
   kept. The new articles' outlets learn their homes (`nlp/places_home.py`), and the
   batch takes along the homes of its outlets as known by then.
2. annotate and code, sign and describe for clustering (`distributed.annotate_batch`):
   in this process, or on Dask workers when an annotator from `tidings.distributed` is
   given. Only records cross over.
3. `_Writer` (writing process): near-duplicate lookup, story clustering, event fusion,
   and one bulk write of the whole batch, its fused events and the clusterer's state in
   one transaction (`Store.write_batch`).

Steps 1 and 3 depend only on the input order and on what the store held at the start, so
the database is the same however step 2 is spread out. A run killed half-way loses only
the batches not yet committed, and a second run picks up where it stopped: what was
committed is skipped in step 1.
"""
from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tidings.records import Article, EventMention, outlet_identity
from tidings.store import Store
from tidings.store.db import Batch, StoredArticle, mention_id

if TYPE_CHECKING:
    from tidings.distributed import Annotator, BatchResult
    from tidings.ingest.dedup import NearDuplicateIndex
    from tidings.nlp.places_home import Home

BATCH_SIZE = 64
CLUSTER_STATE = "story_clusterer"
HOMES_STATE = "outlet_homes"      # what each outlet's places say about its home (nlp/places_home.py)

OnError = Callable[[str], None]


@dataclass
class AddSummary:
    read: int = 0
    added: int = 0
    duplicates: int = 0           # exact copies of an article already stored or earlier in the run
    near_duplicates: int = 0      # syndicated copies, stored and linked to their original
    skipped: list[str] = field(default_factory=list)  # one line per unreadable input
    events: int = 0


@dataclass
class _Admitted:
    """A batch after step 1: the articles to annotate, new sources of known ones, and the
    outlets' homes as learned up to and with this batch (for annotation, and to store)."""

    read: int
    new: list[Article]
    sources: list[tuple[str, str]]
    homes: dict[str, "Home | None"] = field(default_factory=dict)
    homes_state: dict | None = None


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


class _Admission:
    """Step 1: which articles of each batch are new.

    An article admitted but not yet written is in flight (on a worker, or in a batch
    waiting to be written); a copy of it met meanwhile is a duplicate, and its sources
    are written with the original (`settle`), as they would be had the original been
    stored already."""

    def __init__(self, store: Store, summary: AddSummary):
        from tidings.nlp.places_home import OutletHomes

        self.store, self.summary = store, summary
        self.in_flight: dict[str, list[str]] = {}   # id -> sources of copies met while in flight
        self.homes = OutletHomes.from_state(store.get_state(HOMES_STATE))

    def __call__(self, batch: list[Article]) -> _Admitted:
        firsts: dict[str, Article] = {}
        for a in batch:
            if a.id in firsts:
                firsts[a.id].sources.extend(s for s in a.sources if s not in firsts[a.id].sources)
                self.summary.duplicates += 1
            else:
                firsts[a.id] = a
        flying = firsts.keys() & self.in_flight.keys()
        for i in flying:
            self.in_flight[i].extend(firsts[i].sources)
        known = self.store.known_ids(firsts.keys() - flying)
        self.summary.duplicates += len(known) + len(flying)
        new = [a for i, a in firsts.items() if i not in known and i not in flying]
        self.in_flight.update((a.id, []) for a in new)
        admitted = _Admitted(len(batch), new, [(i, s) for i in known for s in firsts[i].sources])
        if new:
            outlets = [outlet_identity(a) for a in new]
            for outlet, a in zip(outlets, new):
                try:
                    self.homes.learn(outlet, a.text)
                except Exception:  # noqa: BLE001 - an article that cannot be read is reported by its annotation
                    pass
            admitted.homes = {o: self.homes.home_of(o) for o in outlets}
            admitted.homes_state = self.homes.state()
        return admitted

    def settle(self, admitted: _Admitted, result: "BatchResult") -> list[tuple[str, str]]:
        """A batch is about to be written: its articles leave the flight; the sources of
        their copies go with those that were annotated (the others are not stored)."""
        copies = {a.id: self.in_flight.pop(a.id) for a in admitted.new}
        return [(a.article.id, s) for a in result.annotated for s in copies[a.article.id]]


def _article_meta(a: Article) -> Article:
    """An article as `Store.articles_by_id` returns it (no text, no sources): what fusion reads."""
    return replace(a, text="", sources=[])


class _Writer:
    """Step 3: near duplicates, stories, fusion and the bulk write, for one batch at a time."""

    def __init__(self, store: Store, summary: AddSummary, embeddings: bool | None = None):
        from tidings.stories import StoryClusterer

        self.store, self.summary = store, summary
        self.seq = store.next_seq()
        state = store.get_state(CLUSTER_STATE)
        self.clusterer = StoryClusterer.from_state(state) if state else StoryClusterer()
        if embeddings is not None:
            self.clusterer.config.embeddings = embeddings

    @functools.cached_property
    def near(self) -> "NearDuplicateIndex":
        """Loaded on the first new article: a re-run of stored input never needs it."""
        from tidings.ingest.dedup import EMPTY_SIGNATURE, WINDOW, NearDuplicateIndex

        return NearDuplicateIndex.from_pairs(self.store.signatures(last=WINDOW, skip=EMPTY_SIGNATURE))

    def __call__(self, admitted: _Admitted, result: "BatchResult", copy_sources: list[tuple[str, str]]) -> None:
        batch = Batch(sources=admitted.sources + copy_sources)
        new_mentions: list[EventMention] = []
        for annotated, sig, features in zip(result.annotated, result.signatures, result.features):
            a = annotated.article
            a.duplicate_of = features.duplicate_of = self.near.add(a.id, sig)
            self.summary.near_duplicates += a.duplicate_of is not None
            story = self.clusterer.assign(features)
            thread = self.clusterer.thread_of(story)
            batch.stories.add(story)
            for i, m in enumerate(annotated.events):
                m.id, m.outlet = mention_id(a.id, i), a.outlet
            new_mentions.extend(annotated.events)
            batch.articles.append(StoredArticle(annotated, story, sig, self.seq, thread))
            self.seq += 1
        if batch.articles:  # a batch of repeats changes neither events nor stories
            batch.events = self._fuse(batch.stories, batch.articles, new_mentions)
            batch.state[CLUSTER_STATE] = self.clusterer.state()
            batch.state[HOMES_STATE] = admitted.homes_state
        self.store.write_batch(batch)
        self.summary.added += len(batch.articles)

    def _fuse(self, stories: set[str], stored: list[StoredArticle], new_mentions: list[EventMention]) -> list:
        """The fused events of the stories this batch touched, from their mentions already
        stored and those of this batch (which are not written yet), ordered by id as the
        store orders them."""
        from tidings.stories import fuse_events

        if not stories:
            return []
        by_story = self.store.mentions_of_stories(stories)
        story_of = {s.annotated.article.id: s.story for s in stored}
        for m in new_mentions:
            by_story[story_of[m.article]].append(m)
        meta = {s.annotated.article.id: _article_meta(s.annotated.article) for s in stored}
        meta.update(self.store.articles_by_id(m.article for ms in by_story.values() for m in ms
                                              if m.article not in meta))
        # the originals of near duplicates, which decide whether an event is syndicated
        meta.update(self.store.articles_by_id(a.duplicate_of for a in list(meta.values())
                                              if a.duplicate_of and a.duplicate_of not in meta))
        events = []
        for story, mentions in by_story.items():
            mentions.sort(key=lambda m: m.id)
            events.extend(fuse_events(story, mentions, meta))
        return events


def add_articles(
    store: Store,
    articles: Iterable[Article],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    embeddings: bool | None = None,
    on_error: OnError | None = None,
    annotator: "Annotator | None" = None,
) -> AddSummary:
    """Process a stream of articles into the store; returns what happened.

    `embeddings` turns story embeddings on or off (None: as the stored clusterer, else
    $TIDINGS_EMBEDDINGS). `annotator` spreads annotation over processes or machines
    (`tidings.distributed`); by default it runs here. An article that cannot be annotated
    is reported through `on_error` as one line and left out (raised without it)."""
    from tidings.distributed import BatchWork, LocalAnnotator

    summary = AddSummary()
    admit = _Admission(store, summary)
    write = _Writer(store, summary, embeddings)
    admitted = (admit(batch) for batch in batched(articles, batch_size))
    work = ((b, BatchWork(b.new, b.homes, write.clusterer.config.embeddings)) for b in admitted)
    for batch, result in (annotator or LocalAnnotator()).map(work):
        summary.read += batch.read
        for line in result.errors:
            if on_error is None:
                raise RuntimeError(line)
            on_error(line)
        write(batch, result, admit.settle(batch, result))
        if on_progress:
            on_progress(batch.read)
    summary.events = store.stats()["events"]
    return summary
