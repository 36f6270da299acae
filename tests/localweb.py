"""A small web site on 127.0.0.1 for the fetch and watch tests, and a guard that fails a
test whose code tries to reach any other address.

`LocalWeb` is a threaded `http.server` bound to 127.0.0.1 on a free port. Tests set what
each path answers (`site.page(...)`, `site.route(...)`), the server records every request
(path, headers, time), and it shuts itself down after `lifetime` seconds whatever happens.

The `net_guard` fixture (`netguard.NetGuard`) fails a test whose code reached, or tried
to reach, an address outside the loopback range; the `site` fixture runs under it.
"""
from __future__ import annotations

import http.server
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Callable

import pytest

from netguard import NetGuard

# ---------------------------------------------------------------------------- the site

@dataclass
class Answer:
    """What a path answers."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds before the answer starts
    etag: str | None = None     # answered with 304 when the request's If-None-Match matches
    send_length: bool = True    # False: no Content-Length, the body ends when the connection closes


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float


Route = Callable[[Request], Answer]


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client hanging up is expected here


class LocalWeb:
    def __init__(self, lifetime: float = 120.0):
        self.routes: dict[str, Answer | Route] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site.lock:
                    site.requests.append(request)
                    route = site.routes.get(self.path)
                answer = route(request) if callable(route) else route
                if answer is None:
                    answer = Answer(status=404, body=b"not here", content_type="text/plain")
                if answer.delay:
                    time.sleep(min(answer.delay, 10.0))
                status, body = answer.status, answer.body
                if answer.etag and request.headers.get("if-none-match") == answer.etag:
                    status, body = 304, b""
                try:
                    self.send_response(status)
                    if answer.content_type and status != 304:
                        self.send_header("Content-Type", answer.content_type)
                    if answer.etag:
                        self.send_header("ETag", answer.etag)
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    if answer.send_length or status == 304:
                        self.send_header("Content-Length", str(len(body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout, a size limit): that is what some tests want

            def log_message(self, *args: object) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        # The server stops by itself, even if a test hangs or forgets to close it.
        self.watchdog = threading.Timer(lifetime, self.close)
        self.watchdog.daemon = True
        self.watchdog.start()
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.watchdog.cancel()
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> "LocalWeb":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, answer: Answer | Route) -> str:
        with self.lock:
            self.routes[path] = answer
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


def page_hits(site: LocalWeb) -> list[str]:
    """The article pages (/news/...) asked for, sorted, repeats kept."""
    return sorted(r.path for r in site.requests if r.path.startswith("/news/"))


# ---------------------------------------------------------------------------- fixtures

@pytest.fixture
def net_guard():
    """Any reach outside 127.0.0.0/8 during the test is refused, and fails the test."""
    guard = NetGuard.install()
    guard.refused.clear()
    guard.active = True
    yield guard
    guard.active = False
    assert guard.refused == [], f"the test tried to reach addresses outside 127.0.0.0/8: {guard.refused}"


@pytest.fixture
def site(net_guard):
    """A fresh local site for one test; it stops by itself after four minutes at the latest."""
    with LocalWeb(lifetime=240) as web:
        yield web


# ---------------------------------------------------------------------------- content

def article_page(title: str, paragraphs: list[str], site: str = "Harbour Gazette") -> bytes:
    """A news page with its furniture (menu, footer) around the article."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | {site}</title>
