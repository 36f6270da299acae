"""Event coding that generalises (issue 14): structure and word families, on sentences written
for these tests, through the real annotate pipeline (spaCy model, actors, places, times)."""
from __future__ import annotations

from tidings.analysis import annotate_articles
from tidings.ingest import article_from_record


def events(text: str, date: str = "2024-05-14"):
    article = article_from_record({"id": "t", "text": text, "date": date}, "test")
    (annotated,) = list(annotate_articles([article]))
    return annotated.events


def triples(evs):
    return sorted(((e.source or "")[:3], (e.target or "")[:3], e.code[:2]) for e in evs)


def test_a_symmetric_act_with_one_named_partner_goes_both_ways():
    assert triples(events("Ghana held talks with Togo on Monday.")) == [("GHA", "TGO", "04"), ("TGO", "GHA", "04")]
    assert triples(events("Peru signed a trade pact with Chile in Lima.")) == [("CHL", "PER", "05"),
                                                                                   ("PER", "CHL", "05")]


def test_a_partner_named_only_in_the_content_is_no_partner():
    # "agreed to give aid to Chad": the EU agrees, Chad receives; Chad agreed to nothing
    evs = events("The Netherlands agreed on Friday to give emergency aid to Chad.")
    assert triples(evs) == [("NLD", "TCD", "03")]


def test_peacekeepers_and_monitors_sent_or_arriving_are_aid_and_who_receives_them_concedes():
    assert triples(events("Rwandan peacekeepers arrived in Mozambique on Tuesday.")) == [("RWA", "MOZ", "07")]
    assert triples(events("The African Union sent inspectors to Burundi.")) == [("IGO", "BDI", "07")]
    (e,) = events("Kenya deployed 1,000 police officers to Haiti as part of a UN-backed security mission.")
    assert e.code == "074" and "help_purpose" in e.rule
    (e,) = events("Nigeria welcomed peacekeepers from Ghana.")
    assert (e.code, e.source[:3], e.target[:3]) == ("0861", "NGA", "GHA")
    (e,) = events("Azerbaijan received monitors from the OSCE on Monday.")
    assert (e.code, e.source[:3]) == ("0862", "AZE")
    # troops arriving for exercises are neither aid nor a concession
    (e,) = events("Chinese troops arrived in Belarus for joint exercises.")
    assert e.code == "042"


def test_a_town_that_falls_to_armed_men_is_taken_by_them_and_a_price_that_falls_is_no_event():
    assert triples(events("The town of Kidal fell to Malian rebels on Sunday.")) == [("MLI", "MLI", "19")]
    (e,) = events("The border post of Nahr Umar fell to Iranian troops after two days of shelling.")
    assert (e.source[:3], e.code[:2]) == ("IRN", "19")
    assert events("Oil prices fell to a four-year low in Nigeria on Monday.") == []
    assert events("The decision fell to the Ghanaian government.") == []


def test_the_means_named_as_object_is_not_the_doer_of_the_purpose_clause():
    # "used batons to disperse": batons are no actor, so the police disperse; an actor as object
    # still controls the clause ("urged Gabon to free": Gabon frees)
    assert triples(events("Police used batons to disperse students protesting in Accra.")) == [("GHA", "GHA", "17")]
    (e,) = [e for e in events("Senegal urged Gambia to release the detained fishermen.") if e.code.startswith("02")]
    assert (e.source[:3], e.target[:3]) == ("SEN", "GMB")


def test_accidents_are_no_attacks():
    assert events("An explosion at a fertiliser factory in Egypt killed nine workers.") == []
    assert events("A bus crashed into a ravine in Bolivia, killing 20 passengers.") == []
    assert events("A gas explosion killed three people in a Lagos market.") == []
    # a doer at the same kind of site is still an attack
    (e,) = events("Gunmen killed five workers at a factory in Nigeria.")
    assert e.code[:2] in ("18", "19")


def test_giving_is_read_off_what_is_given_whichever_way_it_is_said():
    assert triples(events("Norway supplied Ukraine with mine-clearing equipment.")) == [("NOR", "UKR", "07")]
    assert triples(events("The United States provided intelligence to Kenya on militant camps.")) == [
        ("USA", "KEN", "06")]


def test_relations_restored_or_raised_and_a_pullout_sped_up():
    assert triples(events("Oman upgraded its diplomatic relations with Iraq to ambassador level.")) == [
        ("IRQ", "OMN", "05"), ("OMN", "IRQ", "05")]
    (e,) = events("Britain accelerated the pullout of its troops from Mali.")
    assert (e.code, e.source, e.target[:3]) == ("0874", "GBR", "MLI")


