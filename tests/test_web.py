"""The web app over HTTP: a real uvicorn server on 127.0.0.1 over a database built by `tidings add`.

The JSON API speaks the fields of `--format jsonl`, refuses wrong parameters naming them,
escapes article text, sends a Content-Security-Policy, and keeps working (busy, then up to
date) while a real `tidings add` writes to the same file."""
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT
from web_support import HOSTILE_TITLE, example_db, free_port, get, get_json, serving, tidings

import tidings as tidings_pkg


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return example_db(tmp_path_factory)


@pytest.fixture(scope="module")
def base(db):
    with serving(db) as url:
        yield url


def test_api_speaks_the_cli_fields(db, base):
    status, stories = get_json(f"{base}/api/stories?per_page=100")
    assert status == 200
    cli = [json.loads(x) for x in tidings("stories", "--db", db, "--format", "jsonl").stdout.splitlines()]
    assert stories["items"] == cli and stories["total"] == len(cli)
    status, events = get_json(f"{base}/api/events?per_page=500&sort=oldest")
    cli = [json.loads(x) for x in tidings("events", "--db", db, "--format", "jsonl", "--sort", "oldest").stdout
           .splitlines()]
    assert [{k: e[k] for k in cli[0]} for e in events["items"]] == cli      # the same fields, names and values
    assert {"code_name", "source_label", "quad_name"} <= set(events["items"][0])  # and names for people
    story = stories["items"][0]["id"]
    status, detail = get_json(f"{base}/api/stories/{story}")
    shown = json.loads(tidings("show", story, "--db", db, "--format", "jsonl").stdout)
    assert status == 200 and detail == shown


def test_api_pages_and_filters(base):
    _, first = get_json(f"{base}/api/events?per_page=5")
    _, second = get_json(f"{base}/api/events?per_page=5&page=2")
    assert first["pages"] == -(-first["total"] // 5) and len(first["items"]) == 5
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in second["items"]}
    _, egypt = get_json(f"{base}/api/events?country=Egypt&per_page=100")
    assert egypt["total"] > 0 and all(e["place"]["country"] == "EG" for e in egypt["items"])
    assert egypt["filters"] == {"country": "EG"}
    _, mapped = get_json(f"{base}/api/map?country=EG")
    assert [c["numeric"] for c in mapped["countries"]] == ["818"]                  # Egypt's Natural Earth shape
    _, timeline = get_json(f"{base}/api/timeline")
    assert timeline["by_day"] == sum(d["events"] for d in timeline["days"])
    _, network = get_json(f"{base}/api/network?nodes=4")
    assert len(network["nodes"]) <= 4 and network["edges"]
    _, actors = get_json(f"{base}/api/actors?per_page=3")
    assert len(actors["items"]) == 3 and actors["items"][0]["events"] >= actors["items"][1]["events"]


@pytest.mark.parametrize("path, status, parameter", [
    ("/api/events?since=not-a-date", 400, "since"),
    ("/api/events?quad=9", 400, "quad"),
    ("/api/events?per_page=0", 422, "per_page"),
    ("/api/events?page=abc", 422, "page"),
    ("/api/stories?actr=CHN", 400, "actr"),
    ("/api/stories?sort=sideways", 400, "sort"),
    ("/api/network?nodes=1", 422, "nodes"),
    ("/api/map?country=Atlantis", 400, "country"),
    ("/api/events?actor=" + quote("CHN' OR 1=1 --"), 400, "actor"),
])
def test_bad_parameters_are_named(base, path, status, parameter):
    got, body = get_json(base + path)
    assert got == status
    assert body["error"]["parameter"] == parameter and parameter in body["error"]["message"]


def test_pages_answer_bad_parameters_and_unknown_ids_in_a_sentence(base):
    status, headers, body = get(f"{base}/events?since=yesterday")
    text = body.decode()
    assert status == 400 and "since" in text and "is not a date" in text and "Traceback" not in text
    for path in ("/stories/ffffffffffffffff", "/events/ffffffffffffffff", "/api/events/ffffffffffffffff",
                 "/no-such-page"):
        status, _, body = get(base + path)
        assert status == 404 and b"Traceback" not in body


def test_every_response_forbids_inline_scripts_and_other_origins(base):
    for path in ("/", "/map", "/api/stories", "/static/css/tidings.css", "/no-such-page", "/api/events?quad=9"):
        _, headers, _ = get(base + path)
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"


def test_hostile_article_text_is_escaped(base):
    _, stories = get_json(f"{base}/api/stories?q=Uganda")
    [story] = stories["items"]
    assert story["title"] == HOSTILE_TITLE                                     # stored and served as it was
    _, _, body = get(f"{base}/stories/{story['id']}")
    page = body.decode()
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page and "{{ 7*7 }}" in page
    assert "&lt;b&gt;Evil Outlet&lt;/b&gt;" in page
    assert "<script>window.__pwned" not in page and "<img src=x" not in page and "<iframe" not in page
    assert 'href="javascript:' not in page


