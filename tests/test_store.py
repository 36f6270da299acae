"""The DuckDB store: schema, idempotent writes, listings, exports."""
import json

import duckdb
import pytest
from conftest import dump_db

from tidings.records import (
    AnnotatedArticle,
    Article,
    ActorRef,
    Conflict,
    Event,
    EventMention,
    Place,
    TimeRef,
    stable_id,
)
from tidings.store import Store, StoreError
from tidings.store.db import Batch, StoredArticle
from tidings.store.export import GDELT_COLUMNS, export_gdelt, export_jsonl, export_parquet
from tidings.stories import fuse_events

MINSK = Place(0, 5, "Minsk", 625144, "Minsk", "BY", 53.9, 27.57, "city")


def _annotated(text: str, outlet: str, published: str) -> AnnotatedArticle:
    article = Article.from_text(text, outlet=outlet, published=published, url=f"/news/{outlet}.txt",
                                sources=[f"/news/{outlet}.txt"])
    mention = EventMention(article=article.id, start=0, end=len(text), source="CHNMIL", target="BLRMIL",
                           code="042", plover="CONSULT", goldstein=1.9, quad_class=1, date="2024-07-06",
                           date_end="2024-07-08", place=MINSK, outlet=outlet, rule="visit")
    return AnnotatedArticle(
        article=article,
        times=[TimeRef(40, 48, "Saturday", "DATE", "2024-07-06")],
        places=[MINSK],
        actors=[ActorRef(6, 13, "Chinese", "CHNMIL", "CHN", "MIL", "group")],
        events=[mention],
    )


def _fused(story: str, mentions: list[EventMention]) -> Event:
    return Event(id=stable_id(story, "042"), story=story, source="CHNMIL", target="BLRMIL", code="042",
                 plover="CONSULT", goldstein=1.9, quad_class=1, date="2024-07-06", date_end="2024-07-08",
                 place=MINSK, attributed_to=None, negated=False, modality="asserted", mentions=mentions,
                 outlets=len(mentions), outlet_names=[m.outlet for m in mentions], first_seen="2024-07-09",
                 conflicts=[Conflict("date_end", [{"value": "2024-07-08", "outlets": ["A"]}])])


def _fill(store: Store) -> list[AnnotatedArticle]:
    docs = [_annotated("Minsk: a Chinese military delegation visited from Saturday to Monday.", "A", "2024-07-09"),
            _annotated("A Chinese delegation was in Minsk from Saturday until Monday, officials said.", "B",
                       "2024-07-10")]
    store.begin()
    for seq, d in enumerate(docs, start=1):
        store.add_article(d, "story1", b"sig", seq)
    mentions = store.mentions_of_stories(["story1"])["story1"]
    store.replace_events(["story1"], [_fused("story1", mentions)])
    store.put_state("clusterer", {"n": 2})
    store.commit()
    return docs



