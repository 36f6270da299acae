"""Gzip input, read member by member, with its damage contained.

`gzip.GzipFile` stops at the first corrupt byte and never says how much it had expanded.
`GzipStream` reads the members of a gzip file one after the other (a .warc.gz holds one
per record) and, at a corrupt member, raises `CorruptData` once and goes on at the next
member, so a reader can name the one record or line it lost and read the rest. It also
stops a compression bomb: past `MAX_DOCUMENT_BYTES` of output, a stream that has expanded
more than `MAX_COMPRESSION_RATIO` times is refused.
"""
from __future__ import annotations

import io
import zlib
from typing import BinaryIO

from tidings.ingest.errors import IngestError
from tidings.ingest.limits import MAX_COMPRESSION_RATIO, MAX_DOCUMENT_BYTES, megabytes

GZIP_MAGIC = b"\x1f\x8b"
MEMBER_START = b"\x1f\x8b\x08"   # magic and the deflate method: where a member can begin
_CHUNK = 1 << 16


class CorruptData(IngestError):
    """Compressed data that cannot be decompressed; reading goes on at the next member."""


class GzipStream(io.RawIOBase):
    """The decompressed bytes of a (multi-member) gzip stream; wrap in io.BufferedReader."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._pending = b""        # compressed bytes read but not yet given to the decompressor
        self._inflate = zlib.decompressobj(wbits=31)
        self._in = 0               # compressed bytes consumed
        self._out = 0              # decompressed bytes produced
        self._member_has_input = False
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        if not self._pending:
            self._pending = self._raw.read(_CHUNK)
        return bool(self._pending)

    def _next_member(self) -> None:
        self._inflate = zlib.decompressobj(wbits=31)
        self._member_has_input = False

    def _skip_to_next_member(self, reason: str) -> CorruptData:
        """After a fault: drop bytes up to the next place a member can start."""
        at = self._in
        self._pending = self._pending[1:]
        self._in += 1
        keep = len(MEMBER_START) - 1
        while (k := self._pending.find(MEMBER_START)) == -1:
            more = self._raw.read(_CHUNK)
            if not more:
                self._in += len(self._pending)
                self._pending = b""
                break
            dropped = max(0, len(self._pending) - keep)
            self._in += dropped
            self._pending = self._pending[dropped:] + more
        else:
            self._in += k
            self._pending = self._pending[k:]
        self._next_member()
        return CorruptData(f"corrupt compressed data at byte {at} ({reason})")

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)
        while not self._done:
            if not self._fill():
                self._done = True
                if self._member_has_input and not self._inflate.eof:
                    raise EOFError("compressed data ends in the middle of a member (truncated file?)")
                return 0
            if not self._member_has_input and not self._pending.startswith(MEMBER_START[:len(self._pending)]):
                if not self._pending.strip(b"\x00"):
                    self._in += len(self._pending)
                    self._pending = b""        # zero padding after the last member, as tape tools write
                    continue
                raise self._skip_to_next_member("not a gzip member")
            fed = self._pending
            try:
                out = self._inflate.decompress(fed, len(view))
            except zlib.error as e:
                raise self._skip_to_next_member(str(e)) from None
            self._member_has_input = True
            # At the end of a member the rest of the input is in unused_data (CPython may
            # leave a stale copy of it in unconsumed_tail); otherwise in unconsumed_tail.
            self._pending = self._inflate.unused_data if self._inflate.eof else self._inflate.unconsumed_tail
            self._in += len(fed) - len(self._pending)
            if self._inflate.eof:
                self._next_member()
            if out:
                self._out += len(out)
                self._check_ratio()
                view[:len(out)] = out
                return len(out)
        return 0

    def _check_ratio(self) -> None:
        if self._out > MAX_DOCUMENT_BYTES and self._out > MAX_COMPRESSION_RATIO * max(self._in, 1):
            raise IngestError(
                f"compressed data expands over {MAX_COMPRESSION_RATIO} times "
                f"({megabytes(self._in)} to more than {megabytes(self._out)}): a compression bomb, "
                "not news; rest of the file skipped")


def gunzip(raw: BinaryIO) -> io.BufferedReader:
    """A buffered reader of the decompressed bytes of a gzip stream."""
    return io.BufferedReader(GzipStream(raw), buffer_size=_CHUNK)


def decompressed(stream: BinaryIO) -> io.BufferedReader:
    """A buffered stream of the bytes of `stream`, gunzipped if it starts as gzip does."""
    if not isinstance(stream, io.BufferedReader):
        stream = io.BufferedReader(stream)  # type: ignore[arg-type]
    return gunzip(stream) if stream.peek(2)[:2] == GZIP_MAGIC else stream
