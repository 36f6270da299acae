"""The places layer, with the real spaCy model and the real gazetteer."""
from __future__ import annotations


import pytest
from conftest import SEEDS

from tidings.nlp.gazetteer import distance_km, fold_name, load_gazetteer
from tidings.nlp.pipeline import load_nlp
from tidings.nlp.places import resolve_places



@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def places(nlp, text):
    return resolve_places(nlp(text))


def by_text(found, text):
    return [p for p in found if p.text == text]


def test_fold_name_meets_spellings():
    assert fold_name("St. Louis") == fold_name("Saint Louis") == fold_name("st louis")
    assert fold_name("Mińsk") == "minsk"
    assert fold_name("Fort Worth") == fold_name("Ft. Worth")


def test_gazetteer_has_small_towns_states_countries_and_counties():
    gaz = load_gazetteer()
    assert any(e.feature == "capital" and e.country == "BY" for e, _ in gaz.lookup("Minsk"))
    assert any(e.feature == "admin1" and e.admin1 == "OH" for e, _ in gaz.lookup("Ohio"))
    assert any(e.feature == "country" and e.geonameid == 630336 for e, _ in gaz.lookup("Belarus"))
    assert any(e.feature == "admin2" and e.admin1 == "LA" for e, _ in gaz.lookup("Rapides Parish"))
    # a town of a few hundred people
    assert any(e.country == "US" and e.population < 5000 for e, _ in gaz.lookup("Cottonport"))
    assert gaz.lookup("U.S.")[0][0].geonameid == 6252001


def test_offsets_point_into_the_text(nlp):
    text = "Floods hit Dhaka and parts of Bangladesh on Sunday, officials in Kolkata said."
    doc = nlp(text)
    found = resolve_places(doc)
    assert {p.text for p in found} >= {"Dhaka", "Bangladesh", "Kolkata"}
    for p in found:
        assert text[p.start:p.end] == p.text
        assert p.lat is not None and p.geonameid


def test_state_after_a_comma_decides_the_namesake(nlp):
    found = places(nlp, "The fair opened in Springfield, Ill., on Saturday and drew thousands.")
    spring = by_text(found, "Springfield")
    assert spring and spring[0].country == "US"
    assert distance_km(spring[0].lat, spring[0].lon, 39.80, -89.64) < 50   # the capital of Illinois
    assert any(p.text == "Ill." and p.feature == "admin1" for p in found)

    found = places(nlp, "A tornado damaged homes near Springfield, Mo., late Tuesday.")
    spring = by_text(found, "Springfield")
    assert spring and distance_km(spring[0].lat, spring[0].lon, 37.2, -93.3) < 50


def test_neighbours_decide_the_namesake(nlp):
    text = ("Paris police arrested two men on Friday. The suspects, both from Dallas, were "
            "taken to the Lamar County jail. Paris is about 100 miles north-east of Dallas, Texas.")
    paris = by_text(places(nlp, text), "Paris")
    assert paris and all(p.country == "US" for p in paris)

    text = "Thousands marched in Paris on Saturday against the pension reform, French unions said."
    paris = by_text(places(nlp, text), "Paris")
    assert paris and paris[0].country == "FR"


def test_country_context_decides_the_namesake(nlp):
    text = ("Belarusian and Chinese troops began drills near Brest, close to the border with "
            "Poland. Belarus said the drills would last eleven days.")
    brest = by_text(places(nlp, text), "Brest")
    assert brest and brest[0].geonameid == 629634 and brest[0].country == "BY"

    text = "Sailors from the French navy base in Brest, in Brittany, rescued the crew."
    brest = by_text(places(nlp, text), "Brest")
    assert brest and brest[0].country == "FR"


def test_demonyms_are_not_toponyms(nlp):
    found = places(nlp, "Polish and Lithuanian officials met Ukrainian diplomats in Warsaw.")
    assert not [p for p in found if p.text in ("Polish", "Lithuanian", "Ukrainian")]
    assert by_text(found, "Warsaw")[0].country == "PL"


def test_metonyms_are_marked(nlp):
    found = places(nlp, "Minsk is allied with Moscow. Beijing said the talks went well.")
    assert all(p.metonym for p in found if p.text in ("Minsk", "Moscow", "Beijing"))
    assert {p.text for p in found} >= {"Minsk", "Moscow", "Beijing"}

    found = places(nlp, "A military delegation visited Minsk from Saturday to Monday.")
    minsk = by_text(found, "Minsk")
    assert minsk and not minsk[0].metonym and minsk[0].geonameid == 625144


def test_counties_and_state_abbreviations(nlp):
    text = "Deputies from the Laurel County sheriff's office searched a home in London, Ky., on Monday."
    found = places(nlp, text)
    county = [p for p in found if p.text.startswith("Laurel")]
    assert county and county[0].feature == "admin2" and county[0].text == "Laurel County"
    london = by_text(found, "London")
    assert london and london[0].country == "US"


def test_regions_and_streets_without_coordinates(nlp):
    found = places(nlp, "Oil prices rose as tensions grew in the Middle East. The crash closed Maple Avenue for hours.")
    assert by_text(found, "Middle East") and by_text(found, "Middle East")[0].lat is not None
    street = [p for p in found if p.text.endswith("Avenue")]
    if street:    # only when the tagger sees the street; then it is a place without coordinates
        assert street[0].geonameid is None and street[0].feature == "street"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
