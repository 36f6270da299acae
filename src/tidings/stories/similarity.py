"""The similarity measures both levels of story clustering share.

- `weighted_cosine`: the weighted mean of per-space cosines, over the spaces both sides
  have (a headline-only article has no body, so its body never counts as a mismatch),
  plus, when both sides carry one, the rescaled cosine of sentence embeddings;
- `gap_penalty`: what a gap in time costs, per day beyond a grace period; it is
  subtracted from a similarity, so a strong match a few days apart still holds while a
  weak one never does;
- `CentroidIndex`: running sums of member vectors (centroids) with an inverted index
  over their top terms, so candidates come from a few postings, never from a scan.
"""
from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from tidings.stories.weights import SPACES, Vectors


def top_terms(weights: dict[str, float], k: int) -> list[str]:
    """The k heaviest terms, ties broken by the term, so results never depend on dict order."""
    if len(weights) <= k:
        return sorted(weights, key=lambda t: (-weights[t], t))
    return [t for t, _ in heapq.nsmallest(k, weights.items(), key=lambda kv: (-kv[1], kv[0]))]


def truncated(vec: dict[str, float], k: int) -> dict[str, float]:
    """The k heaviest terms of a vector, renormalised to unit length and rounded (as in the
    JSON state, so a resumed run computes the same)."""
    kept = {t: vec[t] for t in top_terms(vec, k)}
    norm = math.sqrt(sum(w * w for w in kept.values()))
    return {t: round(w / norm, 6) for t, w in kept.items()} if norm else {}


def dot(a: dict[str, float], b: dict[str, float]) -> float:
    # the key intersection runs in C; only shared terms (few) are visited in Python
    return sum([a[t] * b[t] for t in a.keys() & b.keys()])


def dense_cosine(a: Sequence[float], b: Sequence[float], floor: float = 0.0) -> float:
    """Cosine of two dense vectors, rescaled so that `floor` (what unrelated texts score)
    maps to 0 and 1 stays 1: sentence embeddings never score unrelated news near 0."""
    d = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    cos = d / (na * nb) if na and nb else 0.0
    return max(0.0, (cos - floor) / (1.0 - floor)) if floor else cos


def weighted_cosine(weights: dict[str, float], a: Vectors, b: Vectors, b_norms: dict[str, float] | None = None,
                    dense_a: Sequence[float] | None = None, dense_b: Sequence[float] | None = None,
                    dense_floor: float = 0.0) -> float:
    """Weighted mean of the per-space cosines of `a` (unit vectors) and `b` (unit vectors, or
    sums with their norms in `b_norms`), over the spaces both have."""
    total = weight = 0.0
    for space in SPACES:
        qa, qb = a.get(space), b.get(space)
        if not qa or not qb:
            continue
        w = weights.get(space, 0.0)
        norm = b_norms[space] if b_norms is not None else 1.0
        if not norm:
            continue
        weight += w
        total += w * dot(qa, qb) / norm
    if dense_a is not None and dense_b is not None:
        w = weights.get("dense", 0.0)
        weight += w
        total += w * dense_cosine(dense_a, dense_b, dense_floor)
    return total / weight if weight else 0.0


def gap_penalty(t: float | None, first: float | None, last: float | None, grace: float, per_day: float) -> float:
    """`per_day` for every day by which `t` lies outside [first, last], beyond `grace` days."""
    if t is None or first is None or last is None:
        return 0.0
    gap = max(0.0, first - t, t - last) - grace
    return per_day * gap if gap > 0 else 0.0


class CentroidIndex:
    """Centroids (running sums of unit vectors, truncated to their top terms) by id, and an
    inverted index over each centroid's top `index_terms` terms per space."""

    def __init__(self, centroid_terms: dict[str, int], index_terms: int):
        self.centroid_terms = centroid_terms
        self.index_terms = index_terms
        self.sums: dict[str, Vectors] = {}
        self.norms: dict[str, dict[str, float]] = {}
        self.dense: dict[str, list[float]] = {}
        self._indexed: dict[str, dict[str, list[str]]] = {}
        self._postings: dict[str, dict[str, set[str]]] = {s: {} for s in SPACES}

    def __contains__(self, key: str) -> bool:
        return key in self.sums

    def add(self, key: str, vecs: Vectors, dense: Sequence[float] | None = None) -> None:
        sums = self.sums.setdefault(key, {s: {} for s in SPACES})
        for space in SPACES:
            acc = sums[space]
            for term, w in vecs.get(space, {}).items():
                acc[term] = round(acc.get(term, 0.0) + w, 6)
            k = self.centroid_terms.get(space, 100)
            if len(acc) > k + k // 2:  # cut back to k now and then, not at every article
                sums[space] = {term: acc[term] for term in top_terms(acc, k)}
        if dense is not None:
            cur = self.dense.get(key)
            self.dense[key] = [round(x, 5) for x in dense] if cur is None else [
                round(a + b, 5) for a, b in zip(cur, dense)]
        self._renorm(key)
        self._reindex(key)

    def load(self, key: str, sums: Vectors, dense: list[float] | None) -> None:
        self.sums[key] = {s: dict(sums.get(s, {})) for s in SPACES}
        if dense is not None:
            self.dense[key] = list(dense)
        self._renorm(key)
        self._reindex(key)

    def _renorm(self, key: str) -> None:
        self.norms[key] = {s: math.sqrt(sum(w * w for w in self.sums[key][s].values())) for s in SPACES}

    def similarity(self, key: str, weights: dict[str, float], vecs: Vectors, dense: Sequence[float] | None,
                   dense_floor: float) -> float:
        return weighted_cosine(weights, vecs, self.sums[key], self.norms[key], dense, self.dense.get(key), dense_floor)

    def candidates(self, vecs: Vectors, weights: dict[str, float], query_terms: int, limit: int) -> list[str]:
        """Ids sharing heavy terms with `vecs`, best first by the weight of what they share."""
        acc: dict[str, float] = {}
        for space in SPACES:
            q = vecs.get(space, {})
            postings = self._postings[space]
            w = weights.get(space, 0.0)
            for term in top_terms(q, query_terms):
                for key in postings.get(term, ()):
                    acc[key] = acc.get(key, 0.0) + w * q[term]
        if len(acc) <= limit:
            return sorted(acc, key=lambda k: (-acc[k], k))
        return [k for k, _ in heapq.nsmallest(limit, acc.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _reindex(self, key: str) -> None:
        old = self._indexed.get(key, {s: [] for s in SPACES})
        new = {s: top_terms(self.sums[key][s], self.index_terms) for s in SPACES}
        for space in SPACES:
            if new[space] == old[space]:
                continue
            postings = self._postings[space]
            new_set, old_set = set(new[space]), set(old[space])
            for term in old_set - new_set:
                self._unpost(space, term, key)
            for term in new_set - old_set:
                postings.setdefault(term, set()).add(key)
        self._indexed[key] = new

    def _unpost(self, space: str, term: str, key: str) -> None:
        posting = self._postings[space].get(term)
        if posting is not None:
            posting.discard(key)
            if not posting:
                del self._postings[space][term]

    def drop(self, key: str) -> None:
        for space, terms in self._indexed.pop(key, {}).items():
            for term in terms:
                self._unpost(space, term, key)
        self.sums.pop(key, None)
        self.norms.pop(key, None)
        self.dense.pop(key, None)

    def postings_size(self) -> int:
        return sum(len(p) for p in self._postings.values())
