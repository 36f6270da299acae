"""Event coding that generalises (issue 14): structure and word families, on sentences written
for these tests, through the real annotate pipeline (spaCy model, actors, places, times)."""
from __future__ import annotations

from tidings.analysis import annotate_articles
from tidings.ingest import article_from_record


def events(text: str, date: str = "2024-05-14"):
    article = article_from_record({"id": "t", "text": text, "date": date}, "test")
    (annotated,) = list(annotate_articles([article]))
    return annotated.events


def triples(evs):
    return sorted(((e.source or "")[:3], (e.target or "")[:3], e.code[:2]) for e in evs)


def test_a_symmetric_act_with_one_named_partner_goes_both_ways():
    assert triples(events("Ghana held talks with Togo on Monday.")) == [("GHA", "TGO", "04"), ("TGO", "GHA", "04")]
    assert triples(events("Peru signed a trade pact with Chile in Lima.")) == [("CHL", "PER", "05"),
                                                                                   ("PER", "CHL", "05")]


def test_a_partner_named_only_in_the_content_is_no_partner():
    # "agreed to give aid to Chad": the EU agrees, Chad receives; Chad agreed to nothing
    evs = events("The Netherlands agreed on Friday to give emergency aid to Chad.")
    assert triples(evs) == [("NLD", "TCD", "03")]
