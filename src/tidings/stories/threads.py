"""Threads: event stories of one developing topic over days or weeks, linked online.

A thread is a centroid (the running sum of every member article's vectors) with the date
range of its articles. When an article founds a new event story, that story joins the
active thread its article is most similar to, if the similarity, less a small penalty
per day since the thread's last article (beyond a grace period), reaches
`thread_threshold`; otherwise the story founds a thread of its own. Every article that
joins a story is added to its story's thread. Unlike event stories, threads are meant to
chain: each new development is compared with the whole thread so far, and a thread lives
as long as something is added to it within `thread_window_days`.
"""
from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tidings.records import stable_id
from tidings.stories.similarity import CentroidIndex, gap_penalty
from tidings.stories.weights import Vectors

if TYPE_CHECKING:
    from tidings.stories.cluster import ClusterConfig


def thread_id(founding_article: str) -> str:
    """A thread's id derives from its first article, in its own namespace (never a story id)."""
    return stable_id("thread", founding_article)


class ThreadLinker:
    """Active threads, their centroids and date ranges; `link` finds the thread of a new story."""

    def __init__(self, config: "ClusterConfig"):
        self.config = config
        self.index = CentroidIndex(config.centroid_terms, config.index_terms)
        self.first: dict[str, float | None] = {}
        self.last: dict[str, float | None] = {}
        self.stories: dict[str, int] = {}     # number of event stories per thread
        self._expiry: list[tuple[float, str]] = []

    def __len__(self) -> int:
        return len(self.first)

    def link(self, vecs: Vectors, dense: Sequence[float] | None, t: float | None) -> str | None:
        """The active thread a new story whose first article is (`vecs`, `dense`, `t`) belongs to."""
        cfg = self.config
        best, best_score = None, cfg.thread_threshold
        for key in self.index.candidates(vecs, cfg.weights, cfg.query_terms, cfg.max_candidates):
            score = self.index.similarity(key, cfg.weights, vecs, dense, cfg.dense_floor) - gap_penalty(
                t, self.first[key], self.last[key], cfg.thread_grace_days, cfg.thread_penalty_per_day)
            if score > best_score or (score == best_score and best is not None and key < best):
                best, best_score = key, score
        return best

    def new(self, key: str) -> None:
        self.first[key] = self.last[key] = None
        self.stories[key] = 0

    def add(self, key: str, vecs: Vectors, dense: Sequence[float] | None, t: float | None,
            new_story: bool) -> None:
        """Add an article of one of the thread's stories (`new_story` when it founded one)."""
        if key not in self.first:
            self.new(key)
        self.index.add(key, vecs, dense)
        self.stories[key] += int(new_story)
        if t is not None:
            first, last = self.first[key], self.last[key]
            self.first[key] = t if first is None else min(first, t)
            self.last[key] = t if last is None else max(last, t)
            heapq.heappush(self._expiry, (self.last[key], key))

    def expire(self, now: float | None) -> None:
        """Drop threads with nothing added for `thread_window_days` before `now`."""
        if now is None:
            return
        horizon = now - self.config.thread_window_days
        while self._expiry and self._expiry[0][0] < horizon:
            _, key = heapq.heappop(self._expiry)
            last = self.last.get(key)
            if last is not None and last < horizon:
                self.drop(key)

    def drop(self, key: str) -> None:
        self.index.drop(key)
        self.first.pop(key, None)
        self.last.pop(key, None)
        self.stories.pop(key, None)

    def state(self) -> list[dict[str, Any]]:
        return [{"id": k, "first": self.first[k], "last": self.last[k], "stories": self.stories[k],
                 "sums": self.index.sums[k], "dense": self.index.dense.get(k)} for k in self.first]

    def load(self, threads: list[dict[str, Any]]) -> None:
        for d in threads:
            key = d["id"]
            self.first[key], self.last[key] = d.get("first"), d.get("last")
            self.stories[key] = int(d.get("stories", 1))
            self.index.load(key, d.get("sums", {}), d.get("dense"))
            if self.last[key] is not None:
                heapq.heappush(self._expiry, (self.last[key], key))
