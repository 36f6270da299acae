"""The times layer: time expressions found in real spaCy parses and resolved to TimeML values."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tidings.nlp.pipeline import load_nlp
from tidings.nlp.times import Anchor, clause_tense, infer_anchor, parse_published, resolve_times
from tidings.nlp.times_grammar import parse_number, parse_spoken_year
from tidings.nlp.times_rules import period

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PUBLISHED = "2024-07-09"          # a Tuesday


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def times(nlp, text: str, published: str | None = PUBLISHED) -> dict[str, tuple]:
    doc = nlp(text)
    out = {}
    for t in resolve_times(doc, published):
        assert doc.text[t.start:t.end] == t.text
        out[t.text] = (t.type, t.value) if t.end_value is None else (t.type, t.value, t.end_value)
    return out


def value(nlp, text: str, expression: str, published: str | None = PUBLISHED) -> str | None:
    found = times(nlp, text, published)
    assert expression in found, f"{expression!r} not found in {found}"
    return found[expression][1]


# ---------------------------------------------------------------- anchoring and tense

def test_weekday_follows_the_tense_of_its_verb(nlp):
    assert value(nlp, "The two ministers met on Thursday in the capital.", "Thursday") == "2024-07-04"
    assert value(nlp, "The two ministers will meet on Thursday in the capital.", "Thursday") == "2024-07-11"


def test_weekday_equal_to_the_publication_weekday_is_that_day(nlp):
    assert value(nlp, "The agency reported on Tuesday that the talks had failed.", "Tuesday") == "2024-07-09"


def test_future_date_is_ahead_of_the_anchor(nlp):
    assert value(nlp, "The drills will last until July 19, officials said.", "July 19") == "2024-07-19"


def test_month_alone_in_the_past(nlp):
    assert value(nlp, "In June, the army took part in a large exercise.", "June") == "2024-06"


def test_month_named_ahead_of_a_recent_anchor(nlp):
    # published in January: "in October" of a past-tense clause is last October
    assert value(nlp, "Prices were much higher in October, traders said.", "October", "1998-01-08") == "1997-10"


def test_deadline_set_in_the_past_tense_stays_near_the_anchor(nlp):
    assert value(nlp, "The company extended its offer to Nov. 20, it said.", "Nov. 20", "1989-11-02") == "1989-11-20"


def test_relative_weeks_months_years(nlp):
    found = times(nlp, "Sales rose last week and will rise again next month. This year is better than last year.")
    assert found["last week"] == ("DATE", "2024-W27")
    assert found["next month"] == ("DATE", "2024-08")
    assert found["This year"] == ("DATE", "2024")
    assert found["last year"] == ("DATE", "2023")


def test_days_relative_to_publication(nlp):
    found = times(nlp, "The minister arrived yesterday and leaves tomorrow; the talks are today.")
    assert found["yesterday"][1] == "2024-07-08"
    assert found["tomorrow"][1] == "2024-07-10"
    assert found["today"][1] == "2024-07-09"


def test_years_ago(nlp):
    assert value(nlp, "The plant closed two years ago.", "two years ago") == "2022"
    assert value(nlp, "The plant closed ten days ago.", "ten days ago") == "2024-06-29"


def test_range_is_one_entry_with_both_ends(nlp):
    found = times(nlp, "A delegation visited the capital from Saturday to Monday, officials said.")
    assert found["Saturday to Monday"] == ("DATE", "2024-07-06", "2024-07-08")


def test_weekday_with_its_date_fixes_the_year(nlp):
    # 1998-10-25 is a Sunday; the editorial "on Monday, Oct. 26" is the next day, not a year back
    assert value(nlp, "The newspaper said in an editorial on Monday, Oct. 26, that it was wrong.",
                 "Monday, Oct. 26", "1998-10-25") == "1998-10-26"


def test_clause_tense(nlp):
    doc = nlp("The army will hold drills on Friday.")
    assert clause_tense(doc[6:7]) == "future"
    doc = nlp("The army held drills on Friday.")
    assert clause_tense(doc[5:6]) == "past"


# ---------------------------------------------------------------- granularity and kinds

def test_durations_with_number_words(nlp):
    found = times(nlp, "The exercise will last eleven days and the mission about two and a half years.")
    assert found["eleven days"] == ("DURATION", "P11D")
    assert found["about two and a half years"] == ("DURATION", "P2Y6M")


def test_duration_units(nlp):
    found = times(nlp, "He waited three hours, then 45 minutes, over two decades of a 30-year career.")
    assert found["three hours"][1] == "PT3H"
    assert found["45 minutes"][1] == "PT45M"
    assert found["over two decades"][1] == "P20Y"
    assert found["30-year"][1] == "P30Y"


def test_sets(nlp):
    found = times(nlp, "The paper appears daily, the council meets every week and the market opens on Mondays.")
    assert found["daily"] == ("SET", "P1D")
    assert found["every week"] == ("SET", "P1W")
    assert found["Mondays"] == ("SET", "XXXX-WXX-1")


def test_fuzzy_references(nlp):
    found = times(nlp, "Prices are now falling, they rose recently, and nobody knows the future.")
    assert found["now"][1] == "PRESENT_REF"
    assert found["recently"][1] == "PAST_REF"
    assert found["the future"][1] == "FUTURE_REF"


def test_decades_centuries_quarters_seasons(nlp):
    found = times(nlp, "Growth slowed in the 1990s and in the 20th century; third-quarter profit rose "
                       "and the group expects a recovery this summer.")
    assert found["the 1990s"][1] == "199"
    assert found["the 20th century"][1] == "19"
    assert found["third-quarter"][1] == "2024-Q3" or found["third-quarter"][1] == "2024-Q2"
    assert found["this summer"][1] == "2024-SU"


def test_quarter_reported_early_in_the_next_quarter(nlp):
    assert value(nlp, "The company said its third-quarter profit fell.", "third-quarter", "1989-11-02") == "1989-Q3"
    assert value(nlp, "The company said fourth-quarter profit fell.", "fourth-quarter", "1998-01-20") == "1997-Q4"


def test_a_year_ago_in_a_quarterly_report_is_that_quarter(nlp):
    found = times(nlp, "Net income in the third quarter rose to $5 million from $3 million a year ago.",
                  "1989-11-02")
    assert found["the third quarter"][1] == "1989-Q3"
    assert found["a year ago"][1] == "1988-Q3"


def test_parts_of_day_and_clock_times(nlp):
    found = times(nlp, "The blast came at 10:35 a.m. and the meeting ran on last night and this morning.")
    assert found["10:35 a.m."] == ("TIME", "2024-07-09T10:35")
    assert found["last night"] == ("TIME", "2024-07-08TNI")
    assert found["this morning"] == ("TIME", "2024-07-09TMO")


def test_spoken_years(nlp):
    assert value(nlp, "The bank was founded in nineteen ninety-six.", "nineteen ninety-six") == "1996"
    # a number, not a year
    assert "twenty six" not in times(nlp, "The currency lost twenty six percent of its value.")


def test_names_are_not_times(nlp):
    found = times(nlp, "Theresa May spoke to reporters in London.")
    assert not any("May" in k for k in found)


# ---------------------------------------------------------------- without a publication date

def test_year_inferred_from_a_weekday_with_its_date(nlp):
    doc = nlp("The drills began on Monday, July 8 and the troops arrived on July 6.")
    anchor = infer_anchor(doc, None, today=date(2025, 1, 1))
    assert anchor == Anchor(None, 2024, "inferred")
    found = times(nlp, "The drills began on Monday, July 8 and the troops arrived on July 6.", None)
    assert found["Monday, July 8"][1] == "2024-07-08"
    assert found["July 6"][1] == "2024-07-06"


def test_nothing_to_anchor_on_keeps_what_is_knowable(nlp):
    found = times(nlp, "The troops arrived on July 6 and stayed for eleven days. They left on Friday.", None)
    assert found["July 6"][1] == "XXXX-07-06"
    assert found["eleven days"][1] == "P11D"
    assert found["Friday"][1] is None


def test_parse_published():
    assert parse_published("2024-07-09") == date(2024, 7, 9)
    assert parse_published("2024-07-09T10:00:00Z") == date(2024, 7, 9)
    assert parse_published(None) is None
    # only ISO: people's dates are read once, by ingest (`ingest.dates.parse_date`)
    assert parse_published("July 9, 2024") is None


@pytest.mark.parametrize("given", ["July 9, 2024", "Tue, 09 Jul 2024 10:00:00 GMT", "9 July 2024", "9.7.2024",
                                   "2024-07-09T10:00:00+02:00"])
def test_python_annotate_anchors_on_a_date_written_any_way(nlp, given):
    import tidings

    doc = tidings.annotate("The ministers met in Geneva on Monday and will meet again next week.", date=given)
    assert doc.article.published == "2024-07-09"
    found = {t.text: t.value for t in doc.times}
    assert found["Monday"] == "2024-07-08" and found["next week"] == "2024-W29"


def test_numbers_and_periods():
    assert parse_number("eleven") == 11
    assert parse_number("twenty-four") == 24
    assert parse_number("a hundred thirty") == 130
    assert parse_number("2 1/2") == 2.5
    assert parse_spoken_year("nineteen ninety-six") == 1996
    assert parse_spoken_year("twenty twenty-four") == 2024
    assert parse_spoken_year("twenty six") is None
    assert period(11, "D") == "P11D"
    assert period(1.5, "TM") == "PT1M30S"
    assert period("X", "Y") == "PXY"
    assert period(2, "Q") == "P6M"


def test_empty_text(nlp):
    assert resolve_times(nlp(""), PUBLISHED) == []


# ---------------------------------------------------------------- the seed articles

def _repaired(name: str) -> str:
    """The seed text as the ingest cleaner leaves it: glued sentences split again."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    return re.sub(r"([a-z)]\.|U\.S\.)([A-Z])", r"\1 \2", text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not checked out beside the repository")
