"""The DuckDB store: one file, a versioned schema, one transaction per batch.

Everything written is keyed by content hashes or ids derived from them, so writing the
same batch twice changes nothing, and a run killed half-way (its open transaction rolled
back by DuckDB) and run again ends with the same database as an uninterrupted run.
This module holds the schema, the state `tidings add` reads while it works and the write
path; the listings are in `store/query.py`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tidings.records import AnnotatedArticle, Article, Event, EventMention, to_dict
from tidings.store.query import Queries, mention_from_json

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

_S, _I, _L, _F, _B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()
# Each table's columns in schema order, with the Arrow type its bulk insert is built with
# (JSON columns are sent as text).
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "articles": [("id", _S), ("url", _S), ("outlet", _S), ("title", _S), ("published", _S), ("text", _S),
                 ("lang", _S), ("author", _S), ("external_id", _S), ("duplicate_of", _S), ("story", _S),
                 ("signature", pa.binary()), ("seq", _L)],
    "article_sources": [("article", _S), ("source", _S)],
    "annotations": [("article", _S), ("layer", _S), ("idx", _I), ("start_char", _I), ("end_char", _I),
                    ("text", _S), ("code", _S), ("value", _S), ("data", _S)],
    "event_mentions": [("id", _S), ("article", _S), ("story", _S), ("start_char", _I), ("end_char", _I),
                       ("source", _S), ("target", _S), ("code", _S), ("date", _S), ("date_end", _S),
                       ("outlet", _S), ("attributed_to", _S), ("data", _S)],
    "events": [("id", _S), ("story", _S), ("source", _S), ("target", _S), ("code", _S), ("root", _S),
               ("plover", _S), ("goldstein", _F), ("quad_class", _I), ("date", _S), ("date_end", _S),
               ("place_name", _S), ("place_geonameid", _L), ("place_country", _S), ("place_lat", _F),
               ("place_lon", _F), ("attributed_to", _S), ("negated", _B), ("modality", _S), ("outlets", _I),
               ("n_mentions", _I), ("syndicated", _B), ("first_seen", _S), ("data", _S)],
}


class StoreError(RuntimeError):
    """The database file cannot be opened or has an unknown schema; the message names it."""


def _json(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False, sort_keys=True)


class Store(Queries):
    """A Tidings database file: its schema, the state `tidings add` reads, and the write path.

    The listings every interface reads (`Queries`) live in `store/query.py`."""

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

    def write_batch(self, batch: "Batch") -> None:
        """Everything one batch of `tidings add` changes, in one transaction: all of it or nothing."""
        self.begin()
        try:
            self.add_sources(batch.sources)
            self.insert_articles(batch.articles)
            if batch.stories:
                self.replace_events(batch.stories, batch.events)
            for key, value in batch.state.items():
                self.put_state(key, value)
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def add_sources(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._insert("article_sources", sorted(set(pairs)))

    def insert_articles(self, stored: Iterable["StoredArticle"]) -> None:
        """Articles with their sources, annotation layers and event mentions, one bulk insert
        per table. Mentions without an id get `ARTICLE:INDEX`."""
        articles, sources, annotations, mentions = [], [], [], []
        for s in stored:
            a = s.annotated.article
            articles.append((a.id, a.url, a.outlet, a.title, a.published, a.text, a.lang, a.author,
                             a.external_id, a.duplicate_of, s.story, s.signature, s.seq))
            sources.extend((a.id, src) for src in (a.sources or [a.url or a.id]))
            annotations.extend(annotation_rows(s.annotated))
            for i, m in enumerate(s.annotated.events):
                m.id = m.id or mention_id(a.id, i)
                mentions.append((m.id, a.id, s.story, m.start, m.end, m.source, m.target, m.code, m.date,
                                 m.date_end, m.outlet, m.attributed_to, _json(m)))
        self._insert("articles", articles)
        self.add_sources(sources)
        self._insert("annotations", annotations)
        self._insert("event_mentions", mentions)

    def add_article(self, annotated: AnnotatedArticle, story: str | None, signature: bytes | None, seq: int) -> None:
        self.insert_articles([StoredArticle(annotated, story, signature, seq)])

    def replace_events(self, stories: Iterable[str], events: Iterable[Event]) -> None:
        """Fused events are a function of their story's mentions: rewrite them whole."""
        self.con.execute("DELETE FROM events WHERE story IN (SELECT unnest(?))", [sorted(set(stories))])
        rows: dict[str, tuple] = {}
        for e in events:  # a later event of the same id wins, as INSERT OR REPLACE did row by row
            p = e.place
            rows[e.id] = (e.id, e.story, e.source, e.target, e.code, (e.code or "")[:2], e.plover, e.goldstein,
                          e.quad_class, e.date, e.date_end, p and p.name, p and p.geonameid, p and p.country,
                          p and p.lat, p and p.lon, e.attributed_to, e.negated, e.modality, e.outlets,
                          len(e.mentions), e.syndicated, e.first_seen, _json(e))
        self._insert("events", list(rows.values()), conflict="REPLACE")

    def put_state(self, key: str, value: Any) -> None:
        self.con.execute("INSERT OR REPLACE INTO state VALUES (?, ?)",
                         [key, json.dumps(value, sort_keys=True, ensure_ascii=False)])

    def _insert(self, table: str, rows: list[tuple], conflict: str = "IGNORE") -> None:
        """One INSERT for all rows, through an Arrow table: a column store takes a few large
        inserts far faster than many single-row ones. `table` is one of ours, never user text."""
        if not rows:
            return
        names, types = zip(*COLUMNS[table])
        columns = zip(*rows)
        data = pa.table([pa.array(list(c), type=t) for c, t in zip(columns, types)], names=list(names))
        view = f"_tidings_rows_{table}"
        self.con.register(view, data)
        try:
            self.con.execute(f"INSERT OR {conflict} INTO {table} SELECT * FROM {view}")
        finally:
            self.con.unregister(view)


@dataclass
class StoredArticle:
    """A new article as the store keeps it: its layers, its story, its MinHash signature and
    its place in input order."""

    annotated: AnnotatedArticle
    story: str | None
    signature: bytes | None
    seq: int


@dataclass
class Batch:
    """What one batch of `tidings add` writes (`Store.write_batch`)."""

    articles: list[StoredArticle] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)   # new sources of articles already stored
    stories: set[str] = field(default_factory=set)                 # stories whose events are rewritten ...
    events: list[Event] = field(default_factory=list)              # ... with these
    state: dict[str, Any] = field(default_factory=dict)            # `state` table entries


LAYERS = ("time", "place", "actor", "attribution")


def mention_id(article_id: str, index: int) -> str:
    """The id of an article's INDEX-th event mention."""
    return f"{article_id}:{index}"


def annotation_rows(annotated: AnnotatedArticle) -> Iterator[tuple]:
    """Rows of the `annotations` table for one article: each layer item with its span, its
    code and value (where the layer has them) and the whole record as JSON."""
    a = annotated.article
    for layer, items in zip(LAYERS, (annotated.times, annotated.places, annotated.actors, annotated.attributions)):
        for i, item in enumerate(items):
            code = getattr(item, "code", None) or getattr(item, "speaker_code", None)
            value = getattr(item, "value", None) or (
                str(item.geonameid) if layer == "place" and item.geonameid else None) or getattr(item, "speaker", None)
            text = getattr(item, "text", None) or a.text[item.start:item.end]
            yield (a.id, layer, i, item.start, item.end, text, code, value, _json(item))
