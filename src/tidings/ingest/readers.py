"""Readers: files, folders, stdin, by format, to a stream of `Article`s.

Formats: plain text, HTML pages, JSON Lines (and JSON arrays), RSS/Atom feeds, WARC, and
any of them gzip-compressed. The format comes from the file name; a file named on the
command line with an unknown extension is sniffed by its first bytes (files inside folders
with unknown extensions, such as README.md or images, are passed over). Everything streams:
folders are walked lazily, JSON Lines read line by line, WARCs record by record.

Bad input never stops a run: each unreadable file, line, feed entry or WARC record is
reported through `on_error` as one line "PATH[:line N | :record N]: reason" and reading
goes on with the rest; a file that yields no article always gets such a line. The size
limits are in `limits.py`.
"""
from __future__ import annotations

import io
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from tidings.ingest.article import article_from_record, make_article
from tidings.ingest.clean import clean_text
from tidings.ingest.dates import parse_date
from tidings.ingest.encoding import decode_bytes, looks_binary
from tidings.ingest.errors import IngestError, one_line, unexpected
from tidings.ingest.extract import extract_html, fragment_text
from tidings.ingest.gunzip import decompressed
from tidings.ingest.jsonlines import json_lines
from tidings.ingest.limits import MAX_DOCUMENT_BYTES, megabytes
from tidings.ingest.paths import display_name, open_input, walk
from tidings.ingest.warc import read_warc
from tidings.records import Article

OnError = Callable[[str], None]

FORMATS_BY_EXTENSION = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc", ".arc": "warc",
}


def format_of_name(name: str) -> tuple[str | None, bool]:
    """(format, gzip-compressed) from a file name: "a.jsonl.gz" -> ("jsonl", True)."""
    lower = name.lower()
    compressed = lower.endswith(".gz")
    if compressed:
        lower = lower[:-3]
    return FORMATS_BY_EXTENSION.get(os.path.splitext(lower)[1]), compressed


def sniff_format(head: bytes) -> str:
    """The format of a document from its first bytes (already decompressed)."""
    if head.startswith(b"WARC/"):
        return "warc"
    if looks_binary(head):
        raise IngestError("binary file of an unknown format")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096].lower()
    if start.startswith((b"{", b"[")):
        return "jsonl" if start.startswith(b"{") else "json"
    if start.startswith(b"<"):
        if b"<rss" in start or b"<feed" in start or b"<rdf:rdf" in start:
            return "feed"
        return "html"
    return "text"


# --------------------------------------------------------------------- walking paths

def _in_folder(name: str) -> bool:
    """Files read from folders: known extensions, except plain .json (in folders mostly
    metadata, not news; name such a file explicitly to read it)."""
    fmt = format_of_name(name)[0]
    return fmt is not None and fmt != "json"


def read_paths(paths: Iterable[str], on_error: OnError) -> Iterator[Article]:
    """Articles from files, folders (recursive, sorted) and "-" (stdin), in order."""
    for path in paths:
        path = os.fsdecode(path)
        if path == "-":
            yield from read_stream(sys.stdin.buffer, "<stdin>", on_error)
        elif os.path.isdir(path):
            files = 0
            for file in walk(path, on_error, _in_folder):
                files += 1
                yield from read_file(file, on_error)
            if not files:
                on_error(f"{display_name(path)}: no files of a known format in this folder")
        elif os.path.exists(path):
            yield from read_file(path, on_error)
        else:
            on_error(f"{display_name(path)}: no such file or folder")


def read_file(path: str, on_error: OnError) -> Iterator[Article]:
    """Articles from one file; its format from its name, else from its first bytes."""
    name = display_name(path)
    try:
        f = open_input(path)
    except IngestError as e:
        on_error(f"{name}: cannot open ({e})")
        return
    except OSError as e:
        on_error(f"{name}: cannot open ({e.strerror or e})")
        return
    with f:
        fmt, _ = format_of_name(path)
        yield from read_stream(f, name, on_error, fmt)


def read_stream(stream: BinaryIO, name: str, on_error: OnError, fmt: str | None = None) -> Iterator[Article]:
    """Articles from an open binary stream named `name` (a path, or "<stdin>"). Whatever
    happens, the stream yields its articles or `on_error` hears why not."""
    said = 0

    def report(line: str) -> None:
        nonlocal said
        said += 1
        on_error(line)

    found = 0
    try:
        stream = decompressed(stream)
        head = _peek(stream)
        if not head:
            raise IngestError("empty file")
        if fmt is None:
            fmt = sniff_format(head)
        for article in READERS[fmt](stream, name, report):
            found += 1
            yield article
    except IngestError as e:
        report(f"{name}: {e}")
    except (EOFError, zlib.error) as e:
        report(f"{name}: truncated or corrupt compressed data ({one_line(e)})")
    except OSError as e:
        report(f"{name}: cannot read ({e.strerror or e})")
    except Exception as e:  # a bug in a parser must cost one file, not the run
        report(unexpected(name, e))
    if not found and not said:
        on_error(f"{name}: no articles in this file")


def _peek(stream: BinaryIO, size: int = 8192) -> bytes:
    """The first bytes of a buffered stream without consuming them (a pipe may show fewer
    bytes than asked for, enough to sniff)."""
    return stream.peek(size)[:size]  # type: ignore[attr-defined]


def _read_document(stream: BinaryIO) -> bytes:
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise IngestError(f"larger than {megabytes(MAX_DOCUMENT_BYTES)}, too large for one document")
    return data


# --------------------------------------------------------------------- formats