@pytest.mark.parametrize("name,published,expected", [
    ("000_9407ed76ebde09e5.txt", None, [("Monday, July 8", "2024-07-08", None), ("July 6", "2024-07-06", None),
                                        ("Tuesday, July 9", "2024-07-09", None), ("July 11", "2024-07-11", None),
                                        ("eleven days", "P11D", None)]),
    ("004_8b0195210551c63e.txt", "2024-07-09", [("July 19", "2024-07-19", None), ("last week", "2024-W27", None),
                                                ("Thursday", "2024-07-04", None), ("Tuesday", "2024-07-09", None),
                                                ("Saturday to Monday", "2024-07-06", "2024-07-08"),
                                                ("June", "2024-06", None)]),
])
def test_seed_articles(nlp, name, published, expected):
    refs = resolve_times(nlp(_repaired(name)), published)
    for text, want, want_end in expected:
        got = [(r.value, r.end_value) for r in refs if text.lower() in r.text.lower() or r.text.lower() in text.lower()]
        assert (want, want_end) in got, f"{text}: {got}"


# ---------------------------------------------------------------- cues around the expression

def test_until_and_effective_look_ahead_whatever_the_tense(nlp):
    assert value(nlp, "The council postponed the vote until Friday.", "Friday") == "2024-07-12"
    assert value(nlp, "The board named her chief executive, effective Feb. 1.", "Feb. 1", "1989-10-26") == "1990-02-01"


