"""Crash test: `tidings add` killed with SIGKILL at random points, then run to the end,
leaves the database an uninterrupted run leaves (docs/limits.md, "Crashes").

The input is streamed through stdin, so the test decides how far each run gets: every
killed run is given the stream from its start up to a random line beyond the last run's
(earlier lines are duplicates by then, so each run makes progress), and is killed a random
moment later, while it parses, annotates, clusters or commits. Then one run reads the
whole stream to the end.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import duckdb

from conftest import ROOT, dump_db

SEED = int(os.environ.get("TIDINGS_CRASH_SEED", "2024"))
KILLS = 5
CITIES = ["Mombasa", "Kisumu", "Arusha", "Entebbe", "Gulu", "Jinja", "Mwanza", "Dodoma", "Kigali", "Huye",
          "Goma", "Lusaka"]


def _lines() -> list[bytes]:
    """The bundled JSON Lines examples and three dozen short articles of their own, with a
    near copy, as JSON lines."""
    lines = [line for line in (ROOT / "examples" / "wire.jsonl").read_bytes().splitlines() if line.strip()]
    for n in range(36):
        city = CITIES[n % len(CITIES)]
        lines.append(json.dumps({
            "id": f"local-{n}", "date": "2025-03-0" + str(1 + n % 9),
            "text": f"The governor of {city} opened clinic number {n} on Monday, the regional health office said. "
                    f"Officials said {n + 40} nurses would work there and that the ministry of health in Nairobi "
                    f"would pay for medicines until next year."}).encode())
    copy = json.loads(lines[-1])
    copy.update(id="local-copy", text=copy["text"].replace("Monday", "Tuesday"))
    lines.append(json.dumps(copy).encode())
    return [line + b"\n" for line in lines]


def _add(db):
    return subprocess.Popen([sys.executable, "-m", "tidings", "add", "--db", str(db), "--batch-size", "2", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)


def _articles(db) -> int:
    """Articles in a database file, read from a copy (with its write-ahead log, as a
    killed run left it): what the next run will start from."""
    if not db.exists():
        return 0
    snapshot = db.with_name("snapshot.duckdb")
    for suffix in ("", ".wal"):
        src, dst = db.with_name(db.name + suffix), snapshot.with_name(snapshot.name + suffix)
        dst.unlink(missing_ok=True)
        if src.exists():
            shutil.copy(src, dst)
    with duckdb.connect(str(snapshot)) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        return con.execute("SELECT count(*) FROM articles").fetchone()[0] if "articles" in tables else 0


def _wait_for_progress(db, above: int, proc, timeout: float) -> None:
    """Until a copy of the database holds more than `above` articles (a commit of this run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if _articles(db) > above:
                return
        except duckdb.Error:        # a copy taken in the middle of a write: look again
            pass
        time.sleep(0.3)


def test_sigkill_at_random_points_then_resume_gives_the_uninterrupted_database(tmp_path):
    rng = random.Random(SEED)
    lines = _lines()
    whole, resumed = tmp_path / "whole.duckdb", tmp_path / "resumed.duckdb"
    started = time.monotonic()
    proc = _add(whole)
    _, err = proc.communicate(b"".join(lines), timeout=900)
    duration = time.monotonic() - started
    assert proc.returncode == 0 and b"Traceback" not in err, err.decode()[-2000:]
    total = _articles(whole)
    per_line = duration / len(lines)

    given, counts = 0, []
    for k in range(KILLS):
        before, given = given, rng.randint(given + 1, given + (len(lines) - given) // 2)
        proc = _add(resumed)
        proc.stdin.write(b"".join(lines[:given]))
        proc.stdin.flush()
        if k == 0:      # once while it starts (opening the database, loading the model)
            time.sleep(rng.uniform(0.0, 0.5) * duration)
        else:           # else a random moment after this run's first commit, while it works on
            _wait_for_progress(resumed, counts[-1], proc, timeout=600)
            time.sleep(rng.uniform(0.0, 1.0) * per_line * (given - before))
        assert proc.poll() is None      # still waiting for more of the stream: the kill lands mid-run
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL and b"Traceback" not in err
        counts.append(_articles(resumed))
    assert counts == sorted(counts), counts          # nothing committed is ever lost
    assert any(0 < c < total for c in counts), counts
    proc = _add(resumed)
    _, err = proc.communicate(b"".join(lines), timeout=900)
    assert proc.returncode == 0 and b"Traceback" not in err, err.decode()[-2000:]
    assert dump_db(resumed) == dump_db(whole)
    print(f"crash seed {SEED}: killed after {counts} of {total} articles")
