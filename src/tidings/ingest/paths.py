"""Paths on disk: how they are named in messages and records, walked and opened.

A file name that is not valid UTF-8 (`caf\\xe9.txt` written by a Latin-1 system) reaches
Python with surrogate escapes; those cannot be printed or stored, so every name a user or
the database sees goes through `display_name`, which writes each such byte as `\\xe9`.

Only regular files are opened from folders: a FIFO would block the run until something
writes to it, a device would stream without end. A FIFO named on the command line is read
(that is how `tidings add <(zcat dump.jsonl.gz)` works); devices and sockets never are.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from typing import BinaryIO

from tidings.ingest.errors import IngestError

_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def display_name(path: str) -> str:
    """A path as text that can be printed and stored: undecodable bytes as `\\xNN`."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def kind_of(mode: int) -> str:
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "not a regular file"


def walk(folder: str, on_error: Callable[[str], None], wanted: Callable[[str], bool]) -> Iterator[str]:
    """Files under a folder, recursively, in sorted order, whose names `wanted` accepts.
    Hidden entries are passed over; sub-folders that cannot be listed and entries that
    are not regular files (FIFOs, devices, sockets) are reported and skipped."""
    def unreadable(e: OSError) -> None:
        on_error(f"{display_name(e.filename or folder)}: cannot list folder ({e.strerror or e})")

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not wanted(name):
                continue
            path = os.path.join(root, name)
            try:
                mode = os.stat(path).st_mode
            except OSError as e:
                on_error(f"{display_name(path)}: cannot open ({e.strerror or e})")
                continue
            if not stat.S_ISREG(mode):
                on_error(f"{display_name(path)}: {kind_of(mode)}, not a regular file")
                continue
            yield path


def open_input(path: str) -> BinaryIO:
    """Open a file named on the command line or found in a folder, for reading bytes.
    Devices, sockets and folders are refused (IngestError) before they are opened; a FIFO
    (only ever named explicitly: `walk` skips them) is opened and read like `cat` would."""
    mode = os.stat(path).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise IngestError(f"{kind_of(mode)}, not a file")
    f = open(path, "rb")  # noqa: SIM115 - the caller closes it
    mode = os.fstat(f.fileno()).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):   # replaced since the check above
        f.close()
        raise IngestError(f"{kind_of(mode)}, not a file")
    return f