def test_last_month_name_is_the_latest_one_before_the_anchor(nlp):
    assert value(nlp, "Shareholders approved the plan last April.", "last April", "1989-10-27") == "1989-04"
    assert value(nlp, "Shareholders approved the plan last October.", "last October", "1989-10-27") == "1988-10"


def test_week_of(nlp):
    assert value(nlp, "A hearing is set for the week of March 6.", "the week of March 6", "2000-02-24") == "2000-W10"


def test_fuzzy_words_need_their_context(nlp):
    found = times(nlp, "There are no shipments at the moment, and the envoy was soon released.")
    assert found["the moment"][1] == "PRESENT_REF"
    assert "soon" not in found
    assert "the moment" not in times(nlp, "The moment he arrived, the talks began.")
    assert "soon" not in times(nlp, "They will leave as soon as the road opens.")


def test_rates_are_sets(nlp):
    found = times(nlp, "The plant saves $500 million a year and the board meets twice a month.")
    assert found["a year"] == ("SET", "P1Y")
    assert found["twice a month"] == ("SET", "P1M")
    assert times(nlp, "He worked there for a year.")["a year"] == ("DURATION", "P1Y")


def test_ages_and_titles_are_not_times(nlp):
    assert times(nlp, "A 6-year-old boy and his 44-year-old father watched the film High Noon.") == {}
    assert value(nlp, "The ceasefire starts at noon.", "noon") == "2024-07-09T12:00"


def test_narrated_time_is_the_reference_for_the_following_year(nlp):
    found = times(nlp, "On May 22, 1995, he was made a general, and the following year he became attache. "
                       "He appeared in court the next morning.", "1998-04-18")
    assert found["the following year"][1] == "1996"
    assert found["the next morning"][1] is None       # the reference is a year now: no day to count from
    assert value(nlp, "She fled in June 1998 and returned later that year.", "later that year", "2000-01-28") == "1998"


