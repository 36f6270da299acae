"""The event codebook: code -> name, Goldstein score, quad class, penta class, PLOVER type.

The packaged table is CAMEO (`data/cameo_codes.tsv`). Users extend it with a file of the
same name in `TIDINGS_DATA` (a row for an existing code replaces it), or swap in another
ontology by naming another table: `load_codebook("my_codes.tsv")` or the environment
variable `TIDINGS_CODEBOOK`. A table needs `code` and `name` columns; `root`, `goldstein`,
`quad_class`, `penta_class`, `plover`, `plover_mode`, `plover_context` are optional.
Missing values fall back to the parent code (`0871` -> `087` -> `08`).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from tidings.resources import DataFileError, load_tsv

DEFAULT_TABLE = "cameo_codes.tsv"


@dataclass(frozen=True)
class CodeInfo:
    code: str
    root: str
    name: str
    goldstein: float | None
    quad_class: int | None
    penta_class: int | None
    plover: str | None
    plover_mode: str | None = None
    plover_context: str | None = None


def _float(s: str) -> float | None:
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _int(s: str) -> int | None:
    try:
        return int(s)
    except (TypeError, ValueError):
        return None


class Codebook:
    """A code table with parent fallback; `lookup` is a dict access after the first call."""

    def __init__(self, rows: list[dict[str, str]] | tuple[dict[str, str], ...], name: str = DEFAULT_TABLE):
        self.name = name
        self._rows: dict[str, dict[str, str]] = {}
        for row in rows:
            code = (row.get("code") or "").strip()
            if not code:
                raise DataFileError(f"{name}: a row without a code: {row}")
            self._rows[code] = row  # later rows (users' files) replace earlier ones
        self._cache: dict[str, CodeInfo | None] = {}

    def __contains__(self, code: str) -> bool:
        return code in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def codes(self) -> list[str]:
        return list(self._rows)

    def _parents(self, code: str) -> list[str]:
        """The code, then its ancestors present in the table (4 -> 3 -> 2 digits)."""
        out = [code]
        for n in range(len(code) - 1, 1, -1):
            if code[:n] in self._rows:
                out.append(code[:n])
        return [c for c in out if c in self._rows]

    def _field(self, chain: list[str], key: str) -> str:
        for c in chain:
            v = (self._rows[c].get(key) or "").strip()
            if v:
                return v
        return ""

    def lookup(self, code: str | None) -> CodeInfo | None:
        """Everything the table knows about `code` (None when neither it nor a parent is listed)."""
        if not code:
            return None
        if code in self._cache:
            return self._cache[code]
        chain = self._parents(code)
        info = None
        if chain:
            plover = self._field(chain, "plover") or None
            if plover and "|" in plover:  # a root spanning two types (CAMEO 08): take the first
                plover = plover.split("|")[0]
            info = CodeInfo(
                code=code,
                root=self._field(chain, "root") or code[:2],
                name=self._field(chain, "name"),
                goldstein=_float(self._field(chain, "goldstein")),
                quad_class=_int(self._field(chain, "quad_class")),
                penta_class=_int(self._field(chain, "penta_class")),
                plover=plover,
                plover_mode=(self._rows[chain[0]].get("plover_mode") or "").strip() or None,
                plover_context=(self._rows[chain[0]].get("plover_context") or "").strip() or None,
            )
        self._cache[code] = info
        return info

    def name_of(self, code: str) -> str | None:
        info = self.lookup(code)
        return info.name if info else None

    def plover_of(self, code: str) -> str | None:
        info = self.lookup(code)
        return info.plover if info else None

    def root_of(self, code: str) -> str | None:
        info = self.lookup(code)
        return info.root if info else None


@functools.lru_cache(maxsize=8)
def load_codebook(name: str | None = None) -> Codebook:
    """The code table named `name` (default: $TIDINGS_CODEBOOK or cameo_codes.tsv), cached."""
    name = name or os.environ.get("TIDINGS_CODEBOOK") or DEFAULT_TABLE
    return Codebook(load_tsv(name), name)


def lookup(code: str | None) -> CodeInfo | None:
    """Name, Goldstein score, quad class, penta class and PLOVER type of a code in the default table."""
    return load_codebook().lookup(code)


def plover_of(code: str | None) -> str | None:
    info = lookup(code)
    return info.plover if info else None
