"""Where annotation runs for `tidings add`.

`tidings add` works batch by batch (`process.py`). The expensive step of a batch, the
spaCy parse, the annotate layers, event coding and the MinHash signature
(`annotate_batch`), is a plain function of `Article` records that returns records, so it
can run here (`LocalAnnotator`) or elsewhere. Dedup, story clustering, fusion and the
store stay in the one writing process and take the results in input order.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from tidings.records import AnnotatedArticle, Article

T = TypeVar("T")


@dataclass
class BatchResult:
    """What the writing process gets back for a batch: the annotated articles in input
    order, their MinHash signatures, and one line per article that could not be annotated."""

    annotated: list[AnnotatedArticle] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def extend(self, other: "BatchResult") -> None:
        self.annotated += other.annotated
        self.signatures += other.signatures
        self.errors += other.errors


def annotate_batch(articles: list[Article]) -> BatchResult:
    """The per-article work of `tidings add` for one batch, wherever it runs."""
    from tidings.analysis import annotate_articles
    from tidings.ingest.dedup import signature

    result = BatchResult()
    result.annotated = list(annotate_articles(articles, on_error=result.errors.append))
    result.signatures = [signature(a.article.text) for a in result.annotated]
    return result


class Annotator(Protocol):
    def map(self, batches: Iterable[tuple[T, list[Article]]]) -> Iterator[tuple[T, BatchResult]]:
        """(tag, result) for each (tag, articles), in the order given."""
        ...


class LocalAnnotator:
    """Annotation in the calling process, one batch at a time."""

    def map(self, batches: Iterable[tuple[T, list[Article]]]) -> Iterator[tuple[T, BatchResult]]:
        for tag, articles in batches:
            yield tag, annotate_batch(articles) if articles else BatchResult()
