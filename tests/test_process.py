"""`process.add_articles`: dedup, stories, fusion and the bulk write, batch by batch, with
the real spaCy model and real DuckDB files."""
import pytest
from conftest import dump_db
from news_stream import add_file, articles, stream, write_stream  # noqa: F401 - stream is a fixture

from tidings.store import Store


def run_add(db, source, **options):
    summary, errors = add_file(db, source, **options)
    assert errors == []
    return summary


@pytest.fixture(scope="module")
def whole(stream, tmp_path_factory):
    db = tmp_path_factory.mktemp("whole") / "whole.duckdb"
    return db, run_add(db, stream, batch_size=64)


def test_summary_counts_what_happened(whole):
    db, summary = whole
    n = len(articles())
    assert (summary.read, summary.added, summary.duplicates) == (n, n - 2, 2)
    assert summary.near_duplicates == 1 and summary.events > 0
    with Store(db, read_only=True) as store:
        rows = store.list_articles()
        stats = store.stats()
    copy = next(r for r in rows if r["external_id"] == "syndicated")
    original = next(r for r in rows if r["external_id"] == "s0r0")
    assert copy["duplicate_of"] == original["id"] and copy["story"] == original["story"]
    repeated = next(r for r in rows if r["external_id"] == "s2r0")
    assert "https://mirror.example/a" in repeated["sources"]
    assert stats["stories"] == 4 and stats["event_mentions"] > 0


@pytest.mark.parametrize("batch_size", [1, 5])
def test_batch_size_does_not_change_the_database(whole, stream, tmp_path, batch_size):
    """Events are fused from stored mentions and the batch's own (not yet written) ones: cutting the
    stream anywhere gives the same events, stories and rows as one big batch."""
    db = tmp_path / "cut.duckdb"
    run_add(db, stream, batch_size=batch_size)
    assert dump_db(db) == dump_db(whole[0])


def test_adding_in_two_runs_equals_one_run(whole, tmp_path):
    records = articles()
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_stream(first, records[:6])
    write_stream(second, records[6:])
    db = tmp_path / "two.duckdb"
    run_add(db, first, batch_size=4)
    summary = run_add(db, second, batch_size=4)
    assert summary.read == len(records) - 6
    assert dump_db(db) == dump_db(whole[0])
