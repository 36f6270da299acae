"""Annotate, then code: the work done for each new article.

This is the expensive part of `tidings add` and all of `tidings annotate`: one spaCy
parse per article, the annotate layers (`tidings/nlp/`), then event coding
(`tidings/coding/`). It takes `Article` records and returns `AnnotatedArticle` records,
so it runs the same in the writing process or on a Dask worker; a spaCy `Doc` never
leaves this function.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from tidings.nlp.pipeline import BATCH_SIZE, annotate_doc, parse_articles
from tidings.records import AnnotatedArticle, Article


def annotate_articles(
    articles: Iterable[Article], batch_size: int = BATCH_SIZE, code: bool = True,
    on_error: Callable[[str], None] | None = None,
) -> Iterator[AnnotatedArticle]:
    """Every layer, and the events unless `code` is False, for a stream of articles, in order.

    With `on_error`, an article whose layers or coding fail is reported in one line naming
    it and left out; without, the error is raised."""
    from tidings.coding import code_events

    for doc, article in parse_articles(articles, batch_size):
        try:
            annotated = annotate_doc(doc, article)
            if code:
                annotated.events = code_events(doc, annotated)
        except Exception as e:
            if on_error is None:
                raise
            on_error(f"{article.url or article.id}: annotation failed ({type(e).__name__}: {e})")
            continue
        yield annotated
