"""The plain-text cleaner on the seed articles and on texts written for these tests."""

import pytest
from conftest import SEEDS, needs_seeds

from tidings import resources
from tidings.ingest import clean
from tidings.ingest.clean import clean_text, read_date_line, read_signature, repair_glued_sentences


BODY = ("The foreign ministers of Chile and Peru met in Lima on Friday to discuss a new border crossing. "
        "Both sides said the talks were constructive and agreed to meet again in Santiago next month.")


@needs_seeds
def test_seed_004_date_outlet_widget_and_glued_sentences():
    c = clean_text((SEEDS / "004_8b0195210551c63e.txt").read_text(encoding="utf-8"))
    assert c.published == "2024-07-09"
    assert c.outlet == "News.Az"
    for junk in ("16 px", "↺", "News.Az", "date 2024"):
        assert junk not in c.text
    assert "populated areas. Chinese troops" in c.text
    assert "checking NATO. A Chinese military delegation" in c.text
    assert "counter the U.S. On Thursday" in c.text
    assert "the U.S., which supports Ukraine" in c.text
    assert c.text.startswith("China and Belarus are conducting joint military exercises")


@needs_seeds
def test_seed_000_comment_form_and_related_block_removed():
    c = clean_text((SEEDS / "000_9407ed76ebde09e5.txt").read_text(encoding="utf-8"))
    for junk in ("Leave a Reply", "Back to top button", "Related Articles", "Required fields are marked",
                 "Your email address"):
        assert junk not in c.text
    assert "Moskovsky Komsomolets" in c.text
    assert "Sino-Belarusian cooperation" in c.text
    assert c.title == "Chinese soldiers on maneuvers in Belarus on the sidelines of the NATO summit"
    assert c.text.rstrip().endswith("the eastern flank of the transatlantic alliance.")
    assert c.published is None and c.outlet is None


def test_boilerplate_lines_dropped_and_paragraphs_kept():
    raw = "\n".join([
        "Share this article", "Facebook | Twitter | WhatsApp", "Print", "A- A A+",
        BODY, "", "Follow us on Telegram for the latest news",
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        "Second paragraph: the ministers also spoke about trade.", "",
        "Copyright © 2025 Andes Daily. All rights reserved.", "Tags: Chile, Peru, borders",
    ])
    c = clean_text(raw)
    assert c.text == BODY + "\n\nSecond paragraph: the ministers also spoke about trade."


def test_long_paragraph_is_never_boilerplate():
    long_line = "Share this article with your friends, the minister told reporters, " + "and more " * 60 + "."
    assert long_line.strip() in clean_text(BODY + "\n\n" + long_line).text


@pytest.mark.parametrize("line, expected", [
    ("date 2024-07-09 + ↺ − 16 px", ("2024-07-09", "published")),
    ("Published: July 9, 2024", ("2024-07-09", "published")),
    ("July 9, 2024", ("2024-07-09", "published")),
    ("Tuesday, 9 July 2024, 10:32 GMT", ("2024-07-09", "published")),
    ("Posted on Jul. 9th, 2024 at 4:15 pm", ("2024-07-09", "published")),
    ("Updated: 2024-07-10T08:00:00Z", ("2024-07-10", "updated")),
    ("09.07.2024", ("2024-07-09", "published")),
    ("25/12/2023", ("2023-12-25", "published")),
])
def test_date_lines(line, expected):
    assert read_date_line(line) == expected


@pytest.mark.parametrize("line", [
    "07/09/2024",                                   # July 9 or 7 September: not guessed
    "On July 9, 2024 the ministers met in Minsk.",   # a sentence, not a date line
    "February 30, 2024",                            # no such day
    "The talks began in 2024.",
])
def test_not_date_lines(line):
    assert read_date_line(line) is None


def test_published_wins_over_updated_and_date_line_leaves_text():
    c = clean_text(f"Updated: 12 March 2025\nPublished: 10 March 2025\n\n{BODY}")
    assert c.published == "2025-03-10"
    assert "2025" not in c.text


