"""JSON Lines: one record per line, every line on its own.

The one line reader for `tidings add` (.jsonl files) and for `tidings annotate` /
`tidings cluster` input. A line is never read whole before its length is known: a line
over `MAX_JSON_LINE_BYTES` is skipped in pieces, without being held in memory. A line that
is malformed, nested too deeply, not an object, or lost to corrupt compressed data costs
that line only; the lines after it are read.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from tidings.ingest.encoding import decode_bytes
from tidings.ingest.errors import IngestError, one_line
from tidings.ingest.gunzip import CorruptData
from tidings.ingest.limits import MAX_JSON_LINE_BYTES, megabytes

_SKIP_PIECE = 1 << 20


def parse_record(raw: bytes | str) -> dict:
    """One JSON object from the bytes (or text) of a line; IngestError says why not."""
    try:
        value = json.loads(decode_bytes(raw) if isinstance(raw, bytes) else raw)
    except RecursionError:
        raise IngestError("JSON nested too deeply") from None
    except IngestError:
        raise
    except ValueError as e:
        raise IngestError(f"malformed JSON ({one_line(e)})") from None
    if not isinstance(value, dict):
        raise IngestError("not a JSON object")
    return value


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while (piece := stream.readline(_SKIP_PIECE)) and not piece.endswith(b"\n"):
        pass


def json_lines(stream: BinaryIO, name: str) -> Iterator[tuple[str, dict | None, str | None]]:
    """(where, record, error) for each non-blank line of a binary stream, in order;
    `where` is "NAME:line N". Errors of the whole stream (truncated compressed data, a
    compression bomb) are raised; read_stream reports them."""
    n = 0
    blank = True
    while True:
        n += 1
        where = f"{name}:line {n}"
        try:
            raw = stream.readline(MAX_JSON_LINE_BYTES + 1)
        except CorruptData as e:
            yield where, None, f"{e}; lines lost up to the next gzip member"
            continue
        if not raw:
            break
        if len(raw) > MAX_JSON_LINE_BYTES and not raw.endswith(b"\n"):
            del raw
            _skip_rest_of_line(stream)
            yield where, None, f"line longer than {megabytes(MAX_JSON_LINE_BYTES)}, skipped"
            blank = False
            continue
        if not raw.strip():
            continue
        blank = False
        try:
            yield where, parse_record(raw), None
        except IngestError as e:
            yield where, None, str(e)
    if blank:
        raise IngestError("no records, only blank lines" if n > 1 else "empty file")


def records_in(path: str) -> Iterator[tuple[str, dict | None, str | None]]:
    """(where, record, error) for each non-blank line of a JSON Lines file ("-": stdin),
    plain or gzip-compressed. A fault of the whole input (it cannot be opened, is empty,
    is truncated, is a compression bomb) is raised as an IngestError naming it, after the
    lines before the fault."""
    import sys
    import zlib

    from tidings.ingest.gunzip import decompressed
    from tidings.ingest.paths import display_name, open_input

    name = "<stdin>" if path == "-" else display_name(path)
    try:
        stream = sys.stdin.buffer if path == "-" else open_input(path)
    except (OSError, IngestError) as e:
        raise IngestError(f"{name}: cannot open ({getattr(e, 'strerror', None) or e})") from None
    try:
        yield from json_lines(decompressed(stream), name)
    except IngestError as e:
        raise IngestError(f"{name}: {e}") from None
    except (EOFError, zlib.error) as e:
        raise IngestError(f"{name}: truncated or corrupt compressed data ({one_line(e)})") from None
    except OSError as e:
        raise IngestError(f"{name}: cannot read ({e.strerror or e})") from None
    finally:
        if path != "-":
            stream.close()
