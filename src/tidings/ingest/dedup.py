"""Near duplicates: the same wire story republished with small edits, by MinHash LSH.

Texts are compared as sets of word 3-grams (case-folded `\\w+` tokens). A copy with a
changed headline, a reworded sentence, a trimmed last paragraph or an added line of local
context keeps a Jaccard similarity well above 0.5; two outlets writing their own story
about the same happening share a few stock phrases and stay below 0.1 (see
tests/test_ingest_dedup.py). The threshold is 0.5, checked on the MinHash estimate after
the LSH lookup, so LSH's false candidates are dropped.

A signature is 128 32-bit minimum hashes behind a 2-byte version tag (514 bytes), small
enough to store with each article and to rebuild the index from on the next run.

The index holds the most recent WINDOW originals only: syndicated copies follow their
original within days, and an index of every original ever stored would grow by about
7 KB per article for as long as a database is fed (docs/scaling.md).
"""
from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from tidings.records import normalise_text

SHINGLE_WORDS = 3
NUM_PERM = 128
THRESHOLD = 0.5
SEED = 1
# Originals kept in the index (in memory: about 7 KB each, 350 MB at the most). Weeks of
# news at a newsroom's pace; at GDELT's pace (300,000 articles a day) about four hours.
WINDOW = 50_000
_VERSION = b"M1"
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The word n-grams of a text (the whole text as one shingle if it is shorter); what a
    signature is made of, spelled out for reading and testing."""
    words = _WORD.findall(normalise_text(text))
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> list[int]:
    """32-bit hashes of a text's word n-grams, computed fast: CRC-32 of each word, then a
    polynomial over the n words of each shingle in numpy (wrapping 64-bit arithmetic)."""
    words = _WORD.findall(normalise_text(text))
    if not words:
        return []
    h = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    n = max(1, len(words) - size + 1)
    g = h[:n].copy()
    for j in range(1, min(size, len(words))):
        g = g * _MULTIPLIER + h[j:j + n]
    g ^= g >> np.uint64(32)
    return np.unique(g & np.uint64(0xFFFFFFFF)).tolist()


# The permutation scheme is pinned, so that signatures stored by one run stay comparable
# with the next (datasketch >= 2.0). Inputs are already 32-bit hashes.
SCHEME = "affine32"
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME)  # permutations made once


def signature(text: str) -> bytes:
    """A compact, storable MinHash signature of a text."""
    hashes = shingle_hashes(text)
    m = _TEMPLATE.copy()
    if hashes:
        m.update_batch(hashes)
    return _VERSION + m.hashvalues.astype("<u4").tobytes()


def from_signature(sig: bytes) -> LeanMinHash:
    """The MinHash a signature was made from (ValueError for a foreign or damaged one)."""
    if not sig.startswith(_VERSION) or len(sig) != len(_VERSION) + 4 * NUM_PERM:
        raise ValueError("not a Tidings MinHash signature of this version")
    values = np.frombuffer(sig, dtype="<u4", offset=len(_VERSION)).astype(np.uint32)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


_EMPTY = struct.pack("<I", 0xFFFFFFFF) * NUM_PERM
EMPTY_SIGNATURE = _VERSION + _EMPTY   # the signature of a text without words


class NearDuplicateIndex:
    """Finds, for each new article, an earlier one it is a lightly edited copy of.

    Only originals are indexed: a copy points to its original, and a copy of a copy points
    to the first original too. Past `window` originals, the oldest leaves the index (its
    later copies are then stored as originals).
    """

    def __init__(self, threshold: float = THRESHOLD, window: int = WINDOW) -> None:
        self.threshold, self.window = threshold, window
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._order: dict[str, int] = {}     # id -> when it was indexed; oldest first
        self._count = 0
        self._hashes: dict[str, LeanMinHash] = {}

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, bytes]], threshold: float = THRESHOLD,
                   window: int = WINDOW) -> "NearDuplicateIndex":
        """An index of stored originals, (id, signature) in the order they were first seen
        (the last `window` of them are kept, as an index fed them one by one keeps them)."""
        index = cls(threshold, window)
        for article_id, sig in pairs:
            index.insert(article_id, sig)
        return index

    @staticmethod
    def indexable(sig: bytes) -> bool:
        """Whether a signature goes into the index: that of an empty text never does."""
        return sig[len(_VERSION):] != _EMPTY

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._order

    def insert(self, article_id: str, sig: bytes) -> None:
        """Index an original without looking for its duplicates."""
        if article_id in self._order or not self.indexable(sig):
            return
        m = from_signature(sig)
        self._lsh.insert(article_id, m)
        self._order[article_id] = self._count
        self._count += 1
        self._hashes[article_id] = m
        if len(self._order) > self.window:
            oldest = next(iter(self._order))
            self._lsh.remove(oldest)
            del self._order[oldest], self._hashes[oldest]

    def find(self, sig: bytes) -> str | None:
        """The earliest indexed original this signature is a near duplicate of, if any."""
        if not self.indexable(sig):
            return None
        m = from_signature(sig)
        matches = [c for c in self._lsh.query(m) if self._hashes[c].jaccard(m) >= self.threshold]
        return min(matches, key=self._order.__getitem__) if matches else None

    def add(self, article_id: str, sig: bytes) -> str | None:
        """Look up a new article: return its original's id, or index it and return None."""
        if article_id in self._order:
            return None
        original = self.find(sig)
        if original is None:
            self.insert(article_id, sig)
        return original