def test_what_is_planned_lies_ahead(nlp):
    # published on a Tuesday: the conference scheduled for Thursday is this week's
    assert value(nlp, "The prosecutor has scheduled a news conference Thursday to explain the charges.",
                 "Thursday") == "2024-07-11"
    assert value(nlp, "Farmers planned a large march in the capital on Saturday.", "Saturday") == "2024-07-13"
    assert value(nlp, "Diplomats are busy planning for the summit in March.", "March") == "2025-03"
    # the time of the planning itself, or a plan already past, stays behind
    assert value(nlp, "On Friday, the ministry planned to pay the first claims.", "Friday") == "2024-07-05"
    assert value(nlp, "A vigil planned for Saturday was cancelled after threats.", "Saturday") == "2024-07-06"


def test_until_in_a_past_perfect_clause_looks_back(nlp):
    assert value(nlp, "Until Monday, the police had not named a suspect.", "Monday") == "2024-07-08"


def test_season_of_a_year(nlp):
    assert value(nlp, "Oil fell to that level in the winter of nineteen ninety-four.",
                 "the winter of nineteen ninety-four") == "1994-WI"
    assert value(nlp, "The mill closed in the summer of 2011.", "the summer of 2011") == "2011-SU"


def test_programme_names_with_units_are_not_times(nlp):
    found = times(nlp, 'The senator said on NBC\'s "Meet the Press" and on CBS\'s "60 Minutes" that the '
                       'minister appeared on ABC\'s "This Week" last year.')
    assert set(found) == {"last year"}
    assert times(nlp, "Weeks later, the talks resumed.")["Weeks"][0] == "DURATION"


def test_that_day_of_a_narrated_month_keeps_the_month(nlp):
    found = times(nlp, "The clinic was attacked in October 1998. The site was shut down that same day.", "1999-04-19")
    assert found["that same day"][1] == "1998-10-XX"
    assert value(nlp, "In 1995 he moved north. That day he left his job.", "That day", "1999-04-19") == "1995-XX-XX"


def test_years_after_pre_and_post(nlp):
    found = times(nlp, "The post-1959 politics split families, and the pre-2000 rules were lax.")
    assert found["post-1959"][1] == "1959"
    assert found["pre-2000"][1] == "2000"


def test_easter_and_the_feasts_counted_from_it(nlp):
    assert value(nlp, "The bombings on Easter Sunday killed 250 people.", "Easter Sunday") == "2024-03-31"
    assert value(nlp, "He will return home for Easter.", "Easter") == "2025-04-20"
    assert value(nlp, "Shops were shut on Good Friday, 2019.", "Good Friday, 2019") == "2019-04-19"
    assert value(nlp, "Markets reopen after Easter Monday.", "Easter Monday", "2000-04-20") == "2000-04-24"


def test_the_week_of_a_feast(nlp):
    assert value(nlp, "Pilgrims gathered as Easter Week began.", "Easter Week", "2000-04-16") == "2000-W16"
    assert value(nlp, "Sales were strong in Christmas week.", "Christmas week", "2000-01-10") == "1999-W51"


# ---------------------------------------------------------------- clauses without a tense of their own

def test_a_clause_without_tense_takes_the_tense_above_it(nlp):
    # published on a Friday: "is to resume" is an arrangement ahead
    assert value(nlp, "The exchange said the shares are to resume trading Tuesday.", "Tuesday",
                 "2024-07-12") == "2024-07-16"
    # a participle hanging from a conditional clause lies ahead with it
    assert value(nlp, "The carrier said two new routes would open in spring, with the second flying each "
                      "Thursday from August 6.", "August 6", "2024-02-13") == "2024-08-06"
    # "were the first to join" is no arrangement: the joining is behind
    assert value(nlp, "The first states to join the pact on Friday were Chad and Mali.", "Friday",
                 "2024-07-13") == "2024-07-12"


def test_a_plan_made_in_the_past_perfect_lies_behind(nlp):
    # published on a Monday: the offer that had been due to expire Friday expired last Friday
    assert value(nlp, "The offer had been scheduled to expire at midnight Friday, but it was extended.",
                 "midnight Friday", "2024-07-15") == "2024-07-12T24:00"


def test_an_infinitive_under_a_past_verb_takes_the_nearest_reading(nlp):
    # the buying follows the agreeing: in early November, "in February" is the coming one
    assert value(nlp, "The bank agreed to buy the insurer's fund unit in February.", "February",
                 "2024-11-02") == "2025-02"
    assert value(nlp, "The minister declined to comment on Monday.", "Monday") == "2024-07-08"


