"""Polite HTTP for the feed watcher: one GET at a time, as a good citizen.

`Fetcher.get(url, kind)` fetches a feed, a page or a robots.txt and either returns the body
(`Fetched`) or raises `FetchError` with a one-line reason (an HTTP status, a timeout, too
large, not HTML, disallowed by robots.txt, too many redirects). What makes it polite:

- robots.txt is read once per site (RFC 9309: a missing one allows everything, one the
  server cannot give, 5xx or unreachable, forbids everything until it can be read again),
  and checked before every request, redirects included;
- one request at a time, and requests to one host are spaced by a delay (the site's
  Crawl-delay when it asks for a longer one, up to a cap);
- conditional GET: the caller passes the ETag and Last-Modified it kept, a 304 costs nothing;
- connect and read timeouts, a cap on a whole transfer (against servers that drip bytes),
  a cap on the body size (checked while reading, so a huge or endless page costs nothing
  beyond the cap), redirects followed by hand up to a limit, with loops named as such;
- retries with exponential backoff on timeouts, broken connections and 429/5xx answers
  (a Retry-After the server sends is honoured when it is short, reported when it is long);
- a User-Agent naming Tidings, its version, and the operator's contact when given.

HTTP itself is httpx's; this module only decides what to ask and when.
"""
from __future__ import annotations

import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import httpx

from tidings import __version__

