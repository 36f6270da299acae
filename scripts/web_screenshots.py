"""Screenshots of every page of `tidings serve` over examples/, for the README (docs/img/).

    .venv/bin/python scripts/web_screenshots.py [--out docs/img]

Builds a database from examples/ with `tidings add`, serves it on 127.0.0.1, and has
Debian's Chromium (through Playwright) take one PNG per page.
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-gpu", "--disable-quic"]


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.loads(r.read())


def pick(base: str) -> tuple[str, str]:
    """A story told by two outlets that disagree, and its event with the most marked evidence."""
    for s in api(base, "/api/stories?per_page=100")["items"]:
        detail = api(base, f"/api/stories/{s['id']}")
        if len(s["outlets"]) > 1 and any(e["conflicts"] for e in detail["events"]):
            best = max(detail["events"], key=lambda e: (bool(e["conflicts"]), bool(e["place"]), e["outlets"]))
            return s["id"], best["id"]
    raise SystemExit("examples/ hold no story with a conflict")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "tidings.duckdb"
        subprocess.run([sys.executable, "-m", "tidings", "add", "--db", str(db), str(ROOT / "examples")], check=True,
                       cwd=ROOT)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "tidings", "serve", "--db", str(db), "--port", str(port)],
                                  cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/api/stories", timeout=5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            story, event = pick(base)
            shots = [("stories", "/", None), ("story", f"/stories/{story}", None),
                     ("event", f"/events/{event}", "#event-map svg circle.here"),
                     ("map", "/map", "#world-map .points circle"), ("timeline", "/timeline", "#timeline .bars rect"),
                     ("network", "/network", "#network .node")]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
                page = browser.new_page(viewport={"width": 1360, "height": 860}, device_scale_factor=1)
                for name, path, ready in shots:
                    page.goto(base + path)
                    if ready:
                        page.wait_for_selector(ready)
                    page.wait_for_timeout(400)
                    page.screenshot(path=str(args.out / f"{name}.png"), full_page=name in ("story", "event"))
                    print(f"wrote {args.out / (name + '.png')}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