def test_write_is_idempotent(tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        _fill(store)
    first = dump_db(db)
    with Store(db) as store:
        _fill(store)
    assert dump_db(db) == first
    assert len(first["articles"]) == 2 and len(first["events"]) == 1


def test_listings_round_trip_records(tmp_path):
    with Store(tmp_path / "t.duckdb") as store:
        docs = _fill(store)
        arts = store.list_articles()
        assert [a["id"] for a in arts] == [d.article.id for d in docs]
        assert arts[0]["sources"] == ["/news/A.txt"]
        [story] = store.list_stories()
        assert story["articles"] == [d.article.id for d in docs]
        assert story["outlets"] == ["A", "B"]
        assert (story["first_seen"], story["last_seen"]) == ("2024-07-09", "2024-07-10")
        assert story["actors"] == ["CHNMIL"] and story["places"] == ["625144"]
        [event] = store.list_events(actor="BLR", code="04", place="minsk", since="2024-07-07")
        assert event.place.geonameid == 625144 and len(event.mentions) == 2
        assert event.conflicts[0].field == "date_end"
        assert store.list_events(until="2024-07-05") == []
        assert store.get_event(event.id[:6]).id == event.id
        assert store.known_ids([docs[0].article.id, "nope"]) == {docs[0].article.id}
        assert store.get_state("clusterer") == {"n": 2}


def test_rolled_back_batch_leaves_nothing(tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        _fill(store)
    before = dump_db(db)
    with Store(db) as store:
        store.begin()
        store.add_article(_annotated("An unrelated story about grain exports from Odesa.", "C", "2024-07-11"),
                          "story2", None, 3)
        store.rollback()
    assert dump_db(db) == before


def _many(n: int) -> list[AnnotatedArticle]:
    return [_annotated(f"Report {i}: a Chinese military delegation visited Minsk from Saturday to Monday.",
                       f"Outlet{i % 3}", f"2024-07-{9 + i % 3:02d}") for i in range(n)]


def test_one_bulk_batch_writes_what_article_by_article_writes(tmp_path):
    """The bulk write path (one insert per table) stores exactly the rows of single inserts."""
    docs = _many(7)
    with Store(tmp_path / "single.duckdb") as store:
        store.begin()
        for seq, d in enumerate(docs, start=1):
            store.add_article(d, "story1", bytes([seq]), seq)
        store.replace_events(["story1"], [_fused("story1", store.mentions_of_stories(["story1"])["story1"])])
        store.put_state("clusterer", {"n": 7})
        store.commit()
    with Store(tmp_path / "bulk.duckdb") as store:
        for d in docs:  # the ids the store gives mentions without one
            for i, m in enumerate(d.events):
                m.id = f"{d.article.id}:{i}"
        batch = Batch(articles=[StoredArticle(d, "story1", bytes([seq]), seq) for seq, d in enumerate(docs, start=1)],
                      stories={"story1"}, events=[_fused("story1", sorted((m for d in docs for m in d.events),
                                                                         key=lambda m: m.id))],
                      state={"clusterer": {"n": 7}})
        store.write_batch(batch)
    bulk = dump_db(tmp_path / "bulk.duckdb")
    assert len(bulk["articles"]) == 7 and len(bulk["event_mentions"]) == 7 and len(bulk["annotations"]) == 21
    assert bulk == dump_db(tmp_path / "single.duckdb")


def test_a_batch_that_fails_half_way_writes_nothing(tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        _fill(store)
    before = dump_db(db)
    with Store(db) as store:
        batch = Batch(articles=[StoredArticle(d, "story2", None, 10 + i) for i, d in enumerate(_many(3))],
                      sources=[("x", "/somewhere/else.txt")],
                      state={"clusterer": {"not json": object()}})  # fails after the rows went in
        with pytest.raises(TypeError):
            store.write_batch(batch)
        assert store.known_ids(s.annotated.article.id for s in batch.articles) == set()
    assert dump_db(db) == before


def test_read_only_store_needs_a_file(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("this is not a database")
    with pytest.raises(StoreError, match="bad.duckdb"):
        Store(bad)


def test_exports(tmp_path):
    db = tmp_path / "t.duckdb"
    with Store(db) as store:
        _fill(store)
        export_jsonl(store, tmp_path / "j")
        export_parquet(store, tmp_path / "p")
        export_gdelt(store, tmp_path / "g" / "events.csv")
    events = [json.loads(line) for line in (tmp_path / "j" / "events.jsonl").read_text().splitlines()]
    assert events[0]["outlets"] == 2 and len(events[0]["mentions"]) == 2
    con = duckdb.connect()
    days = con.execute(f"SELECT day, count(*) FROM read_parquet('{tmp_path}/p/articles/*/*.parquet', "
                       "hive_partitioning=true) GROUP BY day ORDER BY day").fetchall()
    assert [(str(d), n) for d, n in days] == [("2024-07-09", 1), ("2024-07-10", 1)]
    rel = con.execute(f"SELECT * FROM read_csv('{tmp_path}/g/events.csv', delim='\\t', header=false, "
                      "all_varchar=true)")
    names = [d[0] for d in rel.description]
    row = rel.fetchone()
    assert len(names) == len(GDELT_COLUMNS) == 61
    fields = dict(zip(GDELT_COLUMNS, row))
    assert fields["Day"] == "20240706" and fields["EventRootCode"] == "04" and fields["NumSources"] == "2"
    assert fields["ActionGeo_FeatureID"] == "625144" and fields["Actor1CountryCode"] == "CHN"


def test_stories_and_events_count_outlets_alike(tmp_path):
    """Two articles of one site, with different URLs and no outlet name, are one outlet in the
    story listing and in the fused event (the listing counted each URL as an outlet before)."""
    def unnamed(text: str, url: str) -> AnnotatedArticle:
        doc = _annotated(text, "X", "2024-07-09")
        doc.article = Article.from_text(text, url=url, sources=[url], published="2024-07-09")
        doc.events[0].article, doc.events[0].outlet = doc.article.id, None
        return doc

    docs = [unnamed("Minsk: a Chinese military delegation visited from Saturday to Monday.",
                    "https://www.example.org/news/1"),
            unnamed("A Chinese delegation was in Minsk from Saturday until Monday, officials said.",
                    "https://example.org/news/2?ref=rss"),
            unnamed("Chinese officers stayed in Minsk from Saturday to Monday, a local report said.",
                    "/data/local.txt")]
    with Store(tmp_path / "t.duckdb") as store:
        store.begin()
        for seq, d in enumerate(docs, start=1):
            store.add_article(d, "story1", None, seq)
        mentions = store.mentions_of_stories(["story1"])["story1"]
        events = fuse_events("story1", mentions, store.articles_by_id(m.article for m in mentions))
        store.replace_events(["story1"], events)
        store.commit()
        [story] = store.list_stories()
        [event] = store.list_events()
        stats = store.stats()
    local = f"article:{docs[2].article.id}"
    assert story["outlets"] == sorted(["example.org", local])
    assert event.outlets == 2 and event.outlet_names == story["outlets"]
    assert stats["outlets"] == 2      # the same definition in the database's summary


WARSAW = Place(0, 6, "Warsaw", 756135, "Warsaw", "PL", 52.23, 21.01, "city")


@pytest.mark.parametrize("option, value, expected", [
    (None, None, {"visit", "protest"}),       # no filter
    ("actor", "blr", {"visit"}),             # a country prefix of source or target, any case
    ("actor", "POL", {"protest"}),
    ("actor", "", {"visit", "protest"}),     # an empty option is no filter
    ("code", "04", {"visit"}),               # a CAMEO prefix
    ("code", "1411", {"protest"}),
    ("code", "1412", set()),
    ("quad", 1, {"visit"}),
    ("quad", 3, {"protest"}),
    ("place", "MINSK", {"visit"}),           # the place name, any case
    ("place", "Brest", set()),
    ("since", "2024-07-08", {"visit", "protest"}),  # the visit lasts until the 8th
    ("since", "2024-07-09", {"protest"}),
    ("until", "2024-07-06", {"visit"}),
    ("until", "2024-07-05", set()),
    ("story", "story2", {"protest"}),
])
def test_each_event_filter(tmp_path, option, value, expected):
    with Store(tmp_path / "t.duckdb") as store:
        _fill(store)
        protest = Event(id="e-protest", story="story2", source="POLOPP", target="POLGOV", code="1411",
                        plover="PROTEST", goldstein=-6.5, quad_class=3, date="2024-07-20", date_end=None,
                        place=WARSAW, attributed_to=None, negated=False, modality="asserted")
        store.replace_events(["story2"], [protest])
        found = store.list_events(**({option: value} if option else {}))
    assert {"visit" if e.code == "042" else "protest" for e in found} == expected


def test_event_filters_combine(tmp_path):
    with Store(tmp_path / "t.duckdb") as store:
        _fill(store)
        assert len(store.list_events(actor="CHN", code="04", quad=1, place="minsk", since="2024-07-06",
                                     until="2024-07-06", story="story1")) == 1
        assert store.list_events(actor="CHN", quad=3) == []
        assert len(store.list_events(limit=1, story="story1")) == 1


V1_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE articles (
    id VARCHAR PRIMARY KEY, url VARCHAR, outlet VARCHAR, title VARCHAR, published VARCHAR,
    text VARCHAR, lang VARCHAR, author VARCHAR, external_id VARCHAR,
    duplicate_of VARCHAR, story VARCHAR, signature BLOB, seq BIGINT);
CREATE TABLE state (key VARCHAR PRIMARY KEY, value JSON);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO articles VALUES ('a1', '/n/a.txt', 'A', 'Floods in Minsk', '2024-07-09', 'Floods hit Minsk.', 'en',
    NULL, NULL, NULL, 'story1', NULL, 1);
INSERT INTO articles VALUES ('a2', '/n/b.txt', 'B', 'Minsk flooded', '2024-07-09', 'Minsk was flooded.', 'en',
    NULL, NULL, NULL, 'story1', NULL, 2);
"""


@pytest.mark.parametrize("read_only", [False, True])
def test_a_version_1_file_is_upgraded_with_each_story_its_own_thread(tmp_path, read_only):
    db = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(db))
    con.execute(V1_SCHEMA)
    con.close()
    with Store(db, read_only=read_only) as store:
        arts = store.list_articles()
        assert [(a["id"], a["story"], a["thread"], a["opinion"]) for a in arts] == [
            ("a1", "story1", "story1", False), ("a2", "story1", "story1", False)]
        threads = store.list_threads()
        assert [(t["id"], t["stories"], len(t["articles"]), t["outlets"]) for t in threads] == [
            ("story1", ["story1"], 2, ["A", "B"])]
        assert store.list_stories()[0]["thread"] == "story1"
    with Store(db) as store:  # upgraded once: opening again changes nothing
        assert store.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        assert len(store.list_articles()) == 2


def test_threads_are_listed_and_exported(tmp_path):
    db = tmp_path / "t.duckdb"
    docs = [_annotated("Minsk: a Chinese military delegation visited from Saturday to Monday.", "A", "2024-07-09"),
            _annotated("Chinese officers left Minsk on Tuesday after the visit, officials said.", "B", "2024-07-11")]
    with Store(db) as store:
        store.begin()
        store.add_article(docs[0], "visit", b"sig", 1, thread="chinese-visit")
        store.add_article(docs[1], "departure", b"sig", 2, thread="chinese-visit")
        store.commit()
        threads = store.list_threads()
        assert [(t["id"], t["stories"], t["first_seen"], t["last_seen"]) for t in threads] == [
            ("chinese-visit", ["visit", "departure"], "2024-07-09", "2024-07-11")]
        assert store.list_threads(thread="nothing") == []
        assert [a["id"] for a in store.list_articles(thread="chinese-visit")] == [d.article.id for d in docs]
        export_jsonl(store, tmp_path / "j")
    lines = (tmp_path / "j" / "threads.jsonl").read_text().splitlines()
    assert [json.loads(line)["stories"] for line in lines] == [["visit", "departure"]]
    arts = [json.loads(line) for line in (tmp_path / "j" / "articles.jsonl").read_text().splitlines()]
    assert {a["thread"] for a in arts} == {"chinese-visit"}
