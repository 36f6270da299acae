"""Readers: files, folders, stdin, by format, to a stream of `Article`s.

Formats: plain text, HTML pages, JSON Lines (and JSON arrays), RSS/Atom feeds, WARC, and
any of them gzip-compressed. The format comes from the file name; a file named on the
command line with an unknown extension is sniffed by its first bytes (files inside folders
with unknown extensions, such as README.md or images, are passed over). Everything streams:
folders are walked lazily, JSON Lines read line by line, WARCs record by record.

Bad input never stops a run: each unreadable file, line, feed entry or WARC record is
reported through `on_error` as one line "PATH[:line N | :record N]: reason" and reading
goes on with the rest.
"""
from __future__ import annotations

import gzip
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
from tidings.ingest.errors import IngestError
from tidings.ingest.extract import extract_html, fragment_text
from tidings.records import Article

OnError = Callable[[str], None]

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024   # one text, page, feed or JSON file
MAX_RECORD_BYTES = 16 * 1024 * 1024     # one WARC payload
MAX_WARC_RESYNCS = 100                  # broken records skipped in one WARC before giving up
GZIP_MAGIC = b"\x1f\x8b"

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

def _walk(folder: str) -> Iterator[str]:
    """Files under a folder, recursively, in sorted order. Hidden entries, unknown
    extensions and plain .json files (in folders mostly metadata, not news) are passed over;
    name such a file explicitly to read it."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            fmt = format_of_name(name)[0]
            if not name.startswith(".") and fmt is not None and fmt != "json":
                yield os.path.join(root, name)


def read_paths(paths: Iterable[str], on_error: OnError) -> Iterator[Article]:
    """Articles from files, folders (recursive, sorted) and "-" (stdin), in order."""
    for path in paths:
        path = str(path)
        if path == "-":
            yield from read_stream(sys.stdin.buffer, "<stdin>", on_error)
        elif os.path.isdir(path):
            for file in _walk(path):
                yield from read_file(file, on_error)
        elif os.path.exists(path):
            yield from read_file(path, on_error)
        else:
            on_error(f"{path}: no such file or folder")


def read_file(path: str, on_error: OnError) -> Iterator[Article]:
    """Articles from one file; its format from its name, else from its first bytes."""
    try:
        f = open(path, "rb")
    except OSError as e:
        on_error(f"{path}: cannot open ({e.strerror or e})")
        return
    with f:
        fmt, _ = format_of_name(path)
        yield from read_stream(f, path, on_error, fmt)


def read_stream(stream: BinaryIO, name: str, on_error: OnError, fmt: str | None = None) -> Iterator[Article]:
    """Articles from an open binary stream named `name` (a path, or "<stdin>")."""
    try:
        head = _peek(stream)
        if not head:
            on_error(f"{name}: empty file")
            return
        if head.startswith(GZIP_MAGIC) and fmt != "warc":
            # warcio reads (multi-member) gzip WARCs itself; everything else is unpacked here.
            stream = gzip.GzipFile(fileobj=stream, mode="rb")
            head = _peek(stream)
            if not head:
                on_error(f"{name}: empty file")
                return
        if fmt is None:
            fmt = sniff_format(head)
        yield from READERS[fmt](stream, name, on_error)
    except IngestError as e:
        on_error(f"{name}: {e}")
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        on_error(f"{name}: truncated or corrupt compressed data ({e})")
    except OSError as e:
        on_error(f"{name}: cannot read ({e.strerror or e})")
    except Exception as e:  # a bug in a parser must cost one file, not the run
        on_error(f"{name}: unexpected error ({type(e).__name__}: {_one_line(e)})")


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200]


def _peek(stream: BinaryIO, size: int = 8192) -> bytes:
    """The first bytes of a stream without consuming them (buffered readers, gzip and
    seekable streams; a pipe may show fewer bytes, enough to sniff)."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return peek(size)[:size]
    if stream.seekable():
        pos = stream.tell()
        head = stream.read(size)
        stream.seek(pos)
        return head
    raise IngestError("cannot look ahead in this stream")


