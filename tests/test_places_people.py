"""People, firms and outlets around place names (nlp/places.py), with the real spaCy
model and gazetteer. Sentences written for these tests."""
from __future__ import annotations

import pytest

from tidings.nlp.pipeline import load_nlp
from tidings.nlp.places import resolve_places


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def texts(nlp, text):
    return [p.text for p in resolve_places(nlp(text))]


def test_a_surname_of_a_person_named_in_full_is_no_place(nlp):
    text = ("Finance director Mark Hopkins presented the budget on Monday. "
            "Hopkins said revenues fell by five percent.")
    assert "Hopkins" not in texts(nlp, text)


def test_an_administration_is_no_place(nlp):
    assert "Obama" not in texts(nlp, "Critics said the Obama administration moved too slowly on the bill.")


def test_a_placed_name_stays_a_place_even_if_a_person_shares_it(nlp):
    text = "Mark Hopkins, the mayor, said the plant in Hopkins, Minn., will reopen."
    found = [p for p in resolve_places(nlp(text)) if p.text == "Hopkins"]
    assert found and found[0].country == "US"


def test_a_dateline_and_a_paper_mean_the_city(nlp):
    found = resolve_places(nlp("WASHINGTON (AP) — The Senate passed the bill late on Thursday."))
    dc = [p for p in found if p.text == "WASHINGTON"]
    assert dc and dc[0].feature == "city" and dc[0].country == "US"
    found = resolve_places(nlp("The report was first published by the Washington Post on Monday."))
    post = [p for p in found if p.text == "Washington"]
    assert post and post[0].feature == "city"


def test_a_street_takes_the_point_of_its_town_and_says_so(nlp):
    found = resolve_places(nlp("Protesters gathered in London near the embassy on Grosvenor Square on Friday."))
    square = [p for p in found if p.text == "Grosvenor Square"]
    london = [p for p in found if p.text == "London"]
    assert square and london
    assert square[0].geonameid is None and square[0].resolved_from == "London"
    assert (square[0].lat, square[0].lon) == (london[0].lat, london[0].lon)
    assert london[0].resolved_from is None


def test_a_country_never_goes_to_a_small_namesake_unqualified(nlp):
    found = resolve_places(nlp("The factory near Houston, Texas, buys most of its parts from China."))
    china = [p for p in found if p.text == "China"]
    assert china and china[0].feature == "country" and china[0].country == "CN"


def test_a_firm_named_after_a_place_is_no_place(nlp):
    found = resolve_places(nlp("Titan Operating was granted a permit in Arlington. Titan said it will "
                               "use quiet rigs."))
    assert [p.text for p in found] == ["Arlington"]


def test_a_surname_before_jr_is_still_a_surname(nlp):
    found = resolve_places(nlp("Tony Servance Jr., 20, was charged on Monday. Servance told police he was alone."))
    assert not [p for p in found if p.text == "Servance"]


def test_the_olympic_games_are_no_place(nlp):
    found = resolve_places(nlp("The budgets of the Olympic projects in Sochi grew before the Winter Olympic Games."))
    assert [p.text for p in found] == ["Sochi"]


def test_a_town_is_a_place_in_the_name_of_its_police_or_board(nlp):
    found = {p.text: p for p in resolve_places(nlp(
        "Odell drove home on Sunday. Grovetown police then questioned her, and the Corsicana Police "
        "Department and the Canaan Board of Finance were told."))}
    for name, state in (("Grovetown", "GA"), ("Corsicana", "TX")):
        assert name in found and found[name].country == "US", (name, found)
    assert found["Corsicana"].metonym        # inside an institution's name: not where events happen
    assert "Canaan" in found


def test_a_person_age_and_of_puts_the_town(nlp):
    found = resolve_places(nlp("Authorities said Rebecca Sears, 41, of Grovetown, planned the trip."))
    assert [p.text for p in found] == ["Grovetown"]


def test_no_town_in_common_words_or_people_before_a_body_word(nlp):
    found = resolve_places(nlp("Many residents fell ill, according to Linda Daily, director of the WA Department "
                               "of Agriculture."))
    assert not [p for p in found if p.text in ("Many", "Linda", "WA")]
