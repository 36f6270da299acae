"""Event fusion: one happening, one event, every outlet that carried it, and their conflicts.

Mentions are built by hand for the rules (what the coder would emit for sentences we
wrote), then the seed articles go through the real annotate + code pipeline.
"""
import random
from dataclasses import replace

import pytest
from conftest import SEEDS, needs_seeds

from tidings.records import Article, EventMention, Place
from tidings.stories import fuse_events


BREST = Place(0, 5, "Brest", 629634, "Brest", "BY", 52.1, 23.7, "city")
BELARUS = Place(0, 7, "Belarus", 630336, "Belarus", "BY", 53.0, 28.0, "country")
MINSK = Place(0, 5, "Minsk", 625144, "Minsk", "BY", 53.9, 27.6, "city")
WARSAW = Place(0, 6, "Warsaw", 756135, "Warsaw", "PL", 52.2, 21.0, "city")

# an article without outlet (a local file) and one from a named outlet
A1 = Article(id="art1", text="...", url="/data/000.txt", published=None)
A2 = Article(id="art2", text="...", outlet="News.Az", published="2024-07-09")
A3 = Article(id="art3", text="...", url="https://www.wire.example/story", published="2024-07-10")
ARTICLES = {a.id: a for a in (A1, A2, A3)}


def mention(article, source, target, code, date=None, date_end=None, place=None, start=0, **kw):
    return EventMention(article=article, start=start, end=start + 50, source=source, target=target, code=code,
                        date=date, date_end=date_end, place=place, date_source=kw.pop("date_source", "clause"), **kw)


def exercises():
    """"They began on Monday, July 8 and will last eleven days" (art1) against "conducting joint
    military exercises ... through July 19 ... began Monday in Brest" (art2)."""
    return [
        mention("art1", "CHNMIL", "BLRMIL", "062", "2024-07-08", "2024-07-18", BELARUS, start=10),
        mention("art2", "CHN", "BLR", "062", "2024-07-08", "2024-07-19", BREST, start=0, attributed_to="the Belarusian Defense Ministry"),
        mention("art2", "BLR", "CHN", "062", "2024-07-08", "2024-07-19", BREST, start=0),
        mention("art2", "CHN", "BLR", "06", "2024-07-09", None, None, start=300, date_source="published"),
    ]


def test_one_happening_told_by_two_outlets_is_one_event_with_its_conflict():
    events = fuse_events("story1", exercises(), ARTICLES)
    assert len(events) == 1
    e = events[0]
    assert e.story == "story1"
    assert {e.source[:3], e.target[:3]} == {"CHN", "BLR"}
    assert e.code == "062" and e.date == "2024-07-08"
    assert e.outlets == 2 and e.outlet_names == ["News.Az", "article:art1"]
    assert len(e.mentions) == 4 and {m.outlet for m in e.mentions} == {"News.Az", "article:art1"}
    assert e.place.geonameid == 629634          # Brest refines Belarus: no conflict on place
    assert e.first_seen == "2024-07-09"
    assert e.date_end in ("2024-07-18", "2024-07-19")
    assert [c.field for c in e.conflicts] == ["date_end"]
    values = {v["value"]: v for v in e.conflicts[0].values}
    assert values["2024-07-18"]["outlets"] == ["article:art1"] and values["2024-07-18"]["articles"] == ["art1"]
    assert values["2024-07-19"]["outlets"] == ["News.Az"]
    assert e.conflicts[0].values[0]["value"] == e.date_end  # the representative comes first
    assert not e.syndicated


def test_fusion_is_deterministic_whatever_the_order():
    ms = exercises() + [mention("art3", "RUS", "UKR", "190", "2024-07-09")]
    first = fuse_events("s", ms, ARTICLES)
    for seed in range(5):
        shuffled = ms[:]
        random.Random(seed).shuffle(shuffled)
        again = fuse_events("s", shuffled, ARTICLES)
        assert [(e.id, e.code, e.date, e.date_end, e.outlets, [c.values for c in e.conflicts]) for e in again] == \
               [(e.id, e.code, e.date, e.date_end, e.outlets, [c.values for c in e.conflicts]) for e in first]
    assert len({e.id for e in first}) == len(first)


def test_attacks_are_not_reciprocal_meetings_are():
    attack = [mention("art2", "RUS", "UKR", "190", "2024-07-08"), mention("art3", "UKR", "RUS", "190", "2024-07-08")]
    assert len(fuse_events("s", attack, ARTICLES)) == 2
    meeting = [mention("art2", "CHNGOV", "BLRGOV", "040", "2024-07-04"),
               mention("art3", "BLRGOV", "CHNGOV", "040", "2024-07-04")]
    (e,) = fuse_events("s", meeting, ARTICLES)
    assert e.outlets == 2 and e.source == "CHNGOV"   # the orientation first seen