def test_date_line_in_the_middle_of_a_long_text_is_content():
    paragraphs = [f"Paragraph {i}: {BODY}" for i in range(12)]
    paragraphs.insert(7, "March 3, 2025")
    c = clean_text("\n\n".join(paragraphs))
    assert c.published is None
    assert "\n\nMarch 3, 2025\n\n" in c.text


@pytest.mark.parametrize("line, outlet", [
    ("News.Az", "News.Az"), ("belta.by", "belta.by"), ("— Reuters", "Reuters"), ("(AFP)", "AFP"),
    ("Source: Xinhua", "Xinhua"), ("Voice of America", "Voice of America"), ("www.andes-daily.com", "www.andes-daily.com"),
])
def test_signatures(line, outlet):
    assert read_signature(line) == outlet


@pytest.mark.parametrize("line", [
    "The talks will continue.", "John Smith, Lima", "Ends", "the minister said", "July 9, 2024",
    "A very long closing line that names many things and is no outlet at all",
])
def test_not_signatures(line):
    assert read_signature(line) is None


def test_trailing_signature_read_only_after_a_finished_sentence():
    c = clean_text(f"{BODY}\n\nAndes Daily")
    assert c.outlet == "Andes Daily" and "Andes Daily" not in c.text
    unfinished = clean_text("The ministers said the talks covered\nBorder Trade")
    assert unfinished.outlet is None


@pytest.mark.parametrize("glued, repaired", [
    ("populated areas.Chinese troops", "populated areas. Chinese troops"),
    ("aimed at checking NATO.A Chinese delegation", "aimed at checking NATO. A Chinese delegation"),
    ("to counter the U.S.On Thursday", "to counter the U.S. On Thursday"),
    ("he said.”The minister", "he said.” The minister"),
    ("in 2024.Officials said", "in 2024. Officials said"),
    ("the ministry said.NATO forces", "the ministry said. NATO forces"),
    ("was it worth it?Critics said no", "was it worth it? Critics said no"),
    ("at 10 a.m.The talks", "at 10 a.m. The talks"),
])
def test_glued_sentences_repaired(glued, repaired):
    assert repair_glued_sentences(glued) == repaired


@pytest.mark.parametrize("text", [
    "the U.S. and the U.K. agreed", "growth of 3.5 percent", "see https://www.Example.com/Path.Html for more",
    "write to press@Ministry.Gov.By today", "built with Node.js and ASP.NET", "according to News.Az reports",
    "shares in Amazon.Com rose", "the U.S.A has", "J. R. Smith", "CHARLESTON, W.Va. -- Officials", "in N.Ga. today",
])
def test_glue_repair_leaves_abbreviations_numbers_urls_and_names(text):
    assert repair_glued_sentences(text) == text


def test_title_kept_in_text_as_its_own_paragraph():
    c = clean_text(f"Chile and Peru agree on new border crossing\n{BODY}")
    assert c.title == "Chile and Peru agree on new border crossing"
    assert c.text.startswith("Chile and Peru agree on new border crossing\n\nThe foreign ministers")


def test_first_sentence_is_not_a_title():
    c = clean_text(f"{BODY}\n\nSecond paragraph.")
    assert c.title is None


def test_byline_read_into_author():
    c = clean_text(f"Border talks\n\nBy Maria Quispe\n\n{BODY}")
    assert c.author == "Maria Quispe"
    assert "By Maria" not in c.text


@pytest.mark.parametrize("line", ["By Monday, the ministers had left Lima.", "By the end of the day talks had failed",
                                  "By Monday, Ms. Quispe had resigned as spokeswoman for the ministry"])
def test_sentences_starting_with_by_are_not_bylines(line):
    c = clean_text(f"Border talks\n\n{line}\n\n{BODY}")
    assert c.author is None and line in c.text


