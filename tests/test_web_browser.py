"""The web page in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

Each test checks what a person checks: the stories are there, a filter narrows them, a story
shows its outlets side by side and their disagreement, an event marks its source, predicate
and target, the map, the timeline and the network draw and answer a click. Every request
is intercepted: one to any host but 127.0.0.1 fails the test; so does any console error
(a blocked inline script, a script error). A hostile article renders as text."""
import shutil
import subprocess
import sys
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from web_support import CHROMIUM_ARGS, HOSTILE_TITLE, example_db, get_json, serving

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (`make test` installs it)")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    with serving(example_db(tmp_path_factory)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


class Watch:
    """Requests to other origins, console errors and page errors seen by one page."""

    def __init__(self):
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def check(self):
        assert self.foreign == [], f"requests left 127.0.0.1: {self.foreign}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    watch = Watch()

    def route(r):
        url = r.request.url
        if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname != "127.0.0.1":
            watch.foreign.append(url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))
    pg.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    pg.watch = watch
    yield pg
    context.close()
    watch.check()


def test_home_lists_the_stories_and_a_filter_narrows_them(base, page):
    _, all_stories = get_json(f"{base}/api/stories?per_page=100")
    page.goto(base + "/")
    titles = page.locator("li.story h2").all_inner_texts()
    assert len(titles) == all_stories["total"] >= 6
    assert titles == [s["title"] for s in all_stories["items"]]
    page.fill("input[name=actor]", "EGY")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**actor=EGY**")
    narrowed = page.locator("li.story h2").all_inner_texts()
    assert 0 < len(narrowed) < len(titles)
    assert any("Cairo" in t for t in narrowed)
    assert page.input_value("input[name=actor]") == "EGY"          # the form shows the filter it applied
    page.click("header.top nav a:has-text('Events')")                # and the views carry it
    page.wait_for_url("**/events?actor=EGY")
    assert page.locator("table.events tbody tr").count() > 0


def _story_with_conflict(base):
    _, stories = get_json(f"{base}/api/stories?per_page=100")
    for s in stories["items"]:
        if len(s["outlets"]) >= 2:
            _, detail = get_json(f"{base}/api/stories/{s['id']}")
            if any(e["conflicts"] for e in detail["events"]):
                return detail
    raise AssertionError("examples/ should hold a story told by two outlets that disagree")