def test_seed_articles():
    nlp = load_nlp()
    want = {
        "004": {"Brest": 629634, "Astana": 1526273, "Beijing": 1816670, "Minsk": 625144},
        "000": {"Washington": 4140963},
    }
    never = {3030300, 764679, 2634715}
    for path in sorted(SEEDS.glob("*.txt")):
        found = resolve_places(nlp(path.read_text(encoding="utf-8")))
        assert not [p for p in found if p.geonameid in never], path.name
        for text, gid in want.get(path.name[:3], {}).items():
            got = by_text(found, text)
            assert got and all(p.geonameid == gid for p in got), (path.name, text, [p.geonameid for p in got])
        if path.name.startswith("004"):
            minsk = by_text(found, "Minsk")
            assert any(p.metonym for p in minsk) and not all(p.metonym for p in minsk)


def test_diseases_named_after_places_are_not_toponyms(nlp):
    found = places(nlp, "Health officials in Ohio confirmed two cases of West Nile virus and one of Ebola.")
    assert by_text(found, "Ohio")
    assert not [p for p in found if p.text in ("West Nile", "Ebola")]


def test_states_and_provinces_take_the_middle_of_their_settled_land():
    from tidings.resources import load_tsv

    gaz = load_gazetteer()
    points = {r["geonameid"]: (float(r["lat"]), float(r["lon"])) for r in load_tsv("places_admin1_points.tsv")}
    texas = [e for e, _ in gaz.lookup("Texas") if e.feature == "admin1" and e.country == "US"][0]
    assert (texas.lat, texas.lon) == points[str(texas.geonameid)]
    assert distance_km(texas.lat, texas.lon, 31.0, -100.0) < 200     # near Brady, the middle of Texas
    # Ontario's cities crowd its south; its middle is still well north of Toronto
    ontario = [e for e, _ in gaz.lookup("Ontario") if e.feature == "admin1" and e.country == "CA"][0]
    assert ontario.lat > 45.0


def test_a_country_is_put_at_the_point_geonames_gives_it(nlp):
    """One reference point per place: GeoNames' own (docs/output.md), not a computed middle
    or another source's, for every country `places_points.tsv` lists."""
    from tidings.resources import load_tsv

    gaz = load_gazetteer()
    rows = load_tsv("places_points.tsv")
    assert len(rows) >= 40
    for row in rows:
        entry = gaz.by_id(int(row["geonameid"]))
        assert entry is not None and entry.feature == "country", row
        assert (entry.lat, entry.lon) == (float(row["lat"]), float(row["lon"])), row
    found = places(nlp, "Wildfires forced thousands from their homes across Canada this week.")
    canada = by_text(found, "Canada")
    assert canada and canada[0].geonameid == 6251999
    assert (canada[0].lat, canada[0].lon) == (60.10867, -113.64258)


def test_states_named_together_are_states_and_countries_countries(nlp):
    found = places(nlp, "The company recalled the peanut butter from stores in Missouri, Ohio, Indiana, "
                        "California, Georgia and Virginia.")
    for name in ("California", "Georgia", "Virginia"):
        got = by_text(found, name)
        assert got and got[0].feature == "admin1" and got[0].country == "US", (name, got)

    found = places(nlp, "Cholera cases were reported in Chad, Egypt, Niger, Mali and Nigeria last month.")
    for name, cc in (("Niger", "NE"), ("Egypt", "EG"), ("Chad", "TD")):
        got = by_text(found, name)
        assert got and got[0].feature == "country" and got[0].country == cc, (name, got)


def test_a_list_of_states_is_not_a_town_and_its_state(nlp):
    found = places(nlp, "Cases were confirmed in Georgia, Oklahoma, Pennsylvania, Wisconsin and Maryland.")
    for name in ("Georgia", "Oklahoma", "Pennsylvania", "Maryland"):
        got = by_text(found, name)
        assert got and got[0].feature == "admin1" and got[0].country == "US", (name, got)
    # a town and its state still read as one
    found = places(nlp, "He grew up in Washington, Pennsylvania, and later moved to Dayton, Ohio.")
    wash = by_text(found, "Washington")
    assert wash and wash[0].feature == "city" and wash[0].country == "US"
    assert distance_km(wash[0].lat, wash[0].lon, 40.17, -80.25) < 30


def test_a_common_word_is_no_place_even_when_a_province_bears_its_name(nlp):
    found = places(nlp, "Coast guard officials said a second drill is planned, coast guard officials said.")
    assert not [p for p in found if p.text.lower() == "coast"]


def test_a_city_of_millions_is_known_by_its_former_name(nlp):
    found = places(nlp, "Street vendors in Calcutta were trained to prepare food safely.")
    calcutta = by_text(found, "Calcutta")
    assert calcutta and calcutta[0].country == "IN" and calcutta[0].name == "Kolkata"


def test_words_around_a_name_say_its_level(nlp):
    found = places(nlp, "The infected cow came from a Washington state farm, officials in Iowa said.")
    wash = by_text(found, "Washington")
    assert wash and wash[0].feature == "admin1" and wash[0].country == "US"
    found = places(nlp, "Patients were sent to Buffalo, New York, from Ontario. Hospitals in the province of "
                        "Ontario are full.")
    assert all(p.feature == "admin1" and p.country == "CA" for p in by_text(found, "Ontario"))
    found = places(nlp, "The mayor ended the twinning with Quebec City last year.")
    quebec = by_text(found, "Quebec City")
    assert quebec and quebec[0].feature == "city" and quebec[0].country == "CA"
