"""Annotate, then code: the work done for each new article.

This is the expensive part of `tidings add` and all of `tidings annotate`: one spaCy
parse per article, the annotate layers (`tidings/nlp/`), then event coding
(`tidings/coding/`). It takes `Article` records and returns `AnnotatedArticle` records,
so it runs the same in the writing process or on a Dask worker; a spaCy `Doc` never
leaves this function.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from tidings.nlp.pipeline import BATCH_SIZE, annotate_doc, parse_articles
from tidings.nlp.places_home import OutletHomes
from tidings.records import AnnotatedArticle, Article, outlet_identity

HOME_WINDOW = 256   # articles read ahead to learn their outlets' homes (text only: cheap)


def annotate_articles(
    articles: Iterable[Article], batch_size: int = BATCH_SIZE, code: bool = True,
    homes: OutletHomes | None = None,
) -> Iterator[AnnotatedArticle]:
    """Every layer, and the events unless `code` is False, for a stream of articles, in order.

    `homes` is what is known of each outlet's home (`nlp/places_home.py`); it learns from
    every article read here, a window ahead of the one being annotated, so that a local
    paper's namesakes resolve to its own region. Pass the same object across calls (or
    keep its `state()`) to carry that knowledge; by default it lives for this call."""
    from tidings.coding import code_events

    homes = homes if homes is not None else OutletHomes()
    it = iter(articles)
    while window := list(itertools.islice(it, HOME_WINDOW)):
        for a in window:
            homes.learn(outlet_identity(a), a.text)
        for doc, article in parse_articles(window, batch_size):
            annotated = annotate_doc(doc, article, homes.home_of(outlet_identity(article)))
            if code:
                annotated.events = code_events(doc, annotated)
            yield annotated
