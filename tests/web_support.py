"""What the web tests share: a database built from examples/ (plus a hostile article), the app
served by uvicorn on 127.0.0.1 in a thread, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import uvicorn

from conftest import ROOT

# As root Chromium needs --no-sandbox; the other flags keep it from calling Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions", "--metrics-recording-only"]

# An article written to attack the page: script and HTML in its title and text, template and
# Rich markup. It must come out as text.
HOSTILE_TITLE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> Minister {{ 7*7 }}'
HOSTILE = {
    "id": "hostile-1", "outlet": "<b>Evil Outlet</b>", "date": "2025-03-08", "url": "javascript:alert(1)",
    "title": HOSTILE_TITLE,
    "text": "The foreign minister of Kenya met the foreign minister of Uganda in Nairobi on Friday, officials said. "
            "<script>window.__pwned = 3</script> The ministers signed an agreement on border trade. "
            "[red]Rich markup[/red] and <iframe src=\"https://example.com/\"></iframe> stay text.",
}


def tidings(*args: object, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"tidings {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc


def example_db(tmp_path_factory) -> Path:
    """examples/ plus the hostile article, added with `tidings add` once per test session; a copy per caller."""
    base = tmp_path_factory.getbasetemp() / "web-examples"
    db = base / "examples.duckdb"
    if not db.exists():
        base.mkdir(exist_ok=True)
        hostile = base / "hostile.jsonl"
        hostile.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
        tidings("add", "--db", db, ROOT / "examples", hostile)
    copy = tmp_path_factory.mktemp("web") / "examples.duckdb"
    shutil.copy(db, copy)
    return copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db: Path, wait: float = 2.0, idle: float = 0.5):
    """The web app over `db` on 127.0.0.1, in a thread; yields its base URL. Stops within 10 s."""
    from tidings.web import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, wait=wait, idle=idle), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET; an HTTP error is an answer, not an exception."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_json(url: str) -> tuple[int, dict]:
    status, _, body = get(url)
    return status, json.loads(body)
