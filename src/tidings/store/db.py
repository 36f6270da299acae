"""The DuckDB store: one file, a versioned schema, one transaction per batch.

Everything written is keyed by content hashes or ids derived from them, so writing the
same batch twice changes nothing, and a run killed half-way (its open transaction rolled
back by DuckDB) and run again ends with the same database as an uninterrupted run.
This module holds the schema, the state `tidings add` reads while it works and the write
path; the listings are in `store/query.py`.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tidings.records import AnnotatedArticle, Article, Event, EventMention, to_dict
from tidings.store.query import Queries, mention_from_json

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    id VARCHAR PRIMARY KEY, url VARCHAR, outlet VARCHAR, title VARCHAR, published VARCHAR,
    text VARCHAR, lang VARCHAR, author VARCHAR, external_id VARCHAR,
    duplicate_of VARCHAR, story VARCHAR, signature BLOB, seq BIGINT, thread VARCHAR, opinion BOOLEAN);
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
    outlets INTEGER, n_mentions INTEGER, syndicated BOOLEAN, first_seen VARCHAR, data JSON,
    outlet_keys VARCHAR[]);
CREATE TABLE IF NOT EXISTS state (key VARCHAR PRIMARY KEY, value JSON);
"""

# Upgrades of older files, run in one transaction on opening them for writing: from
# version N, the statements of UPGRADES[N] make it version N + 1 (`SCHEMA_VERSION`).
UPGRADES: dict[int, tuple[str, ...]] = {
    # 2: threads of event stories, and opinion pieces. A version 1 story becomes a thread of
    # its own (the clusterer's state upgrades alike, `stories.cluster.upgrade_state_v1`).
    1: ("ALTER TABLE articles ADD COLUMN thread VARCHAR",
        "ALTER TABLE articles ADD COLUMN opinion BOOLEAN",
        "UPDATE articles SET thread = story, opinion = false"),
}

# Columns added to files made before them, filled from what the rows already hold.
# events.outlet_keys: the event's outlet names in lower case, for the outlet filter (reading
# them out of the JSON record takes half a second over 100,000 events; this, milliseconds).
MIGRATIONS = """
ALTER TABLE events ADD COLUMN IF NOT EXISTS outlet_keys VARCHAR[];
UPDATE events SET outlet_keys = list_transform(CAST(json_extract(data, '$.outlet_names') AS VARCHAR[]),
                                               lambda x: lower(x)) WHERE outlet_keys IS NULL;
"""

_S, _I, _L, _F, _B = pa.string(), pa.int32(), pa.int64(), pa.float64(), pa.bool_()
# Each table's columns, with the Arrow type its bulk insert is built with (JSON columns
# are sent as text); inserts name them, so files whose upgrades appended columns take them alike.
COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "articles": [("id", _S), ("url", _S), ("outlet", _S), ("title", _S), ("published", _S), ("text", _S),
                 ("lang", _S), ("author", _S), ("external_id", _S), ("duplicate_of", _S), ("story", _S),
                 ("signature", pa.binary()), ("seq", _L), ("thread", _S), ("opinion", _B)],
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
               ("n_mentions", _I), ("syndicated", _B), ("first_seen", _S), ("data", _S),
               ("outlet_keys", pa.list_(_S))],
}


class StoreError(RuntimeError):
    """The database file cannot be opened or has an unknown schema; the message names it."""


class StoreBusy(StoreError):
    """Another process holds the file's lock (DuckDB allows one writing process, or many readers)."""


LOCK_RETRY = 0.05  # seconds between two tries to take a busy file's lock


