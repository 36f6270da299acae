"""The DuckDB store: one file, a versioned schema, one transaction per batch.

Everything written is keyed by content hashes or ids derived from them, so writing the
same batch twice changes nothing, and a run killed half-way (its open transaction rolled
back by DuckDB) and run again ends with the same database as an uninterrupted run.
Listings are derived from stored rows at query time (story titles, outlets, dates), so
nothing derived can go stale. A story's outlets are counted by `records.outlet_identity`,
the definition event fusion uses, on the same stored fields (`articles_by_id`).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb

from tidings.records import (
    AnnotatedArticle,
    Article,
    Conflict,
    Event,
    EventMention,
    Place,
    Span,
    outlet_identity,
    to_dict,
)

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, url VARCHAR, outlet VARCHAR, title VARCHAR, published VARCHAR,
    text VARCHAR, lang VARCHAR, author VARCHAR, external_id VARCHAR,
    duplicate_of VARCHAR, story VARCHAR, signature BLOB, seq BIGINT);
CREATE TABLE IF NOT EXISTS article_sources (article VARCHAR, source VARCHAR, PRIMARY KEY (article, source));
CREATE TABLE IF NOT EXISTS annotations (
    article VARCHAR, layer VARCHAR, idx INTEGER, start_char INTEGER, end_char INTEGER, text VARCHAR,
    code VARCHAR, value VARCHAR, data JSON, PRIMARY KEY (article, layer, idx));
CREATE TABLE IF NOT EXISTS event_mentions (
    id VARCHAR PRIMARY KEY, article VARCHAR, story VARCHAR, start_char INTEGER, end_char INTEGER,
    source VARCHAR, target VARCHAR, code VARCHAR, date VARCHAR, date_end VARCHAR,
    outlet VARCHAR, attributed_to VARCHAR, data JSON);
CREATE TABLE IF NOT EXISTS events (
    id VARCHAR PRIMARY KEY, story VARCHAR, source VARCHAR, target VARCHAR, code VARCHAR,
    root VARCHAR, plover VARCHAR, goldstein DOUBLE, quad_class INTEGER, date VARCHAR,
    date_end VARCHAR, place_name VARCHAR, place_geonameid BIGINT, place_country VARCHAR,
    place_lat DOUBLE, place_lon DOUBLE, attributed_to VARCHAR, negated BOOLEAN, modality VARCHAR,
    outlets INTEGER, n_mentions INTEGER, syndicated BOOLEAN, first_seen VARCHAR, data JSON);
CREATE TABLE IF NOT EXISTS state (key VARCHAR PRIMARY KEY, value JSON);
"""


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


class StoreError(RuntimeError):
    """The database file cannot be opened or has an unknown schema; the message names it."""


def _json(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False, sort_keys=True)


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


