"""CLI values (issue 10, item 10): every listing checks what it is given, in Typer's own error style."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from tidings.records import Event, Place
from tidings.store import Store

MINSK = Place(0, 5, "Minsk", 625144, "Minsk", "BY", 53.9, 27.57, "city")


def run(*args):
    return subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "c.duckdb"
    with Store(path) as store:
        store.replace_events(["s1"], [
            Event(id=f"{n}{'0' * 14}{n}", story="s1", source="CHNMIL", target="BLRMIL", code="042", plover=None,
                  goldstein=1.9, quad_class=1, date=f"2024-07-0{n}", date_end=None, place=MINSK, attributed_to=None,
                  negated=False, modality="asserted", outlets=1, outlet_names=["Xinhua"]) for n in (1, 2, 3)])
    return path


@pytest.mark.parametrize("args, option", [
    (("events", "--limit", "-1"), "--limit"),
    (("events", "--limit", "0"), "--limit"),
    (("stories", "--limit", "0"), "--limit"),
    (("articles", "--limit", "0"), "--limit"),
    (("events", "--since", "not-a-date"), "--since"),
    (("events", "--until", "2024-13-01"), "--until"),
    (("events", "--quad", "7"), "--quad"),
    (("events", "--country", "Atlantis"), "--country"),
    (("events", "--code", "abc"), "--code"),
    (("stories", "--actor", "CHN'--"), "--actor"),
    (("events", "--sort", "sideways"), "--sort"),
    (("articles", "--story", ""), "--story"),
    (("show", ""), "STORY_ID"),
    (("explain", ""), "EVENT_ID"),
])
def test_bad_values_are_refused_naming_the_option(db, args, option):
    proc = run(*args, "--db", db)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Invalid value for" in proc.stderr and option in proc.stderr
    assert proc.stdout == ""          # nothing listed: not every article, not an arbitrary event


def test_good_values_list_what_they_say(db):
    rows = [json.loads(x) for x in run("events", "--db", db, "--limit", "2", "--format", "jsonl").stdout.splitlines()]
    assert [r["date"] for r in rows] == ["2024-07-03", "2024-07-02"]          # newest first, at most 2
    rows = [json.loads(x) for x in run("events", "--db", db, "--since", "2024-07-02", "--sort", "oldest",
                                       "--country", "Belarus", "--format", "jsonl").stdout.splitlines()]
    assert [r["date"] for r in rows] == ["2024-07-02", "2024-07-03"]
    proc = run("explain", "1000", "--db", db)                                # a unique prefix
    assert proc.returncode == 0 and "event 1000000000000001:" in proc.stdout.replace("\n", " ")
    missing = run("explain", "ffff", "--db", db)
    assert missing.returncode == 2 and "no event ffff" in missing.stderr
