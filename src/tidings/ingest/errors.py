"""The one exception ingest raises for input it cannot turn into an article."""
from __future__ import annotations


class IngestError(ValueError):
    """An input (file, line, feed entry, WARC record) that yields no article; the message says why.

    A ValueError, so callers that already catch ValueError for bad records keep working.
    """
