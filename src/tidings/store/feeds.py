"""The feed watcher's state, in the same database file as the articles it adds.

Two tables, created when the watcher first opens a database (the main schema does not
change, and a database never watched has neither):

- `watch_feeds`: one row per feed URL: the validators of its last answer (ETag,
  Last-Modified) for conditional GET, when it was last polled and last answered, its last
  status and error, how many polls in a row failed, and a time before which it is not
  asked again (a server's Retry-After).
- `watch_entries`: one row per feed entry ever seen, keyed by its page URL (or by feed and
  guid when it has no page): a durable queue. An entry is written `pending`, with the
  entry itself as JSON, in the same transaction as its feed's new validators, so a watcher
  killed at any point neither loses an entry (it stays pending until its article is
  committed) nor fetches a page twice once it is done. Its end state is `page` (article from
  the page), `feed_text` (the page failed or there was none: article from the feed's text)
  or `failed` (neither gave any text); `article` is the id of the article it gave.

All SQL is parameterised; nothing a feed says ever becomes SQL text.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tidings.store.db import Store

WATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_feeds (
    url VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR, last_polled VARCHAR, last_ok VARCHAR,
    last_status INTEGER, last_error VARCHAR, failures INTEGER, not_before VARCHAR, entries INTEGER);
CREATE TABLE IF NOT EXISTS watch_entries (
    entry_key VARCHAR PRIMARY KEY, feed VARCHAR, position INTEGER, link VARCHAR, first_seen VARCHAR,
    state VARCHAR, attempts INTEGER, last_error VARCHAR, article VARCHAR, done_at VARCHAR, entry JSON);
"""

DONE_STATES = ("page", "feed_text", "failed")


@dataclass
class FeedRow:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    not_before: str | None = None
    failures: int = 0


@dataclass
class PendingEntry:
    key: str
    feed: str
    attempts: int
    entry: dict[str, Any]   # the feed entry as `watch.entry_to_json` wrote it


@dataclass
class EntryOutcome:
    key: str
    state: str                 # "pending" (try again next poll) or one of DONE_STATES
    article: str | None = None
    error: str | None = None


