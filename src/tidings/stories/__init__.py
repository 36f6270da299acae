"""Stories: online clustering of articles into event stories and threads, then fusion.

- `features_of(annotated) -> StoryFeatures`: what clustering needs of an article;
- `StoryClusterer(config)`: online, `assign(features) -> story id`, `thread_of(story)`,
  `state()` / `from_state()`;
- `cluster_articles(annotated) -> list[Assignment]`: the stateless `tidings cluster`
  contract, (story, thread) per article;
- `fuse_events(story, mentions, articles) -> list[Event]`: one event per happening.
"""
from tidings.stories.batch import Assignment, cluster_articles, cluster_features
from tidings.stories.cluster import ClusterConfig, StoryClusterer
from tidings.stories.features import StoryFeatures, features_of, make_features, outlet_identity
from tidings.stories.fusion import fuse_events

__all__ = [
    "Assignment",
    "ClusterConfig",
    "StoryClusterer",
    "StoryFeatures",
    "cluster_articles",
    "cluster_features",
    "features_of",
    "fuse_events",
    "make_features",
    "outlet_identity",
]
