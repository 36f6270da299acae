"""Stateless clustering of a whole batch (`tidings cluster`): event story and thread per article.

The batch is one stream sorted by date (undated articles last, input order among equals),
and its document frequencies are counted before any assignment, so the first articles
are weighed with the same IDF as the last. Then the online clusterer of `cluster.py`
runs over it, exactly as `tidings add` would.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from tidings.records import AnnotatedArticle
from tidings.stories.cluster import ClusterConfig, StoryClusterer
from tidings.stories.features import StoryFeatures, day_number, features_of


class Assignment(NamedTuple):
    story: str
    thread: str


def cluster_features(
    features: list[StoryFeatures],
    config: ClusterConfig | dict[str, Any] | None = None,
) -> list[Assignment]:
    """(story, thread) for a batch of features, in input order."""
    clusterer = StoryClusterer(config)
    for f in features:
        clusterer.observe(f)
    days = [day_number(f.published) for f in features]
    order = sorted(range(len(features)), key=lambda i: (days[i] is None, days[i] or 0.0, i))
    out: list[Assignment | None] = [None] * len(features)
    assigned: dict[str, Assignment] = {}
    for i in order:
        f = features[i]
        if f.id not in assigned:  # the same article twice in one input is one article
            story = clusterer.assign(f, observed=True)
            assigned[f.id] = Assignment(story, clusterer.thread_of(story) or story)
        out[i] = assigned[f.id]
    return out  # type: ignore[return-value]


def cluster_articles(annotated: Iterable[AnnotatedArticle],
                     config: ClusterConfig | dict[str, Any] | None = None) -> list[Assignment]:
    """The stateless `tidings cluster` contract: (story, thread) per article, in input order."""
    annotated = list(annotated)
    cfg = config if isinstance(config, ClusterConfig) else ClusterConfig.from_dict(config)
    features = [features_of(a, embeddings=False) for a in annotated]
    if cfg.embeddings:
        from tidings.stories.embed import add_vectors

        add_vectors(features, annotated)  # in batches, faster than one by one
    return cluster_features(features, cfg)
