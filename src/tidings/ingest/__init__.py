"""Ingest: raw news (text, HTML, JSON Lines, RSS/Atom, WARC, gzip) to `Article` records.

    from tidings.ingest import read_paths, article_from_record
    for article in read_paths(["examples/"], on_error=print):
        ...

- `read_paths(paths, on_error)`: files, folders (recursive, sorted) and "-" for stdin;
  bad input is reported as one line per problem and reading goes on.
- `article_from_record(record, source)`: one `tidings annotate` JSON record to an Article.
- `clean.clean_text(raw)`: boilerplate, date line, outlet signature, glued sentences.
- `dedup.signature(text)`, `dedup.NearDuplicateIndex`: syndicated copies by MinHash LSH.
"""
from tidings.ingest.article import article_from_record, make_article
from tidings.ingest.clean import Cleaned, clean_text
from tidings.ingest.errors import IngestError
from tidings.ingest.readers import read_file, read_paths, read_stream

__all__ = ["Cleaned", "IngestError", "article_from_record", "clean_text", "make_article", "read_file",
           "read_paths", "read_stream"]
