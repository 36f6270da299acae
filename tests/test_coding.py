"""Event coding on sentences written for these tests, through the real annotate pipeline
(spaCy model, actors, times, places, attributions), plus the seed articles."""
from __future__ import annotations


import pytest
from conftest import SEEDS, needs_seeds

from tidings import resources
from tidings.coding import code_events, explain_event
from tidings.coding.codebook import Codebook, load_codebook, lookup
from tidings.coding.explain import mark_sentence
from tidings.coding.lexicon import load_lexicon, parse_pattern
from tidings.ingest import article_from_record, read_paths
from tidings.analysis import annotate_articles
from tidings.nlp.pipeline import annotate_doc, load_nlp
from tidings.resources import DataFileError



def events(text: str, date: str = "2024-07-09"):
    article = article_from_record({"id": "t", "text": text, "date": date}, "test")
    (annotated,) = list(annotate_articles([article]))
    return annotated.events


def country(code):
    return (code or "")[:3] or None


def pairs(evs):
    return {(country(e.source), country(e.target), e.code[:2]) for e in evs}


# ---------------------------------------------------------------- codebook and lexicon


def test_codebook_facts_and_parent_fallback():
    info = lookup("0871")
    assert info.name.startswith("Declare truce")
    assert (info.root, info.goldstein, info.quad_class, info.plover) == ("08", 9.0, 2, "RETREAT")
    assert lookup("1213").goldstein == -4.0          # blank in the table: taken from 121
    assert lookup("08").plover == "CONCEDE"          # a root spanning two PLOVER types
    assert lookup("02").plover == "REQUEST"
    assert lookup("99") is None and lookup(None) is None


def test_every_cameo_root_has_verb_or_noun_patterns():
    lex = load_lexicon()
    roots = {p.code[:2] for plist in (*lex.verbs.values(), *lex.nouns.values()) for p in plist}
    assert roots >= {f"{n:02d}" for n in range(1, 21)}
    book = load_codebook()
    for plist in (*lex.verbs.values(), *lex.nouns.values()):
        for p in plist:
            assert p.code in book, p.rule


def test_pattern_syntax():
    p = parse_pattern("163", "verb", "impose|slap =sanction @on|against", 5)
    assert p.heads == {"impose", "slap"} and p.objects == (frozenset({"sanction"}),)
    assert p.target_preps == {"on", "against"} and p.specificity == 1
    n = parse_pattern("062", "noun", "joint exercise +with")
    assert n.heads == {"exercise"} and n.mods == (frozenset({"joint"}),) and n.children == (frozenset({"with"}),)
    with pytest.raises(DataFileError):
        parse_pattern("190", "verb", "attack village")  # extra words must be marked


def test_a_users_own_codebook():
    book = Codebook([{"code": "A1", "name": "Protest (local scheme)", "goldstein": "-3", "plover": "PROTEST"},
                     {"code": "A12", "name": "Sit-in"}])
    assert book.lookup("A12").goldstein == -3.0 and book.lookup("A12").plover == "PROTEST"


def test_users_can_add_patterns_through_tidings_data(tmp_path, monkeypatch):
    (tmp_path / "event_verbs.tsv").write_text("code\tpattern\tpriority\tflags\tnote\n193\tpepper\t0\t\tour jargon\n")
    monkeypatch.setenv("TIDINGS_DATA", str(tmp_path))
    resources.clear_cache()
    load_lexicon.cache_clear()
    try:
        evs = events("Serbian police peppered the Kosovo border post on Friday.")
        assert any(e.code == "193" and "pepper" in e.rule for e in evs)
    finally:
        monkeypatch.delenv("TIDINGS_DATA")
        resources.clear_cache()
        load_lexicon.cache_clear()


# ---------------------------------------------------------------- who did what to whom


def test_verb_with_object_and_clause_date_and_place():
    (e,) = events("Russian troops attacked Ukrainian positions near Kharkiv on Tuesday, July 2.")
    assert (country(e.source), country(e.target), e.code[:2]) == ("RUS", "UKR", "19")
    assert e.plover == "ASSAULT" and e.goldstein < -9 and e.quad_class == 4
    assert (e.date, e.date_source) == ("2024-07-02", "clause")
    assert e.place is not None and e.place.name == "Kharkiv"
    assert e.predicate_span.text == "attacked" and "Russian" in e.source_span.text
    assert "attack" in e.rule and e.modality == "asserted" and not e.negated


def test_passive_agent_is_the_source():
    (e,) = events("Ukrainian positions were shelled by Russian artillery.")
    assert (country(e.source), country(e.target), e.code) == ("RUS", "UKR", "194")
    assert e.date_source == "published" and e.date == "2024-07-09"


