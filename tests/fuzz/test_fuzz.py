"""A thousand hostile inputs through one `tidings add` run (issue 10, "tested, not hoped").

What must hold for every run, whatever the seed (TIDINGS_FUZZ_SEED picks another one):
- no traceback, and exit status 0 (something was stored; docs/limits.md);
- no hang (the run is given a deadline) and no process above MEMORY_CEILING_MB of
  resident memory, measured by the kernel for that process (its VmHWM, peak_memory.py);
- every line on stderr names its input, and every input that yields nothing is named;
- every good file (and every good record beside a bad one) is stored;
- a second run over the same inputs changes nothing.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, dump_db
from fuzz_inputs import build, example_bases, mutate
from peak_memory import RUN_AND_REPORT_PEAK

SEED = int(os.environ.get("TIDINGS_FUZZ_SEED", "1010"))
MEMORY_CEILING_MB = 2048
DEADLINE_S = 1800


def run_measured(args: list[str], stdin: bytes | None = None, deadline: float = DEADLINE_S):
    """Run `python -m tidings ARGS`; (exit status, stdout, stderr, peak RSS in MB, the
    process's own VmHWM). A run past its deadline is killed and fails the test as a hang."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp, \
            tempfile.NamedTemporaryFile("r") as peak_file:
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        proc = subprocess.Popen([sys.executable, "-c", RUN_AND_REPORT_PEAK, peak_file.name, "tidings", *args],
                                stdin=inp, stdout=out, stderr=err, cwd=ROOT)
        started = time.monotonic()
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"tidings {' '.join(args[:2])} hung for {deadline} s (seed {SEED})")
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = float(peak_file.read() or "inf")
        return proc.returncode, out.read().decode(), err.read().decode(), peak


def skipped_lines(stderr: str) -> list[str]:
    return [line[len("skipped: "):] for line in stderr.splitlines() if line.startswith("skipped: ")]


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "inputs"
    folder.mkdir()
    manifest = build(folder, SEED)
    db = folder.parent / "fuzz.duckdb"
    code, out, err, peak = run_measured(["add", "--db", str(db), *inputs_of(folder, manifest)])
    return folder, manifest, db, code, err, peak


def inputs_of(folder, manifest) -> list[str]:
    """The folder, and its .json files by name (a folder walk passes plain .json over)."""
    return [str(folder), *sorted(os.fsdecode(i.raw) for i in manifest if i.raw.endswith(b".json"))]


def test_fuzz_builds_a_thousand_inputs_of_every_kind(fuzz_run):
    _, manifest, *_ = fuzz_run
    assert len(manifest) >= 1000
    kinds = {i.kind for i in manifest}
    for kind in ("long text", "non-UTF-8 name", "FIFO", "deep JSON", "broken WARC record", "corrupt gzip member",
                 "JSON line over the limit", "compression bomb", "junk text", "unexpanded entity", "nothing in it"):
        assert kind in kinds
    assert {k.split(" ", 1)[1] for k in kinds if k.startswith("mutated ")} >= {
        "txt", "html", "rss", "jsonl", "json", "warc", "warc.gz", "txt.gz", "html.gz", "rss.gz", "jsonl.gz"}


def test_fuzz_no_traceback_no_hang_memory_below_the_ceiling(fuzz_run):
    _, _, _, code, err, peak = fuzz_run
    assert "Traceback" not in err, err[-3000:]
    assert code == 0, err[-3000:]
    assert peak < MEMORY_CEILING_MB, f"peak RSS {peak:.0f} MB (seed {SEED})"
    print(f"fuzz seed {SEED}: peak RSS {peak:.0f} MB")


def test_fuzz_every_failure_names_its_input_and_every_good_input_is_stored(fuzz_run):
    folder, manifest, db, _, err, _ = fuzz_run
    lines = skipped_lines(err)
    root = os.fsdecode(folder).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    for line in lines:
        assert line.startswith(root + "/") or line.startswith("https://"), line
        assert "\n" not in line
    with duckdb.connect(str(db), read_only=True) as con:
        sources = [s for (s,) in con.execute("SELECT source FROM article_sources").fetchall()]
    by_file: dict[str, list[str]] = {}
    for s in sources:
        if s.startswith(root + "/"):
            by_file.setdefault(s.split(":line ")[0].split(":record ")[0], []).append(s)
    urls = [s for s in sources if s.startswith("https://")]
    failures = []
    for item in manifest:
        named = any(line.startswith(item.path + ":") for line in lines)
        stored = item.path in by_file
        if not stored and urls and item.path.endswith((".warc", ".warc.gz", ".rss", ".atom", ".xml", ".rss.gz")):
            data = _bytes_of(item.raw)
            stored = data is not None and any(u.encode() in data for u in urls)
        ok = {"stored": stored and not named, "named": named and not stored, "partly": named and stored,
              "either": named or stored}[item.expect]
        if not ok:
            failures.append(f"{item.kind} {item.path}: expected {item.expect}, named={named} stored={stored}")
    assert not failures, f"seed {SEED}:\n" + "\n".join(failures[:30])


def _bytes_of(path: bytes) -> bytes | None:
    """A file's bytes, gunzipped if it is gzip (as far as it goes)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if data[:2] == b"\x1f\x8b":
        import zlib
        try:
            data = zlib.decompressobj(wbits=47).decompress(data, 64 * 1024 * 1024)
        except zlib.error:
            pass
    return data


def test_fuzz_rerun_changes_nothing(fuzz_run):
    folder, manifest, db, *_ = fuzz_run
    before = dump_db(db)
    code, _, err, peak = run_measured(["add", "--db", str(db), *inputs_of(folder, manifest)])
    assert code == 0 and "Traceback" not in err
    assert peak < MEMORY_CEILING_MB
    assert dump_db(db) == before


def test_fuzz_annotate_keeps_one_line_per_input_line():
    rng = random.Random(SEED)
    wire = example_bases()["wire.jsonl"]
    lines = [line for _ in range(12) for line in mutate(wire, rng).split(b"\n")]
    lines += [b"[" * 50000, b'{"id": "s", "text": "Talks in Oslo \\udc80 ended."}', b'{"id": 5, "text": 5}',
              b'{"id": "n", "text": null, "html": null}', b'{"id": "t", "text": "x", "title": {"a": 1}}',
              b'{"id": "d", "text": "Talks ended in Oslo on Monday.", "date": "99999-99-99"}',
              json.dumps({"id": "ctl", "text": "\x00\x01" * 200}).encode(), b"\xff\xfe\x00junk", b"null", b"[]"]
    rng.shuffle(lines)
    code, out, err, peak = run_measured(["annotate", "-"], stdin=b"\n".join(lines) + b"\n", deadline=900)
    assert "Traceback" not in err and code == 0, err[-3000:]
    assert peak < MEMORY_CEILING_MB
    out_lines = out.splitlines()
    assert len(out_lines) == sum(1 for line in lines if line.strip())
    for line in out_lines:
        record = json.loads(line)
        assert "error" in record or "text" in record
    errors = [json.loads(line)["error"] for line in out_lines if "error" in json.loads(line)]
    assert errors and all(e.startswith("<stdin>:line ") for e in errors)