def test_different_roots_dates_and_countries_stay_apart():
    ms = [
        mention("art2", "CHN", "BLR", "040", "2024-07-04", place=MINSK),
        mention("art3", "CHN", "BLR", "057", "2024-07-04", place=MINSK),          # another root
        mention("art3", "CHN", "BLR", "040", "2024-07-20", place=MINSK),          # two weeks on
        mention("art3", "CHN", "BLR", "040", "2024-07-04", place=WARSAW),         # another country
    ]
    assert len(fuse_events("s", ms, ARTICLES)) == 4


def test_two_places_in_one_country_are_a_conflict_not_two_events():
    ms = [mention("art2", "CHN", "BLR", "062", "2024-07-08", place=BREST),
          mention("art3", "CHN", "BLR", "062", "2024-07-08", place=MINSK)]
    (e,) = fuse_events("s", ms, ARTICLES)
    (c,) = e.conflicts
    assert c.field == "place" and sorted(v["value"]["geonameid"] for v in c.values) == [625144, 629634]
    assert e.place.geonameid == 629634  # equal support: the earliest seen (art2, 9 July) wins


def test_near_duplicate_on_another_outlet_counts_and_is_flagged():
    copy = Article(id="art4", text="...", outlet="Mirror Wire", published="2024-07-10", duplicate_of="art2")
    ms = [mention("art2", "CHN", "BLR", "062", "2024-07-08"), mention("art4", "CHN", "BLR", "062", "2024-07-08")]
    (e,) = fuse_events("s", ms, {**ARTICLES, "art4": copy})
    assert e.outlets == 2 and e.syndicated


def test_mentions_without_a_known_article_count_under_their_own_outlet():
    ms = [mention("x1", "CHN", "BLR", "062", "2024-07-08"), mention("x2", "CHN", "BLR", "062", "2024-07-08"),
          replace(mention("x3", "CHN", "BLR", "062", "2024-07-08"), outlet="News.Az")]
    (e,) = fuse_events("s", ms, {})
    assert e.outlet_names == ["News.Az", "article:x1", "article:x2"]


def test_goldstein_and_quad_follow_the_fused_code():
    ms = [mention("art2", "CHN", "BLR", "06", "2024-07-08", goldstein=6.0, quad_class=3),
          mention("art3", "CHN", "BLR", "062", "2024-07-08", goldstein=7.4, quad_class=3)]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert e.code == "062"
    try:
        from tidings.coding.codebook import lookup
    except ImportError:
        lookup = None
    info = lookup("062") if lookup else None
    if info is not None:
        assert (e.goldstein, e.quad_class) == (info.goldstein, info.quad_class)
    else:
        assert (e.goldstein, e.quad_class) == (7.4, 3)


def test_sibling_codes_from_different_outlets_are_a_conflict():
    ms = [mention("art2", "CHN", "BLR", "061", "2024-07-08"), mention("art3", "CHN", "BLR", "062", "2024-07-08"),
          mention("art1", "CHN", "BLR", "062", "2024-07-08")]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert e.code == "062"  # two outlets against one
    assert [c.field for c in e.conflicts] == ["code"]


@needs_seeds
def test_seed_exercises_are_one_event_carried_by_both_outlets():
    from tidings.ingest import read_paths
    from tidings.analysis import annotate_articles

    articles = list(read_paths(sorted(SEEDS.glob("*.txt")), on_error=lambda *a: None))
    annotated = list(annotate_articles(articles))
    mentions = [m for a in annotated for m in a.events]
    events = fuse_events("seed-story", mentions, {a.id: a for a in articles})
    assert sum(len(e.mentions) for e in events) == len(mentions)  # every mention kept, once
    hits = [e for e in events
            if {(e.source or "")[:3], (e.target or "")[:3]} == {"CHN", "BLR"} and e.code[:2] in ("06", "15")
            and e.date == "2024-07-08" and e.place is not None and e.place.geonameid == 629634]
    assert hits, [(e.source, e.target, e.code, e.date, e.place and e.place.name, e.outlets) for e in events]
    best = max(hits, key=lambda e: e.outlets)
    assert best.outlets == 2
    assert best.date_end in ("2024-07-18", "2024-07-19")
    ends = {m.date_end for m in best.mentions if m.date_end}
    if len(ends) > 1:
        assert any(c.field == "date_end" for c in best.conflicts)


# ---------------------------------------------------------------- conflicts that mean something

KHARKIV = Place(0, 7, "Kharkiv", 706483, "Kharkiv", "UA", 49.98, 36.25, "city")


