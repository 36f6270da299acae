"""Annotate then code: long texts in chunks, and one bad article never costing another.

Real spaCy model throughout. The parser's own length limit (`nlp.max_length`, 1,000,000
characters in the packaged model) is lowered for the long-text test so that the case runs
in seconds; the chunking reads that same setting, so the code path is the one a 2 MB
report takes.
"""
import dataclasses

import pytest

from tidings.analysis import annotate_articles
from tidings.nlp.pipeline import load_nlp
from tidings.records import Article, Attribution, EventMention, Place, Span

CITIES = ["Kampala", "Nairobi", "Dodoma", "Kigali", "Addis Ababa", "Lusaka", "Harare", "Maputo"]


def report_text(paragraphs: int) -> str:
    """A long, varied report: each paragraph names a city, a day and who said so."""
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    return "\n\n".join(
        f"Section {i}. The foreign minister of Kenya met his Ugandan counterpart in {CITIES[i % len(CITIES)]} "
        f"on {days[i % len(days)]} to discuss border trade, officials said. Police arrested {i + 2} "
        f"protesters near the port, the interior ministry said."
        for i in range(paragraphs))


@pytest.fixture
def short_parser_limit():
    nlp = load_nlp()
    before = nlp.max_length
    nlp.max_length = 12_000
    yield nlp.max_length
    nlp.max_length = before


def test_chunks_cover_the_text_exactly_and_end_at_paragraphs():
    from tidings.analysis import chunks_of

    text = report_text(200)
    chunks = chunks_of(text, 5_000)
    assert "".join(piece for _, piece in chunks) == text
    assert all(text[offset:offset + len(piece)] == piece and len(piece) <= 5_000 for offset, piece in chunks)
    assert all(piece.endswith("\n\n") for _, piece in chunks[:-1])
    one_line = "The talks went on. " * 2_000
    assert all(p.endswith(". ") for _, p in chunks_of(one_line, 1_000)[:-1])
    no_space = "x" * 2_500
    assert [len(p) for _, p in chunks_of(no_space, 1_000)] == [1_000, 1_000, 500]
    assert chunks_of("short", 1_000) == [(0, "short")]


def test_shifted_moves_every_offset_of_nested_records():
    from tidings.analysis import shifted

    m = EventMention(article="a", start=3, end=9, source=None, target=None, code="042",
                     place=Place(4, 8, "Oslo", 1), source_span=Span(3, 5, "we"))
    moved = shifted(m, 100)
    assert (moved.start, moved.end, moved.place.start, moved.source_span.end) == (103, 109, 104, 105)
    att = shifted(Attribution(0, 10, "she", speaker_start=1, speaker_end=4, claim_start=5, claim_end=9), 7)
    assert (att.speaker_start, att.claim_end) == (8, 16)
    assert m.start == 3  # the original is left alone


def test_case01_text_longer_than_the_parser_takes_is_annotated_in_chunks(short_parser_limit):
    long_text = report_text(300)
    assert len(long_text) > 5 * short_parser_limit
    good = Article.from_text("Egypt and Sudan held talks in Cairo on Monday, the foreign ministry said.", url="good.txt",
                             published="2024-07-09")
    long_article = Article.from_text(long_text, url="report.txt", published="2024-07-09")
    errors = []
    out = list(annotate_articles([long_article, good], on_error=errors.append))
    assert errors == [] and [a.article.url for a in out] == ["report.txt", "good.txt"]
    report = out[0]
    assert report.article is long_article
    text = long_text
    for layer in ("sentences", "times", "places", "actors"):
        items = getattr(report, layer)
        assert items, layer
        for item in items:
            assert text[item.start:item.end] == item.text, (layer, item)
    assert max(p.start for p in report.places) > len(text) - 500        # the last chunk was annotated too
    assert {p.text for p in report.places} >= set(CITIES)
    for att in report.attributions:
        assert text[att.speaker_start:att.speaker_end] == att.speaker
    for e in report.events:
        assert text[e.start:e.end] in text and e.article == long_article.id
        for span in (e.source_span, e.target_span, e.predicate_span):
            if span:
                assert text[span.start:span.end] == span.text
    arrests = [e for e in report.events if text[e.start:e.end].startswith("Police arrested")]
    assert len(arrests) == 300


def test_chunked_annotation_matches_annotating_each_chunk_alone(short_parser_limit):
    """A chunk's records are those of the chunk on its own, moved to where the chunk lies."""
    from tidings.analysis import chunks_of

    text = report_text(120)
    chunks = chunks_of(text, short_parser_limit)
    assert len(chunks) > 2
    (whole,) = annotate_articles([Article(id="r", text=text, url="r")])
    offset, piece = chunks[1]
    (alone,) = annotate_articles([Article(id="r", text=piece, url="r")])
    inside = [p for p in whole.places if offset <= p.start < offset + len(piece)]
    assert inside == [dataclasses.replace(p, start=p.start + offset, end=p.end + offset) for p in alone.places]


def test_one_article_that_cannot_be_annotated_costs_only_itself():
    """Two faults of different depth: a publication date that is no string breaks the times
    layer; a lone surrogate breaks the parse of its whole batch (the batch is then parsed
    again one article at a time)."""
    text = "The foreign ministers of Japan and India met in Tokyo on Monday, officials said."
    articles = [
        Article.from_text(text, url="one.txt", published="2024-07-09"),
        Article(id="bad-date", text=text + " Talks resume soon.", url="in.jsonl:line 2", published=20240709),
        Article(id="bad-text", text="Ministers met in Tokyo \udc80 on Monday.", url="in.jsonl:line 3",
                external_id="x3"),
        Article.from_text("Kenya and Tanzania signed a trade pact in Arusha on Friday.", url="four.txt"),
    ]
    errors = []
    out = list(annotate_articles(articles, batch_size=8, on_error=errors.append))
    assert [a.article.url for a in out] == ["one.txt", "four.txt"]
    assert [e.split(": cannot annotate")[0] for e in errors] == ["in.jsonl:line 2", "in.jsonl:line 3 (id x3)"]
    assert all("\n" not in e for e in errors)
    assert [a.article.url for a in annotate_articles(articles[:1] + articles[3:])] == ["one.txt", "four.txt"]
    with pytest.raises(Exception):
        list(annotate_articles(articles))
