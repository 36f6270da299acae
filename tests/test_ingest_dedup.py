"""Near-duplicate detection on texts written for these tests: edited copies match,
independent stories about the same happening do not."""
from tidings.ingest.dedup import NUM_PERM, NearDuplicateIndex, from_signature, signature

ORIGINAL = """Serbian and Hungarian interior ministers agreed on Tuesday to set up joint police patrols along
their shared border to curb migrant smuggling, the Serbian Interior Ministry said after a meeting in Subotica.
Under the plan, officers from both countries will patrol a 40-kilometre stretch of the border near Horgos and
Kelebija from next month, and a joint operations centre will open in Szeged. Serbian Interior Minister Dragan
Petrovic said smugglers had shifted their routes towards the Hungarian border after Bosnia and Croatia tightened
controls. Hungarian Interior Minister Gabor Kiss said the patrols would be supported by drones and thermal cameras
provided by the European Union. The two ministers also discussed the return of migrants who cross illegally and a
faster exchange of information between their border police forces. Human rights groups have criticised pushbacks at
the border and called on both governments to guarantee access to asylum procedures."""

EDITED_COPY = """BELGRADE (Balkan Wire) - Serbia and Hungary agreed on Tuesday to set up joint police patrols along
their shared border to curb migrant smuggling, the Serbian Interior Ministry said after a meeting in Subotica.
Under the plan, officers from both countries will patrol a 40-kilometre stretch of the border near Horgos and
Kelebija from next month, and a joint operations centre will open in Szeged. Serbian Interior Minister Dragan
Petrovic said smugglers had moved their routes towards the Hungarian border after Bosnia and Croatia tightened
controls. Hungarian Interior Minister Gabor Kiss said the patrols would be backed by drones and thermal cameras
provided by the European Union. The two ministers also discussed the return of migrants who cross illegally and a
faster exchange of information between their border police forces."""

SAME_HAPPENING_OTHER_OUTLET = """Hungary's interior minister Gabor Kiss travelled to Subotica on Tuesday, where he and
his Serbian counterpart Dragan Petrovic signed a plan for mixed police patrols on the frontier. Budapest will send
officers and drones, while a coordination office is to be based in the Hungarian city of Szeged, the Hungarian
government spokesman told state television. Kiss said illegal crossings had risen since the start of the year
and that smuggling gangs were increasingly violent. Petrovic told reporters that Belgrade wanted closer cooperation
with all its neighbours, including Croatia and Romania. Opposition politicians in Budapest said the government
should spend more on integrating refugees instead of policing the border. The patrols are due to begin next month."""

OTHER_STORY = """Romania and Moldova opened a new bridge over the Prut river near Ungheni on Friday, the Romanian
transport ministry said. The bridge, financed by the European Union, will carry trucks and cars and is expected to
cut waiting times at the border. Romanian Transport Minister Ioana Radu and Moldovan Infrastructure Minister Ion
Cebotari attended the opening ceremony."""


def jaccard(a, b):
    return from_signature(signature(a)).jaccard(from_signature(signature(b)))


def test_signature_is_compact_and_deterministic():
    sig = signature(ORIGINAL)
    assert isinstance(sig, bytes) and len(sig) == 2 + 4 * NUM_PERM
    assert sig == signature(ORIGINAL)
    assert signature(ORIGINAL.upper().replace("\n", "  ")) == sig  # case and spacing do not matter


def test_lightly_edited_copy_matches_and_independent_report_does_not():
    assert jaccard(ORIGINAL, EDITED_COPY) > 0.55
    assert jaccard(ORIGINAL, SAME_HAPPENING_OTHER_OUTLET) < 0.15
    index = NearDuplicateIndex()
    assert index.add("orig", signature(ORIGINAL)) is None
    assert index.add("other-outlet", signature(SAME_HAPPENING_OTHER_OUTLET)) is None
    assert index.add("other-story", signature(OTHER_STORY)) is None
    assert index.add("copy", signature(EDITED_COPY)) == "orig"


def test_copy_of_a_copy_points_to_the_first_original_and_copies_are_not_indexed():
    index = NearDuplicateIndex()
    index.add("orig", signature(ORIGINAL))
    assert index.add("copy", signature(EDITED_COPY)) == "orig"
    assert "copy" not in index and len(index) == 1
    second = EDITED_COPY.replace("Tuesday", "Tuesday evening").replace("drones", "drones, cars")
    assert index.add("copy2", signature(second)) == "orig"


def test_index_rebuilt_from_stored_pairs_sees_the_first_run():
    first_run = NearDuplicateIndex()
    stored = []
    for article_id, text in [("a", ORIGINAL), ("b", OTHER_STORY)]:
        sig = signature(text)
        assert first_run.add(article_id, sig) is None
        stored.append((article_id, sig))
    second_run = NearDuplicateIndex.from_pairs(stored)
    assert len(second_run) == 2
    assert second_run.add("c", signature(EDITED_COPY)) == "a"
    assert second_run.add("d", signature(SAME_HAPPENING_OTHER_OUTLET)) is None


def test_empty_text_never_matches():
    index = NearDuplicateIndex()
    assert index.add("e1", signature("")) is None
    assert index.add("e2", signature("")) is None


def test_foreign_signature_rejected():
    import pytest
    with pytest.raises(ValueError):
        from_signature(b"xx" + bytes(4 * NUM_PERM))


def test_the_index_keeps_a_window_of_recent_originals():
    index = NearDuplicateIndex(window=2)
    index.add("orig", signature(ORIGINAL))
    index.add("other", signature(OTHER_STORY))
    assert index.add("copy", signature(EDITED_COPY)) == "orig"          # still in the window
    index.add("third", signature(SAME_HAPPENING_OTHER_OUTLET))          # pushes "orig" out
    assert "orig" not in index and len(index) == 2
    assert index.add("late-copy", signature(EDITED_COPY)) is None       # indexed as an original now
    assert "late-copy" in index and "other" not in index


def test_index_rebuilt_with_a_window_equals_the_index_fed_one_by_one(tmp_path):
    """What the next run loads from the store is what this run held at its end."""
    from tidings.ingest.dedup import EMPTY_SIGNATURE
    from tidings.records import AnnotatedArticle, Article
    from tidings.store import Store
    from tidings.store.db import Batch, StoredArticle

    texts = [("a", ORIGINAL), ("e", ""), ("b", OTHER_STORY), ("c", SAME_HAPPENING_OTHER_OUTLET), ("f", "")]
    fed = NearDuplicateIndex(window=2)
    batch = Batch()
    for seq, (article_id, text) in enumerate(texts):
        fed.add(article_id, signature(text))
        annotated = AnnotatedArticle(article=Article(id=article_id, text=text or "-", sources=[f"{article_id}.txt"]))
        batch.articles.append(StoredArticle(annotated, f"s-{article_id}", signature(text), seq))
    with Store(tmp_path / "w.duckdb") as store:
        store.write_batch(batch)
        loaded = NearDuplicateIndex.from_pairs(store.signatures(last=2, skip=EMPTY_SIGNATURE), window=2)
        assert [i for i, _ in store.signatures()] == ["a", "e", "b", "c", "f"]
    assert list(loaded._order) == list(fed._order) == ["b", "c"]
    assert loaded.add("copy", signature(EDITED_COPY)) is fed.add("copy", signature(EDITED_COPY)) is None
