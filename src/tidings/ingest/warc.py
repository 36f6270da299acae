"""WARC files: the archived HTML pages in them, every broken record named.

The framing of records is read here, strictly, because that is where damage hides: a
record whose Content-Length is not a number, is too small, or runs into the next record
is reported as broken and reading resumes at the next line that starts `WARC/1.`, so no
good record after it is lost. warcio then reads each well-framed record (HTTP headers,
chunked transfer, content encodings). Input arrives already decompressed (`gunzip.py`
reads a .warc.gz member by member and names corrupt members); pipes work as well as files,
since nothing here seeks.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import BinaryIO

from tidings.ingest.article import make_article
from tidings.ingest.encoding import decode_bytes
from tidings.ingest.errors import IngestError, one_line, unexpected
from tidings.ingest.extract import extract_html
from tidings.ingest.gunzip import CorruptData
from tidings.ingest.limits import MAX_WARC_HEADER_BYTES, MAX_WARC_RECORD_BYTES, MAX_WARC_RESYNCS, megabytes
from tidings.records import Article

OnError = Callable[[str], None]

RECORD_START = b"WARC/1."
# The end of one record and the start of the next: inside a record's content it means the
# Content-Length is too large and the record swallows the ones after it.
_NEXT_RECORD = b"\r\n\r\n" + RECORD_START
_CHUNK = 1 << 16
_PAGE_TYPES = (b"response", b"resource")

# warcio logs what it repairs in a record (spaces in a URI ...) straight to stderr, where
# no line may go unnamed; the records it cannot read are named here instead.
logging.getLogger("warcio").setLevel(logging.CRITICAL)


class _Broken(IngestError):
    """A record whose framing is wrong; reading resumes at the next record start."""


class _NoHeader(_Broken):
    """Bytes where a record should start that do not start one."""


class _Truncated(IngestError):
    """The stream ends inside a record."""


class _Reader:
    """Forward-only reading with look-ahead over any binary stream. After corrupt
    compressed data the buffer is dropped and a record may start right where reading
    goes on (the next gzip member)."""

    def __init__(self, stream: BinaryIO):
        # read1: one read of the stream underneath at most, so bytes decompressed before a
        # fault are kept (a plain read() loses them when the gzip layer raises).
        self._read = getattr(stream, "read1", stream.read)
        self.buf = b""
        self.eof = False
        self.line_start = True     # the byte at buf[0] starts a line (or a gzip member)

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            data = self._read(_CHUNK)
        except CorruptData:
            self.buf, self.line_start = b"", True
            raise
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def fill(self, n: int) -> bytes:
        while len(self.buf) < n and self.more():
            pass
        return self.buf[:n]

    def take(self, n: int) -> bytes:
        out, self.buf = self.buf[:n], self.buf[n:]
        if out:
            self.line_start = out.endswith(b"\n")
        return out

    def at_end(self) -> bool:
        return not self.fill(1)

    def readline(self, limit: int) -> bytes:
        """One line with its newline (without at the end of the stream); _Broken past `limit`."""
        start = 0
        while (k := self.buf.find(b"\n", start)) == -1:
            if len(self.buf) > limit:
                raise _Broken(f"header line longer than {megabytes(limit)}")
            start = len(self.buf)
            if not self.more():
                return self.take(len(self.buf))
        return self.take(k + 1)

    def skip_blank_lines(self) -> None:
        while self.fill(1) and self.buf[:1] in (b"\r", b"\n", b" ", b"\t"):
            self.take(1)

    def resync(self) -> bool:
        """Drop bytes up to the next line that starts a WARC record; False at the end."""
        while True:
            try:
                self.fill(len(RECORD_START))
                if self.line_start and self.buf.startswith(RECORD_START):
                    return True
                k = self.buf.find(b"\n" + RECORD_START)
                if k != -1:
                    self.take(k + 1)
                    return True
                if self.eof:
                    self.take(len(self.buf))
                    return False
                self.take(max(0, len(self.buf) - len(RECORD_START)))
                self.more()
            except CorruptData:
                continue    # the buffer was dropped; the next member may start a record

    def read_content(self, length: int, keep: int) -> tuple[bytes | None, bytes]:
        """A record's content: (the whole of it, or None if longer than `keep`; its first
        64 KB). _Broken when a record start lies inside it, _Truncated at the end."""
        parts: list[bytes] = []
        head = b""
        got = 0
        while got < length:
            remaining = length - got
            if len(self.buf) < min(remaining, _CHUNK) and not self.more() and not self.buf:
                raise _Truncated(f"{remaining} bytes missing")
            window = self.buf[:remaining]
            k = window.find(_NEXT_RECORD)
            if k != -1:
                self.take(k + 4)
                raise _Broken(f"Content-Length {length} runs into the next record")
            if len(window) == remaining or self.eof:
                commit = len(window)
            else:   # keep a tail that could begin a record start seen only with more data
                commit = max(0, len(window) - len(_NEXT_RECORD) + 1)
                if commit == 0:
                    self.more()
                    continue
            piece = self.take(commit)
            if len(head) < _CHUNK:
                head += piece[:_CHUNK - len(head)]
            if length <= keep:
                parts.append(piece)
            got += commit
        return (b"".join(parts) if length <= keep else None), head


def _headers(reader: _Reader) -> tuple[bytes, dict[bytes, bytes]]:
    """A record's header block, raw and as a dict of lower-case names."""
    first = reader.readline(MAX_WARC_HEADER_BYTES)
    if not first.startswith(RECORD_START):
        shown = first[:40].decode("ascii", "backslashreplace").strip()
        raise _NoHeader(f"no WARC/1.x header line, found '{shown}'")
    block = [first]
    size = len(first)
    fields: dict[bytes, bytes] = {}
    while True:
        line = reader.readline(MAX_WARC_HEADER_BYTES)
        if not line:
            raise _Truncated("the file ends inside its header")
        block.append(line)
        size += len(line)
        if size > MAX_WARC_HEADER_BYTES:
            raise _Broken(f"header longer than {megabytes(MAX_WARC_HEADER_BYTES)}")
        if not line.strip(b"\r\n"):
            return b"".join(block), fields
        name, colon, value = line.partition(b":")
        if not colon:
            raise _Broken("a header line without a name")
        fields[name.strip().lower()] = value.strip()


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _is_html(head: bytes, record_type: bytes, record_content_type: bytes) -> bool:
    """Whether a response (HTTP headers at the start of `head`) or resource is an HTML page."""
    if record_type == b"resource":
        return b"html" in record_content_type.lower()
    headers = head.split(b"\r\n\r\n", 1)[0].lower()
    return any(line.startswith(b"content-type:") and b"html" in line for line in headers.split(b"\n"))