def test_a_doer_telling_of_its_own_attack_claims_it():
    (e,) = events("The Houthis claimed that they had attacked a British tanker in the Red Sea.")
    assert (e.code, e.source[:3], e.target[:3]) == ("015", "YEM", "GBR")
    # told of someone else, it is that someone's attack
    (e,) = events("Ukraine claimed Russian forces had shelled a hospital in Kherson.")
    assert (e.code[:2], e.source[:3]) == ("19", "RUS")


def test_a_planned_visit_called_off_is_a_cut_in_relations_now():
    (e,) = events("The Dutch prime minister cancelled a planned visit to Morocco amid tensions.")
    assert (e.code, e.modality, e.source[:3], e.target[:3]) == ("160", "asserted", "NLD", "MAR")


def test_two_countries_on_one_plural_noun_are_two_sides_of_a_symmetric_act():
    assert triples(events("Polish and Czech ministers agreed to build a new pipeline.")) == [
        ("CZE", "POL", "03"), ("POL", "CZE", "03")]
    assert triples(events("Greek and Turkish officials held talks in Athens on Monday.")) == [
        ("GRC", "TUR", "04"), ("TUR", "GRC", "04")]


def test_what_two_sides_exchange_each_does_to_the_other():
    assert triples(events("Serbia and Kosovo exchanged accusations over the border incident.")) == [
        ("SRB", "XKX", "11"), ("XKX", "SRB", "11")]
    assert triples(events("Pakistan and Afghanistan traded fire across the border on Sunday.")) == [
        ("AFG", "PAK", "19"), ("PAK", "AFG", "19")]
    assert triples(events("China traded barbs with the Philippines.")) == [("CHN", "PHL", "11"), ("PHL", "CHN", "11")]


def test_near_synonyms_written_at_build_time_are_loaded_and_cited():
    (e,) = events("The Kenyan president excoriated Uganda over the border closure.")
    assert (e.code, e.source[:3], e.target[:3]) == ("111", "KEN", "UGA")
    assert e.rule.startswith("event_verbs_families.tsv: ")
    (e,) = events("Brazil rescinded its sanctions on Paraguay.")
    assert (e.code, e.target[:3]) == ("085", "PRY")


def test_who_dies_of_a_violent_act_is_its_target_and_an_illness_is_no_act():
    (e,) = events("An Egyptian journalist died after beatings by police in Cairo.")
    assert (e.code, e.source[:3], e.target[:3]) == ("182", "EGY", "EGY")
    (e,) = events("Two Syrian detainees died due to torture in a Lebanese jail.")
    assert (e.code, e.target[:3]) == ("1822", "SYR")
    assert events("The old man died of a heart attack on Monday.") == []


def test_barriers_lowered_and_borders_opened_are_concessions():
    (e,) = events("Canada cut tariffs on Chinese electric cars.")
    assert (e.code, e.source, e.target[:3]) == ("085", "CAN", "CHN")
    (e,) = events("Poland reopened its border with Belarus on Friday.")
    assert (e.code, e.target[:3]) == ("081", "BLR")
    (e,) = events("Doctors Without Borders flew ten tonnes of medicine into Sudan.")
    assert (e.code, e.target[:3]) == ("073", "SDN")


def test_violence_at_home_with_nobody_else_named_is_aimed_at_the_country():
    (e,) = events("Rebels seized a key town in eastern Myanmar on Sunday.")
    assert (e.code, e.source[:3], e.target) == ("192", "MMR", "MMR")


def test_headlines_lists_with_a_comma_and_to_for_what_is_ahead():
    assert triples(events("Chad, Sudan agree to reopen border crossings")) == [("SDN", "TCD", "03"),
                                                                                ("TCD", "SDN", "03")]
    (e,) = events("Ghana to send troops to Mali peace mission")
    assert (e.modality, e.code[:2], e.source, e.target[:3]) == ("planned", "03", "GHA", "MLI")


def test_a_host_of_talks_between_two_sides_is_not_their_partner():
    evs = events("The Ghanaian leader hosted talks between Togolese and Beninese officials.")
    assert triples(evs) == [("GHA", "BEN", "04"), ("GHA", "TGO", "04")]


def test_a_town_retaken_is_an_occupation_whatever_the_tagger_makes_of_the_prefixed_verb():
    # spaCy's lemmatizer leaves "retook" as it is; the pipeline mends it to "retake"
    assert triples(events("Malian soldiers retook the town of Menaka from Tuareg rebels on Sunday.")) == [
        ("MLI", "MLI", "19")]
    (e,) = events("Burkinabe troops recaptured the village of Djibo from jihadists.")
    assert (e.source[:3], e.code[:2]) == ("BFA", "19")


def test_prefixed_irregular_verbs_get_their_own_lemma():
    from tidings.nlp.pipeline import load_nlp

    doc = load_nlp()("The militia retook the bridge, the army rebuilt it and then overran the camp.")
    lemmas = {t.text: t.lemma_ for t in doc if t.pos_ == "VERB"}
    assert lemmas.get("retook") == "retake" and lemmas.get("overran") == "overrun"
