"""Term weights for story clustering: TF-IDF learned online, one vector per term space.

Each article is two sparse vectors (see `features.py`): `head` (headline + lead + the
entities resolved in the lead) and `body` (content lemmas + every resolved entity). IDF
is learned from the document frequencies of the articles seen so far, with a prior of
unseen documents (so the first articles of an empty store are not all "common"), and
forgotten with a half-life so memory stays bounded.
"""
from __future__ import annotations

import math
from typing import Any

from tidings.stories.features import StoryFeatures

SPACES = ("head", "body")
Vectors = dict[str, dict[str, float]]  # space -> term -> weight (L2-normalised per space)


class TermWeights:
    """Online document frequencies per space, and the TF-IDF vectors they give."""

    def __init__(self, title_boost: int = 2, entity_boost: int = 0, idf_prior_docs: float = 50.0,
                 df_half_life: int = 5000):
        self.title_boost = title_boost
        self.entity_boost = entity_boost
        self.idf_prior_docs = idf_prior_docs
        self.df_half_life = df_half_life
        self.n_docs = 0.0                                   # decayed document count
        self.seen = 0                                       # articles observed (for the half-life)
        self.df: dict[str, dict[str, float]] = {s: {} for s in SPACES}

    def observe(self, features: StoryFeatures) -> None:
        """Count an article's terms into the document frequencies (once per article)."""
        self.seen += 1
        self.n_docs += 1.0
        for space, terms in self.space_terms(features).items():
            df = self.df[space]
            for t in terms:
                df[t] = df.get(t, 0.0) + 1.0
        if self.df_half_life and self.seen % self.df_half_life == 0:
            self.n_docs *= 0.5
            for space in SPACES:
                self.df[space] = {t: v * 0.5 for t, v in self.df[space].items() if v * 0.5 >= 0.3}

    def idf(self, space: str, term: str) -> float:
        n = self.n_docs + self.idf_prior_docs
        return math.log((n + 1.0) / (self.df[space].get(term, 0.0) + 1.0))

    def space_terms(self, f: StoryFeatures) -> dict[str, dict[str, int]]:
        """Term counts per space. A headline-only article has no body: its headline is all of it."""
        head: dict[str, int] = {}
        for t in f.title:
            head[t] = head.get(t, 0) + self.title_boost
        for t in f.lead:
            head[t] = head.get(t, 0) + 1
        boost = 1 + self.entity_boost
        for k in f.lead_entities:
            head[k] = head.get(k, 0) + boost
        if f.headline_only:
            return {"head": head, "body": {}}
        body = dict(f.body)
        for k, c in f.entities.items():
            body[k] = body.get(k, 0) + c * boost
        return {"head": head, "body": body}

    def vectors(self, features: StoryFeatures) -> Vectors:
        """The article's L2-normalised TF-IDF vector per space (sublinear term frequency)."""
        out: Vectors = {}
        for space, counts in self.space_terms(features).items():
            vec = {t: (1.0 + math.log(c)) * self.idf(space, t) for t, c in counts.items() if c > 0}
            vec = {t: w for t, w in vec.items() if w > 0}
            norm = math.sqrt(sum(w * w for w in vec.values()))
            out[space] = {t: w / norm for t, w in vec.items()} if norm else {}
        return out

    def state(self) -> dict[str, Any]:
        return {"n_docs": self.n_docs, "seen": self.seen, "df": self.df}

    def load(self, state: dict[str, Any]) -> None:
        self.n_docs = float(state.get("n_docs", 0.0))
        self.seen = int(state.get("seen", 0))
        self.df = {s: dict(state.get("df", {}).get(s, {})) for s in SPACES}