def _parsed(block: bytes, content: bytes):
    """warcio's view of one well-framed record (HTTP headers, chunked transfer, encodings)."""
    from warcio.archiveiterator import ArchiveIterator

    return next(iter(ArchiveIterator(io.BytesIO(block + content + b"\r\n\r\n"), check_digests=False)))


def _page(record, where: str) -> Article | None:
    """The article in a record warcio has read, None when it is no 2xx HTML page."""
    headers = record.http_headers if record.rec_type == "response" else record.rec_headers
    if headers is None:
        return None
    if record.rec_type == "response" and not (headers.get_statuscode() or "").startswith("2"):
        return None
    content_type = headers.get_header("Content-Type") or ""
    if "html" not in content_type.lower():
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or where
    data = record.content_stream().read(MAX_WARC_RECORD_BYTES + 1)
    if len(data) > MAX_WARC_RECORD_BYTES:
        raise IngestError(f"page larger than {megabytes(MAX_WARC_RECORD_BYTES)} ({uri})")
    found = extract_html(decode_bytes(data, _charset(content_type)), url=uri)
    if not found.text:
        raise IngestError(f"no article text found in the page ({uri})")
    return make_article(found.text, uri, title=found.title, published=found.published, outlet=found.outlet,
                        author=found.author)


class _Record:
    """One well-framed record: its number, header block, header fields and content (None
    when over the size kept for its type) with the first 64 KB of it."""

    def __init__(self, where: str, block: bytes, fields: dict[bytes, bytes], content: bytes | None, head: bytes):
        self.where, self.block, self.fields, self.content, self.head = where, block, fields, content, head
        self.type = fields.get(b"warc-type", b"")


