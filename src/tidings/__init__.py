"""Tidings: a sourced event database from raw news.

    import tidings
    doc = tidings.annotate("Chinese President Xi Jinping met ...", date="2024-07-09")
    doc.events[0].code
    with tidings.open("tidings.duckdb") as db:       # read-only
        page = db.events(actor="CHN", since="2024-07-01")
        page.total, page[0].code, page.to_pandas()
"""
from __future__ import annotations

__version__ = "0.1.0"


def annotate(text: str, date: str | None = None, title: str | None = None, url: str | None = None,
             outlet: str | None = None, html: bool = False):
    """Every layer (times, places, actors, attributions, events) for one raw text or HTML page."""
    from tidings.analysis import annotate_articles
    from tidings.ingest import article_from_record

    record = {"html" if html else "text": text, "date": date, "title": title, "url": url, "outlet": outlet}
    article = article_from_record({k: v for k, v in record.items() if v is not None}, url or "<python>")
    return next(annotate_articles([article]))


def open(path: str = "tidings.duckdb", wait: float = 0.0):  # noqa: A001 - mirrors the CLI's --db
    """A read-only handle on a Tidings database file: `stories`, `story`, `events`, `event`, `actors`,
    `map`, `timeline`, `network`, each with filters as keywords, returning records (pages of them
    have `.to_arrow()` and `.to_pandas()`). `wait`: seconds to wait while `tidings add` writes the file."""
    from tidings.store.reader import Database

    return Database(path, wait=wait)
