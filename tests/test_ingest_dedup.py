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