def _frame(reader: _Reader, where: str) -> _Record:
    """The next record, read strictly: _Broken, _Truncated, CorruptData or EOFError if not."""
    block, fields = _headers(reader)
    length = fields.get(b"content-length", b"")
    if not length.isdigit():
        shown = length.decode("ascii", "backslashreplace")[:20] or "missing"
        raise _Broken(f"Content-Length {shown} is not a number of bytes")
    if fields.get(b"warc-type") in _PAGE_TYPES and not fields.get(b"warc-target-uri"):
        raise _Broken(f"a {fields[b'warc-type'].decode()} record without a WARC-Target-URI")
    keep = MAX_WARC_RECORD_BYTES if fields.get(b"warc-type") in _PAGE_TYPES else 0
    content, head = reader.read_content(int(length), keep)
    end = reader.fill(4)
    if end == b"\r\n\r\n" or end[:2] == b"\n\n":
        reader.take(4 if end == b"\r\n\r\n" else 2)
    elif not (reader.eof and not reader.buf.strip(b"\r\n")):   # the last record may lack its blank lines
        raise _Broken(f"Content-Length {int(length)} does not end where the record ends")
    return _Record(where, block, fields, content, head)


def _records(reader: _Reader, name: str, on_error: OnError) -> Iterator[_Record]:
    """Every readable record of a WARC; each broken one is named and skipped."""
    n = broken = 0
    while True:
        where = f"{name}:record {n + 1}"
        try:
            reader.skip_blank_lines()
            if reader.at_end():
                return
            n += 1
            record = _frame(reader, where)
        except (_Truncated, EOFError) as e:
            on_error(f"{where}: truncated record ({one_line(e)}); the file ends there")
            return
        except (_Broken, CorruptData) as e:
            n = max(n, 1)
            broken += 1
            found = reader.resync()
            if isinstance(e, _NoHeader) and n == 1 and not found:
                raise IngestError(f"not a WARC file ({e})") from None
            if broken > MAX_WARC_RESYNCS:
                on_error(f"{name}: more than {MAX_WARC_RESYNCS} broken records, rest of the file skipped")
                return
            what = f"broken WARC record ({e})" if isinstance(e, _Broken) else str(e)
            on_error(f"{where}: {what}; " + ("skipped to the next record" if found else "nothing readable after it"))
            continue
        yield record


def read_warc(stream: BinaryIO, name: str, on_error: OnError) -> Iterator[Article]:
    """The HTML pages (2xx responses and resources) of a WARC, with their target URIs."""
    reader = _Reader(stream)
    reader.skip_blank_lines()
    if reader.at_end():
        raise IngestError("no WARC records, only blank space")
    if reader.fill(11).startswith(b"filedesc://"):
        yield from _read_arc(reader, name, on_error)
        return
    said = 0

    def report(line: str) -> None:
        nonlocal said
        said += 1
        on_error(line)

    n = pages = 0
    for record in _records(reader, name, report):
        n += 1
        if record.type not in _PAGE_TYPES:
            continue
        if record.content is None:
            if _is_html(record.head, record.type, record.fields.get(b"content-type", b"")):
                report(f"{record.where}: page larger than {megabytes(MAX_WARC_RECORD_BYTES)}, skipped")
            continue
        try:
            article = _page(_parsed(record.block, record.content), record.where)
        except IngestError as e:
            report(f"{record.where}: {e}")
            continue
        except Exception as e:  # a bad payload (compression, HTML) loses this record only
            report(unexpected(record.where, e))
            continue
        if article is not None:
            pages += 1
            yield article
    if not pages and not said:
        raise IngestError(f"no HTML pages among its {n} records")


def _read_arc(reader: _Reader, name: str, on_error: OnError) -> Iterator[Article]:
    """A legacy ARC file, through warcio; its first broken record ends it."""
    from warcio.archiveiterator import ArchiveIterator

    class _Rest(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            if not reader.buf and not reader.more():
                return 0
            data = reader.take(len(b))
            b[:len(data)] = data
            return len(data)

    n = 0
    try:
        for record in ArchiveIterator(io.BufferedReader(_Rest()), arc2warc=True, check_digests=False):
            n += 1
            where = f"{name}:record {n}"
            try:
                article = _page(record, where)
            except IngestError as e:
                on_error(f"{where}: {e}")
                continue
            if article is not None:
                yield article
    except Exception as e:  # warcio raises ArchiveLoadFailed and others on broken input
        on_error(f"{name}:record {n + 1}: broken ARC record ({one_line(e)}); rest of the file skipped")