def test_a_finer_code_of_the_same_act_is_a_refinement_not_a_conflict():
    from tidings.formats import event_json

    ms = [mention("art2", "CHNGOV", "BLRGOV", "040", "2024-07-04"),
          mention("art1", "CHNGOV", "BLRGOV", "040", "2024-07-04"),
          mention("art3", "CHNGOV", "BLRGOV", "042", "2024-07-04")]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert e.code == "042" and e.conflicts == []
    (r,) = e.refinements
    assert r["value"] == "042" and r["outlets"] == ["wire.example"]
    assert r["refines"] == [{"value": "040", "outlets": ["News.Az", "article:art1"]}]
    line = event_json(e)["refinements"][0]["text"]
    assert line.startswith("code: 042 ") and "(wire.example) refines 040 " in line
    assert line.endswith("(News.Az, article:art1)")


def test_conflicts_read_as_one_line_each():
    from tidings.formats import conflict_text

    ms = [mention("art2", "CHN", "BLR", "062", "2024-07-08"), mention("art1", "CHN", "BLR", "062", "2024-07-08"),
          mention("art3", "CHN", "BLR", "062", "2024-07-09")]
    (e,) = fuse_events("s", ms, ARTICLES)
    (c,) = e.conflicts
    assert conflict_text(c) == "date: 2024-07-08 (News.Az, article:art1) against 2024-07-09 (wire.example)"


def test_one_outlet_denying_what_another_asserts_is_one_event_with_a_conflict():
    ms = [mention("art2", "RUS", "UKR", "190", "2024-07-08"), mention("art1", "RUS", "UKR", "190", "2024-07-08"),
          mention("art3", "RUS", "UKR", "190", "2024-07-08", negated=True)]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert not e.negated and e.outlets == 3
    (c,) = e.conflicts
    assert c.field == "happened" and [v["value"] for v in c.values] == ["asserted", "denied"]


def test_numbers_told_differently_are_a_conflict_and_the_same_number_is_not():
    from tidings.formats import conflict_text

    ms = [mention("art2", "RUS", "UKR", "194", "2024-07-08", counts={"killed": 12}),
          mention("art1", "RUS", "UKR", "194", "2024-07-08", counts={"killed": 12, "wounded": 30}),
          mention("art3", "RUS", "UKR", "194", "2024-07-08", counts={"killed": 9})]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert e.counts == {"killed": 12, "wounded": 30}
    (c,) = e.conflicts
    assert conflict_text(c) == "killed: 12 (News.Az, article:art1) against 9 (wire.example)"


def test_outlets_naming_two_doers_of_one_strike_are_a_conflict_on_who_did_it():
    ms = [mention("art2", "RUSMIL", "UKR", "194", "2024-07-08", place=KHARKIV),
          mention("art3", "UKRMIL", "UKR", "194", "2024-07-08", place=KHARKIV)]
    (e,) = fuse_events("s", ms, ARTICLES)
    assert [c.field for c in e.conflicts] == ["source"]
    # two donors of aid on one day are two happenings, not a dispute
    aid = [mention("art2", "EGY", "PSE", "073", "2024-07-08", place=KHARKIV),
           mention("art3", "JOR", "PSE", "073", "2024-07-08", place=KHARKIV)]
    assert len(fuse_events("s", aid, ARTICLES)) == 2


def test_explain_show_and_json_give_conflicts_as_readable_lines(tmp_path):
    """Two outlets, one shelling, told with two days and two death tolls: the real pipeline,
    a real DuckDB file, the real command line."""
    import json
    import subprocess
    import sys

    def tidings(*args):
        proc = subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    lines = [
        {"id": "a1", "outlet": "Kyiv Wire", "date": "2024-07-09", "title": "Russian shelling of Kharkiv market kills 12",
         "text": "Russian artillery shelled a market in Kharkiv on Monday, killing 12 people, regional officials said. "
                 "Emergency crews worked through the night to clear the rubble in Kharkiv."},
        {"id": "a2", "outlet": "Eastern Herald", "date": "2024-07-10", "title": "Shelling of Kharkiv market kills nine",
         "text": "Russian artillery shelled a market in Kharkiv on Tuesday, killing 9 people, officials in the city "
                 "said. Emergency crews cleared the rubble in Kharkiv overnight."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    db = tmp_path / "t.duckdb"
    tidings("add", "--db", db, src)
    evs = [json.loads(x) for x in tidings("events", "--db", db, "--format", "jsonl").splitlines()]
    (shelling,) = [e for e in evs if e["code"] == "194"]
    assert shelling["outlets"] == 2 and shelling["counts"] == {"killed": 12}
    texts = [c["text"] for c in shelling["conflicts"]]
    assert texts == ["date: 2024-07-08 (Kyiv Wire) against 2024-07-09 (Eastern Herald)",
                     "killed: 12 (Kyiv Wire) against 9 (Eastern Herald)"]
    explained = tidings("explain", "--db", db, shelling["id"])
    assert all(t in explained for t in texts) and "[{" not in explained
    shown = tidings("show", "--db", db, shelling["story"])
    assert f"{shelling['id']}: {texts[1]}" in shown