def test_compound_subject_with_reciprocal_predicate_goes_both_ways():
    evs = events("Egypt and Jordan held talks in Cairo on Sunday.")
    assert pairs(evs) == {("EGY", "JOR", "04"), ("JOR", "EGY", "04")}
    assert all(e.place.name == "Cairo" and e.date == "2024-07-07" for e in evs)


def test_negation_is_flagged_not_dropped():
    (e,) = events("Turkey did not attack the Kurdish militia.")
    assert e.code[:2] == "19" and e.negated and country(e.source) == "TUR"
    denied = events("Kenya and Uganda denied meeting in secret.")
    assert pairs(denied) == {("KEN", "UGA", "04"), ("UGA", "KEN", "04")} and all(e.negated for e in denied)


def test_future_cooperation_is_planned_and_coded_as_intent():
    (e,) = events("Japan will hold talks with South Korea next week.")
    assert e.modality == "planned" and e.code == "036" and e.plover == "AGREE"
    assert (country(e.source), country(e.target)) == ("JPN", "KOR")


def test_threats_are_their_own_root_with_the_content_in_the_code():
    (e,) = events("Iran threatened to attack Israel.")
    assert (country(e.source), country(e.target), e.code) == ("IRN", "ISR", "1384")
    assert e.modality == "asserted"


def test_a_threatened_curfew_is_aimed_at_the_place_or_the_actors_own_country():
    (e,) = events("Iraq's prime minister threatened to impose a curfew in Basra.")
    assert (country(e.source), country(e.target), e.code) == ("IRQ", "IRQ", "1323")
    assert e.place is not None and e.place.text == "Basra" and e.place.country == "IQ"


def test_a_protest_with_nobody_named_is_aimed_at_the_protesters_own_country():
    (e,) = events("Thousands of Kenyan teachers went on strike on Monday.")
    assert (country(e.source), country(e.target), e.code[:2]) == ("KEN", "KEN", "14")
    assert "own country" in e.rule


def test_the_target_of_a_protest_can_be_named_in_its_purpose():
    (e,) = events("Farmers in Poland blocked roads on Tuesday to show their anger at the European Union's trade policy.")
    assert (country(e.source), country(e.target), e.code[:2]) == ("POL", "IGO", "14")
    assert "purpose" in e.rule


def test_a_consequence_clause_names_no_target_of_a_joint_act():
    evs = events("Peru and Chile are holding joint naval drills off their coast, straining ties with Bolivia.")
    assert pairs(evs) == {("PER", "CHL", "06"), ("CHL", "PER", "06")}


def test_a_headline_list_with_a_comma_is_two_subjects():
    assert pairs(events("Kenya, Uganda sign new trade agreement")) == {("KEN", "UGA", "05"), ("UGA", "KEN", "05")}


def test_coordinated_verbs_share_their_objects_and_one_happening_is_one_event():
    evs = events("Norwegian doctors collected and delivered medicine to a clinic in Sudan.")
    assert [(country(e.source), country(e.target), e.code) for e in evs] == [("NOR", "SDN", "073")]
    both = events("Gunmen kidnapped and killed two Nigerian soldiers.")
    assert {e.code[:2] for e in both} == {"18", "19"} and all(country(e.target) == "NGA" for e in both)


def test_a_country_name_the_tagger_took_for_a_date_is_still_a_place():
    (e,) = events("Rebels from Mali seized a town in Niger.")
    assert (country(e.source), country(e.target), e.code) == ("MLI", "NER", "192")
    assert e.place is not None and e.place.country == "NE"


def test_two_countries_on_one_noun_are_two_sides_of_a_mutual_act():
    evs = events("Eritrean and Ethiopian soldiers exchanged fire near the border town.")
    assert pairs(evs) == {("ERI", "ETH", "19"), ("ETH", "ERI", "19")}


def test_a_promise_to_improve_relations_is_made_to_each_other():
    evs = events("Armenia and Azerbaijan vowed to normalize relations.")
    assert pairs(evs) == {("ARM", "AZE", "03"), ("AZE", "ARM", "03")}


def test_natural_forces_and_games_make_no_political_event():
    assert events("A strong earthquake struck the coast of Chile on Monday.") == []
    assert events("Floods forced thousands of villagers in Bangladesh to leave their homes.") == []
    assert events("Brazil's football team beat Argentina in Rio.") == []
    assert pairs(events("Brazilian troops attacked rebels in Haiti.")) != set()


