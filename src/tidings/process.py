"""Orchestration of `tidings add`: ingest → annotate → code → stories → store, batch by batch.

Each batch is written in one transaction together with the clusterer's state, so a run
killed half-way loses only its open batch and a second run picks up where it stopped.
Articles already stored are skipped before any NLP work (only a new source path is
recorded for them), which is what makes re-runs cheap and idempotent.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from tidings.records import Article
from tidings.store import Store

BATCH_SIZE = 64
CLUSTER_STATE = "story_clusterer"
HOMES_STATE = "outlet_homes"      # what each outlet's places say about its home (nlp/places_home.py)


@dataclass
class AddSummary:
    read: int = 0
    added: int = 0
    duplicates: int = 0           # exact copies of an article already stored or earlier in the run
    near_duplicates: int = 0      # syndicated copies, stored and linked to their original
    skipped: list[str] = field(default_factory=list)  # one line per unreadable input
    events: int = 0


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _unique(batch: list[Article], store: Store, summary: AddSummary) -> list[Article]:
    """New articles of a batch; exact duplicates only add their source to the original."""
    firsts: dict[str, Article] = {}
    for a in batch:
        if a.id in firsts:
            firsts[a.id].sources.extend(s for s in a.sources if s not in firsts[a.id].sources)
            summary.duplicates += 1
        else:
            firsts[a.id] = a
    known = store.known_ids(firsts)
    summary.duplicates += len(known)
    store.add_sources((i, s) for i in known for s in firsts[i].sources)
    return [a for i, a in firsts.items() if i not in known]


def add_articles(
    store: Store,
    articles: Iterable[Article],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    embeddings: bool | None = None,
    on_error: Callable[[str], None] | None = None,
) -> AddSummary:
    """Process a stream of articles into the store; returns what happened. `embeddings`
    turns story embeddings on or off (None: as the stored clusterer, else $TIDINGS_EMBEDDINGS).
    An article that cannot be annotated is reported through `on_error` and left out
    (raised without it)."""
    from tidings.analysis import annotate_articles
    from tidings.ingest.dedup import NearDuplicateIndex, signature
    from tidings.nlp.places_home import OutletHomes
    from tidings.stories import StoryClusterer, features_of, fuse_events

    summary = AddSummary()
    near = NearDuplicateIndex.from_pairs(store.signatures())
    homes = OutletHomes.from_state(store.get_state(HOMES_STATE))
    state = store.get_state(CLUSTER_STATE)
    clusterer = StoryClusterer.from_state(state) if state else StoryClusterer()
    if embeddings is not None:
        clusterer.config.embeddings = embeddings
    seq = store.next_seq()
    for batch in batched(articles, batch_size):
        summary.read += len(batch)
        store.begin()
        try:
            new = _unique(batch, store, summary)
            signatures = {}
            for a in new:
                signatures[a.id] = signature(a.text)
                a.duplicate_of = near.add(a.id, signatures[a.id])
                summary.near_duplicates += a.duplicate_of is not None
            touched: set[str] = set()
            for annotated in annotate_articles(new, homes=homes, on_error=on_error):
                a = annotated.article
                story = clusterer.assign(features_of(annotated, embeddings=clusterer.config.embeddings))
                touched.add(story)
                for m in annotated.events:
                    m.outlet = a.outlet
                store.add_article(annotated, story, signatures[a.id], seq, thread=clusterer.thread_of(story))
                seq += 1
                summary.added += 1
            if touched:
                by_story = store.mentions_of_stories(touched)
                meta = store.articles_by_id(m.article for ms in by_story.values() for m in ms)
                events = [e for story, ms in by_story.items() for e in fuse_events(story, ms, meta)]
                store.replace_events(touched, events)
            store.put_state(CLUSTER_STATE, clusterer.state())
            store.put_state(HOMES_STATE, homes.state())
            store.commit()
        except BaseException:
            store.rollback()
            raise
        if on_progress:
            on_progress(len(batch))
    summary.events = store.stats()["events"]
    return summary

