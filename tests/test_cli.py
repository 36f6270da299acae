"""The command line end to end: real files, the real spaCy model, a real DuckDB file."""
import json
import subprocess
import sys
import textwrap

import duckdb
import pytest

from conftest import ROOT, SEEDS, dump_db, needs_seeds


def tidings(*args, input=None, check=True):
    proc = subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                          input=input, cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"tidings {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]



@needs_seeds
def test_add_twice_changes_nothing_and_lists_contract_fields(tmp_path):
    db = tmp_path / "seeds.duckdb"
    tidings("add", "--db", db, SEEDS)
    first = dump_db(db)
    tidings("add", "--db", db, SEEDS)
    assert dump_db(db) == first
    arts = jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout)
    assert len(arts) == 2
    for a in arts:
        assert {"id", "url", "published", "outlet", "title", "story", "text"} <= set(a)
        assert a["url"].endswith(".txt")
    stories = jsonl(tidings("stories", "--db", db, "--format", "jsonl").stdout)
    assert {"id", "title", "articles", "outlets", "first_seen", "last_seen"} <= set(stories[0])
    evs = jsonl(tidings("events", "--db", db, "--format", "jsonl").stdout)
    for e in evs:
        assert {"id", "story", "outlets", "mentions", "conflicts", "source", "target", "code"} <= set(e)


def test_stories_and_events_agree_on_outlets(tmp_path):
    """Two pages of one site, no outlet name, different URLs: one outlet for `stories` and
    for `events` alike (`stories` counted each URL as an outlet before)."""
    pages = [
        {"url": "https://www.example.org/world/1", "date": "2024-03-12",
         "title": "Japan and India foreign ministers meet in Tokyo",
         "text": "The foreign ministers of Japan and India met in Tokyo on Monday to discuss maritime security "
                 "and trade, officials said. The two ministers agreed to hold further talks next month."},
        {"url": "https://example.org/asia/2?ref=rss", "date": "2024-03-12",
         "title": "Japanese and Indian foreign ministers hold talks in Tokyo",
         "text": "Japan's foreign minister met his Indian counterpart in Tokyo on Monday, the two governments "
                 "said. The ministers discussed maritime security and trade in the Indo-Pacific."},
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(p) + "\n" for p in pages))
    db = tmp_path / "t.duckdb"
    tidings("add", "--db", db, tmp_path / "in.jsonl")
    [story] = jsonl(tidings("stories", "--db", db, "--format", "jsonl").stdout)
    assert story["outlets"] == ["example.org"] and len(story["articles"]) == 2
    evs = jsonl(tidings("events", "--db", db, "--format", "jsonl").stdout)
    assert evs and {m["article"] for e in evs for m in e["mentions"]} == set(story["articles"])
    for e in evs:
        assert e["story"] == story["id"]
        assert (e["outlets"], e["outlet_names"]) == (1, story["outlets"])


KILL_AFTER = textwrap.dedent("""
    import os, sys
    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    def killed_after(articles, n):
        for i, a in enumerate(articles):
            if i == n:
                os._exit(137)  # like a SIGKILL: no cleanup, the open transaction is never committed
            yield a

    store = Store(sys.argv[1])
    add_articles(store, killed_after(read_paths(sys.argv[2:], print), 3), batch_size=2)
""")


def test_killed_run_resumes_to_the_same_database(tmp_path):
    inputs = [ROOT / "examples"]
    whole, resumed = tmp_path / "whole.duckdb", tmp_path / "resumed.duckdb"
    tidings("add", "--db", whole, "--batch-size", "2", *inputs)
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER, str(resumed), *map(str, inputs)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 137, proc.stderr[-2000:]
    partial = dump_db(resumed)
    assert 0 < len(partial["articles"]) < len(dump_db(whole)["articles"])
    tidings("add", "--db", resumed, "--batch-size", "2", *inputs)
    assert dump_db(resumed) == dump_db(whole)


