"""Stories: online clustering of articles into stories, then fusion of event mentions.

- `features_of(annotated) -> StoryFeatures`: what clustering needs of an article;
- `StoryClusterer(config)`: online, `assign(features) -> story id`, `state()` / `from_state()`;
- `cluster_articles(annotated) -> list[str]`: the stateless `tidings cluster` contract;
- `fuse_events(story, mentions, articles) -> list[Event]`: one event per happening.
"""
from tidings.stories.cluster import ClusterConfig, StoryClusterer, cluster_articles, cluster_features
from tidings.stories.features import StoryFeatures, features_of, make_features, outlet_identity
from tidings.stories.fusion import fuse_events

__all__ = [
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
