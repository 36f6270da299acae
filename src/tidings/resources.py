"""The one loader for Tidings' language knowledge (lexicons, actor lists, patterns).

Every data file lives in `tidings/data/` and is read through these functions, so users
can extend any of them: a file of the same name in a directory listed in the
`TIDINGS_DATA` environment variable (colon-separated) is read after the packaged one,
its rows appended (TSV, line lists) or its keys merged (JSON).

Formats:
- `.tsv`: a header line, then tab-separated rows; `#` starts a comment line.
- `.txt`: one entry per line; blank lines and `#` comments skipped.
- `.json`: any JSON document.
"""
from __future__ import annotations

import csv
import functools
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file is missing or malformed; the message names the file."""


def _packaged(name: str) -> Path:
    return Path(str(resources.files("tidings") / "data" / name))


def user_dirs() -> list[Path]:
    return [Path(p) for p in os.environ.get("TIDINGS_DATA", "").split(os.pathsep) if p]


def data_paths(name: str) -> list[Path]:
    """The packaged file (if any) followed by users' files of the same name."""
    paths = [p for p in [_packaged(name)] + [d / name for d in user_dirs()] if p.is_file()]
    if not paths:
        raise DataFileError(f"{name}: no such data file in tidings/data or TIDINGS_DATA")
    return paths


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    if not lines:
        return []
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for n, row in enumerate(reader, start=2):
        if None in row:
            raise DataFileError(f"{path}: row {n} has more fields than the header")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


@functools.lru_cache(maxsize=None)
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a TSV data file as dicts keyed by its header (packaged rows first)."""
    rows: list[dict[str, str]] = []
    for path in data_paths(name):
        rows.extend(_read_tsv(path))
    return tuple(rows)


@functools.lru_cache(maxsize=None)
def load_lines(name: str) -> tuple[str, ...]:
    """Entries of a one-per-line data file, comments and blank lines skipped."""
    out: list[str] = []
    for path in data_paths(name):
        with path.open(encoding="utf-8") as f:
            out.extend(s for s in (line.rstrip("\n") for line in f) if s.strip() and not s.lstrip().startswith("#"))
    return tuple(out)


@functools.lru_cache(maxsize=None)
def load_json(name: str) -> Any:
    """A JSON data file; users' dicts are merged over the packaged one, lists appended."""
    merged: Any = None
    for path in data_paths(name):
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise DataFileError(f"{path}: not valid JSON ({e})") from e
        if merged is None:
            merged = value
        elif isinstance(merged, dict) and isinstance(value, dict):
            merged = {**merged, **value}
        elif isinstance(merged, list) and isinstance(value, list):
            merged = merged + value
        else:
            raise DataFileError(f"{path}: cannot merge a {type(value).__name__} into a {type(merged).__name__}")
    return merged


def clear_cache() -> None:
    """Forget loaded files (after TIDINGS_DATA changed, e.g. in tests)."""
    load_tsv.cache_clear()
    load_lines.cache_clear()
    load_json.cache_clear()
