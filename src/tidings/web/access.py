"""How the web app reads the database: one read-only connection, held only while pages are asked for.

DuckDB lets one process write a file or many processes read it, and opening a file costs
about 20 ms. So the app opens the file read-only on the first request, serves every
request from a cursor of that one connection, and closes it once no request has come for
`idle` seconds. A `tidings add` started while a page is open waits for that moment (the
CLI waits up to 10 s for a lock); while `tidings add` writes, a request waits up to `wait`
seconds for the file and then answers "database busy, try again" (HTTP 503). After the
writer is done, the next request opens the file anew and sees the new articles.
`tidings serve --workers N` runs N processes, each with a reader of its own.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tidings.store.db import Store
from tidings.store.query import Queries


class _Cursor(Queries):
    """The queries over one cursor (DuckDB connections are not shared between threads)."""

    def __init__(self, con, outlet_keys: bool) -> None:
        self.con = con
        self.outlet_keys = outlet_keys


class SharedReader:
    """A read-only connection to one database file, shared by concurrent requests and closed when idle."""

    def __init__(self, path: str | Path, wait: float = 2.0, idle: float = 0.5):
        self.path = str(path)
        self.wait = wait
        self.idle = idle
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._users = 0
        self._last = 0.0
        self._closer: threading.Thread | None = None
        self._stop = threading.Event()

    @contextmanager
    def queries(self) -> Iterator[Queries]:
        """The query layer for one request; raises StoreBusy when a writer holds the file for too long."""
        with self._lock:
            if self._store is None:
                self._store = Store(self.path, read_only=True, wait=self.wait)
                self._start_closer()
            self._users += 1
            cursor = self._store.con.cursor()
            view = _Cursor(cursor, self._store.outlet_keys)
        try:
            yield view
        finally:
            cursor.close()
            with self._lock:
                self._users -= 1
                self._last = time.monotonic()

    def _start_closer(self) -> None:
        if self._closer is None or not self._closer.is_alive():
            self._closer = threading.Thread(target=self._close_when_idle, name="tidings-db-closer", daemon=True)
            self._closer.start()

    def _close_when_idle(self) -> None:
        while not self._stop.wait(self.idle / 4):
            with self._lock:
                if self._store is not None and self._users == 0 and time.monotonic() - self._last >= self.idle:
                    self._store.close()
                    self._store = None
                    return

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
