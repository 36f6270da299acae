"""Reading a Tidings database: the listings every interface shows (CLI, exports, Python).

Listings are derived from stored rows at query time (story titles, outlets, dates), so
nothing derived can go stale. A story's outlets are counted by `records.outlet_identity`,
the definition event fusion uses. Every value a user gives is a bound parameter: no user
string ever becomes SQL text.
"""
from __future__ import annotations

import json
from typing import Any

from tidings.records import (
    Article,
    Conflict,
    Event,
    EventMention,
    Place,
    Span,
    outlet_identity,
)

# `list_events` options as SQL: (option, clause). Every `?` of a clause takes the option's
# value; an option that is None or "" is no filter (a quad class of 0 is a value).
EVENT_FILTERS: tuple[tuple[str, str], ...] = (
    ("actor", "(starts_with(source, ?) OR starts_with(target, ?))"),   # value upper-cased
    ("code", "starts_with(code, ?)"),
    ("quad", "quad_class = ?"),
    ("place", "lower(place_name) = lower(?)"),
    ("since", "coalesce(date_end, date) >= ?"),                        # still going on since
    ("until", "date <= ?"),
    ("story", "story = ?"),
)


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


class Queries:
    """Listings over an open DuckDB connection (`self.con`)."""

    con: Any

    def _rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def list_articles(self, limit: int | None = None, story: str | None = None,
                      thread: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE a.story = ?", [story]) if story else (
            ("WHERE a.thread = ?", [thread]) if thread else ("", []))
        rows = self._rows(
            "SELECT a.id, a.url, a.published, a.outlet, a.title, a.story, a.thread, a.opinion, a.duplicate_of, "
            "a.external_id, list(s.source ORDER BY s.source) AS sources, a.text "
            f"FROM articles a LEFT JOIN article_sources s ON s.article = a.id {where} "
            "GROUP BY a.id, a.url, a.published, a.outlet, a.title, a.story, a.thread, a.opinion, a.duplicate_of, "
            "a.external_id, a.text, a.seq "
            "ORDER BY a.seq" + (f" LIMIT {int(limit)}" if limit else ""), params)
        return rows

    def list_stories(self, limit: int | None = None, story: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE story = ?", [story]) if story else ("WHERE story IS NOT NULL", [])
        stories = self._rows(
            "SELECT story AS id, "
            "  arg_min(coalesce(title, left(text, 120)), coalesce(published, '9999') || id) AS title, "
            "  arg_min(thread, seq) AS thread, "
            "  list(id ORDER BY coalesce(published, ''), seq) AS articles, "
            "  NULL AS outlets, "  # filled below, by the definition fusion counts outlets with
            "  min(published) AS first_seen, max(published) AS last_seen "
            f"FROM articles {where} GROUP BY story ORDER BY min(seq)" + (f" LIMIT {int(limit)}" if limit else ""),
            params)
        if not stories:
            return stories
        members = self.articles_by_id(i for s in stories for i in s["articles"])
        for s in stories:
            s["outlets"] = sorted({outlet_identity(members[i]) for i in s["articles"]})
        ids = [s["id"] for s in stories]
        top = self._rows(
            "SELECT a.story, n.layer, coalesce(n.code, n.value) AS key, count(*) AS n FROM annotations n "
            "JOIN articles a ON a.id = n.article WHERE a.story IN (SELECT unnest(?)) "
            "AND n.layer IN ('actor', 'place') AND coalesce(n.code, n.value) IS NOT NULL "
            "GROUP BY ALL ORDER BY n DESC, key", [ids])
        for s in stories:
            s["actors"] = [t["key"] for t in top if t["story"] == s["id"] and t["layer"] == "actor"][:5]
            s["places"] = [t["key"] for t in top if t["story"] == s["id"] and t["layer"] == "place"][:5]
        return stories

    def list_threads(self, limit: int | None = None, thread: str | None = None) -> list[dict[str, Any]]:
        """Threads: the event stories of one developing topic, first seen first; each with
        the title of its first story, its stories in order, and its outlets and dates."""
        where, params = ("WHERE thread = ?", [thread]) if thread else ("WHERE thread IS NOT NULL", [])
        threads = self._rows(
            "WITH s AS (SELECT thread, story, min(seq) AS seq, min(published) AS first, "
            "  arg_min(coalesce(title, left(text, 120)), coalesce(published, '9999') || id) AS title "
            f"  FROM articles {where} GROUP BY thread, story) "
            "SELECT thread AS id, arg_min(title, coalesce(first, '9999') || story) AS title, "
            "  list(story ORDER BY coalesce(first, ''), seq) AS stories FROM s GROUP BY thread "
            "ORDER BY min(seq)" + (f" LIMIT {int(limit)}" if limit else ""), params)
        if not threads:
            return threads
        rows = self._rows(
            "SELECT thread, id, url, outlet, published FROM articles WHERE thread IN (SELECT unnest(?)) ORDER BY seq",
            [[t["id"] for t in threads]])
        members: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            members.setdefault(r["thread"], []).append(r)
        for t in threads:
            arts = members.get(t["id"], [])
            dates = [a["published"] for a in arts if a["published"]]
            t["articles"] = len(arts)
            t["outlets"] = sorted({outlet_identity(Article(id=a["id"], text="", url=a["url"], outlet=a["outlet"]))
                                   for a in arts})
            t["first_seen"], t["last_seen"] = (min(dates), max(dates)) if dates else (None, None)
        return threads

    def list_events(
        self,
        actor: str | None = None,
        code: str | None = None,
        quad: int | None = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        story: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        given = {"actor": actor and actor.upper(), "code": code, "quad": quad, "place": place,
                 "since": since, "until": until, "story": story}
        where, params = [], []
        for option, clause in EVENT_FILTERS:
            value = given[option]
            if value is not None and value != "":
                where.append(clause)
                params += [value] * clause.count("?")
        sql = "SELECT data FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY date NULLS LAST, id" + (f" LIMIT {int(limit)}" if limit else "")
        return [event_from_json(json.loads(r[0])) for r in self.con.execute(sql, params).fetchall()]

    def get_event(self, event_id: str) -> Event | None:
        row = self.con.execute("SELECT data FROM events WHERE id = ? OR starts_with(id, ?) ORDER BY id LIMIT 1",
                               [event_id, event_id]).fetchone()
        return event_from_json(json.loads(row[0])) if row else None

    def article_text(self, article_id: str) -> str | None:
        row = self.con.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def stats(self) -> dict[str, int]:
        one = lambda sql: self.con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "sources": one("SELECT count(*) FROM article_sources"),
            "near_duplicates": one("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "outlets": len({outlet_identity(Article(id=i, text="", url=u, outlet=o))
                            for i, u, o in self.con.execute("SELECT id, url, outlet FROM articles").fetchall()}),
            "stories": one("SELECT count(DISTINCT story) FROM articles"),
            "threads": one("SELECT count(DISTINCT thread) FROM articles"),
            "annotations": one("SELECT count(*) FROM annotations"),
            "event_mentions": one("SELECT count(*) FROM event_mentions"),
            "events": one("SELECT count(*) FROM events"),
        }
