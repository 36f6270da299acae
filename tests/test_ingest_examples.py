"""The bundled examples/ (what `make demo` ingests) read cleanly in every format."""
from pathlib import Path

from tidings.ingest import read_paths
from tidings.ingest.dedup import NearDuplicateIndex, signature

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def articles():
    errors = []
    found = list(read_paths([str(EXAMPLES)], errors.append))
    assert errors == []
    return found


def test_examples_read_without_errors_with_metadata():
    found = articles()
    assert 6 <= len(found) <= 8
    assert {Path(a.url).suffix for a in found if not a.url.startswith("http")} == {".txt", ".html"}
    for a in found:
        assert 100 <= len(a.text.split()) <= 250, a.url
        assert a.published and a.published.startswith("2025-03"), a.url
        assert a.outlet, a.url
    assert len({a.id for a in found}) == len(found)


def test_two_outlets_report_the_cairo_meeting():
    cairo = [a for a in articles() if "Karim Hassan" in a.text]
    assert len({a.outlet for a in cairo}) == 2
    for a in cairo:
        assert "Cairo" in a.text and "Monday" in a.text and "Foreign Minister" in a.text


def test_the_syndicated_copy_is_a_near_duplicate():
    index = NearDuplicateIndex()
    links = {a.outlet: index.add(a.id, signature(a.text)) for a in articles()}
    originals = {a.id: a.outlet for a in articles()}
    assert originals[links["Manila Bay Times"]] == "Pacific Maritime Review"
    assert sum(v is not None for v in links.values()) == 1


def test_plain_text_example_cleaned():
    (a,) = [a for a in articles() if a.url.endswith("dailycourier.txt")]
    assert a.outlet == "DailyCourier.Net" and a.published == "2025-03-04"
    for junk in ("Share this", "Related Articles", "Leave a Reply", "Kenya and Uganda", "©", "DailyCourier"):
        assert junk not in a.text
    assert "four hours. Hassan said" in a.text
