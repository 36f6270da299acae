"""Tidings: a sourced event database from raw news.

    import tidings
    doc = tidings.annotate("Chinese President Xi Jinping met ...", date="2024-07-09")
    doc.events[0].code
    with tidings.open("tidings.duckdb") as db:
        db.list_events(actor="CHN")
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


def open(path: str = "tidings.duckdb", read_only: bool = True):  # noqa: A001 - mirrors the CLI's --db
    """Open a Tidings database file (read-only by default)."""
    from tidings.store import Store

    return Store(path, read_only=read_only)