def read_text(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    data = _read_document(stream)
    if not data.strip():
        raise IngestError("empty file")
    c = clean_text(decode_bytes(data))
    if not c.text:
        raise IngestError("no article text left after removing boilerplate")
    yield make_article(c.text, name, title=c.title, published=c.published, outlet=c.outlet, author=c.author)


def read_html(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    data = _read_document(stream)
    if not data.strip():
        raise IngestError("empty file")
    found = extract_html(decode_bytes(data))
    if not found.text:
        raise IngestError("no article text found in the page")
    yield make_article(found.text, name, title=found.title, published=found.published, outlet=found.outlet,
                       author=found.author)


def _articles_from_records(records: Iterable[tuple[str, dict | None, str | None]],
                           on_error: OnError) -> Iterator[Article]:
    """Articles from (where, record, error) triples; each bad one costs itself only."""
    for where, record, error in records:
        if record is None:
            on_error(f"{where}: {error}")
            continue
        try:
            article = article_from_record(record, where)
        except IngestError as e:
            on_error(f"{where}: {e}")
            continue
        except Exception as e:  # a bug in a parser must cost one record, not the file
            on_error(unexpected(where, e))
            continue
        yield article


def read_jsonl(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    yield from _articles_from_records(json_lines(stream, name), on_error)


def read_json(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    """A .json file: an array of records, one record, or (often enough) JSON Lines."""
    data = _read_document(stream)
    try:
        value = json.loads(decode_bytes(data))
    except RecursionError:
        raise IngestError("JSON nested too deeply") from None
    except ValueError:
        yield from read_jsonl(io.BytesIO(data), name, on_error)
        return
    items = value if isinstance(value, list) else [value]
    if not items:
        raise IngestError("an empty JSON array, no records")
    yield from _articles_from_records(
        ((f"{name}:record {n}", item, None) if isinstance(item, dict) else
         (f"{name}:record {n}", None, "not a JSON object") for n, item in enumerate(items, start=1)), on_error)


def _entry_text(entry) -> tuple[str, bool]:
    """(text, is_html) of a feed entry: its full content if any, else its summary."""
    for part in entry.get("content") or []:
        if (part.get("value") or "").strip():
            return part["value"], "html" in (part.get("type") or "html")
    detail = entry.get("summary_detail") or {}
    summary = entry.get("summary") or ""
    return summary, "html" in (detail.get("type") or "text/html")


@dataclass
class FeedEntry:
    """One entry of an RSS/Atom feed: where its page is, and the text the feed itself gives."""

    where: str                  # "FEED:record N", for messages
    link: str | None            # the entry's page (absolute, resolved against the feed's URL)
    guid: str | None            # the entry's own id, when the feed gives one
    text: str                   # the feed's content or summary, cleaned ("" when it has none)
    title: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None   # the feed's title


def _feed_entry(entry, where: str, outlet: str | None) -> FeedEntry:
    raw, is_html = _entry_text(entry)
    text = clean_text(fragment_text(raw), extracted=True).text if is_html else clean_text(raw).text
    published = parse_date(entry.get("published_parsed") or entry.get("updated_parsed")) \
        or parse_date(entry.get("published") or entry.get("updated"))
    return FeedEntry(
        where=where,
        link=(entry.get("link") or "").strip() or None,
        guid=(entry.get("id") or "").strip() or None,
        text=text,
        title=" ".join((entry.get("title") or "").split()) or None,
        published=published,
        author=(entry.get("author_detail") or {}).get("name") or entry.get("author") or None,
        outlet=outlet,
    )


def feed_entries(data: bytes, name: str, on_error: OnError, headers: dict[str, str] | None = None) -> list[FeedEntry]:
    """The entries of an RSS/Atom document, in feed order. `headers` are the HTTP response
    headers of a fetched feed (`content-type` for its charset, `content-location` for its
    URL, against which relative links resolve). A well-formed feed may have no entries;
    raises IngestError when `data` is no feed. An entry that cannot be read is reported
    and left out."""
    import feedparser

    # A BytesIO, never bytes or str: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or {})
    if not parsed.entries:
        if parsed.get("version") and not parsed.get("bozo"):
            return []  # a well-formed feed with nothing in it yet
        reason = f" ({one_line(parsed.get('bozo_exception'))})" if parsed.get("bozo") else ""
        raise IngestError(f"not an RSS/Atom feed or a feed without entries{reason}")
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        on_error(f"{name}: malformed feed ({one_line(parsed.get('bozo_exception'))}); "
                 "entries before the fault were read")
    outlet = " ".join((parsed.feed.get("title") or "").split()) or None
    entries = []
    for n, entry in enumerate(parsed.entries, start=1):
        where = f"{name}:record {n}"
        try:
            entries.append(_feed_entry(entry, where, outlet))
        except Exception as e:  # one odd entry costs itself only
            on_error(unexpected(where, e))
    return entries


def read_feed(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    """A feed file: one article per entry, from the text the feed carries."""
    entries = feed_entries(_read_document(stream), name, on_error)
    if not entries:
        raise IngestError("a feed without entries")
    for e in entries:
        if not e.text and not e.title:  # a headline alone is an article (make_article)
            on_error(f"{e.where}: feed entry without title, content or summary")
            continue
        try:
            article = make_article(e.text, e.link or e.where, title=e.title, published=e.published,
                                   outlet=e.outlet, author=e.author)
        except IngestError as err:
            on_error(f"{e.where}: {err}")
            continue
        yield article


READERS: dict[str, Callable[[BinaryIO, str, OnError], Iterator[Article]]] = {
    "text": read_text, "html": read_html, "jsonl": read_jsonl, "json": read_json,
    "feed": read_feed, "warc": read_warc,
}
