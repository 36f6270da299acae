"""A small stream of news written for the tests of `tidings add`: several stories told by
several outlets, a syndicated copy, exact repeats far apart, and articles with events."""
import json

import pytest

from tidings.ingest import read_paths
from tidings.process import add_articles
from tidings.store import Store

# (date, title, three tellings by three outlets, each in its own words)
STORIES = [
    ("2024-05-06", "Kenya and Uganda sign a rail deal", [
        "The presidents of Kenya and Uganda signed an agreement in Nairobi on Monday to extend the standard "
        "gauge railway to Kampala, officials said. Kenyan President William Ruto hosted his Ugandan "
        "counterpart at State House.",
        "Uganda's leader travelled to Nairobi, where he and Kenya's head of state put their names to a railway "
        "pact on Monday. Work on the line towards Kampala could start next year, according to the Kenyan "
        "transport ministry.",
        "A new rail accord between Nairobi and Kampala was sealed at State House. Kenyan and Ugandan "
        "ministers praised the deal, which links the port of Mombasa to the Ugandan capital by train.",
    ]),
    ("2024-05-07", "Floods close schools across southern Brazil", [
        "Heavy rain flooded dozens of towns in Rio Grande do Sul on Tuesday and the state government closed "
        "schools in Porto Alegre. Brazilian troops evacuated families from the outskirts of the city.",
        "Schools in Porto Alegre shut their doors after rivers burst their banks across the southern state. "
        "Soldiers used boats to rescue residents, the Brazilian defence ministry said on Tuesday.",
        "President Lula promised federal money for Rio Grande do Sul, where floodwater has cut roads and "
        "forced classes to stop. The army moved hundreds of people out of low-lying districts.",
    ]),
    ("2024-05-08", "Vietnam and the Philippines hold coast guard talks", [
        "Coast guard commanders of Vietnam and the Philippines met in Hanoi on Wednesday and agreed to set up "
        "a hotline, the Vietnamese foreign ministry said.",
        "Philippine coast guard officers held talks with their Vietnamese counterparts in Hanoi and signed a "
        "plan for joint search and rescue drills, Manila said on Wednesday.",
        "China criticised a meeting between the Vietnamese and Philippine coast guards in Hanoi, where the two "
        "sides agreed on a direct line for incidents at sea.",
    ]),
    ("2024-05-09", "Farmers protest fuel prices in Warsaw", [
        "Thousands of Polish farmers protested in Warsaw on Thursday against fuel prices and grain imports "
        "from Ukraine. Police blocked the road to the parliament.",
        "Tractors filled the streets of the Polish capital as growers demonstrated against the cost of diesel. "
        "The agriculture minister met union leaders in the afternoon, Polish radio reported.",
        "Farm unions marched on the Sejm in Warsaw, demanding limits on Ukrainian grain and cheaper fuel. "
        "Officers stopped the crowd short of the parliament building on Thursday.",
    ]),
]

OUTLETS = ["Daily Courier", "Horn Observer", "Coastal Times"]


def articles() -> list[dict]:
    """The stream, in the order `tidings add` reads it: each story told by three outlets,
    interleaved; a syndicated copy of the first article; two exact repeats."""
    out = []
    for round_ in range(len(OUTLETS)):
        for n, (date, title, tellings) in enumerate(STORIES):
            outlet = OUTLETS[(n + round_) % len(OUTLETS)]
            out.append({"id": f"s{n}r{round_}", "date": date, "title": title, "outlet": outlet,
                        "url": f"https://{outlet.lower().replace(' ', '')}.example/{n}/{round_}",
                        "text": tellings[round_]})
    copy = dict(out[0], id="syndicated", outlet="Lakeside Gazette", url="https://lakeside.example/wire/1",
                text=out[0]["text"] + " This copy ran with a local note on traffic.")
    out.insert(7, copy)
    out.insert(9, dict(out[2], id="repeat-near", url="https://mirror.example/a"))  # same text, new source
    out.append(dict(out[5], id="repeat-far", url="https://mirror.example/b"))
    return out


def write_stream(path, records: list[dict] | None = None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in records if records is not None else articles():
            f.write(json.dumps(r) + "\n")


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    """The stream as a JSON Lines file."""
    path = tmp_path_factory.mktemp("stream") / "stream.jsonl"
    write_stream(path)
    return path


def add_file(db, source, exclude=frozenset(), **options):
    """`add_articles` on a JSON Lines file (leaving out the records whose id is in `exclude`):
    (summary, every line reported through on_error)."""
    errors: list[str] = []
    articles = (a for a in read_paths([str(source)], errors.append) if a.external_id not in exclude)
    with Store(db) as store:
        summary = add_articles(store, articles, on_error=errors.append, **options)
    return summary, errors
