"""Opinion and analysis pieces are marked on the article (texts written for these tests)."""
from tidings.ingest import article_from_record
from tidings.ingest.opinion import is_opinion

REPORT = ("Police in Porto said on Monday they had arrested two men over the theft of paintings from a "
          "museum. \"I saw them carry the frames to a van,\" a neighbour told reporters.")


def test_labels_urls_and_first_person_argument_mark_opinion():
    assert is_opinion("Opinion: Porto's museums need guards, not cameras", REPORT)
    assert is_opinion("EDITORIAL - The port strike must end", REPORT)
    assert is_opinion("News analysis: what the vote means", REPORT)
    assert is_opinion("Museums", REPORT, url="https://paper.example/commentisfree/2025/may/12/museums")
    assert is_opinion("Museum thefts", "I have lived in Porto all my life, and I cannot remember a summer "
                                       "when the museums felt so exposed.")


def test_reports_are_not_opinion_even_when_they_quote_someone_saying_i():
    assert not is_opinion("Two held over Porto museum theft", REPORT, url="https://paper.example/news/porto-theft")
    assert not is_opinion("Columns of smoke rise over Porto port", REPORT)  # a word, not a label
    assert not is_opinion(None, REPORT)


def test_the_marker_reaches_the_article():
    a = article_from_record({"id": "1", "title": "Column: Let the trains run", "text": REPORT}, "in.jsonl:1")
    b = article_from_record({"id": "2", "title": "Two held over Porto museum theft", "text": REPORT}, "in.jsonl:2")
    assert a.opinion and not b.opinion
