"""Annotate, then code: the work done for each new article.

This is the expensive part of `tidings add` and all of `tidings annotate`: one spaCy
parse per article, the annotate layers (`tidings/nlp/`), then event coding
(`tidings/coding/`). It takes `Article` records and returns `AnnotatedArticle` records,
so it runs the same in the writing process or on a Dask worker; a spaCy `Doc` never
leaves this function.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from tidings.nlp.pipeline import BATCH_SIZE, annotate_doc, parse_articles
from tidings.records import AnnotatedArticle, Article


def annotate_articles(
    articles: Iterable[Article], batch_size: int = BATCH_SIZE, code: bool = True
) -> Iterator[AnnotatedArticle]:
    """Every layer, and the events unless `code` is False, for a stream of articles, in order."""
    from tidings.coding import code_events

    for doc, article in parse_articles(articles, batch_size):
        annotated = annotate_doc(doc, article)
        if code:
            annotated.events = code_events(doc, annotated)
        yield annotated
