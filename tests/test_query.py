"""The one query layer: filters checked once, the same answers for the CLI, the web page and Python.

A real DuckDB file written through the store's own write path, with records written here."""
import subprocess
import sys
import textwrap

import pytest

import tidings
from tidings.records import AnnotatedArticle, ActorRef, Article, Conflict, Event, EventMention, Place, outlet_identity
from tidings.store import QueryError, Store, StoreBusy, parse_filters
from tidings.store.filters import Filters, outlet_sql

MINSK = Place(0, 5, "Minsk", 625144, "Minsk", "BY", 53.9, 27.57, "city")
WARSAW = Place(0, 6, "Warsaw", 756135, "Warsaw", "PL", 52.23, 21.01, "city")


def _article(text, outlet, published, url=None):
    return Article.from_text(text, outlet=outlet, published=published, url=url or f"/news/{outlet}.txt",
                             title=text.split(".")[0])


def _event(eid, story, source, target, code, quad, goldstein, date, place, outlets, conflicts=()):
    return Event(id=eid, story=story, source=source, target=target, code=code, plover=None, goldstein=goldstein,
                 quad_class=quad, date=date, date_end=None, place=place, attributed_to=None, negated=False,
                 modality="asserted", outlets=len(outlets), outlet_names=list(outlets), first_seen=date,
                 conflicts=list(conflicts))