# ---------------------------------------------------------------- quarters of earnings reports

def test_a_quarter_named_by_its_end(nlp):
    # a fiscal quarter ended July 31 runs from May to July: mostly the second calendar quarter
    assert value(nlp, "In the quarter ended July 31, the retailer lost $2 million.", "the quarter",
                 "2023-10-30") == "2023-Q2"
    assert value(nlp, "Profit for the quarter ended Sept. 30 doubled.", "the quarter", "2023-10-30") == "2023-Q3"


def test_the_year_ago_quarter_is_one_expression(nlp):
    found = times(nlp, "In the year-earlier third quarter, the bank earned $4 million. For the quarter a year "
                       "ago, the insurer lost money.", "2023-10-27")
    assert found["the year-earlier third quarter"] == ("DATE", "2022-Q3")
    assert found["the quarter a year ago"] == ("DATE", "2022-Q3")
    assert value(nlp, "Sales fell in the fourth quarter last year.", "the fourth quarter last year",
                 "2024-02-01") == "2023-Q4"


def test_that_quarter_is_the_quarter_last_named(nlp):
    found = times(nlp, "The chain lost money in the second quarter of 2021. Results for that quarter included "
                       "a write-down.", "2023-10-27")
    assert found["the second quarter of 2021"][1] == "2021-Q2"
    assert found["that quarter"][1] == "2021-Q2"


# ---------------------------------------------------------------- years of accounts, decades

def test_fiscal_years_named_relatively_and_by_number(nlp):
    found = times(nlp, "Revenue fell in the latest fiscal year and will grow next financial year, the group said.",
                  "2023-10-26")
    assert found["the latest fiscal year"] == ("DATE", "2022")
    assert found["next financial year"] == ("DATE", "2024")
    found = times(nlp, "The ministry's FY2024 budget is larger than in fiscal 2022 and the 2021-22 financial year.")
    assert found["FY2024"] == ("DATE", "2024")
    assert found["fiscal 2022"] == ("DATE", "2022")
    assert found["2021-22 financial year"] == ("DATE", "2021", "2022")


def test_the_past_decade_over_which_something_happened_is_ten_years(nlp):
    assert times(nlp, "Prices doubled over the past decade.", "2019-05-02")["the past decade"] == ("DURATION", "P10Y")
    assert times(nlp, "The city grew faster in the last decade.", "2019-05-02")["the last decade"] == ("DATE", "200")
    assert times(nlp, "It was the worst war of the past century.")["the past century"] == ("DURATION", "P100Y")


# ---------------------------------------------------------------- what an expression takes from its neighbours

def test_a_part_of_the_day_is_of_the_day_last_narrated(nlp):
    found = times(nlp, "Protesters gathered on Sunday. In the afternoon, police fired tear gas, and that night "
                       "the crowd left. The evening news showed the square.")
    assert found["the afternoon"] == ("TIME", "2024-07-07TAF")
    assert found["that night"] == ("TIME", "2024-07-07TNI")
    assert not any("evening" in k for k in found)          # a programme, not a time
    # nothing narrated before it: the anchor's day
    assert value(nlp, "By mid-afternoon, the police had cleared the square.", "mid-afternoon") == "2024-07-09TAF"
    assert "mornings" not in " ".join(times(nlp, "He swims in the mornings."))


def test_weekdays_joined_to_a_weekly_set_share_it(nlp):
    found = times(nlp, "The buses run on Saturday and Sunday nights, and on Tuesdays and Fridays.")
    assert found["Saturday"] == ("SET", "XXXX-WXX-6TNI")
    assert found["Sunday nights"] == ("SET", "XXXX-WXX-7TNI")
    # a day of its own stays a day
    assert times(nlp, "The court sat on Monday and will sit again on Thursdays.")["Monday"] == ("DATE", "2024-07-08")


def test_the_day_before_or_after_a_named_day(nlp):
    found = times(nlp, "The day before last Tuesday's hearing, he flew home. He left the day after Christmas.")
    assert found["The day before last Tuesday"] == ("DATE", "2024-07-01")
    assert found["the day after Christmas"] == ("DATE", "2023-12-26")
    assert value(nlp, "The talks ended on Friday, and the day after, the envoy flew home.",
                 "the day after") == "2024-07-06"