def test_openapi_describes_every_endpoint(base):
    status, spec = get_json(f"{base}/api/openapi.json")
    assert status == 200
    paths = set(spec["paths"])
    assert {"/api/stories", "/api/stories/{story_id}", "/api/events", "/api/events/{event_id}", "/api/actors",
            "/api/map", "/api/timeline", "/api/network"} <= paths
    assert not any(not p.startswith("/api/") for p in paths)                 # the HTML pages are not API
    names = {p["name"] for p in spec["paths"]["/api/events"]["get"]["parameters"]}
    assert {"q", "since", "until", "actor", "country", "outlet", "root", "quad", "page", "per_page"} <= names


def test_static_assets_are_served_locally(base):
    for path in ("/static/vendor/d3/d3.min.js", "/static/vendor/topojson-client/topojson-client.min.js",
                 "/static/vendor/world-atlas/countries-50m.json", "/static/vendor/inter/inter-latin-400-normal.woff2",
                 "/static/js/common.js", "/static/css/tidings.css"):
        status, _, body = get(base + path)
        assert status == 200 and len(body) > 1000, path
    _, _, world = get(base + "/static/vendor/world-atlas/countries-50m.json")
    assert len(json.loads(world)["objects"]["countries"]["geometries"]) > 200


NEW_ARTICLE = ("Chile and Peru agree to reopen a border crossing\n\nLima, March 9, 2025\n\n"
               "The foreign ministers of Chile and Peru agreed in Lima on Sunday to reopen the Chacalluta border "
               "crossing next month, the Peruvian foreign ministry said in a statement.\n")


def test_a_page_left_open_while_tidings_add_writes(db, tmp_path):
    """A real `tidings add` on the same file: the server answers 200 or 'busy' (503), never fails, and the
    writer is never locked out; after it is done the new story is there."""
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "chile_peru.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    with serving(db, wait=0.3, idle=0.3) as base:
        status, before = get_json(f"{base}/api/stories?per_page=100")
        assert status == 200
        writer = subprocess.Popen([sys.executable, "-m", "tidings", "add", "--db", str(db), str(tmp_path / "new")],
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        statuses = []
        deadline = time.monotonic() + 300
        while writer.poll() is None and time.monotonic() < deadline:
            time.sleep(1.0)                       # slower than the server's idle close: the writer gets its turn
            status, headers, body = get(f"{base}/api/stories")
            statuses.append(status)
            if status == 503:
                assert json.loads(body)["error"]["message"].startswith("database busy")
                assert headers["retry-after"] == "2"
                page_status, _, page = get(f"{base}/")
                assert page_status in (200, 503) and (page_status == 200 or b"Database busy" in page)
        _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err[-2000:]
        assert set(statuses) <= {200, 503} and 503 in statuses, statuses
        status, after = get_json(f"{base}/api/stories?per_page=100")
        assert status == 200 and after["total"] == before["total"] + 1
        assert any("Chile" in (s["title"] or "") for s in after["items"])
        with tidings_pkg.open(db) as d:                # and the file is whole
            assert d.stories().total == after["total"]


def test_serve_refuses_what_it_cannot_do(db, tmp_path):
    missing = tidings("serve", "--db", tmp_path / "missing.duckdb", check=False)
    said = " ".join(missing.stderr.split())         # the console folds long lines
    assert missing.returncode == 2 and "no such database" in said and "Traceback" not in said
    bad_port = tidings("serve", "--db", db, "--port", "70000", check=False)
    assert bad_port.returncode == 2 and "--port" in bad_port.stderr


def _children(pid: int) -> list[str]:
    """Command lines of the processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (OSError, IndexError, ValueError):
            continue            # a process that ended meanwhile
    return out


def test_serve_answers_from_worker_processes(db, base):
    """`tidings serve --workers 2` answers as the one-process app does, from two processes of its own, and
    lets the file go when stopped (a writer can open it)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tidings", "serve", "--db", str(db), "--port", str(port),
                               "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, served = get_json(f"http://127.0.0.1:{port}/api/stories?per_page=100")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "tidings serve did not start"
                time.sleep(0.2)
        assert status == 200 and served == get_json(f"{base}/api/stories?per_page=100")[1]
        for path in ("/", "/api/timeline", "/api/map"):
            assert get(f"http://127.0.0.1:{port}{path}")[0] == 200
        workers = [c for c in _children(server.pid) if "spawn_main" in c]
        assert len(workers) == 2, _children(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # a writer (another process: this one reads the file for the module's server) gets the file
    writer = subprocess.run([sys.executable, "-c", "import sys; from tidings.store import Store; "
                             "print(Store(sys.argv[1], wait=10).stats()['articles'])", str(db)],
                            capture_output=True, text=True, timeout=120)
    assert writer.returncode == 0 and int(writer.stdout) >= served["total"] > 0, writer.stderr[-2000:]