class Store:
    """A Tidings database file."""

    def __init__(self, path: str | Path = "tidings.duckdb", read_only: bool = False):
        self.path = str(path)
        if read_only and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such database (run `tidings add` first)")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise StoreError(f"{self.path}: cannot open database ({str(e).splitlines()[0]})") from e
        if not read_only:
            self.con.execute(SCHEMA)
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        version = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or int(version[0]) != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version and version[0]} is not {SCHEMA_VERSION}")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading state

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        rows = self.con.execute("SELECT id FROM articles WHERE id IN (SELECT unnest(?))", [ids]).fetchall()
        return {r[0] for r in rows}

    def known_sources(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        pairs = list(pairs)
        if not pairs:
            return set()
        rows = self.con.execute(
            "SELECT article, source FROM article_sources WHERE article IN (SELECT unnest(?))",
            [[a for a, _ in pairs]],
        ).fetchall()
        return set(rows) & set(pairs)

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """(id, MinHash signature) of every stored original, for the near-duplicate index."""
        cur = self.con.execute(
            "SELECT id, signature FROM articles WHERE signature IS NOT NULL AND duplicate_of IS NULL ORDER BY seq")
        while rows := cur.fetchmany(2048):
            yield from rows

    def get_state(self, key: str) -> Any:
        row = self.con.execute("SELECT value FROM state WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else None

    def story_of(self, article_id: str) -> str | None:
        row = self.con.execute("SELECT story FROM articles WHERE id = ?", [article_id]).fetchone()
        return row[0] if row else None

    def next_seq(self) -> int:
        return self.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM articles").fetchone()[0]

    def mentions_of_stories(self, stories: Iterable[str]) -> dict[str, list[EventMention]]:
        """Every stored event mention of these stories, grouped by story."""
        wanted = sorted(set(stories))
        grouped: dict[str, list[EventMention]] = {s: [] for s in wanted}
        rows = self.con.execute(
            "SELECT story, data FROM event_mentions WHERE story IN (SELECT unnest(?)) ORDER BY id", [wanted]
        ).fetchall()
        for story, data in rows:
            grouped[story].append(mention_from_json(json.loads(data)))
        return grouped

    def articles_by_id(self, ids: Iterable[str]) -> dict[str, Article]:
        rows = self.con.execute(
            "SELECT id, url, outlet, title, published, lang, author, external_id, duplicate_of "
            "FROM articles WHERE id IN (SELECT unnest(?))", [sorted(set(ids))]).fetchall()
        return {
            r[0]: Article(id=r[0], text="", url=r[1], outlet=r[2], title=r[3], published=r[4], lang=r[5],
                          author=r[6], external_id=r[7], duplicate_of=r[8])
            for r in rows
        }

    # ------------------------------------------------------------------ writing

    def begin(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def commit(self) -> None:
        self.con.execute("COMMIT")

    def rollback(self) -> None:
        self.con.execute("ROLLBACK")

    def add_sources(self, pairs: Iterable[tuple[str, str]]) -> None:
        rows = sorted(set(pairs))
        if rows:
            self.con.executemany("INSERT OR IGNORE INTO article_sources VALUES (?, ?)", rows)

    def add_article(self, annotated: AnnotatedArticle, story: str | None, signature: bytes | None, seq: int) -> None:
        a = annotated.article
        self.con.execute(
            "INSERT OR IGNORE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [a.id, a.url, a.outlet, a.title, a.published, a.text, a.lang, a.author, a.external_id,
             a.duplicate_of, story, signature, seq])
        self.add_sources((a.id, s) for s in (a.sources or [a.url or a.id]))
        rows = []
        for layer, items in (("time", annotated.times), ("place", annotated.places),
                             ("actor", annotated.actors), ("attribution", annotated.attributions)):
            for i, item in enumerate(items):
                code = getattr(item, "code", None) or getattr(item, "speaker_code", None)
                value = getattr(item, "value", None) or (
                    str(item.geonameid) if layer == "place" and item.geonameid else None) or getattr(item, "speaker", None)
                text = getattr(item, "text", None) or a.text[item.start:item.end]
                rows.append([a.id, layer, i, item.start, item.end, text, code, value, _json(item)])
        if rows:
            self.con.executemany("INSERT OR IGNORE INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        mention_rows = []
        for i, m in enumerate(annotated.events):
            m.id = m.id or f"{a.id}:{i}"
            mention_rows.append([m.id, a.id, story, m.start, m.end, m.source, m.target, m.code, m.date,
                                 m.date_end, m.outlet, m.attributed_to, _json(m)])
        if mention_rows:
            self.con.executemany("INSERT OR IGNORE INTO event_mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 mention_rows)

    def replace_events(self, stories: Iterable[str], events: Iterable[Event]) -> None:
        """Fused events are a function of their story's mentions: rewrite them whole."""
        self.con.execute("DELETE FROM events WHERE story IN (SELECT unnest(?))", [sorted(set(stories))])
        rows = []
        for e in events:
            p = e.place
            rows.append([e.id, e.story, e.source, e.target, e.code, (e.code or "")[:2], e.plover, e.goldstein,
                         e.quad_class, e.date, e.date_end, p and p.name, p and p.geonameid, p and p.country,
                         p and p.lat, p and p.lon, e.attributed_to, e.negated, e.modality, e.outlets,
                         len(e.mentions), e.syndicated, e.first_seen, _json(e)])
        if rows:
            self.con.executemany(
                "INSERT OR REPLACE INTO events VALUES (" + ", ".join("?" * 24) + ")", rows)

    def put_state(self, key: str, value: Any) -> None:
        self.con.execute("INSERT OR REPLACE INTO state VALUES (?, ?)",
                         [key, json.dumps(value, sort_keys=True, ensure_ascii=False)])

    # ------------------------------------------------------------------ listings

    def _rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def list_articles(self, limit: int | None = None, story: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE a.story = ?", [story]) if story else ("", [])
        rows = self._rows(
            "SELECT a.id, a.url, a.published, a.outlet, a.title, a.story, a.duplicate_of, a.external_id, "
            "list(s.source ORDER BY s.source) AS sources, a.text "
            f"FROM articles a LEFT JOIN article_sources s ON s.article = a.id {where} "
            "GROUP BY a.id, a.url, a.published, a.outlet, a.title, a.story, a.duplicate_of, a.external_id, a.text, a.seq "
            "ORDER BY a.seq" + (f" LIMIT {int(limit)}" if limit else ""), params)
        return rows

    def list_stories(self, limit: int | None = None, story: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE story = ?", [story]) if story else ("WHERE story IS NOT NULL", [])
        stories = self._rows(
            "SELECT story AS id, "
            "  arg_min(coalesce(title, left(text, 120)), coalesce(published, '9999') || id) AS title, "
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
            "annotations": one("SELECT count(*) FROM annotations"),
            "event_mentions": one("SELECT count(*) FROM event_mentions"),
            "events": one("SELECT count(*) FROM events"),
        }