def test_times_in_a_quotation_count_from_the_day_it_was_spoken(nlp):
    published = "2024-07-10"                     # a Wednesday; the speech was on Monday
    doc = nlp('"We will sign the deal tomorrow," the minister said on Monday. '
              'She told reporters on Monday: "Today is a good day."')
    refs = {t.text: t for t in resolve_times(doc, published)}
    assert refs["tomorrow"].value == "2024-07-09" and refs["tomorrow"].anchor == "2024-07-08"
    assert refs["Today"].value == "2024-07-08"
    # no date for the speech: the publication date stays the anchor
    found = times(nlp, '"Yesterday was hard," she told reporters.', published)
    assert found["Yesterday"][1] == "2024-07-09"
    # a date outside the quotation that is not the speech's does not move it
    found = times(nlp, 'He arrived on Monday and said: "Tomorrow we start."', published)
    assert found["Tomorrow"][1] == "2024-07-11"


# ---------------------------------------------------------------- spans, quarters and sets as news writes them

def test_spans_of_years(nlp):
    found = times(nlp, "The plan covers 2024-2026 and the years 2020 to 2022; the war of 1939-45 ended.")
    assert found["2024-2026"] == ("DATE", "2024", "2026")
    assert found["2020 to 2022"] == ("DATE", "2020", "2022")
    assert found["1939-45"] == ("DATE", "1939", "1945")
    assert "the years" not in found
    # two years apart in a sentence are no span
    found = times(nlp, "Prices rose from 5% in 2020 to 7% in 2022.")
    assert found["2020"] == ("DATE", "2020") and found["2022"] == ("DATE", "2022")


def test_quarters_written_short_or_by_their_months(nlp):
    found = times(nlp, "Q2 revenue rose, and in the April-June quarter profit fell.", "2024-08-01")
    assert found["Q2"] == ("DATE", "2024-Q2")
    assert found["the April-June quarter"] == ("DATE", "2024-Q2")
    # a model the entity tagger knows is a name
    assert "Q2" not in times(nlp, "Audi sold 5,000 Q2 cars.")


def test_a_clock_range_takes_the_day_of_its_end(nlp):
    assert times(nlp, "The polls are open from 9 a.m. to 5 p.m. on Friday.")["9 a.m. to 5 p.m. on Friday"][1:] \
        == ("2024-07-05T09:00", "2024-07-05T17:00")


def test_every_other_weekday_is_a_weekly_set(nlp):
    assert times(nlp, "The council meets every other Tuesday.")["every other Tuesday"] == ("SET", "XXXX-WXX-2")


def test_the_past_week_is_the_calendar_week_holding_most_of_it(nlp):
    # the seven days before a Friday lie mostly in its own week; before a Monday, in the one before
    assert value(nlp, "Fighting over the past week killed 40 people.", "the past week", "2024-07-12") == "2024-W28"
    assert value(nlp, "Fighting over the past week killed 40 people.", "the past week", "2024-07-08") == "2024-W27"
    assert value(nlp, "Prices rose in the last month.", "the last month", "2024-07-03") == "2024-06"
    # "last week" is the calendar week before, whatever the day
    assert value(nlp, "Fighting last week killed 40 people.", "last week", "2024-07-12") == "2024-W27"
    # and "the past year" is last year, as news uses it
    assert value(nlp, "Sales grew over the past year.", "the past year", "2024-10-30") == "2023"


def test_a_day_of_the_month_alone(nlp):
    # published on the 10th: a 3rd behind it this month, a 3rd ahead of it next month
    assert value(nlp, "Talks began on the 3rd.", "the 3rd", "2024-07-10") == "2024-07-03"
    assert value(nlp, "Talks will resume on the 3rd.", "the 3rd", "2024-07-10") == "2024-08-03"
    found = times(nlp, "It was the 15th century, and on the 10th day the 2nd round began.")
    assert "the 10th" not in found and "the 2nd" not in found


def test_the_nth_week_of_a_month(nlp):
    found = times(nlp, "Talks resume in the first week of August and end in the last week of September.",
                  "2024-07-10")
    assert found["the first week of August"][1] == "2024-W31"
    assert found["the last week of September"][1] == "2024-W39"


def test_in_some_time_is_a_point_ahead(nlp):
    assert value(nlp, "Troops will leave in a month's time.", "in a month's time", "2024-07-10") == "2024-08"
    assert value(nlp, "The vote is in two weeks' time.", "in two weeks' time", "2024-07-10") == "2024-07-24"


def test_a_verb_joined_to_a_tensed_one_shares_its_tense(nlp):
    # "end" has no tense of its own: it is "will ... end"
    assert value(nlp, "The talks will open on Monday and end on Friday.", "Friday", "2024-07-10") == "2024-07-12"
