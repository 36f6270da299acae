"""`tidings watch` and `tidings feeds` as a user runs them: subprocesses, signals, real
feeds on 127.0.0.1. The subprocesses carry the network guard (tests/netguard_site): any
reach outside 127.0.0.0/8 is refused and fails the test."""
import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from conftest import ROOT
from netguard import NETGUARD_SITE
from localweb import STORIES, Answer, Item, article_page, net_guard, page_hits, rss, site  # noqa: F401 - fixtures

TESTS = ROOT / "tests"


@pytest.fixture
def env(tmp_path):
    refused = tmp_path / "refused.log"
    environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    environ["PYTHONPATH"] = os.pathsep.join([str(NETGUARD_SITE), str(TESTS)])
    environ["TIDINGS_TEST_NETGUARD_LOG"] = str(refused)
    environ["COLUMNS"] = "200"
    yield environ
    assert not refused.exists() or refused.read_text() == "", f"reached outside 127.0.0.0/8: {refused.read_text()}"


def tidings_cmd(*args):
    return [sys.executable, "-m", "tidings", *map(str, args)]


def run(env, *args):
    return subprocess.run(tidings_cmd(*args), capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def publish_all(site, n, delay=0.0):
    items = []
    for i in range(n):
        title, paragraphs = STORIES[i]
        site.route(f"/news/{i}", Answer(body=article_page(title, paragraphs), delay=delay))
        items.append(Item(title=title, link=site.url(f"/news/{i}"), summary=paragraphs[0],
                          published=1720000000.0 + i * 3600))
    site.route("/feed.xml", Answer(body=rss(items), content_type="application/rss+xml", etag='"v1"'))
    return site.url("/feed.xml")


def count(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def wait_for(condition, seconds, proc):
    """Poll a condition (bounded); False when time runs out or the process ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if condition():
            return True
        time.sleep(0.05)
    return False


class Watching:
    """`tidings watch` running in the background, its stderr in a file; killed if a test
    leaves it running."""

    def __init__(self, env, tmp_path, *args):
        self.stderr_path = tmp_path / "stderr.txt"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(tidings_cmd("watch", *args), stdout=subprocess.DEVNULL, stderr=self.stderr,
                                     env=env, cwd=ROOT)

    def log(self):
        return self.stderr_path.read_text()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.stderr.close()


def test_sigterm_mid_run_commits_what_was_fetched_and_a_rerun_completes(site, env, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# test feeds\n{publish_all(site, 10, delay=0.3)}\n")
    db = tmp_path / "news.duckdb"
    with Watching(env, tmp_path, "--db", db, feeds, "--once", "--delay", "0", "--timeout", "2") as w:
        assert wait_for(lambda: len(page_hits(site)) >= 3, 120, w.proc), "the watcher never fetched 3 pages"
        w.proc.send_signal(signal.SIGTERM)
        assert w.proc.wait(timeout=120) == 0
    log = w.log()
    assert "stopped on SIGTERM" in log and "Traceback" not in log
    fetched = page_hits(site)
    stored = count(db, "SELECT count(*) FROM articles")
    assert 3 <= len(fetched) < 10 and stored == len(fetched)  # the page in flight was finished and kept
    assert count(db, "SELECT count(*) FROM watch_entries WHERE state = 'page'") == stored
    assert count(db, "SELECT count(*) FROM watch_entries WHERE state = 'pending'") == 10 - stored

    again = run(env, "watch", "--db", db, feeds, "--once", "--delay", "0", "--timeout", "2")
    assert again.returncode == 0, again.stderr
    assert "poll 1: 1 feeds (1 unchanged, 0 failed), 0 new entries" in again.stderr
    assert count(db, "SELECT count(*) FROM articles") == 10
    assert page_hits(site) == sorted(f"/news/{i}" for i in range(10))  # every page exactly once
    listed = [json.loads(line) for line in run(env, "feeds", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert [(f["url"], f["last_status"], f["pages"], f["pending"]) for f in listed] == \
        [(site.url("/feed.xml"), 304, 10, 0)]


def test_watch_loop_leaves_the_database_free_between_polls_and_stops_on_ctrl_c(site, env, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{publish_all(site, 1)}\nftp://nowhere.example/feed\n")
    db = tmp_path / "news.duckdb"
    with Watching(env, tmp_path, "--db", db, feeds, "--every", "10m", "--delay", "0") as w:
        assert wait_for(lambda: "poll 1:" in w.log(), 120, w.proc)
        listed = run(env, "feeds", "--db", db, "--format", "jsonl")  # the watcher sleeps: the file is free
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout)["pages"] == 1
        started = time.monotonic()
        w.proc.send_signal(signal.SIGINT)
        assert w.proc.wait(timeout=30) == 0
        assert time.monotonic() - started < 10
    log = w.log()
    assert f"skipped: {feeds}:line 2: not an http(s) URL (ftp://nowhere.example/feed)" in log
    assert "poll 1: 1 feeds (0 unchanged, 0 failed), 1 new entries, 1 articles (1 from pages, 0 from feed text), " \
        "1 added, 0 page errors" in log
    assert "stopped on SIGINT" in log and "Traceback" not in log


def test_watch_input_errors(env, tmp_path):
    missing = run(env, "watch", "--db", tmp_path / "x.duckdb", tmp_path / "nope.txt", "--once")
    assert missing.returncode == 2 and "nope.txt: cannot read the feed list" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    none = run(env, "watch", "--db", tmp_path / "x.duckdb", empty, "--once")
    assert none.returncode == 2 and "no feed URLs in the file" in none.stderr
    bad = run(env, "watch", "--db", tmp_path / "x.duckdb", empty, "--every", "soon")
    assert bad.returncode == 2 and "'soon' is not a duration" in bad.stderr
    markup = tmp_path / "[red]feeds[bold].txt"    # Rich markup in a user's string is printed as it is
    markup.write_text("[/b] not a feed address\n")
    odd = run(env, "watch", "--db", tmp_path / "x.duckdb", markup, "--once")
    assert odd.returncode == 2 and "[/b] not a feed address" in odd.stderr and "[red]feeds[bold].txt" in odd.stderr
    for proc in (missing, none, bad, odd):
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_the_guard_is_active_in_subprocesses(env, tmp_path):
    probe = subprocess.run([sys.executable, "-c", "import socket; socket.getaddrinfo('example.org', 80)"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert probe.returncode != 0 and "test network guard" in probe.stderr
    log = tmp_path / "refused.log"
    assert log.read_text() == "socket.getaddrinfo 'example.org'\n"
    log.unlink()  # refused as it should be: not a failure of this test
