"""The one exception ingest raises for input it cannot turn into an article, and how
failures are worded: one line each, naming the input."""
from __future__ import annotations


class IngestError(ValueError):
    """An input (file, line, feed entry, WARC record) that yields no article; the message says why.

    A ValueError, so callers that already catch ValueError for bad records keep working.
    """


def one_line(e: BaseException, limit: int = 200) -> str:
    """An exception's message on one line, cut to `limit` characters."""
    return " ".join(str(e).split())[:limit] or type(e).__name__


def unexpected(where: str, e: BaseException) -> str:
    """The report for a failure nobody foresaw (a bug): the input, the exception, one line."""
    return f"{where}: unexpected error ({type(e).__name__}: {one_line(e)})"
