"""article_from_record: the one path from an annotate/JSON Lines record to an Article."""
import pytest

from tidings.ingest import IngestError, article_from_record
from tidings.records import content_id

TEXT = ("Finnish Prime Minister Aino Virtanen met Estonian Prime Minister Kaarel Tamm in Tallinn on Wednesday "
        "to discuss a second power cable under the Gulf of Finland, the Estonian government said.")


def test_raw_text_is_cleaned_and_metadata_sniffed():
    raw = f"Published: 12 February 2025\nShare this article\n\n{TEXT}\nThe talks went on.Both sides agreed.\n\nBaltic Times\n"
    a = article_from_record({"id": "b1", "text": raw}, "in.jsonl:1")
    assert a.published == "2025-02-12" and a.outlet == "Baltic Times"
    assert "Share this" not in a.text and "went on. Both sides" in a.text
    assert a.id == content_id(a.text) and a.external_id == "b1"
    assert a.url == "in.jsonl:1" and a.sources == ["in.jsonl:1"]


def test_given_metadata_wins_over_sniffed():
    raw = f"Published: 12 February 2025\n\n{TEXT}\n\nBaltic Times\n"
    a = article_from_record({"id": 7, "text": raw, "date": "2025-02-13", "outlet": "ERR News", "title": "Cable talks",
                             "url": "https://err.example/cable"}, "in.jsonl:2")
    assert (a.published, a.outlet, a.title, a.url, a.external_id) == (
        "2025-02-13", "ERR News", "Cable talks", "https://err.example/cable", "7")


def test_unreadable_given_date_falls_back_to_sniffed():
    a = article_from_record({"text": f"July 9, 2024\n\n{TEXT}", "date": "sometime"}, "x")
    assert a.published == "2024-07-09"


def test_html_record_goes_through_the_extractor():
    html = (f"<html><head><title>Cable talks | Baltic Times</title><meta property='og:site_name' content='Baltic Times'>"
            f"</head><body><nav>Home | World</nav><article><h1>Cable talks</h1><p>{TEXT}</p>"
            f"<p>Engineers will start surveying the seabed in May.</p></article><footer>Privacy policy</footer></body></html>")
    a = article_from_record({"id": "h", "html": html, "date": "2025-02-12"}, "in.jsonl:3")
    assert "Finnish Prime Minister" in a.text and "Home" not in a.text and "Privacy" not in a.text
    assert a.outlet == "Baltic Times" and a.published == "2025-02-12"


def test_same_text_same_id_whatever_the_record():
    a = article_from_record({"id": "1", "text": TEXT}, "a.jsonl:1")
    b = article_from_record({"id": "2", "text": "  " + TEXT.replace(" ", "  ") + "\n"}, "b.jsonl:9")
    assert a.id == b.id


@pytest.mark.parametrize("record, reason", [
    ({"id": "x"}, "no 'text' or 'html' field"),
    ({"id": "x", "text": ["a"]}, "not a string"),
    ({"id": "x", "text": "Leave a Reply\nBack to top"}, "no article text"),
    ({"id": "x", "html": "<html><body></body></html>"}, "no article text"),
    ({"id": "x", "text": TEXT, "outlet": {"name": "x"}}, "field 'outlet' is not a string"),
    ("just a string", "not a JSON object"),
])
def test_bad_records_raise_a_value_error_with_a_reason(record, reason):
    with pytest.raises(IngestError, match=reason) as e:
        article_from_record(record, "in.jsonl:4")
    assert isinstance(e.value, ValueError)


def test_a_headline_only_record_is_an_article_of_its_title():
    """Headline feeds and aggregator dumps give a title and no text: the title becomes the
    text (never cleaned away, "VIDEO:" and all), and its id is the title's content hash."""
    for record in ({"id": "h1", "title": "VIDEO:  Rescuers reach miners trapped near Bindura"},
                   {"id": "h1", "text": "", "title": "VIDEO: Rescuers reach miners trapped near Bindura"},
                   {"id": "h1", "text": "  \n", "title": "VIDEO: Rescuers reach miners trapped near Bindura",
                    "date": "2025-11-05"}):
        a = article_from_record(record, "feed.jsonl:1")
        assert a.title == a.text == "VIDEO: Rescuers reach miners trapped near Bindura"
        assert a.id == content_id(a.text)