def test_a_story_shows_two_outlets_side_by_side_and_a_flagged_conflict(base, page):
    story = _story_with_conflict(base)
    page.goto(f"{base}/stories/{story['id']}")
    columns = page.locator(".outlets .column")
    assert columns.count() == len(story["articles"]) >= 2
    boxes = [columns.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2 and boxes[1]["x"] >= boxes[0]["x"] + boxes[0]["width"]  # side by side
    outlets = {columns.nth(i).locator("h3").inner_text() for i in range(columns.count())}
    assert outlets == set(story["outlets"])
    conflict = page.locator("section.conflicts .conflict").first
    assert conflict.is_visible()
    sides = conflict.locator(".side")
    assert sides.count() >= 2 and sides.nth(0).locator(".value").inner_text() != sides.nth(1).locator(".value").inner_text()
    assert page.locator("table.events .flag.conflict").count() >= 1
    assert page.locator("#story-timeline svg circle").count() == len([a for a in story["articles"] if a["published"]])


def test_an_event_marks_source_predicate_and_target(base, page):
    _, events = get_json(f"{base}/api/events?per_page=500")
    chosen = None
    for e in events["items"]:
        if e["source"] and e["target"]:
            _, detail = get_json(f"{base}/api/events/{e['id']}")
            roles = {p["role"] for m in detail["evidence"] for p in m["parts"]}
            if {"source", "predicate", "target"} <= roles:
                chosen = detail
                break
    assert chosen, "examples/ should hold an event whose sentence names source, predicate and target"
    page.goto(f"{base}/events/{chosen['id']}")
    for role in ("source", "predicate", "target"):
        marks = page.locator(f".evidence mark.{role}")
        assert marks.count() >= 1 and marks.first.is_visible()
    facts = page.locator("dl.facts").inner_text()
    assert chosen["code"] in facts and chosen["code_name"] in facts and "Goldstein" in facts
    if chosen["place"]:
        page.wait_for_selector("#event-map svg circle.here")           # drawn once the shapes are loaded
        assert page.locator("#event-map svg path.country").count() > 200


def test_the_map_draws_countries_and_places_and_lists_a_places_events(base, page):
    page.goto(base + "/map")
    page.wait_for_selector("#world-map svg .points circle")
    assert page.locator("#world-map path.country").count() > 200
    assert page.locator("#world-map path.country.has-events").count() >= 3
    points = page.locator("#world-map .points circle")
    assert points.count() >= 3
    points.first.dispatch_event("click")
    page.wait_for_selector("#map-panel ol.event-list li")
    assert page.locator("#map-panel ol.event-list li").count() >= 1


def test_the_timeline_draws_and_a_selected_range_narrows_the_list(base, page):
    page.goto(base + "/timeline")
    page.wait_for_selector("#timeline svg .bars rect")
    assert page.locator("#timeline .bars rect").count() > 0
    page.wait_for_selector("#timeline-panel ol.event-list li")
    before = page.locator("#timeline-panel ol.event-list li").count()
    box = page.locator("#timeline svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.05, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5, steps=5)
    page.mouse.up()
    page.wait_for_url("**since=**")
    page.wait_for_selector("#timeline-panel h2:has-text('Events from')")
    page.wait_for_selector("#timeline-panel ol.event-list")
    after = page.locator("#timeline-panel ol.event-list li").count()
    assert after < before
    assert "since=" in page.locator("header.top nav a:has-text('Map')").get_attribute("href")


def test_the_network_draws_and_an_edge_lists_its_events(base, page):
    page.goto(base + "/network")
    page.wait_for_selector("#network svg .node")
    assert page.locator("#network .node").count() >= 4
    assert page.locator("#network .edge").count() >= 2
    page.locator("#network .edge line.hit").first.dispatch_event("click")
    page.wait_for_selector("#network-panel ol.event-list li")
    assert "↔" in page.locator("#network-panel h2").inner_text()


def test_a_hostile_article_renders_as_text(base, page):
    _, found = get_json(f"{base}/api/stories?q=Uganda")
    [story] = found["items"]
    page.goto(f"{base}/stories/{story['id']}")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.evaluate("window.__pwned") is None
    assert page.locator("iframe").count() == 0 and page.locator("main img").count() == 0
    assert page.locator(".outlets .column h3").first.inner_text() == "<b>Evil Outlet</b>"
    page.goto(f"{base}/?q=Uganda")
    assert page.locator("li.story h2").inner_text() == HOSTILE_TITLE
    assert page.evaluate("window.__pwned") is None


HOLD = """
import sys
from tidings.store import Store
store = Store(sys.argv[1])       # a writer: DuckDB gives it the file alone
print("holding", flush=True)
sys.stdin.readline()
"""


def test_a_busy_database_is_said_in_the_page(tmp_path_factory, page):
    """While another process writes the file, the map says so and offers to try again; once the
    writer is gone, trying again draws the map."""
    db = example_db(tmp_path_factory)
    with serving(db, wait=0.2, idle=0.2) as url:
        page.goto(url + "/map")
        page.wait_for_selector("#world-map svg")
        page.wait_for_timeout(600)                     # the server lets the file go when idle
        writer = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert writer.stdout.readline().strip() == "holding"
            page.reload()
            page.wait_for_selector("#world-map .problem.busy")
            assert "Database busy" in page.locator("#world-map").inner_text()
        finally:
            writer.communicate("done\n", timeout=60)
        page.click("#world-map button:has-text('Try again')")
        page.wait_for_selector("#world-map svg .points circle")
    # the browser logs each 503 it was answered; those lines are the answers asked for, not page errors
    page.watch.errors = [e for e in page.watch.errors if "503" not in e]