def test_byline_with_outlet_and_date():
    c = clean_text(f"By Maria Quispe, Andes Daily | March 3, 2025\n\n{BODY}")
    assert c.author == "Maria Quispe" and "Quispe" not in c.text
    assert c.published == "2025-03-03"


def test_hard_wrapped_paragraph_joined_but_short_paragraph_lines_kept():
    wrapped = ("The foreign ministers of Chile and Peru met in Lima on Friday to\n"
               "discuss a new border crossing near Tacna, officials from both\n"
               "countries said after the talks.")
    c = clean_text(wrapped + "\n\nFirst short line.\nSecond short line.")
    assert ("The foreign ministers of Chile and Peru met in Lima on Friday to discuss a new border crossing "
            "near Tacna, officials from both countries said after the talks.") in c.text
    assert "First short line.\n\nSecond short line." in c.text


def test_whitespace_and_invisible_characters_normalised():
    c = clean_text("Lima\u00a0talks\u200b ended\r\n\r\n\r\n\r\nwith   a\tdeal.\u00ad")
    assert c.text == "Lima talks ended\n\nwith a deal."


def test_tail_marker_cuts_related_headlines_only_in_second_half():
    raw = f"{BODY}\n\n{BODY}\n\nRelated Stories\nPeru's president visits Bolivia\nChile wins copper deal"
    c = clean_text(raw)
    assert "Bolivia" not in c.text and "copper" not in c.text
    early = clean_text(f"Related Stories\n{BODY}\n\n{BODY}")
    assert early.text.count("Chile and Peru") == 2


def test_users_extend_boilerplate_through_tidings_data(tmp_path, monkeypatch):
    (tmp_path / "boilerplate.txt").write_text("# ours\nlisten to our podcast\\b.*\n", encoding="utf-8")
    monkeypatch.setenv("TIDINGS_DATA", str(tmp_path))
    resources.clear_cache()
    clean.rules.cache_clear()
    try:
        c = clean_text(f"{BODY}\n\nListen to our podcast on the border talks")
        assert "podcast" not in c.text
    finally:
        monkeypatch.delenv("TIDINGS_DATA")
        resources.clear_cache()
        clean.rules.cache_clear()
    assert "podcast" in clean_text(f"{BODY}\n\nListen to our podcast on the border talks").text


def test_empty_and_boilerplate_only_inputs():
    assert clean_text("").text == ""
    assert clean_text("Leave a Reply\nBack to top\n").text == ""


@pytest.mark.parametrize("dateline", ["LIMA —", "LIMA, Peru (Tidings) -", "LIMA, March 3 (Tidings) --", "SAN JOSE, Calif. —"])
def test_a_wire_dateline_stands_on_its_own_line(dateline):
    c = clean_text(f"{dateline} Teachers went on strike on Monday, closing schools.")
    assert c.text == f"{dateline}\nTeachers went on strike on Monday, closing schools."


def test_dashes_inside_a_sentence_are_no_dateline():
    for text in ["US-China talks - a new start for trade", "The UN - and NATO - met on Monday."]:
        assert clean_text(text).text == text


def test_a_headline_behind_a_media_label_is_kept_as_the_title():
    raw = ("VIDEO: Ferry runs aground off Lesbos, passengers taken ashore\n\n"
           "A passenger ferry ran aground off the Greek island of Lesbos on Sunday, and all 212 people "
           "aboard were taken ashore by coast guard boats, officials said.\n\n"
           "Photo: Reuters/Jane Doe")
    c = clean_text(raw)
    assert c.title == "VIDEO: Ferry runs aground off Lesbos, passengers taken ashore"
    assert c.text.startswith(c.title)
    assert "Reuters/Jane Doe" not in c.text  # a credit line is still boilerplate
    assert clean_text("Video: AFP via Getty Images\n\nFloods closed the port on Monday, officials said.").text \
        == "Floods closed the port on Monday, officials said."
