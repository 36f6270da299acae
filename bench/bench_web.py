"""Latency of the web page and the JSON API over a database of 100,000+ events.

    .venv/bin/python bench/bench_web.py [--events 100000] [--requests 2000] [--clients 8] [--rebuild]

The database: the articles of examples/ annotated, coded, clustered, fused and stored once
by the real pipeline and the store's own write path (`process.add_articles`), then copied
in bulk within the store until it holds `--events` fused events: every copy with new ids
(derived from the old ones) and its dates shifted by one more day (so the copies spread
over years, a story a day per original story). It is kept in bench/results/ (git-ignored)
and rebuilt with --rebuild or when the asked size changes.

The load: `tidings serve` in its own process on 127.0.0.1, and `--clients` threads sending
`--requests` requests in all (each with one kept-alive connection, bounded by count and by
`--timeout` seconds), spread evenly over the home page, a filtered event query, a story
page, the map data and the timeline data (plus the network and the events page). Prints
p50 and p95 per endpoint and the errors (goal: p95 < 100 ms, 0 errors), and, as the
baseline measured in the same run, the same load on the examples database alone
(45 events): the ratio says what 100,000 events cost over 45.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


# A date moved by k days (anything after the day, a time, kept); coarser dates stay as they are.
SHIFT = ("CREATE TEMP MACRO shift(d, k) AS CASE WHEN regexp_matches(d, '^[0-9]{4}-[0-9]{2}-[0-9]{2}') "
         "THEN strftime(CAST(left(d, 10) AS DATE) + CAST(k AS INTEGER), '%Y-%m-%d') || substr(d, 11) ELSE d END")
NEW_ID = "left(md5({col} || ':' || k), 16)"   # a new id per copy, derived like the store's own (hex, 16)


def build(path: Path, events_wanted: int) -> dict:
    """examples/ through the real pipeline and the store's write path, then copied in bulk with new ids
    and dates shifted by a day per copy (the per-row write path takes ~0.4 s an article on this machine:
    100,000 events that way would take hours)."""
    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store(path) as store:
        add_articles(store, read_paths([str(ROOT / "examples")], print))
        per_copy = store.stats()["events"]
        copies = -(-events_wanted // per_copy)
        con = store.con
        con.execute("SET enable_progress_bar = false")
        con.execute(SHIFT)
        con.execute("CREATE TEMP TABLE copies AS SELECT range AS k FROM range(1, ?)", [copies])
        a, st = NEW_ID.format(col="a.id"), NEW_ID.format(col="a.story")
        con.execute("BEGIN TRANSACTION")
        con.execute(
            f"INSERT INTO articles SELECT {a}, a.url, a.outlet, a.title, shift(a.published, k), a.text, a.lang, "
            f"a.author, a.external_id, CASE WHEN a.duplicate_of IS NULL THEN NULL ELSE "
            f"{NEW_ID.format(col='a.duplicate_of')} END, {st}, NULL, a.seq + k * 100000, "
            f"{NEW_ID.format(col='a.thread')}, a.opinion "
            "FROM articles a, copies")
        con.execute(f"INSERT INTO article_sources SELECT {NEW_ID.format(col='s.article')}, s.source || '#' || k "
                    "FROM article_sources s, copies")
        con.execute(f"INSERT INTO annotations SELECT {NEW_ID.format(col='n.article')}, n.layer, n.idx, n.start_char, "
                    "n.end_char, n.text, n.code, n.value, n.data FROM annotations n, copies")
        con.execute(f"INSERT INTO event_mentions SELECT {NEW_ID.format(col='m.id')}, "
                    f"{NEW_ID.format(col='m.article')}, {NEW_ID.format(col='m.story')}, m.start_char, m.end_char, "
                    "m.source, m.target, m.code, shift(m.date, k), shift(m.date_end, k), m.outlet, m.attributed_to, "
                    "m.data FROM event_mentions m, copies")
        e_id, e_story = NEW_ID.format(col="e.id"), NEW_ID.format(col="e.story")
        # the record in `data` gets the same id, story and dates (a JSON null would delete a key: dates
        # that are null stay as they are)
        patched = f"json_merge_patch(e.data, json_object('id', {e_id}, 'story', {e_story}))"
        for field in ("date", "date_end", "first_seen"):
            patched = (f"CASE WHEN e.{field} IS NULL THEN {patched} "
                       f"ELSE json_merge_patch({patched}, json_object('{field}', shift(e.{field}, k))) END")
        con.execute(
            f"INSERT INTO events SELECT {e_id}, {e_story}, e.source, e.target, e.code, e.root, e.plover, e.goldstein, "
            "e.quad_class, shift(e.date, k), shift(e.date_end, k), e.place_name, e.place_geonameid, e.place_country, "
            "e.place_lat, e.place_lon, e.attributed_to, e.negated, e.modality, e.outlets, e.n_mentions, e.syndicated, "
            f"shift(e.first_seen, k), {patched}, e.outlet_keys FROM events e, copies")
        con.execute("COMMIT")
        counts = store.stats()
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s ({copies} copies of examples/): {counts}",
          file=sys.stderr)
    return counts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`tidings serve` in its own process, stopped at the end."""

    def __init__(self, db: Path):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "tidings", "serve", "--db", str(db), "--port",
                                      str(self.port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("tidings serve did not start: " + self.proc.stderr.read().decode()[-500:])
                time.sleep(0.2)

    def get(self, path: str) -> tuple[int, bytes]:
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            con.request("GET", path)
            r = con.getresponse()
            return r.status, r.read()
        finally:
            con.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def endpoints(server: Server, rng: random.Random) -> dict[str, list[str]]:
    """The URLs each endpoint is asked with (several, so that no single answer is cached anywhere)."""
    _, body = server.get("/api/stories?per_page=500")
    stories = [s["id"] for s in json.loads(body)["items"]]
    _, body = server.get("/api/actors?per_page=20")
    actors = [a["code"] for a in json.loads(body)["items"]] or ["EGY"]
    _, body = server.get("/api/timeline")
    days = [d["day"] for d in json.loads(body)["days"]] or ["2025-03-04"]
    span = lambda: sorted(rng.sample(days, 2)) if len(days) > 1 else [days[0], days[0]]  # noqa: E731
    filtered = []
    for _ in range(40):
        since, until = span()
        filtered.append(f"/api/events?actor={rng.choice(actors)}&since={since}&until={until}&quad={rng.randint(1, 4)}")
    return {
        "home page": ["/", "/?page=2", "/?sort=oldest", f"/?actor={actors[0]}"],
        "filtered events": filtered,
        "story page": [f"/stories/{s}" for s in rng.sample(stories, min(40, len(stories)))],
        "map data": ["/api/map", f"/api/map?actor={actors[0]}", f"/api/map?root=04"],
        "timeline data": ["/api/timeline", f"/api/timeline?actor={actors[1 % len(actors)]}", "/api/timeline?quad=4"],
        "network data": ["/api/network", "/api/network?root=04"],
        "events page": ["/events", "/events?page=3", f"/events?country=EG"],
    }


def load(server: Server, urls: dict[str, list[str]], requests: int, clients: int, timeout: float) -> dict:
    """`requests` GETs from `clients` threads with kept-alive connections: latencies and errors per endpoint."""
    names = list(urls)
    plan = []
    for i in range(requests):   # round robin over the endpoints, and over each endpoint's URLs
        name = names[i % len(names)]
        plan.append((name, urls[name][(i // len(names)) % len(urls[name])]))
    lock = threading.Lock()
    results: dict[str, list[float]] = {name: [] for name in urls}
    errors: dict[str, list[str]] = {name: [] for name in urls}
    deadline = time.monotonic() + timeout

    def client(mine: list[tuple[str, str]]) -> None:
        con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for name, url in mine:
            if time.monotonic() > deadline:
                with lock:
                    errors[name].append("timed out")
                continue
            start = time.perf_counter()
            try:
                con.request("GET", url)
                r = con.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                con.close()
                con = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                status = repr(e)
            took = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200:
                    results[name].append(took)
                else:
                    errors[name].append(f"{status} {url}")
        con.close()

    threads = [threading.Thread(target=client, args=(plan[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 60)
    wall = time.perf_counter() - started
    out = {}
    for name in urls:
        xs = sorted(results[name])
        out[name] = {"n": len(xs), "errors": len(errors[name]), "first_errors": errors[name][:3],
                     "p50": statistics.median(xs) if xs else None,
                     "p95": xs[min(len(xs) - 1, int(0.95 * len(xs)))] if xs else None}
    out["_"] = {"wall_s": wall, "rps": requests / wall}
    return out


def run(db: Path, requests: int, clients: int, timeout: float, seed: int) -> dict:
    server = Server(db)
    try:
        urls = endpoints(server, random.Random(seed))
        for name, some in urls.items():  # warm up: the first request opens the file, imports, reads the shapes
            for url in some[:2]:
                status, _ = server.get(url)
                assert status == 200, (name, url, status)
        return load(server, urls, requests, clients, timeout)
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=600, help="seconds the load may take at most")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    big = RESULTS / f"web-{args.events}.duckdb"
    if args.rebuild or not big.exists():
        build(big, args.events)
    small = RESULTS / "web-examples.duckdb"
    if args.rebuild or not small.exists():
        build(small, 1)
    from tidings.store import Store

    with Store(big, read_only=True) as s:
        counts = s.stats()
    print(f"database: {counts['events']:,} events, {counts['articles']:,} articles, {counts['stories']:,} stories")
    print(f"load: {args.requests} requests from {args.clients} clients on 127.0.0.1, per database")
    baseline = run(small, args.requests, args.clients, args.timeout, args.seed)
    measured = run(big, args.requests, args.clients, args.timeout, args.seed)
    print(f"{'endpoint':<18}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}   {'45 events: p50':>15}{'p95':>7}"
          f"{'p95 ratio':>11}")
    worst = 0.0
    total_errors = 0
    for name in measured:
        if name == "_":
            continue
        m, b = measured[name], baseline[name]
        total_errors += m["errors"] + b["errors"]
        worst = max(worst, m["p95"] or float("inf"))
        ratio = (m["p95"] / b["p95"]) if m["p95"] and b["p95"] else float("nan")
        print(f"{name:<18}{m['p50']:>9.1f}{m['p95']:>9.1f}{m['errors']:>8}   {b['p50']:>15.1f}{b['p95']:>7.1f}"
              f"{ratio:>10.1f}x")
        for e in m["first_errors"] + b["first_errors"]:
            print(f"    error: {e}")
    print(f"throughput: {measured['_']['rps']:.0f} requests/s ({baseline['_']['rps']:.0f} on 45 events)")
    print(f"worst p95 {worst:.1f} ms (goal < 100), errors {total_errors} (goal 0)")
    if total_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