<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<main><article><h1>{title}</h1>{body}</article></main>
<footer>Copyright {site}. All rights reserved. Subscribe to our newsletter.</footer></body></html>""".encode()


@dataclass
class Item:
    title: str
    link: str | None
    summary: str
    guid: str | None = None
    published: float = 1720000000.0  # a Unix time, written as an RFC 822 date


def rss(items: list[Item], title: str = "Harbour Gazette: World") -> bytes:
    parts = []
    for it in items:
        link = f"<link>{it.link}</link>" if it.link else ""
        guid = f'<guid isPermaLink="false">{it.guid}</guid>' if it.guid else ""
        parts.append(f"<item><title>{it.title}</title>{link}{guid}<description>{it.summary}</description>"
                     f"<pubDate>{formatdate(it.published, usegmt=True)}</pubDate></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://127.0.0.1/</link><description>test feed</description>{''.join(parts)}"
            "</channel></rss>").encode()


# Short news stories written for these tests: (title, paragraphs). Distinct texts, so that
# each is its own article.
STORIES: list[tuple[str, list[str]]] = [
    ("Dock workers strike in Valparaiso", [
        "Dock workers in Valparaiso began a two-day strike on Tuesday over pay and night shifts, the port authority said.",
        "Container ships waited at anchor outside the harbour while union leaders met the operators in the afternoon.",
        "The union said the walkout would end on Thursday morning unless talks broke down again."]),
    ("Kenya and Tanzania sign a border trade pact", [
        "Kenya and Tanzania signed an agreement on Monday to cut the time lorries spend at the Namanga border post.",
        "The trade ministers of both countries said customs officers would share one building from next year.",
        "Hauliers welcomed the deal but asked for the road on the Tanzanian side to be widened as well."]),
    ("Norway and Russia agree on cod quotas", [
        "Norway and Russia agreed on cod quotas for the Barents Sea after three days of talks in Tromso.",
        "The fisheries commission set the total catch slightly below last year's level, citing weaker stocks.",
        "Fishing associations in northern Norway said the cut was smaller than they had feared."]),
    ("Wildfire forces evacuations in British Columbia", [
        "A wildfire near Kamloops forced about two thousand residents to leave their homes on Saturday evening.",
        "Firefighters from Alberta arrived to help crews who had worked through the night along the highway.",
        "The provincial government said shelters had been opened in three schools and a sports centre."]),
    ("Peru miners block the road to Cusco", [
        "Small-scale miners blocked the main road to Cusco on Wednesday to protest against a new licensing rule.",
        "Police said about five hundred people took part and that buses for tourists were turned back.",
        "The energy ministry invited the miners' federation to talks in Lima on Friday."]),
    ("Typhoon closes schools in Okinawa", [
        "Schools and offices in Okinawa closed on Thursday as a typhoon brought winds of up to 180 kilometres an hour.",
        "Airlines cancelled more than two hundred flights and ferries between the islands stayed in port.",
        "The weather agency warned of landslides on the main island until Friday night."]),
    ("Brazil's central bank holds its rate", [
        "Brazil's central bank kept its benchmark interest rate unchanged on Wednesday, as most economists expected.",
        "The bank's committee said inflation had slowed but that food prices remained a risk for the coming months.",
        "Shares in Sao Paulo rose slightly after the decision was announced."]),
    ("Manila and Hanoi coast guards hold talks", [
        "The coast guards of the Philippines and Vietnam held talks in Manila on Tuesday on search and rescue at sea.",
        "Officials said the two services would set up a hotline and hold a joint exercise later in the year.",
        "Fishermen's groups in both countries have asked for better protection during the typhoon season."]),
    ("Morocco opens a solar plant near Ouarzazate", [
        "Morocco opened a new solar power plant near Ouarzazate on Monday, adding capacity for about a million homes.",
        "The energy minister said the country aimed to draw half of its electricity from renewable sources by 2030.",
        "Engineers said the plant stores heat in molten salt so that it can run after sunset."]),
    ("Volcano erupts again on Reykjanes peninsula", [
        "A volcano on the Reykjanes peninsula erupted again late on Sunday, sending lava towards a defensive wall.",
        "Iceland's civil protection agency said the town of Grindavik had been evacuated as a precaution.",
        "Flights at Keflavik airport continued as normal, the airport operator said on Monday."]),
    ("Floods cut roads in northern Bangladesh", [
        "Floods cut roads and railway lines in northern Bangladesh on Friday after days of heavy monsoon rain.",
        "The disaster management ministry said about forty thousand families had moved to higher ground.",
        "Aid groups were sending boats, dry food and water purification tablets to the worst hit districts."]),
    ("German and French rail operators plan a new link", [
        "German and French rail operators said on Tuesday they would run a direct train between Munich and Marseille.",
        "The service is due to start in the spring, with one train a day in each direction at first.",
        "Passenger groups welcomed the plan but said fares across the border were still too high."]),
]