def test_bad_inputs_are_named_and_the_rest_is_stored(tmp_path):
    db = tmp_path / "t.duckdb"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "blob.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "in" / "good.txt").write_text(
        "Kenya and Tanzania sign a border trade pact\n\nThe trade ministers of Kenya and Tanzania signed an "
        "agreement in Arusha on Friday to cut fees at three border posts, officials said.\n")
    proc = tidings("add", "--db", db, tmp_path / "in")
    assert "empty.txt" in proc.stderr and "blob.txt" in proc.stderr
    assert len(jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout)) == 1
    only_bad = tidings("add", "--db", db, tmp_path / "in" / "empty.txt", check=False)
    assert only_bad.returncode != 0
    assert len(jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout)) == 1


def test_annotate_keeps_one_line_per_input_line(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "The foreign ministers of Japan and India met in Tokyo on Monday.",
                    "date": "2024-03-12"}),
        "{not json",
        json.dumps({"id": "c", "html": "<html><head><title>Port reopens</title></head><body><article><p>"
                                       "The port of Mombasa reopened on Tuesday after a two-day strike by "
                                       "dock workers, the Kenya Ports Authority said.</p></article></body></html>"}),
    ]
    proc = tidings("annotate", "-", input="\n".join(lines) + "\n")
    out = jsonl(proc.stdout)
    assert [o["id"] for o in out] == ["a", None, "c"]
    assert "<stdin>:line 2" in proc.stderr and "error" in out[1]
    assert out[0]["published"] == "2024-03-12"
    tokyo = [p for p in out[0]["places"] if p["text"] == "Tokyo"]
    assert tokyo and out[0]["text"][tokyo[0]["start"]:tokyo[0]["end"]] == "Tokyo"
    assert "Mombasa" in out[2]["text"] and "<p>" not in out[2]["text"]


def test_dates_written_any_way_reach_times_as_iso(tmp_path):
    """`annotate` and `add` read a publication date once, in ingest; the times layer gets ISO."""
    text = "The foreign ministers of Japan and India met in Tokyo on Monday, officials said."
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "text": text, "date": "Tue, 09 Jul 2024 10:00 GMT"}) + "\n")
    (tmp_path / "page.txt").write_text("Kenya and Tanzania sign a border trade pact\n\nJuly 9, 2024\n\nThe trade "
                                       "ministers of Kenya and Tanzania signed an agreement in Arusha on Monday.\n")
    [out] = jsonl(tidings("annotate", tmp_path / "in.jsonl").stdout)
    assert out["published"] == "2024-07-09"
    assert [t["value"] for t in out["times"] if t["text"] == "Monday"] == ["2024-07-08"]
    db = tmp_path / "t.duckdb"
    tidings("add", "--db", db, tmp_path / "in.jsonl", tmp_path / "page.txt")
    arts = jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout)
    assert sorted(a["published"] for a in arts) == ["2024-07-09", "2024-07-09"]
    with duckdb.connect(str(db), read_only=True) as con:
        mondays = con.execute("SELECT DISTINCT value FROM annotations WHERE layer = 'time' AND text = 'Monday'")
        assert mondays.fetchall() == [("2024-07-08",)]


