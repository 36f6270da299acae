"""Event fusion (work in progress)."""
from __future__ import annotations

from tidings.records import Article, Event, EventMention


def fuse_events(story_id: str, mentions: list[EventMention], articles: dict[str, Article]) -> list[Event]:
    return []