def _write(store, story, articles, events, seq):
    for a in articles:
        mention = EventMention(article=a.id, start=0, end=len(a.text), source=None, target=None, code="010")
        store.add_article(AnnotatedArticle(article=a, actors=[ActorRef(0, 3, "x", events[0].source or "---")],
                                           events=[mention]), story, None, seq)
        seq += 1
    store.replace_events([story], events)
    return seq


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Three stories: a visit to Minsk (two outlets, a date conflict), a protest in Warsaw, a week later a trade deal."""
    path = tmp_path_factory.mktemp("q") / "q.duckdb"
    visit = [_article("Chinese officers visit Minsk. The delegation met Belarusian commanders.", "Xinhua",
                      "2024-07-09"),
             _article("A Chinese military delegation arrived in Minsk on Monday for talks.", None, "2024-07-10",
                      url="https://www.belta.by/news/1")]
    protest = [_article("Farmers protest in Warsaw. Tractors blocked the roads to the ministry.", "Eastern Ledger",
                        "2024-07-20")]
    trade = [_article("Poland and Ukraine sign a grain deal. The ministers met in Warsaw.", "Eastern Ledger",
                      "2024-07-27")]
    with Store(path) as store:
        store.begin()
        seq = _write(store, "s-visit", visit, [
            _event("e1visit", "s-visit", "CHNMIL", "BLRMIL", "042", 1, 1.9, "2024-07-08", MINSK,
                   ["Xinhua", "belta.by"],
                   [Conflict("date", [{"value": "2024-07-08", "outlets": ["Xinhua"]},
                                      {"value": "2024-07-09", "outlets": ["belta.by"]}])]),
            _event("e2talks", "s-visit", "BLRMIL", "CHNMIL", "040", 1, 1.0, "2024-07-09", MINSK, ["belta.by"])], 1)
        seq = _write(store, "s-protest", protest, [
            _event("e3protest", "s-protest", "POLAGR", "POLGOV", "1411", 3, -6.5, "2024-07-20", WARSAW,
                   ["Eastern Ledger"])], seq)
        _write(store, "s-trade", trade, [
            _event("e4deal", "s-trade", "POLGOV", "UKRGOV", "057", 2, 8.0, "2024-07-27", WARSAW, ["Eastern Ledger"]),
            _event("e5month", "s-trade", "UKRGOV", "POLGOV", "036", 1, 4.0, "2024-08", None, ["Eastern Ledger"])],
            seq)
        store.commit()
    return path


# ------------------------------------------------------------------ checking values


@pytest.mark.parametrize("params, parameter", [
    ({"since": "not-a-date"}, "since"),
    ({"until": "2024-02-30"}, "until"),
    ({"since": "2024-07-10", "until": "2024-07-01"}, "until"),
    ({"quad": "0"}, "quad"),
    ({"quad": 5}, "quad"),
    ({"quad": "two"}, "quad"),
    ({"actor": "CHN; DROP TABLE events"}, "actor"),
    ({"code": "4x"}, "code"),
    ({"root": "21"}, "root"),
    ({"country": "Narnia"}, "country"),
    ({"between": "CHN"}, "between"),
    ({"q": "x" * 300}, "q"),
    ({"outlet": "bad\x00outlet"}, "outlet"),
    ({"story": "a b"}, "story"),
    ({"colour": "red"}, "colour"),
])
def test_bad_filter_values_name_their_parameter(params, parameter):
    with pytest.raises(QueryError) as caught:
        parse_filters(params)
    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(f"{parameter}: ")


def test_filter_values_are_read_as_people_write_them():
    f = parse_filters({"since": "2024-07", "country": "belarus", "root": "4", "actor": "chn", "q": " Minsk  talks ",
                       "between": "chnmil,BLRMIL", "quad": "2", "outlet": "", "place": None})
    assert (f.since, f.country, f.root, f.actor, f.q, f.between, f.quad) == (
        "2024-07", "BY", "04", "CHN", ("Minsk", "talks"), ("CHNMIL", "BLRMIL"), 2)
    assert f.outlet is None and f.place is None                      # empty is no filter
    assert parse_filters(country="BLR").country == "BY"
    assert f.given() == {"q": "Minsk talks", "since": "2024-07", "actor": "CHN", "between": "CHNMIL,BLRMIL",
                         "country": "BY", "root": "04", "quad": 2}


def test_outlet_sql_is_the_outlet_identity_of_records(tmp_path):
    import duckdb

    arts = [Article(id="a1", text="", outlet=" Xinhua ", url="https://x.org/1"),
            Article(id="a2", text="", outlet=None, url="https://www.Belta.by/news?id=1"),
            Article(id="a3", text="", outlet="", url="HTTP://news.example.com:8080/a"),
            Article(id="a4", text="", outlet=None, url="/data/local.txt"),
            Article(id="a5", text="", outlet=None, url=None)]
    con = duckdb.connect()
    con.execute("CREATE TABLE articles (id VARCHAR, outlet VARCHAR, url VARCHAR)")
    con.executemany("INSERT INTO articles VALUES (?, ?, ?)", [[a.id, a.outlet, a.url] for a in arts])
    got = dict(con.execute(f"SELECT id, {outlet_sql('articles')} FROM articles").fetchall())
    assert got == {a.id: outlet_identity(a) for a in arts}


# ------------------------------------------------------------------ the queries


def test_stories_newest_first_with_counts_and_filters(db):
    with tidings.open(db) as d:
        page = d.stories()
        assert [s.id for s in page] == ["s-trade", "s-protest", "s-visit"] and page.total == 3
        visit = page[2]
        assert visit.outlets == ["Xinhua", "belta.by"] and visit.n_events == 2
        assert (visit.first_seen, visit.last_seen) == ("2024-07-09", "2024-07-10")
        assert [s.id for s in d.stories(sort="added")] == ["s-visit", "s-protest", "s-trade"]
        assert [s.id for s in d.stories(actor="POL")] == ["s-trade", "s-protest"]
        assert [s.id for s in d.stories(q="TRACTORS roads")] == ["s-protest"]   # every word, any case
        assert [s.id for s in d.stories(q="tractors deal")] == []
        assert [s.id for s in d.stories(outlet="BELTA.BY")] == ["s-visit"]      # the outlet a URL gives
        assert [s.id for s in d.stories(country="PL", quad=2)] == ["s-trade"]
        assert [s.id for s in d.stories(since="2024-07-10", until="2024-07-20")] == ["s-protest", "s-visit"]
        assert [s.id for s in d.stories(root="14")] == ["s-protest"]
        second = d.stories(limit=2, offset=2)
        assert [s.id for s in second] == ["s-visit"] and second.total == 3


def test_events_filters_paging_and_prefixes(db):
    with tidings.open(db) as d:
        assert [e.id for e in d.events()] == ["e5month", "e4deal", "e3protest", "e2talks", "e1visit"]
        assert [e.id for e in d.events(sort="oldest", limit=2)] == ["e1visit", "e2talks"]
        assert d.events(limit=2).total == 5
        assert [e.id for e in d.events(between="BLRMIL,CHNMIL")] == ["e2talks", "e1visit"]
        assert [e.id for e in d.events(source="pol")] == ["e4deal", "e3protest"]
        assert [e.id for e in d.events(until="2024-08", since="2024-07-21")] == ["e5month", "e4deal"]
        assert [e.id for e in d.events(outlet="xinhua")] == ["e1visit"]
        assert [e.id for e in d.events(place="625144")] == ["e2talks", "e1visit"]
        assert [e.id for e in d.events(q="grain")] == ["e5month", "e4deal"]
        assert d.event("e3pr").id == "e3protest"              # a unique prefix
        assert d.event("e3p") is None                          # shorter than 4: whole ids only
        assert d.event("nothing") is None
        with pytest.raises(QueryError, match="^event: an empty id"):
            d.event("")
        visit = d.event("e1visit")
        assert visit.conflicts[0].field == "date" and visit.place.name == "Minsk"


def test_an_ambiguous_prefix_is_refused(tmp_path):
    with Store(tmp_path / "t.duckdb") as store:
        store.replace_events(["s"], [_event(f"abcd{i}", "s", "CHN", "BLR", "040", 1, 1.0, "2024-07-01", None, [])
                                     for i in range(2)])
    with tidings.open(tmp_path / "t.duckdb") as d:
        with pytest.raises(QueryError) as caught:
            d.event("abcd")
        assert caught.value.parameter == "event" and "several" in caught.value.reason


def test_story_detail_actors_and_aggregates(db):
    with tidings.open(db) as d:
        detail = d.story("s-visit")
        assert [a.outlet for a in detail.articles] == ["Xinhua", None]
        assert "Minsk" in detail.articles[0].text and detail.articles[1].sources == ["https://www.belta.by/news/1"]
        assert [e.id for e in detail.events] == ["e1visit", "e2talks"]
        assert d.story("nope") is None
        [pol, *_] = d.actors(country="PL")
        assert (pol.code, pol.events, pol.as_source, pol.as_target) == ("POLGOV", 2, 1, 1)
        assert pol.label == "Poland government"
        m = d.map()
        assert (m["events"], m["placed"]) == (5, 4)
        assert {c["country"]: c["events"] for c in m["countries"]} == {"BY": 2, "PL": 2}
        assert {p["name"]: p["events"] for p in m["points"]} == {"Minsk": 2, "Warsaw": 2}
        t = d.timeline()
        assert (t["events"], t["by_day"], t["not_by_day"]) == (5, 4, 1)
        assert [(x["day"], x["quad"]["3"]) for x in t["days"]][:3] == [("2024-07-08", 0), ("2024-07-09", 0),
                                                                        ("2024-07-20", 1)]
        n = d.network()
        assert {(e["a"], e["b"]): e["events"] for e in n["edges"]} == {
            ("BLRMIL", "CHNMIL"): 2, ("POLAGR", "POLGOV"): 1, ("POLGOV", "UKRGOV"): 2}
        assert {e["a"]: e["goldstein"] for e in n["edges"]}["BLRMIL"] == 1.45
        assert len(d.network(nodes=2)["nodes"]) == 2


def test_pages_become_tables(db):
    with tidings.open(db) as d:
        table = d.events(country="BY").to_arrow()
        assert table.num_rows == 2 and {"id", "code", "outlets", "conflicts", "mentions"} <= set(table.column_names)
        frame = d.stories().to_pandas()
        assert list(frame["id"]) == ["s-trade", "s-protest", "s-visit"]
        assert frame.loc[2, "n_events"] == 2


def test_the_handle_is_read_only_and_refuses_unknown_filters(db):
    with tidings.open(db) as d:
        assert not hasattr(d, "add_article") and not hasattr(d, "replace_events")
        with pytest.raises(QueryError, match="^colour: no such filter"):
            d.events(colour="red")
        with pytest.raises(QueryError, match="^limit: "):
            d.events(limit=0)


HOLD = textwrap.dedent("""
    import sys, time
    from tidings.store import Store
    store = Store(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
""")


def test_a_file_another_process_writes_is_busy_not_broken(db, tmp_path):
    path = tmp_path / "held.duckdb"
    Store(path).close()
    writer = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match="database busy"):
            tidings.open(path, wait=0.2)
    finally:
        writer.communicate("done\n", timeout=60)
    with tidings.open(path, wait=0.2) as d:                 # once the writer is gone, it opens
        assert d.events().total == 0


def test_filters_default_to_nothing():
    assert parse_filters() == Filters() and Filters().given() == {}


def test_files_made_before_outlet_keys_are_read_alike_and_brought_up_to_date(db, tmp_path):
    import duckdb
    import shutil

    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("ALTER TABLE events DROP COLUMN outlet_keys")
    with tidings.open(old) as d:                                   # read-only: searched in the JSON record
        assert [e.id for e in d.events(outlet="XINHUA")] == ["e1visit"]
        assert [s.id for s in d.stories(outlet="xinhua")] == ["s-visit"]
    Store(old).close()                                             # a writer adds and fills the column
    with duckdb.connect(str(old), read_only=True) as con:
        keys = dict(con.execute("SELECT id, outlet_keys FROM events").fetchall())
    assert keys["e1visit"] == ["xinhua", "belta.by"]
    with tidings.open(old) as d:
        assert [e.id for e in d.events(outlet="Belta.by")] == ["e2talks", "e1visit"]