def _read_document(stream: BinaryIO) -> bytes:
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise IngestError(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB, too large for one document")
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


def _records_from_lines(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[tuple[str, dict]]:
    for n, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        where = f"{name}:line {n}"
        try:
            record = json.loads(decode_bytes(raw))
        except IngestError as e:
            on_error(f"{where}: {e}")
            continue
        except ValueError as e:
            on_error(f"{where}: malformed JSON ({_one_line(e)})")
            continue
        if not isinstance(record, dict):
            on_error(f"{where}: not a JSON object")
            continue
        yield where, record


def _articles_from_records(records: Iterable[tuple[str, dict]], on_error: OnError) -> Iterator[Article]:
    for where, record in records:
        try:
            article = article_from_record(record, where)
        except IngestError as e:
            on_error(f"{where}: {e}")
            continue
        except Exception as e:  # a bug in a parser must cost one record, not the file
            on_error(f"{where}: unexpected error ({type(e).__name__}: {_one_line(e)})")
            continue
        yield article


def read_jsonl(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    yield from _articles_from_records(_records_from_lines(stream, name, on_error), on_error)


def read_json(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    """A .json file: an array of records, one record, or (often enough) JSON Lines."""
    data = _read_document(stream)
    try:
        value = json.loads(decode_bytes(data))
    except ValueError:
        yield from read_jsonl(io.BytesIO(data), name, on_error)
        return
    items = value if isinstance(value, list) else [value]
    records = []
    for n, item in enumerate(items, start=1):
        if isinstance(item, dict):
            records.append((f"{name}:record {n}", item))
        else:
            on_error(f"{name}:record {n}: not a JSON object")
    yield from _articles_from_records(records, on_error)


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


def feed_entries(data: bytes, name: str, on_error: OnError, headers: dict[str, str] | None = None) -> list[FeedEntry]:
    """The entries of an RSS/Atom document, in feed order. `headers` are the HTTP response
    headers of a fetched feed (`content-type` for its charset, `content-location` for its
    URL, against which relative links resolve). A well-formed feed may have no entries;
    raises IngestError when `data` is no feed."""
    import feedparser

    # A BytesIO, never bytes or str: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or {})
    if not parsed.entries:
        if parsed.get("version") and not parsed.get("bozo"):
            return []  # a well-formed feed with nothing in it yet
        reason = f" ({parsed.get('bozo_exception')})" if parsed.get("bozo") else ""
        raise IngestError(f"not an RSS/Atom feed or a feed without entries{reason}")
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        on_error(f"{name}: malformed feed ({parsed.get('bozo_exception')}); entries before the fault were read")
    outlet = " ".join((parsed.feed.get("title") or "").split()) or None
    entries = []
    for n, entry in enumerate(parsed.entries, start=1):
        raw, is_html = _entry_text(entry)
        text = clean_text(fragment_text(raw), extracted=True).text if is_html else clean_text(raw).text
        published = parse_date(entry.get("published_parsed") or entry.get("updated_parsed")) \
            or parse_date(entry.get("published") or entry.get("updated"))
        entries.append(FeedEntry(
            where=f"{name}:record {n}",
            link=(entry.get("link") or "").strip() or None,
            guid=(entry.get("id") or "").strip() or None,
            text=text,
            title=" ".join((entry.get("title") or "").split()) or None,
            published=published,
            author=(entry.get("author_detail") or {}).get("name") or entry.get("author") or None,
            outlet=outlet,
        ))
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
        yield make_article(e.text, e.link or e.where, title=e.title, published=e.published, outlet=e.outlet,
                           author=e.author)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _warc_article(record, where: str) -> Article | None:
    """The article in one WARC record, None for records that are not HTML pages."""
    if record.rec_type not in ("response", "resource"):
        return None
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    if headers is None:
        return None
    if record.rec_type == "response" and not (headers.get_statuscode() or "").startswith("2"):
        return None
    content_type = headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or where
    data = record.content_stream().read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise IngestError(f"page larger than {MAX_RECORD_BYTES // (1024 * 1024)} MB ({uri})")
    if getattr(record.raw_stream, "limit", 0):
        raise IngestError(f"truncated record, {record.raw_stream.limit} bytes missing ({uri})")
    found = extract_html(decode_bytes(data, _charset(content_type)), url=uri)
    if not found.text:
        raise IngestError(f"no article text found in the page ({uri})")
    return make_article(found.text, uri, title=found.title, published=found.published, outlet=found.outlet,
                        author=found.author)


def _next_record_start(stream: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Offset of the next plausible WARC record start after `after` (seekable files only)."""
    marker = b"\x1f\x8b\x08" if gzipped else b"WARC/1."
    stream.seek(after)
    offset, tail = after, b""
    while chunk := stream.read(1 << 20):
        buf = tail + chunk
        k = buf.find(marker)
        if k != -1:
            return offset - len(tail) + k
        tail = buf[-(len(marker) - 1):]
        offset += len(chunk)
    return None


def read_warc(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    """HTML response records of a WARC (plain or gzip) with their target URIs. A broken
    record is reported and, in a file on disk, reading resumes at the next record."""
    from warcio.archiveiterator import ArchiveIterator

    gzipped = _peek(stream, 2) == GZIP_MAGIC
    seekable = stream.seekable()
    base = stream.tell() if seekable else 0
    n = 0
    for _ in range(MAX_WARC_RESYNCS + 1):
        iterator = ArchiveIterator(stream, check_digests=False)
        try:
            for record in iterator:
                n += 1
                try:
                    article = _warc_article(record, f"{name}:record {n}")
                except IngestError as e:
                    on_error(f"{name}:record {n}: {e}")
                    continue
                except Exception as e:  # a bad payload (compression, HTML) loses this record only
                    on_error(f"{name}:record {n}: cannot read the page ({type(e).__name__}: {e})")
                    continue
                if article is not None:
                    yield article
            return
        except Exception as e:  # warcio raises ArchiveLoadFailed, EOFError, AttributeError ... on broken input
            n += 1
            reason = _one_line(e) or type(e).__name__
            bad = base + (iterator.offset or 0)
            resume = _next_record_start(stream, bad + 1, gzipped) if seekable else None
            if resume is None:
                on_error(f"{name}:record {n}: broken WARC record ({reason}); nothing readable after it")
                return
            on_error(f"{name}:record {n}: broken WARC record ({reason}); skipped to the next record")
            stream.seek(resume)
            base = resume
    on_error(f"{name}: more than {MAX_WARC_RESYNCS} broken records, rest of the file skipped")


READERS: dict[str, Callable[[BinaryIO, str, OnError], Iterator[Article]]] = {
    "text": read_text, "html": read_html, "jsonl": read_jsonl, "json": read_json,
    "feed": read_feed, "warc": read_warc,
}
