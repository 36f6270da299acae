"""`tidings.open(path)`: a read-only handle on a database, for Python users and notebooks.

It offers the queries the CLI and the web page use, with filters as keywords, and gives
records back (`Event`, `Story`, `ActorSummary`), one page at a time with the number of all
that matched; `.to_arrow()` and `.to_pandas()` turn a page into a table:

    with tidings.open("news.duckdb") as db:
        page = db.events(actor="CHN", since="2024-07-01", limit=100)
        page.total, page[0].code, page.to_pandas()

It has no write methods. DuckDB lets one process write a file or many read it: while a
handle is open, `tidings add` on the same file waits, then says the file is busy.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.records import Event
from tidings.store.db import Store
from tidings.store.filters import parse_filters
from tidings.store.query import Page, StoryDetail


class Database:
    """A read-only Tidings database; filters as in `store.filters.Filters` (`q`, `since`, `actor`, ...)."""

    def __init__(self, path: str | Path = "tidings.duckdb", wait: float = 0.0):
        self.path = str(path)
        self._store = Store(path, read_only=True, wait=wait)

    def stories(self, *, limit: int | None = None, offset: int = 0, sort: str | None = None,
                level: str | None = None, **filters: Any) -> Page:
        """Stories (newest first by default) with an article and an event matching the filters."""
        return self._store.stories(parse_filters(filters), limit, offset, sort, level)

    def story(self, story_id: str) -> StoryDetail | None:
        """One story with its articles and events, by id or a unique prefix (4 characters or more)."""
        return self._store.story(story_id)

    def events(self, *, limit: int | None = None, offset: int = 0, sort: str | None = None, **filters: Any) -> Page:
        """Fused events (newest first by default) matching the filters."""
        return self._store.events(parse_filters(filters), limit, offset, sort)

    def event(self, event_id: str) -> Event | None:
        """One event by id or a unique prefix (4 characters or more)."""
        return self._store.event(event_id)

    def actors(self, *, limit: int | None = None, offset: int = 0, **filters: Any) -> Page:
        """Actor codes in the matching events, most events first."""
        return self._store.actors(parse_filters(filters), limit, offset)

    def map(self, **filters: Any) -> dict[str, Any]:
        """Events per country and per place (what the web map draws)."""
        return self._store.event_map(parse_filters(filters))

    def timeline(self, **filters: Any) -> dict[str, Any]:
        """Events per day by quad class (what the web timeline draws)."""
        return self._store.timeline(parse_filters(filters))

    def network(self, *, nodes: int | None = None, **filters: Any) -> dict[str, Any]:
        """Actors and the events between them (what the web network draws)."""
        return self._store.network(parse_filters(filters), nodes)

    def stats(self) -> dict[str, int]:
        return self._store.stats()

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"tidings.Database({self.path!r}, read-only)"
