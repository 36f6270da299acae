"""What a user sees when something goes wrong: one line per problem, never a traceback
(unless --debug), documented exit statuses, and the rest of the work done."""
import json
import os
import subprocess
import sys

import duckdb

from conftest import ROOT

GOOD = ("Kenya and Tanzania sign a border trade pact\n\nThe trade ministers of Kenya and Tanzania signed an "
        "agreement in Arusha on Friday to cut fees at three border posts, officials said.\n")


def tidings(*args, input=None, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "tidings", *map(os.fsdecode, map(os.fspath, args))],
                          capture_output=True, text=True, input=input, cwd=cwd, timeout=600)


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(tmp_path):
    """A database some other tool wrote, with an `articles` table of another shape: the
    first write fails in a way nobody planned for."""
    db = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        con.execute("CREATE TABLE articles (id VARCHAR, body VARCHAR)")
    (tmp_path / "good.txt").write_text(GOOD)
    proc = tidings("add", "--db", db, tmp_path / "good.txt")
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    [line] = [x for x in proc.stderr.splitlines() if x.startswith("error:")]
    assert line.startswith("error: tidings add failed: unexpected error (")
    assert "tidings --debug add" in line
    debug = tidings("--debug", "add", "--db", db, tmp_path / "good.txt")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_names_with_markup_brackets_and_bad_bytes_are_printed_as_they_are(tmp_path):
    folder = tmp_path / "[" / "b]"          # the path holds "[/b]", a closing tag to Rich
    folder.mkdir(parents=True)
    (folder / "[bold]x.txt").write_text("")
    (folder / "[red]good.txt").write_text(GOOD)
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "w") as f:
        f.write(GOOD.replace("Friday", "Thursday"))
    db = tmp_path / "t.duckdb"
    proc = tidings("add", "--db", db, folder)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert f"skipped: {folder}/[bold]x.txt: empty file" in proc.stderr.splitlines()
    urls = sorted(a["url"] for a in jsonl(tidings("articles", "--db", db, "--format", "jsonl").stdout))
    assert urls == [f"{folder}/[red]good.txt", f"{folder}/caf\\xe9.txt"]


def test_annotate_reports_unreadable_lines_in_place_and_exits_by_the_contract(tmp_path):
    lines = [json.dumps({"id": "a", "text": "The foreign ministers of Japan and India met in Tokyo on Monday."}),
             "[" * 50000,
             json.dumps({"id": "junk", "text": "\x00\x01\x02" * 100}),
             json.dumps({"id": "c", "text": "Kenya and Uganda signed a trade pact in Kampala on Friday."})]
    proc = tidings("annotate", "-", input="\n".join(lines) + "\n")
    out = jsonl(proc.stdout)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert [o["id"] for o in out] == ["a", None, "junk", "c"]
    assert out[1]["error"] == "<stdin>:line 2: JSON nested too deeply"
    assert out[2]["error"].startswith("<stdin>:line 3: junk text")
    only_bad = tidings("annotate", "-", input="[" * 50000 + "\n")
    assert only_bad.returncode == 1 and jsonl(only_bad.stdout) == [{"id": None, "error": "<stdin>:line 1: JSON nested too deeply"}]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    nothing = tidings("annotate", empty)
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert nothing.stderr.strip() == f"skipped: {empty}: no records, only blank lines"


def test_add_exit_status_when_nothing_could_be_read(tmp_path):
    (tmp_path / "blank.jsonl").write_text("\n \n")
    proc = tidings("add", "--db", tmp_path / "t.duckdb", tmp_path / "blank.jsonl")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"skipped: {tmp_path}/blank.jsonl: no records, only blank lines" in proc.stderr.splitlines()


def test_option_values_are_checked_never_a_traceback(tmp_path):
    """Issue 10 item 10 (checked by the query layer) and more hostile values: every one
    is a usage error (exit 2) or a listing (exit 0), and the database is unchanged."""
    db = tmp_path / "t.duckdb"
    assert tidings("add", "--db", db, ROOT / "examples").returncode == 0
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    hostile = ["-1", "0", "", "abc", "99999999999999999999", "2024-13-45", "'; DROP TABLE articles; --", "%",
               "\u202e\u0635", "[/red]"]
    runs = [("events", "--limit"), ("events", "--since"), ("events", "--until"), ("events", "--actor"),
            ("events", "--code"), ("events", "--quad"), ("events", "--place"), ("events", "--story"),
            ("stories", "--limit"), ("articles", "--limit"), ("articles", "--story")]
    for value in hostile:
        for command, option in runs:
            proc = tidings(command, "--db", db, option, value, "--format", "jsonl")
            assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, (command, option, value, proc.stderr)
        for command in ("show", "explain"):
            proc = tidings(command, value, "--db", db)
            assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr, (command, value, proc.stderr)
    for args in (["events", "--limit", "-1"], ["events", "--limit", "0"], ["show", ""], ["explain", ""],
                 ["events", "--since", "not-a-date"], ["stories", "--limit", "99999999999999999999"]):
        assert tidings(*args, "--db", db).returncode == 2, args
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before
