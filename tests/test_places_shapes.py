"""Places known by the shape of the phrase (nlp/places_shapes.py), with the real spaCy
model and the real gazetteer. Sentences written for these tests."""
from __future__ import annotations

import pytest

from tidings.nlp.gazetteer import distance_km
from tidings.nlp.pipeline import load_nlp
from tidings.nlp.places import resolve_places


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def places(nlp, text):
    return {p.text: p for p in resolve_places(nlp(text))}


def test_a_list_closed_by_counties_names_counties(nlp):
    found = places(nlp, "Layoffs were announced in Barrow, Jackson and Madison counties, officials in "
                        "Athens, Ga., said on Monday.")
    for name in ("Barrow", "Jackson", "Madison"):
        p = found.get(name)
        assert p is not None and p.feature == "admin2" and p.country == "US", (name, p)
        assert p.name == f"{name} County"
    # the three Georgia counties, not the Alabama or Mississippi ones of the same names
    assert distance_km(found["Madison"].lat, found["Madison"].lon, 34.13, -83.21) < 60


def test_one_name_before_a_plural_is_no_list(nlp):
    found = places(nlp, "Voters in Jackson counties on their mayor.")
    assert "Jackson" not in found or found["Jackson"].feature != "admin2"


def test_streets_and_numbered_roads_are_places_that_take_their_towns_point(nlp):
    found = places(nlp, "Police in Perham, Minn., said the driver lived at 227 Hot Springs Drive and "
                        "turned onto Highway 10 near the old mill. Crews will close Danielsville Road "
                        "between Berry Lane and Lombardy Drive, and work between Woodfield and Martingale "
                        "roads next week.")
    for name in ("Hot Springs Drive", "Highway 10", "Danielsville Road", "Berry Lane", "Lombardy Drive",
                 "Woodfield", "Martingale"):
        p = found.get(name)
        assert p is not None and p.feature == "street" and p.geonameid is None, (name, p)
        assert p.resolved_from == "Perham", (name, p)
    assert "Hot Springs" not in found      # the street, not the town in Arkansas


def test_a_street_name_that_names_something_else_is_no_street(nlp):
    found = places(nlp, "The Wall Street Journal praised the Pine Road Elementary choir.")
    assert "Wall Street" not in found and "Pine Road" not in found


def test_a_town_the_gazetteer_lacks_in_its_state_takes_the_states_point(nlp):
    # Brandon, Minnesota (a few hundred people) is below the gazetteer's threshold; the
    # text rules out the Brandon of Florida
    found = places(nlp, "The crash happened near Brandon, Minn., on Sunday morning.")
    brandon = found["Brandon"]
    assert brandon.country == "US" and brandon.resolved_from == "Minn."
    assert distance_km(brandon.lat, brandon.lon, 46.0, -94.3) < 200


def test_rivers_lakes_and_parks_are_places(nlp):
    found = places(nlp, "Volunteers from Charleston, W.Va., will clear the Kanawha River banks. The bill "
                        "protects Zion National Park in Utah and Rocky Mountain National Park in Colorado.")
    river = found["Kanawha River"]
    assert river.feature == "feature" and river.resolved_from == "Charleston"
    assert found["Zion National Park"].resolved_from == "Utah"
    assert found["Rocky Mountain National Park"].resolved_from == "Colorado"


def test_a_lake_the_gazetteer_lacks_takes_the_point_of_the_town_it_is_named_like(nlp):
    found = places(nlp, "Anglers from Anderson, S.C., said the water on Lake Hartwell rose again.")
    lake = found["Lake Hartwell"]
    assert lake.resolved_from == "Hartwell" and lake.geonameid is None
    assert distance_km(lake.lat, lake.lon, 34.35, -82.93) < 30


def test_a_town_inside_a_schools_name_is_the_town(nlp):
    found = places(nlp, "She graduated from Mount Pleasant High School in Texas before moving to Mt. Pleasant, Iowa.")
    assert found["Mount Pleasant"].feature == "city" and found["Mount Pleasant"].country == "US"
    assert found["Mt. Pleasant"].name == "Mount Pleasant"
    assert "Mount Pleasant High School" not in found