def test_the_weapon_named_makes_a_generic_attack_specific():
    (e,) = events("Turkish warplanes hit positions of the Kurdish militia in Syria.")
    assert e.code == "195" and country(e.source) == "TUR" and "instrument" in e.rule
    (d,) = events("Russia attacked a power station in Ukraine with drones.")
    assert d.code == "1952"


def test_doers_nobody_names_are_people_of_the_place():
    (e,) = events("A roadside explosion near the town of Kidal killed three Malian soldiers.")
    assert (e.source, country(e.target)) == ("MLIUAF", "MLI") and "unnamed doers" in e.rule
    (r,) = events("Dozens of youths rioted in Marseille on Friday night.")
    assert country(r.source) == "FRA" and r.code[:2] == "14"
    assert r.source != r.target


def test_forces_sent_somewhere_are_the_doers_own_and_the_target_is_where_they_go():
    (e,) = events("Rwanda deployed 500 soldiers to Mozambique on Friday.")
    assert (country(e.source), country(e.target), e.code[:2]) == ("RWA", "MOZ", "15")
    (p,) = events("Belgian troops were deployed in Niger last week.")
    assert (country(p.source), country(p.target)) == ("BEL", "NER")


def test_a_nominal_event_done_to_the_of_phrase():
    (e,) = events("Egypt's blockade of the Gaza Strip angered aid groups.")
    assert (country(e.source), country(e.target)) == ("EGY", "PSE")


def test_the_owner_of_an_attacked_base_is_the_target():
    evs = events("Nigerian troops attacked a Boko Haram camp near the border.")
    assert {(country(e.source), country(e.target)) for e in evs} == {("NGA", "NGA")}


def test_the_heads_of_two_countries_met_each_other():
    evs = events("The foreign ministers of Peru and Chile met in Lima on Monday.")
    assert pairs(evs) == {("PER", "CHL", "04"), ("CHL", "PER", "04")}


def test_plover_types_follow_plovers_own_definitions_where_they_differ_from_the_mapping():
    (s,) = events("The European Union imposed sanctions on Belarus on Monday.")
    assert s.code == "163" and s.plover == "SANCTION"
    (c,) = events("Thailand lifted the curfew in Bangkok.")
    assert c.code == "0813" and c.plover == "CONCEDE"


def test_one_act_told_twice_in_a_sentence_is_one_event_and_a_tool_is_no_doer():
    evs = events("Indian troops used tear gas and water cannon to disperse protesters in Srinagar.")
    assert [(country(e.source), e.code) for e in evs] == [("IND", "175")]


def test_recalling_ones_own_envoy_is_aimed_at_the_country_of_the_posting():
    (e,) = events("Chile recalled its ambassador to Argentina on Tuesday.")
    assert (country(e.source), country(e.target), e.code) == ("CHL", "ARG", "161")
    (x,) = events("Chile expelled Argentina's ambassador on Tuesday.")
    assert country(x.target) == "ARG"


def test_targets_of_objects_authors_contents_and_worries():
    (r,) = events("Venezuela rejected a border proposal drafted by Guyana.")
    assert (country(r.source), country(r.target), r.code[:2]) == ("VEN", "GUY", "12")
    (d,) = events("The African Union demanded an immediate truce in Libya.")
    assert (country(d.target), d.code[:2]) == ("LBY", "10")
    (w,) = events("The Japanese foreign minister voiced concern about China's military buildup.")
    assert (country(w.source), country(w.target)) == ("JPN", "CHN")


def test_forces_sent_to_help_are_military_aid():
    (e,) = events("Rwanda sent troops to help the Mozambican army fight insurgents.")
    assert (country(e.source), e.code) == ("RWA", "074")
    (o,) = events("Japan offered to send troops to help rebuild schools in Iraq.")
    assert o.code == "0334"


def test_material_cooperation_words():
    (r,) = events("Italy returned 30 stolen artifacts to Greece on Monday.")
    assert (country(r.source), country(r.target), r.code) == ("ITA", "GRC", "0842")
    (a,) = events("Canada accepted 5,000 refugees from Sudan last year.")
    assert a.code == "075"
    (m,) = events("Norway pledged $20 million to Malawi for its schools.")
    assert (country(m.target), m.code) == ("MWI", "071")


def test_ending_protests_and_restrictions_and_declaring_a_cessation_are_concessions():
    (s,) = events("Dock workers in Chile called off their strike on Friday.")
    assert s.code == "082"
    (r,) = events("Qatar ended restrictions on travel to Bahrain.")
    assert r.code == "081"
    (c,) = events("The Ethiopian government declared a cessation of hostilities in Tigray.")
    assert c.code == "0871"


