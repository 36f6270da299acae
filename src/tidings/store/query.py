"""Reading a Tidings database: the one query layer every interface uses.

The web page, the JSON API, the CLI listings and Python (`tidings.open`) call the same
queries: `stories`, `story`, `events`, `event`, `actors`, and the aggregates of
`store/aggregate.py` (map, timeline, network). Filters come checked from
`store/filters.py`; every value a user gives is a bound parameter, so no user string ever
becomes SQL text. Listings are derived from stored rows at query time (story titles,
outlets, dates), so nothing derived can go stale. A story's outlets are counted by the
definition event fusion uses (`records.outlet_identity`, in SQL as `filters.OUTLET_SQL`).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tidings.records import (
    Article,
    Conflict,
    Event,
    EventMention,
    Place,
    Span,
    Story,
    outlet_identity,
)
from tidings.store import aggregate
from tidings.store.filters import (
    STORY_LEVELS,
    Filters,
    QueryError,
    check_choice,
    check_id,
    check_int,
    event_conditions,
    outlet_sql,
    parse_filters,
    story_conditions,
)

EVENT_SORTS = {"newest": "e.date DESC NULLS LAST, e.id", "oldest": "e.date NULLS LAST, e.id"}
STORY_SORTS = {"newest": "s.last_seen DESC NULLS LAST, s.seq DESC", "oldest": "s.first_seen NULLS LAST, s.seq",
               "added": "s.seq"}
MIN_PREFIX = 4        # an id prefix shorter than this must be a whole id
TOP_KEYS = 5          # actors and places shown per story


def _place(data: dict | None) -> Place | None:
    return Place(**data) if data else None


def _span(data: dict | None) -> Span | None:
    return Span(**data) if data else None


def mention_from_json(data: dict) -> EventMention:
    data = dict(data)
    data["place"] = _place(data.get("place"))
    for key in ("source_span", "target_span", "predicate_span"):
        data[key] = _span(data.get(key))
    return EventMention(**data)


def event_from_json(data: dict) -> Event:
    data = dict(data)
    data["place"] = _place(data.get("place"))
    data["mentions"] = [mention_from_json(m) for m in data.get("mentions", [])]
    data["conflicts"] = [Conflict(**c) for c in data.get("conflicts", [])]
    return Event(**data)


class Page(list):
    """One page of a listing: a list of records, with the number of all that matched.

    `to_arrow()` and `to_pandas()` give the rows in the JSON shape the CLI prints with
    `--format jsonl` (nested lists of objects as JSON text, so every column has one type)."""

    def __init__(self, items: Iterable[Any] = (), total: int | None = None, limit: int | None = None,
                 offset: int = 0):
        super().__init__(items)
        self.total = len(self) if total is None else total
        self.limit = limit
        self.offset = offset

    def to_json(self) -> list[dict[str, Any]]:
        from tidings.formats import record_json

        return [record_json(item) for item in self]

    def to_arrow(self):
        import pyarrow as pa

        rows = self.to_json()
        nested = {k for row in rows for k, v in row.items()
                  if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)}
        flat = [{k: (json.dumps(v, ensure_ascii=False) if k in nested else v) for k, v in row.items()} for row in rows]
        return pa.Table.from_pylist(flat)

    def to_pandas(self):
        try:
            import pandas  # noqa: F401
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas (or use to_arrow())") from e
        return self.to_arrow().to_pandas()


@dataclass
class StoryDetail:
    """One story with its articles (texts included) and its fused events."""

    story: Story
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class ActorSummary:
    """An actor code and what the events of a filter say about it."""

    code: str
    label: str
    events: int
    as_source: int
    as_target: int
    goldstein: float | None       # mean Goldstein score of its events
    first_date: str | None
    last_date: str | None


def _page_args(limit: Any, offset: Any, max_limit: int | None) -> tuple[int | None, int]:
    return check_int("limit", limit, 1, max_limit), check_int("offset", offset, 0) or 0


def _limit_sql(limit: int | None, offset: int) -> tuple[str, list[int]]:
    if limit is None:
        return (" OFFSET ?", [offset]) if offset else ("", [])
    return " LIMIT ? OFFSET ?", [limit, offset]


def _first_by(rows: list[tuple], value, order):
    """The value of the row first in `order` among rows whose value is not null (SQL's arg_min)."""
    kept = [r for r in rows if value(r) is not None]
    return value(min(kept, key=order)) if kept else None


def _story_record(story_id: str, arts: list[tuple], keys: dict, n_events: int) -> Story:
    """A story from its articles' rows (story, id, title, start of text if untitled, published, seq, thread,
    outlet, url): the first article's title, articles in publication order, outlets by `outlet_identity`."""
    last = (1, 0)                # NULLs sort last, as in SQL
    seq = lambda r: (0, r[5]) if r[5] is not None else last  # noqa: E731
    published = [r[4] for r in arts if r[4] is not None]
    return Story(
        id=story_id,
        title=_first_by(arts, lambda r: r[2] if r[2] is not None else r[3], lambda r: (r[4] or "9999") + r[1]),
        articles=[r[1] for r in sorted(arts, key=lambda r: (r[4] or "", seq(r)))],
        outlets=sorted({outlet_identity(Article(id=r[1], text="", url=r[8], outlet=r[7])) for r in arts}),
        first_seen=min(published, default=None), last_seen=max(published, default=None),
        actors=keys.get((story_id, "actor"), [])[:TOP_KEYS], places=keys.get((story_id, "place"), [])[:TOP_KEYS],
        n_events=n_events, thread=_first_by(arts, lambda r: r[6], seq))


class Queries:
    """The queries over an open DuckDB connection (`self.con`), shared by `Store` and the read-only handle."""

    con: Any
    outlet_keys: bool = True      # False for a file made before events.outlet_keys, opened read-only

    def _rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    # ------------------------------------------------------------------ events

    def events(self, filters: Filters | None = None, limit: Any = None, offset: Any = 0, sort: Any = None,
               max_limit: int | None = None) -> Page:
        """Fused events matching `filters`, newest first by default, as `Event` records."""
        filters = filters or Filters()
        limit, offset = _page_args(limit, offset, max_limit)
        order = EVENT_SORTS[check_choice("sort", sort, tuple(EVENT_SORTS), "newest")]
        where, params = event_conditions(filters, "e", self.outlet_keys)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        tail, extra = _limit_sql(limit, offset)
        rows = self.con.execute(f"SELECT e.data FROM events e{clause} ORDER BY {order}{tail}", params + extra).fetchall()
        whole = limit is None and not offset       # every match is here: no need to count them apart
        total = len(rows) if whole else self.con.execute(f"SELECT count(*) FROM events e{clause}", params).fetchone()[0]
        return Page((event_from_json(json.loads(r[0])) for r in rows), total, limit, offset)

    def _by_id(self, table: str, column: str, name: str, given: Any) -> str | None:
        """The whole id for an id or a unique prefix of one (QueryError when a prefix is ambiguous)."""
        wanted = check_id(name, given)
        row = self.con.execute(f"SELECT {column} FROM {table} WHERE {column} = ? LIMIT 1", [wanted]).fetchone()
        if row or len(wanted) < MIN_PREFIX:
            return row[0] if row else None
        found = self.con.execute(f"SELECT DISTINCT {column} FROM {table} WHERE starts_with({column}, ?) LIMIT 2",
                                 [wanted]).fetchall()
        if len(found) > 1:
            raise QueryError(name, f"{wanted!r} is the start of several ids; give more of it")
        return found[0][0] if found else None

    def event(self, event_id: Any) -> Event | None:
        """One event by its id or a unique prefix of it (at least 4 characters)."""
        whole = self._by_id("events", "id", "event", event_id)
        if whole is None:
            return None
        row = self.con.execute("SELECT data FROM events WHERE id = ?", [whole]).fetchone()
        return event_from_json(json.loads(row[0]))

    # ------------------------------------------------------------------ stories

    def stories(self, filters: Filters | None = None, limit: Any = None, offset: Any = 0, sort: Any = None,
                level: Any = None, max_limit: int | None = None) -> Page:
        """Stories with an article and an event matching `filters`, newest first by default."""
        filters = filters or Filters()
        limit, offset = _page_args(limit, offset, max_limit)
        order = STORY_SORTS[check_choice("sort", sort, tuple(STORY_SORTS), "newest")]
        column = STORY_LEVELS[check_choice("level", level, tuple(STORY_LEVELS), "event")]
        where, params = story_conditions(filters, "s.id", self.outlet_keys)
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        tail, extra = _limit_sql(limit, offset)
        rows = self.con.execute(
            f"WITH s AS (SELECT {column} AS id, min(published) AS first_seen, max(published) AS last_seen, "
            f"min(seq) AS seq FROM articles WHERE {column} IS NOT NULL GROUP BY {column}) "
            f"SELECT s.id, count(*) OVER () AS total FROM s{clause} ORDER BY {order}{tail}",
            params + extra).fetchall()
        total = rows[0][1] if rows else (
            0 if not offset else self.con.execute(
                f"WITH s AS (SELECT {column} AS id FROM articles WHERE {column} IS NOT NULL GROUP BY {column}) "
                f"SELECT count(*) FROM s{clause}", params).fetchone()[0])
        return Page(self._stories_by_id([r[0] for r in rows], column), total, limit, offset)

    def _stories_by_id(self, ids: list[str], column: str = "story") -> list[Story]:
        """Story records for these ids, in this order: title, articles, outlets, dates, top actors and places.

        Three reads, each of only the rows of these stories: their articles' short columns
        (grouped here: a story has a handful of articles, and SQL's grouping with an outlet
        regex cost more than the rows), their events' count, their actor and place keys."""
        if not ids:
            return []
        one = len(ids) == 1          # `= ?` lets DuckDB skip row groups; a list joins instead
        match, key = ("= ?", ids[0]) if one else ("IN (SELECT unnest(?))", ids)
        rows = self.con.execute(
            f"SELECT {column}, id, title, CASE WHEN title IS NULL THEN left(text, 120) END, published, seq, thread, "
            f"outlet, url FROM articles WHERE {column} {match}", [key]).fetchall()
        grouped: dict[str, list[tuple]] = {}
        for r in rows:
            grouped.setdefault(r[0], []).append(r)
        counts = dict(self.con.execute(
            f"SELECT story, count(*) FROM events WHERE story {match} GROUP BY story", [key]).fetchall()
            if column == "story" else self.con.execute(
            "SELECT a.thread, count(*) FROM events e JOIN (SELECT DISTINCT story, thread FROM articles "
            f"WHERE thread {match}) a ON a.story = e.story GROUP BY a.thread", [key]).fetchall())
        keys = self._top_keys({r[1]: r[0] for r in rows})
        by_id = {}
        for story_id, arts in grouped.items():
            by_id[story_id] = _story_record(story_id, arts, keys, counts.get(story_id, 0))
        return [by_id[i] for i in ids if i in by_id]

    def _top_keys(self, story_of: dict[str, str]) -> dict[tuple[str, str], list[str]]:
        """(story, 'actor' or 'place') -> its actor codes or places, most mentioned first, for these articles."""
        # looked up by article id (the annotations' key): ten times faster than joining on the story
        top = self.con.execute(
            "SELECT article, layer, coalesce(code, value) AS key, count(*) FROM annotations "
            "WHERE article IN (SELECT unnest(?)) AND layer IN ('actor', 'place') AND coalesce(code, value) IS NOT NULL "
            "GROUP BY ALL", [list(story_of)]).fetchall()
        tally: dict[tuple[str, str], dict[str, int]] = {}
        for article, layer, key, n in top:
            per = tally.setdefault((story_of[article], layer), {})
            per[key] = per.get(key, 0) + n
        return {k: [key for key, _ in sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))] for k, v in tally.items()}

    def story(self, story_id: Any) -> StoryDetail | None:
        """One story by its id or a unique prefix: its articles (oldest first) and events (in date order).

        Four reads: the articles (whose rows also make the story's record), their sources,
        their actor and place keys, the events (whose number is the record's count)."""
        wanted = check_id("story", story_id)
        arts = self._story_articles(wanted)
        if not arts:                      # not a whole id: perhaps the start of one
            whole = self._by_id("articles", "story", "story", wanted)
            if whole is None:
                return None
            arts = self._story_articles(whole)
        whole = arts[0][-1]
        sources: dict[str, list[str]] = {}
        for article, source in self.con.execute(
                "SELECT article, source FROM article_sources WHERE article IN (SELECT unnest(?)) ORDER BY source",
                [[r[0] for r in arts]]).fetchall():
            sources.setdefault(article, []).append(source)
        articles = [Article(id=r[0], text=r[1], url=r[2], outlet=r[3], title=r[4], published=r[5], lang=r[6],
                            author=r[7], duplicate_of=r[8], external_id=r[9], sources=sources.get(r[0], []))
                    for r in arts]
        events = self.events(Filters(story=whole), sort="oldest")
        # the record's rows: (story, id, title, start of text if untitled, published, seq, thread, outlet, url)
        rows = [(whole, r[0], r[4], r[1][:120] if r[4] is None and r[1] is not None else None, r[5], r[10], r[11],
                 r[3], r[2]) for r in arts]
        story = _story_record(whole, rows, self._top_keys({r[0]: whole for r in arts}), len(events))
        return StoryDetail(story, articles, list(events))

    def _story_articles(self, story: str) -> list[tuple]:
        return self.con.execute(
            "SELECT id, text, url, outlet, title, published, lang, author, duplicate_of, external_id, seq, thread, "
            "story FROM articles WHERE story = ? ORDER BY coalesce(published, ''), seq", [story]).fetchall()

    def stories_of_threads(self, threads: list[str]) -> dict[str, list[str]]:
        """The event stories of each thread, first seen first."""
        rows = self.con.execute(
            "SELECT thread, story FROM articles WHERE thread IN (SELECT unnest(?)) GROUP BY thread, story "
            "ORDER BY thread, min(coalesce(published, '9999')), min(seq)", [threads]).fetchall()
        out: dict[str, list[str]] = {t: [] for t in threads}
        for thread, story in rows:
            out[thread].append(story)
        return out

    def thread(self, thread_id: Any) -> tuple[Story, list[Story]] | None:
        """One thread by its id or a unique prefix: its record and its event stories in order."""
        whole = self._by_id("articles", "thread", "thread", thread_id)
        if whole is None:
            return None
        [record] = self._stories_by_id([whole], "thread")
        return record, self._stories_by_id(self.stories_of_threads([whole])[whole])

    # ------------------------------------------------------------------ actors and aggregates

    def actors(self, filters: Filters | None = None, limit: Any = None, offset: Any = 0,
               max_limit: int | None = None) -> Page:
        """Actor codes in the events of `filters`, most events first, as `ActorSummary` records."""
        limit, offset = _page_args(limit, offset, max_limit)
        rows, total = aggregate.actor_rows(self.con, filters or Filters(), limit, offset, self.outlet_keys)
        return Page((ActorSummary(**r) for r in rows), total, limit, offset)

    def event_map(self, filters: Filters | None = None) -> dict[str, Any]:
        return aggregate.event_map(self.con, filters or Filters(), self.outlet_keys)

    def timeline(self, filters: Filters | None = None) -> dict[str, Any]:
        return aggregate.timeline(self.con, filters or Filters(), self.outlet_keys)

    def network(self, filters: Filters | None = None, nodes: Any = None) -> dict[str, Any]:
        return aggregate.network(self.con, filters or Filters(), check_int("nodes", nodes, 2, 500) or 40,
                                 self.outlet_keys)

    # ------------------------------------------------------------------ listings kept for the exports and tests

    def list_articles(self, limit: int | None = None, story: str | None = None,
                      thread: str | None = None) -> list[dict[str, Any]]:
        """Articles in the order they were added, as the `articles --format jsonl` rows."""
        limit = check_int("limit", limit, 1)
        where, params = "", []
        if story is not None:
            where, params = "WHERE a.story = ?", [check_id("story", story)]
        elif thread is not None:
            where, params = "WHERE a.thread = ?", [check_id("thread", thread)]
        tail, extra = _limit_sql(limit, 0)
        return self._rows(
            "SELECT a.id, a.url, a.published, a.outlet, a.title, a.story, a.thread, a.opinion, a.duplicate_of, "
            "a.external_id, list(s.source ORDER BY s.source) AS sources, a.text "
            f"FROM articles a LEFT JOIN article_sources s ON s.article = a.id {where} "
            "GROUP BY a.id, a.url, a.published, a.outlet, a.title, a.story, a.thread, a.opinion, a.duplicate_of, "
            f"a.external_id, a.text, a.seq ORDER BY a.seq{tail}", params + extra)

    def list_stories(self, limit: int | None = None, story: str | None = None) -> list[dict[str, Any]]:
        """Stories in the order they were started, as the `stories --format jsonl` rows."""
        from tidings.formats import story_json

        if story is not None:
            detail = self.story(story)
            return [story_json(detail.story)] if detail else []
        return [story_json(s) for s in self.stories(limit=limit, sort="added")]

    def list_threads(self, limit: int | None = None, thread: str | None = None) -> list[dict[str, Any]]:
        """Threads in the order they were started, as the `stories --level thread --format jsonl` rows:
        a story line whose `stories` are the thread's event stories, first seen first."""
        from tidings.formats import thread_json

        if thread is not None:
            found = self.thread(thread)
            return [thread_json(found[0], [s.id for s in found[1]])] if found else []
        records = list(self.stories(limit=limit, sort="added", level="thread"))
        of = self.stories_of_threads([t.id for t in records])
        return [thread_json(t, of[t.id]) for t in records]

    def list_events(self, limit: int | None = None, **filters: Any) -> list[Event]:
        """Events in date order; keyword filters as in `filters.parse_filters`."""
        return list(self.events(parse_filters(filters), limit=limit, sort="oldest"))

    def get_event(self, event_id: str) -> Event | None:
        return self.event(event_id)

    def article_text(self, article_id: str) -> str | None:
        row = self.con.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def article_texts(self, ids: Iterable[str]) -> dict[str, str]:
        return {i: a.text for i, a in self.articles_with_text(ids).items()}

    def articles_with_text(self, ids: Iterable[str]) -> dict[str, Article]:
        """Articles by id, texts included (an event's evidence, a story's columns)."""
        rows = self.con.execute(
            "SELECT id, text, url, outlet, title, published, lang, author, duplicate_of, external_id FROM articles "
            "WHERE id IN (SELECT unnest(?))", [sorted(set(ids))]).fetchall()
        return {r[0]: Article(id=r[0], text=r[1], url=r[2], outlet=r[3], title=r[4], published=r[5], lang=r[6],
                              author=r[7], duplicate_of=r[8], external_id=r[9]) for r in rows}

    def stats(self) -> dict[str, int]:
        one = lambda sql: self.con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "sources": one("SELECT count(*) FROM article_sources"),
            "near_duplicates": one("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "outlets": one(f"SELECT count(DISTINCT {outlet_sql('articles')}) FROM articles"),
            "stories": one("SELECT count(DISTINCT story) FROM articles"),
            "threads": one("SELECT count(DISTINCT thread) FROM articles"),
            "annotations": one("SELECT count(*) FROM annotations"),
            "event_mentions": one("SELECT count(*) FROM event_mentions"),
            "events": one("SELECT count(*) FROM events"),
        }


__all__ = ["ActorSummary", "Page", "Queries", "QueryError", "StoryDetail", "event_from_json",
           "mention_from_json", "outlet_identity"]