class FeedState:
    """The watcher's tables in an open (writable) store."""

    def __init__(self, store: Store):
        self.store = store
        self.con = store.con
        self.con.execute(WATCH_SCHEMA)

    def _transaction(self, statements: Iterable[tuple[str, list]]) -> None:
        self.store.begin()
        try:
            for sql, params in statements:
                self.con.execute(sql, params)
            self.store.commit()
        except BaseException:
            self.store.rollback()
            raise

    # ------------------------------------------------------------------ feeds

    def feed(self, url: str) -> FeedRow:
        row = self.con.execute(
            "SELECT etag, last_modified, not_before, failures FROM watch_feeds WHERE url = ?", [url]).fetchone()
        if row is None:
            return FeedRow(url)
        return FeedRow(url, etag=row[0], last_modified=row[1], not_before=row[2], failures=row[3] or 0)

    def _upsert_feed(self, url: str) -> tuple[str, list]:
        return ("INSERT OR IGNORE INTO watch_feeds (url, failures, entries) VALUES (?, 0, 0)", [url])

    def feed_changed(self, url: str, now: str, status: int, etag: str | None, last_modified: str | None,
                     entries: list[tuple[str, str | None, dict]]) -> int:
        """A feed answered with entries (key, link, entry as JSON), in feed order: the ones
        never seen become pending, and the feed's new validators are kept, in one
        transaction. Returns how many entries were new."""
        unique: dict[str, tuple[int, str | None, dict]] = {}
        for position, (key, link, entry) in enumerate(entries):
            unique.setdefault(key, (position, link, entry))
        known = {r[0] for r in self.con.execute(
            "SELECT entry_key FROM watch_entries WHERE entry_key IN (SELECT unnest(?))", [list(unique)]).fetchall()}
        new = [(k, v) for k, v in unique.items() if k not in known]
        statements = [self._upsert_feed(url)]
        statements += [
            ("INSERT OR IGNORE INTO watch_entries VALUES (?, ?, ?, ?, ?, 'pending', 0, NULL, NULL, NULL, ?)",
             [key, url, position, link, now, json.dumps(entry, ensure_ascii=False, sort_keys=True)])
            for key, (position, link, entry) in new
        ]
        statements.append((
            "UPDATE watch_feeds SET etag = ?, last_modified = ?, last_polled = ?, last_ok = ?, last_status = ?, "
            "last_error = NULL, failures = 0, not_before = NULL, entries = entries + ? WHERE url = ?",
            [etag, last_modified, now, now, status, len(new), url]))
        self._transaction(statements)
        return len(new)

    def feed_unchanged(self, url: str, now: str) -> None:
        self._transaction([
            self._upsert_feed(url),
            ("UPDATE watch_feeds SET last_polled = ?, last_ok = ?, last_status = 304, last_error = NULL, "
             "failures = 0, not_before = NULL WHERE url = ?", [now, now, url]),
        ])

    def feed_failed(self, url: str, now: str, error: str, status: int | None, not_before: str | None) -> None:
        """A poll that failed keeps the feed's validators (the entries behind them were read)."""
        self._transaction([
            self._upsert_feed(url),
            ("UPDATE watch_feeds SET last_polled = ?, last_status = ?, last_error = ?, failures = failures + 1, "
             "not_before = ? WHERE url = ?", [now, status, error, not_before, url]),
        ])

    def site_name(self, feed: str) -> str | None:
        """The outlet the latest page of this feed named (its site's own name), if any."""
        row = self.con.execute(
            "SELECT a.outlet FROM watch_entries e JOIN articles a ON a.id = e.article "
            "WHERE e.feed = ? AND e.state = 'page' AND a.outlet IS NOT NULL ORDER BY e.done_at DESC LIMIT 1",
            [feed]).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ entries

    def pending(self) -> list[PendingEntry]:
        """Entries still to be turned into articles, in the order they were first seen; within
        one answer of a feed, last entry first (feeds list the newest first)."""
        rows = self.con.execute(
            "SELECT entry_key, feed, attempts, entry FROM watch_entries WHERE state = 'pending' "
            "ORDER BY first_seen, feed, position DESC").fetchall()
        return [PendingEntry(key=r[0], feed=r[1], attempts=r[2] or 0, entry=json.loads(r[3])) for r in rows]

    def finish(self, outcomes: list[EntryOutcome], now: str) -> None:
        """Record what became of entries; done ones drop their stored copy of the entry."""
        statements = []
        for o in outcomes:
            if o.state == "pending":
                statements.append(("UPDATE watch_entries SET attempts = attempts + 1, last_error = ? "
                                   "WHERE entry_key = ?", [o.error, o.key]))
            else:
                statements.append(("UPDATE watch_entries SET state = ?, article = ?, last_error = ?, done_at = ?, "
                                   "attempts = attempts + 1, entry = NULL WHERE entry_key = ?",
                                   [o.state, o.article, o.error, now, o.key]))
        if statements:
            self._transaction(statements)


def watched_feeds(store: Store) -> list[dict[str, Any]]:
    """Every watched feed with its state and what its entries gave (none in a database
    never watched). Reads only, so it works on a store opened read-only."""
    exists = store.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'watch_feeds'").fetchone()[0]
    if not exists:
        return []
    cur = store.con.execute("""
        SELECT f.url, f.last_polled, f.last_ok, f.last_status, f.last_error, f.failures, f.entries,
               count(e.entry_key) FILTER (WHERE e.state = 'page') AS pages,
               count(e.entry_key) FILTER (WHERE e.state = 'feed_text') AS feed_texts,
               count(e.entry_key) FILTER (WHERE e.state = 'pending') AS pending,
               count(e.entry_key) FILTER (WHERE e.state = 'failed') AS failed
        FROM watch_feeds f LEFT JOIN watch_entries e ON e.feed = f.url
        GROUP BY ALL ORDER BY f.url""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]