def test_a_decision_taken_is_the_act_and_skepticism_is_a_comment():
    (d,) = events("Canada has decided to lift sanctions on Iran's shipping firms.")
    assert d.code == "085" and d.modality == "asserted"
    (k,) = events("The Mexican central bank said it is skeptical of the new tariffs.")
    assert k.code == "012"


def test_the_dateline_city_is_not_the_subject_of_the_lead():
    evs = events("NAIROBI, March 3 (Tidings) - Kenyan teachers went on strike on Monday.")
    assert [(e.source, country(e.target)) for e in evs] == [("KENEDU", "KEN")]


def test_coast_guards_of_two_countries_and_no_coast_as_a_place():
    evs = events("Coast guard ships from Greece and Cyprus held a joint rescue exercise off Crete on Monday.")
    assert pairs(evs) == {("GRC", "CYP", "06"), ("CYP", "GRC", "06")}
    assert all(e.place is None or e.place.country != "TZ" for e in evs)


def test_an_event_noun_that_is_planned_is_planned():
    evs = events("Chile and Peru scheduled talks for next week.")
    assert evs and all(e.modality == "planned" and e.code == "036" for e in evs)


def test_conditional_is_hypothetical():
    (e,) = events("If talks fail, Russia could impose sanctions on Georgia.")
    assert e.modality == "hypothetical" and (country(e.source), country(e.target)) == ("RUS", "GEO")
    assert e.code[:2] == "13"  # a conditional sanction is a threat


def test_refusal_and_appeal_take_their_content():
    (refused,) = events("Serbia refused to release the Bosnian prisoners.")
    assert refused.code == "1243" and (country(refused.source), country(refused.target)) == ("SRB", "BIH")
    (urged,) = events("The Indian government urged Pakistan to release the fishermen.")
    assert urged.code == "0253" and (country(urged.source), country(urged.target)) == ("IND", "PAK")


def test_reported_event_is_coded_with_its_own_actors_and_attributed():
    evs = events("The French foreign minister said Germany would send weapons to Ukraine.")
    # the main event first, then the minister's statement that reports it
    assert [(country(e.source), country(e.target), e.code[:2]) for e in evs] == [("DEU", "UKR", "03"),
                                                                                ("FRA", None, "01")]
    assert evs[0].modality == "planned" and "French foreign minister" in evs[0].attributed_to
    (own,) = events("Germany said it would send weapons to Ukraine.")  # its own intent: one event
    assert (country(own.source), country(own.target), own.code) == ("DEU", "UKR", "0332")


def test_a_bare_statement_is_a_statement():
    (e,) = events("The Kenyan president said the economy was recovering.")
    assert e.code == "010" and country(e.source) == "KEN" and e.target is None


def test_never_the_same_actor_on_both_sides():
    for text in ("Egypt and Egypt's army held talks.", "France criticised France.", "Chinese troops met Chinese troops."):
        assert all(not (e.source and e.source == e.target) for e in events(text))


def test_sentences_without_events_give_none():
    assert events("The weather in Oslo was mild and the markets were calm.") == []
    assert events("He added that the weather would stay mild.") == []        # a statement by no one known
    assert not [e for e in events("The Kenyan minister offered his doubts about the figures.")
                if e.code.startswith("03")]                                   # 'offer' needs something offered


# ---------------------------------------------------------------- when, where, anaphora


def test_range_and_duration_give_an_end_date():
    (first, *_), = [events("China and Belarus are conducting joint military exercises through July 19.")]
    assert first.date_end == "2024-07-19" and first.code[:2] == "06"
    evs = events("Armenia and Iran held joint exercises on Monday, July 8, that will last five days.")
    assert any(e.date == "2024-07-08" for e in evs)


def test_a_later_sentence_about_the_same_exercises_keeps_their_actors():
    text = ("Serbia and Hungary are holding joint military drills. "
            "The drills began on Monday in Subotica and will last four days.")
    evs = events(text)
    later = [e for e in evs if e.start > 10]
    assert pairs(later) == {("SRB", "HUN", "06"), ("HUN", "SRB", "06")}
    assert all(e.date == "2024-07-08" and e.date_end == "2024-07-11" for e in later)
    assert all("earlier mention" in e.rule for e in later)


def test_metonym_place_is_not_the_place():
    evs = events("Moscow condemned the strike on Kyiv.")
    assert evs and all(e.place is None or e.place.name != "Moscow" for e in evs)


# ---------------------------------------------------------------- evidence and explanation


