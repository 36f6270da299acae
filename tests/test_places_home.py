"""The outlet's home (nlp/places_home.py) and the prior it gives the places layer,
with the real spaCy model and the real gazetteer. Sentences written for these tests."""
from __future__ import annotations

import json

import pytest

from tidings.analysis import annotate_articles
from tidings.nlp.gazetteer import load_gazetteer
from tidings.nlp.pipeline import load_nlp
from tidings.nlp.places import resolve_places
from tidings.nlp.places_home import OutletHomes, region_votes
from tidings.records import Article

# Three stories a small Louisiana paper might print: each names its parishes and towns
# the way a local paper does, without ever writing "Louisiana".
LOCAL = [
    "Deputies in Rapides Parish arrested two men near Pineville on Friday.",
    "The school board of Avoyelles Parish met in Marksville to discuss the budget.",
    "A fire destroyed a barn outside Cottonport, the Avoyelles Parish fire chief said.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def test_names_written_as_places_vote_for_their_region():
    votes = region_votes("Deputies in Rapides Parish arrested a man near Pineville.", load_gazetteer())
    assert votes["US.LA"] >= 1.0          # the parish is in Louisiana only
    assert votes["US"] > votes["US.LA"] - 1e-9
    # a country's name says nothing of where the paper is
    assert not region_votes("The minister flew to Egypt on Monday.", load_gazetteer())


def test_an_outlet_learns_its_home_and_keeps_it_as_state():
    homes = OutletHomes()
    for text in LOCAL:
        homes.learn("towntimes.example", text)
    home = homes.home_of("towntimes.example")
    assert home is not None
    best = max(home.regions, key=home.regions.get)
    assert best == "US.LA"
    # the state is plain JSON and comes back the same
    again = OutletHomes.from_state(json.loads(json.dumps(homes.state())))
    assert again.home_of("towntimes.example") == home
    # an article of unknown outlet teaches nothing
    homes.learn("article:abc", LOCAL[0])
    assert homes.home_of("article:abc") is None


def test_the_home_decides_a_namesake_the_text_leaves_open(nlp):
    text = "Police in Alexandria arrested a man after a fight on Sunday."
    alone = [p for p in resolve_places(nlp(text)) if p.text == "Alexandria"]
    assert alone and alone[0].country == "EG"      # without a home: the biggest Alexandria
    homes = OutletHomes()
    for t in LOCAL:
        homes.learn("towntimes.example", t)
    local = [p for p in resolve_places(nlp(text), homes.home_of("towntimes.example")) if p.text == "Alexandria"]
    assert local and local[0].country == "US" and abs(local[0].lat - 31.3) < 0.5   # Alexandria, Louisiana


def test_annotate_learns_homes_within_its_input():
    articles = [Article.from_text(t, url=f"https://www.towntimes.example/news/{i}") for i, t in enumerate(LOCAL)]
    articles.insert(0, Article.from_text("Alexandria police arrested a man on Sunday in Alexandria.",
                                         url="https://www.towntimes.example/news/0a"))
    out = list(annotate_articles(articles, code=False))
    first = [p for p in out[0].places if p.text == "Alexandria"]
    # the first article is read after the whole window taught the outlet's home
    assert first and first[0].country == "US"


def test_press_abbreviations_and_generic_words_still_find_the_place(nlp):
    found = resolve_places(nlp("Snow closed roads near Atlanta and across Northeast Georgia on Friday."))
    ga = [p for p in found if "Georgia" in p.text]
    assert ga and ga[0].text == "Northeast Georgia" and ga[0].feature == "admin1" and ga[0].country == "US"
    found = resolve_places(nlp("The plant in Toronto, Ont., closed on Friday."))
    ont = [p for p in found if p.text.startswith("Ont")]
    assert ont and ont[0].feature == "admin1" and ont[0].country == "CA"
    city = [p for p in resolve_places(nlp("Officials of the City of Sacramento met on Tuesday.")) if "Sacramento" in p.text]
    assert city and city[0].geonameid is not None


def test_add_keeps_outlet_homes_in_the_store_between_runs(tmp_path):
    from tidings.process import HOMES_STATE, add_articles
    from tidings.store import Store

    db = tmp_path / "homes.duckdb"
    first = [Article.from_text(t, url=f"https://www.towntimes.example/a/{i}") for i, t in enumerate(LOCAL)]
    with Store(db) as store:
        add_articles(store, first)
    with Store(db) as store:
        saved = OutletHomes.from_state(store.get_state(HOMES_STATE))
        home = saved.home_of("towntimes.example")
        assert home is not None and max(home.regions, key=home.regions.get) == "US.LA"
        # a second run starts from what the first learnt: its Alexandria is Louisiana's
        later = Article.from_text("Alexandria police arrested a man on Sunday.",
                                  url="https://www.towntimes.example/a/9")
        add_articles(store, [later])
        assert OutletHomes.from_state(store.get_state(HOMES_STATE)).articles["towntimes.example"] == 4