Kind = Literal["feed", "page", "robots"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512 * 1024       # RFC 9309: parse at least 500 KiB
ROBOTS_AGENT = "Tidings"            # the product token robots.txt groups are matched against


class FetchError(Exception):
    """A URL that gave nothing usable. `reason` is one line for the log; `transient`
    says whether asking again later may succeed (timeouts, 5xx, broken connections)."""

    def __init__(self, url: str, reason: str, *, transient: bool = False, status: int | None = None,
                 retry_after: float | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.transient = transient
        self.status = status
        self.retry_after = retry_after


class Stopped(Exception):
    """The watcher was asked to stop while a fetch waited for its turn."""


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 20.0        # longest wait for the next bytes
    total_timeout: float = 60.0       # longest whole transfer of one response
    max_bytes: int = 5 * 1024 * 1024  # largest body read (after decompression)
    max_redirects: int = 5
    retries: int = 2                  # further attempts after a transient failure
    backoff: float = 2.0              # seconds before the first retry, doubled for each next one
    max_retry_after: float = 120.0    # a server asking to wait longer is reported, not waited for
    host_delay: float = 1.0           # seconds between two requests to one host
    max_crawl_delay: float = 60.0     # cap on a robots.txt Crawl-delay
    robots_ttl: float = 3600.0        # a robots.txt is read again after this long
    robots_retry: float = 600.0       # an unreadable robots.txt is tried again after this long
    contact: str | None = None        # the operator's e-mail or URL, for the User-Agent


def user_agent(contact: str | None = None) -> str:
    """"Tidings/0.1.0 (news feed watcher; +mailto:me@example.org)"."""
    return f"Tidings/{__version__} (news feed watcher{'; +' + contact if contact else ''})"


@dataclass
class Fetched:
    url: str                      # the URL the body came from, after redirects
    status: int
    content: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Robots:
    rules: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    refused: str | None = None                         # why it could not be read: everything forbidden for now
    read_at: float = 0.0

    def allows(self, url: str) -> bool:
        return self.rules is None or self.rules.can_fetch(ROBOTS_AGENT, url)

    def delay(self) -> float:
        if self.rules is None:
            return 0.0
        try:
            return float(self.rules.crawl_delay(ROBOTS_AGENT) or 0.0)
        except (TypeError, ValueError):
            return 0.0


def site_of(url: str) -> str:
    """scheme://host[:port] of a URL: what robots.txt and the host delay are kept for."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _content_error(kind: Kind, content_type: str) -> str | None:
    """Why a response of this type is not what `kind` wants (None: acceptable). A missing
    type is accepted: the parser or extractor then decides."""
    ctype = content_type.split(";")[0].strip().lower()
    if not ctype or kind == "robots":
        return None
    if kind == "page" and "html" not in ctype:
        return f"not HTML ({ctype})"
    if kind == "feed" and not (ctype.startswith("text/") or "xml" in ctype or "rss" in ctype or "atom" in ctype):
        return f"not a feed ({ctype})"
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class Fetcher:
    """One polite HTTP client for a whole watch session (it remembers robots.txt files and
    when it last asked each host). `stop` cuts short the waits between requests."""

    def __init__(self, policy: FetchPolicy | None = None, stop: threading.Event | None = None):
        self.policy = policy or FetchPolicy()
        self.stop = stop or threading.Event()
        p = self.policy
        self.client = httpx.Client(
            timeout=httpx.Timeout(connect=p.connect_timeout, read=p.read_timeout, write=p.read_timeout,
                                  pool=p.connect_timeout),
            follow_redirects=False,  # followed by hand, so robots.txt and the host delay apply to each hop
            headers={"User-Agent": user_agent(p.contact)},
        )
        self._robots: dict[str, _Robots] = {}
        self._last_request: dict[str, float] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public

    def get(self, url: str, kind: Kind, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body at `url`, following redirects; a 304 when the validators still hold.
        Raises FetchError (with the reason) or Stopped."""
        headers = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._follow(url, kind, headers)

    # ------------------------------------------------------------------ redirects, robots

    def _follow(self, url: str, kind: Kind, headers: dict[str, str]) -> Fetched:
        visited = [url]
        current = url
        for _ in range(self.policy.max_redirects + 1):
            if not is_web_url(current):
                raise FetchError(url, f"not an http(s) URL ({current})")
            delay = self.policy.host_delay
            if kind != "robots":
                robots = self._robots_for(current)
                hop = "" if current == url else f" (after a redirect to {current})"
                if robots.refused:  # nothing may be fetched from the site until its robots.txt can be read
                    raise FetchError(url, robots.refused + hop, transient=True)
                if not robots.allows(current):
                    raise FetchError(url, "disallowed by robots.txt" + hop)
                delay = max(delay, min(robots.delay(), self.policy.max_crawl_delay))
            try:
                got, location = self._with_retries(current, kind, headers, delay)
            except FetchError as e:
                if current == url:
                    raise
                raise FetchError(url, f"{e.reason} (after a redirect to {current})", transient=e.transient,
                                 status=e.status, retry_after=e.retry_after) from e
            if location is None:
                return got
            target = without_fragment(location)
            if target in visited:
                raise FetchError(url, f"redirect loop ({' -> '.join(visited + [target])})")
            visited.append(target)
            current = target
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def _robots_for(self, url: str) -> _Robots:
        site = site_of(url)
        known = self._robots.get(site)
        now = time.monotonic()
        if known is not None:
            ttl = self.policy.robots_retry if known.refused else self.policy.robots_ttl
            if now - known.read_at < ttl:
                return known
        try:
            got = self._follow(site + "/robots.txt", "robots", {"Accept": _ACCEPT["robots"]})
        except FetchError as e:
            if e.status is not None and 400 <= e.status < 500:
                robots = _Robots(rules=None)  # no robots.txt (or not for us to read): everything allowed
            else:
                robots = _Robots(rules=None, refused=f"robots.txt unavailable: {e.reason}")
        else:
            rules = urllib.robotparser.RobotFileParser()
            rules.parse(got.content.decode(got.charset or "utf-8", errors="replace").splitlines())
            robots = _Robots(rules=rules)
        robots.read_at = time.monotonic()
        self._robots[site] = robots
        return robots

    # ------------------------------------------------------------------ one URL, with retries

    def _with_retries(self, url: str, kind: Kind, headers: dict[str, str], delay: float
                      ) -> tuple[Fetched, str | None]:
        p = self.policy
        for attempt in range(p.retries + 1):
            try:
                return self._once(url, kind, headers, delay)
            except FetchError as e:
                if not e.transient or attempt == p.retries:
                    raise
                wait = p.backoff * 2 ** attempt
                if e.retry_after is not None:
                    if e.retry_after > p.max_retry_after:
                        raise
                    wait = max(wait, e.retry_after)
                self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Stopped()
        if self.stop.is_set():
            raise Stopped()

    def _wait_turn(self, url: str, delay: float) -> None:
        last = self._last_request.get(site_of(url))
        if last is not None:
            self._sleep(last + delay - time.monotonic())
        elif self.stop.is_set():
            raise Stopped()

    def _once(self, url: str, kind: Kind, headers: dict[str, str], delay: float) -> tuple[Fetched, str | None]:
        """One request: (the response, None) or (a redirect's response, its target)."""
        self._wait_turn(url, delay)
        max_bytes = ROBOTS_MAX_BYTES if kind == "robots" else self.policy.max_bytes
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                status = r.status_code
                if r.has_redirect_location:
                    return Fetched(url=url, status=status), str(r.url.join(r.headers["location"]))
                if status == 304:
                    return self._fetched(r, b""), None
                if status >= 400 or status < 200:
                    phrase = f" {r.reason_phrase}" if r.reason_phrase else ""
                    raise FetchError(url, f"HTTP {status}{phrase}", status=status,
                                     transient=status in RETRY_STATUSES,
                                     retry_after=_retry_after(r.headers.get("retry-after")))
                wrong = _content_error(kind, r.headers.get("content-type", ""))
                if wrong:
                    raise FetchError(url, wrong, status=status)
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, f"too large ({_size(int(declared))}, limit {_size(max_bytes)})",
                                     status=status)
                return self._fetched(r, self._read_body(r, url, max_bytes)), None
        except httpx.TimeoutException as e:
            what = "connecting" if isinstance(e, httpx.ConnectTimeout) else "waiting for data"
            raise FetchError(url, f"timeout {what}", transient=True) from e
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as e:
            raise FetchError(url, f"connection failed ({_first_line(e) or type(e).__name__})", transient=True) from e
        except httpx.DecodingError as e:
            raise FetchError(url, f"corrupt compressed body ({_first_line(e)})") from e
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as e:  # a bad URL or redirect target...
            raise FetchError(url, f"{type(e).__name__}: {_first_line(e)}") from e
        finally:
            self._last_request[site_of(url)] = time.monotonic()

    def _read_body(self, r: httpx.Response, url: str, max_bytes: int) -> bytes:
        deadline = time.monotonic() + self.policy.total_timeout
        body = bytearray()
        for chunk in r.iter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(url, f"too large (more than {_size(max_bytes)})", status=r.status_code)
            if time.monotonic() > deadline:
                raise FetchError(url, f"timeout: transfer took longer than {self.policy.total_timeout:g} s",
                                 transient=True)
        return bytes(body)

    @staticmethod
    def _fetched(r: httpx.Response, content: bytes) -> Fetched:
        return Fetched(url=str(r.url), status=r.status_code, content=content,
                       content_type=r.headers.get("content-type", ""), charset=r.charset_encoding,
                       etag=r.headers.get("etag"), last_modified=r.headers.get("last-modified"))


_ACCEPT: dict[Kind, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
    "robots": "text/plain, */*;q=0.5",
}


def _first_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200]