def test_explain_marks_the_parts_and_says_why():
    text = "On Thursday, Kenyan President William Ruto met with Ugandan President Yoweri Museveni in Kampala."
    article = article_from_record({"id": "t", "text": text, "date": "2024-07-09"}, "test")
    (ann,) = list(annotate_articles([article]))
    e = ann.events[0]
    plain = explain_event(e, ann.article.text, plain=True)
    assert "[P: met]" in plain and "[S: " in plain and "[T: " in plain
    assert "code 040" in plain and "meet" in plain and "2024-07-04" in plain and "Kampala" in plain
    rich = explain_event(e, ann.article.text)
    assert "[bold yellow]met[/]" in rich
    assert mark_sentence(e, ann.article.text, plain=True).startswith("On Thursday")


def test_code_events_can_take_another_lexicon_object():
    nlp = load_nlp()
    text = "Chile and Peru signed a trade agreement in Lima."
    article = article_from_record({"id": "t", "text": text, "date": "2024-01-10"}, "test")
    ann = annotate_doc(nlp(article.text), article)
    lex = load_lexicon()
    evs = code_events(nlp(article.text), ann, lexicon=lex, codebook=load_codebook())
    assert pairs(evs) == {("CHL", "PER", "05"), ("PER", "CHL", "05")}
    assert all(e.code == "057" and e.plover == "SUPPORT" for e in evs)


# ---------------------------------------------------------------- 3-4 digit codes from the lexicon

# Sentences written for these tests (not from any evaluation set): the lexicon's finer codes.
FINE_CODES = [
    ("The Argentine government urged the two neighbours to show restraint.", "0256"),
    ("Moldova asked France for ammunition and air defence missiles.", "0232"),
    ("Britain pledged to send military instructors to Ghana.", "0312"),
    ("Canada gave 20 million dollars in humanitarian aid to Haiti.", "073"),
    ("Norway has shipped artillery shells to Estonia.", "072"),
    ("The Dutch government suspended military aid to Rwanda.", "1622"),
    ("Sweden has halted humanitarian aid to Somalia.", "1623"),
    ("Prosecutors in Lima opened a corruption probe into the former mayor.", "091"),
    ("Jailed Kurdish activists in Turkey began a hunger strike on Monday.", "142"),
    ("The opposition in Togo boycotted the presidential election.", "143"),
    ("Bolivian police fired tear gas at striking miners in La Paz.", "175"),
    ("The Senegalese navy seized three Spanish trawlers off Dakar.", "171"),
    ("Rebels detonated a car bomb near an army barracks in Somalia.", "1832"),
    ("Villagers lynched a suspected thief in Uganda.", "1823"),
    ("Iran threatened to launch a nuclear attack on Israel.", "1385"),
    ("Azerbaijan accused Georgia of espionage on Tuesday.", "1125"),
    ("Chad accused Libya of torture in its detention camps.", "1122"),
    ("The Arab League called on Algeria and Morocco to resolve their differences.", "027"),
    ("The Nicaraguan government closed two radio stations in Managua.", "1721"),
    ("Authorities in Zimbabwe banned opposition rallies in Harare.", "1721"),
]


@pytest.mark.parametrize("text,code", FINE_CODES)
def test_fine_codes(text, code):
    assert code in [e.code for e in events(text)]


def test_an_invitation_takes_its_content():
    # the talks are what was asked for, not a second event
    evs = events("The Yemeni government invited the southern separatists to resume negotiations in Muscat.")
    assert [e.code for e in evs] == ["026"]


# ---------------------------------------------------------------- the seed articles


@needs_seeds
def test_seed_articles_events():
    arts = list(read_paths(sorted(SEEDS.glob("*.txt")), on_error="skip"))
    evs = [e for ann in annotate_articles(arts) for e in ann.events]

    def found(countries, roots, date, end=None, place=None):
        for e in evs:
            if {country(e.source), country(e.target)} != set(countries) or e.code[:2] not in roots:
                continue
            if e.date != date or (end and e.date_end not in end):
                continue
            if place and (e.place is None or e.place.geonameid != place):
                continue
            return True
        return False

    assert found(("CHN", "BLR"), ("06", "15"), "2024-07-08", ("2024-07-18", "2024-07-19"), 629634)  # Brest
    assert found(("CHN", "BLR"), ("04",), "2024-07-04", place=1526273)                            # Astana
    assert found(("CHN", "BLR"), ("05",), "2024-07-04")
    assert found(("CHN", "BLR"), ("04",), "2024-07-06", place=625144)                             # Minsk
    assert found(("CHN", "BLR"), ("04",), "2024-07-08", place=1816670)                            # Beijing
    assert found(("BLR", "RUS"), ("06", "15"), "2024-06")                # "In June, it participated in ..."
    assert not [e for e in evs if e.source and e.source == e.target]