def test_export_gdelt_loads_with_61_columns(tmp_path):
    db = tmp_path / "t.duckdb"
    tidings("add", "--db", db, ROOT / "examples")
    tidings("export", "--db", db, "--format", "gdelt", tmp_path / "events.csv")
    tidings("export", "--db", db, "--format", "parquet", tmp_path / "pq")
    con = duckdb.connect()
    rel = con.execute(f"SELECT * FROM read_csv('{tmp_path}/events.csv', delim='\\t', header=false, all_varchar=true)")
    assert len(rel.description) == 61
    n_events = len(jsonl(tidings("events", "--db", db, "--format", "jsonl").stdout))
    assert n_events > 0 and len(rel.fetchall()) == n_events
    n_articles = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/pq/articles/*/*.parquet')").fetchone()[0]
    assert n_articles == len(jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout))


def test_every_command_explains_itself():
    for cmd in ("add", "articles", "stories", "events", "show", "explain", "stats", "export", "annotate", "cluster"):
        text = tidings(cmd, "--help").stdout
        assert "Example" in text, cmd


def test_help_paragraphs_are_reflowed_not_broken_where_the_source_wraps():
    """A docstring wrapped at 88 columns in the source must not keep those breaks: in a
    wide terminal the lines of a paragraph of `add --help` run on."""
    import os

    proc = subprocess.run([sys.executable, "-m", "tidings", "add", "--help"], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, env={**os.environ, "COLUMNS": "400"})
    lines = [line.strip(" │") for line in proc.stdout.splitlines()]
    assert any(line.startswith("Reads .txt") and "folders recursively. Articles already" in line for line in lines), \
        proc.stdout[:1500]


# A developing story in a headline feed and two full reports (texts written for this test).
THREAD_INPUT = [
    {"id": "w1", "url": "https://wire.example/1", "date": "2024-10-01", "title": "Gdansk shipyard workers strike over pay",
     "text": "Workers at the Gdansk shipyard in Poland went on strike on Tuesday over pay, halting work on two "
             "ferries, the Solidarity union said."},
    {"id": "h1", "url": "https://headlines.example/1", "date": "2024-10-01",
     "title": "VIDEO: Gdansk shipyard workers walk out over pay", "text": ""},
    {"id": "p1", "url": "https://post.example/1", "date": "2024-10-01", "title": "Strike stops work at Gdansk shipyard",
     "text": "A strike by shipyard workers in Gdansk stopped work on two ferries on Tuesday, as the Solidarity "
             "union demanded a 15 percent pay rise."},
    {"id": "w2", "url": "https://wire.example/2", "date": "2024-10-09", "title": "Gdansk shipyard strike ends with pay deal",
     "text": "Workers at the Gdansk shipyard returned to work on Wednesday after Solidarity and management agreed "
             "a 9 percent pay rise, ending an eight-day strike that delayed two ferries."},
    {"id": "x1", "url": "https://post.example/2", "date": "2024-10-01", "title": "Wildfire burns forest near Faro",
     "text": "A wildfire burned through pine forest near Faro in southern Portugal on Tuesday, and firefighters "
             "evacuated two villages, the civil protection agency said."},
]


def test_cluster_prints_story_and_thread_and_takes_headlines(tmp_path):
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in THREAD_INPUT))
    out = {r["id"]: r for r in jsonl(tidings("cluster", tmp_path / "in.jsonl").stdout)}
    assert set(out) == {"w1", "h1", "p1", "w2", "x1"}
    assert out["w1"]["story"] == out["h1"]["story"] == out["p1"]["story"]  # the headline joins its story
    assert out["w2"]["story"] != out["w1"]["story"]                        # a week later: a new event ...
    assert out["w2"]["thread"] == out["w1"]["thread"]                      # ... of the same thread
    assert out["x1"]["thread"] != out["w1"]["thread"]
    no_extra = tidings("cluster", tmp_path / "in.jsonl", "--embeddings", check=False)
    from tidings.stories import embed

    if not embed.available():  # asking for what is not installed is a one-line error
        assert no_extra.returncode == 2 and "pip install 'tidings[embeddings]'" in no_extra.stderr
        assert "Traceback" not in no_extra.stderr


def test_stories_by_level_and_show_of_a_thread(tmp_path):
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in THREAD_INPUT))
    db = tmp_path / "t.duckdb"
    tidings("add", "--db", db, tmp_path / "in.jsonl")
    events = jsonl(tidings("stories", "--db", db, "--format", "jsonl").stdout)
    threads = jsonl(tidings("stories", "--db", db, "--level", "thread", "--format", "jsonl").stdout)
    assert len(events) == 3 and len(threads) == 2
    strike = next(t for t in threads if len(t["stories"]) == 2)
    assert len(strike["articles"]) == 4 and strike["first_seen"] == "2024-10-01" and strike["last_seen"] == "2024-10-09"
    assert {s["thread"] for s in events if s["id"] in strike["stories"]} == {strike["id"]}
    shown = json.loads(tidings("show", strike["id"], "--db", db, "--format", "jsonl").stdout)
    assert [s["id"] for s in shown["stories"]] == strike["stories"]
    table = tidings("show", strike["id"], "--db", db).stdout
    assert "thread" in table and "Gdansk" in table
    arts = jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout)
    headline = next(a for a in arts if a["url"] == "https://headlines.example/1")
    assert headline["text"] == headline["title"] == "VIDEO: Gdansk shipyard workers walk out over pay"
    missing = tidings("show", "nothing", "--db", db, check=False)
    assert missing.returncode == 2 and "no story or thread nothing" in missing.stderr