def _connect(path: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """Open the file, trying again for up to `wait` seconds while another process holds its lock."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(f"{path}: database busy: another process is using it "
                                f"({'a writer, such as tidings add' if read_only else 'a reader or a writer'}); "
                                "try again when it is done") from e
            time.sleep(LOCK_RETRY)


def _json(value: Any) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False, sort_keys=True)


class Store(Queries):
    """A Tidings database file: its schema, the state `tidings add` reads, and the write path.

    The listings every interface reads (`Queries`) live in `store/query.py`."""

    def __init__(self, path: str | Path = "tidings.duckdb", read_only: bool = False, wait: float = 0.0):
        """Open (or create) a database file; `wait`: seconds to wait while another process holds it."""
        self.path = str(path)
        if read_only and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such database (run `tidings add` first)")
        try:
            self.con = _connect(self.path, read_only, wait)
        except duckdb.Error as e:
            raise StoreError(f"{self.path}: cannot open database ({str(e).splitlines()[0]})") from e
        if not read_only:
            self._upgrade()
            self.con.execute(SCHEMA)
            self.con.execute(MIGRATIONS)
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        version = self._version()
        if read_only and version is not None and version < SCHEMA_VERSION:
            self.con.close()  # an older file: upgrade it once, then read it as asked
            Store(self.path, wait=wait).close()
            self.con = _connect(self.path, True, wait)
            version = self._version()
        if read_only:
            self.outlet_keys = bool(self.con.execute(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'events' "
                "AND column_name = 'outlet_keys'").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is not {SCHEMA_VERSION}")

    def _version(self) -> int | None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.Error:
            return None
        return int(row[0]) if row and str(row[0]).isdigit() else None

    def _upgrade(self) -> None:
        """Bring an older file to `SCHEMA_VERSION`, one version per step, in one transaction."""
        version = self._version()
        if version is None or version >= SCHEMA_VERSION:
            return
        self.con.execute("BEGIN TRANSACTION")
        try:
            while version < SCHEMA_VERSION:
                if version not in UPGRADES:
                    raise StoreError(f"{self.path}: no upgrade from schema version {version}")
                for sql in UPGRADES[version]:
                    self.con.execute(sql)
                version += 1
            self.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

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

    def signatures(self, last: int | None = None, skip: bytes | None = None) -> Iterator[tuple[str, bytes]]:
        """(id, MinHash signature) of the stored originals in input order, for the
        near-duplicate index: the `last` ones only when given, not counting signatures
        equal to `skip` (an empty text's, which the index never holds)."""
        where = "signature IS NOT NULL AND duplicate_of IS NULL AND signature IS DISTINCT FROM ?"
        cur = self.con.execute(
            f"SELECT id, signature FROM (SELECT id, signature, seq FROM articles WHERE {where} "
            "ORDER BY seq DESC LIMIT ?) ORDER BY seq", [skip, last])
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
            "SELECT id, url, outlet, title, published, lang, author, external_id, duplicate_of, "
            "coalesce(opinion, false) FROM articles WHERE id IN (SELECT unnest(?))", [sorted(set(ids))]).fetchall()
        return {
            r[0]: Article(id=r[0], text="", url=r[1], outlet=r[2], title=r[3], published=r[4], lang=r[5],
                          author=r[6], external_id=r[7], duplicate_of=r[8], opinion=r[9])
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
                             a.external_id, a.duplicate_of, s.story, s.signature, s.seq, s.thread or s.story,
                             a.opinion))
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

    def add_article(self, annotated: AnnotatedArticle, story: str | None, signature: bytes | None, seq: int,
                    thread: str | None = None) -> None:
        self.insert_articles([StoredArticle(annotated, story, signature, seq, thread)])

    def replace_events(self, stories: Iterable[str], events: Iterable[Event]) -> None:
        """Fused events are a function of their story's mentions: rewrite them whole."""
        self.con.execute("DELETE FROM events WHERE story IN (SELECT unnest(?))", [sorted(set(stories))])
        rows: dict[str, tuple] = {}
        for e in events:  # a later event of the same id wins, as INSERT OR REPLACE did row by row
            p = e.place
            rows[e.id] = (e.id, e.story, e.source, e.target, e.code, (e.code or "")[:2], e.plover, e.goldstein,
                          e.quad_class, e.date, e.date_end, p and p.name, p and p.geonameid, p and p.country,
                          p and p.lat, p and p.lon, e.attributed_to, e.negated, e.modality, e.outlets,
                          len(e.mentions), e.syndicated, e.first_seen, _json(e), [o.lower() for o in e.outlet_names])
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
        listed = ", ".join(names)
        self.con.register(view, data)
        try:
            self.con.execute(f"INSERT OR {conflict} INTO {table} ({listed}) SELECT {listed} FROM {view}")
        finally:
            self.con.unregister(view)


@dataclass
class StoredArticle:
    """A new article as the store keeps it: its layers, its event story, its MinHash
    signature, its place in input order and its thread (its story's, when not given)."""

    annotated: AnnotatedArticle
    story: str | None
    signature: bytes | None
    seq: int
    thread: str | None = None


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
