"""Polite fetching (`tidings.ingest.fetch`) against a real HTTP server on 127.0.0.1."""
import socket
import threading
import time

import pytest

from localweb import Answer, article_page, net_guard, site  # noqa: F401 - fixtures
from tidings import __version__
from tidings.ingest.fetch import FetchError, Fetcher, FetchPolicy, Stopped, user_agent

FAST = FetchPolicy(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=64 * 1024,
                   max_redirects=3, retries=1, backoff=0.05, host_delay=0.0, contact="desk@example.org")
PAGE = article_page("Harbour reopens", ["The harbour reopened on Monday after repairs to the quay."])


@pytest.fixture
def fetcher():
    with Fetcher(FAST) as f:
        yield f


def test_the_guard_refuses_other_addresses(net_guard):
    with pytest.raises(PermissionError):
        socket.getaddrinfo("example.org", 80)
    with pytest.raises(PermissionError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    assert len(net_guard.refused) == 2
    net_guard.refused.clear()


def test_page_with_user_agent_naming_tidings(site, fetcher):
    url = site.route("/news/1", Answer(body=PAGE))
    got = fetcher.get(url, "page")
    assert got.status == 200 and got.content == PAGE and got.url == url and got.charset == "utf-8"
    ua = site.hits("/news/1")[0].headers["user-agent"]
    assert ua == user_agent("desk@example.org") and ua.startswith(f"Tidings/{__version__} (")
    assert "desk@example.org" in ua
    assert "text/html" in site.hits("/news/1")[0].headers["accept"]


def test_conditional_get_answered_304(site, fetcher):
    url = site.route("/feed.xml", Answer(body=b"<rss/>", content_type="application/rss+xml", etag='"v1"',
                                         headers={"Last-Modified": "Mon, 01 Jul 2024 10:00:00 GMT"}))
    first = fetcher.get(url, "feed")
    assert first.status == 200 and first.etag == '"v1"'
    second = fetcher.get(url, "feed", etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b""
    asked = site.hits("/feed.xml")[1].headers
    assert asked["if-none-match"] == '"v1"' and asked["if-modified-since"] == "Mon, 01 Jul 2024 10:00:00 GMT"


def test_404_is_final_and_not_retried(site, fetcher):
    with pytest.raises(FetchError) as e:
        fetcher.get(site.url("/gone"), "page")
    assert e.value.reason.startswith("HTTP 404") and not e.value.transient and e.value.status == 404
    assert len(site.hits("/gone")) == 1


def test_500_is_retried_with_backoff_then_succeeds(site, fetcher):
    answers = iter([Answer(status=500, body=b"oops"), Answer(body=PAGE)])
    url = site.route("/flaky", lambda request: next(answers))
    assert fetcher.get(url, "page").content == PAGE
    first, second = site.hits("/flaky")
    assert second.at - first.at >= FAST.backoff


def test_500_every_time_is_a_transient_error(site, fetcher):
    url = site.route("/down", Answer(status=503, body=b"down"))
    with pytest.raises(FetchError) as e:
        fetcher.get(url, "page")
    assert e.value.reason.startswith("HTTP 503") and e.value.transient
    assert len(site.hits("/down")) == FAST.retries + 1


def test_long_retry_after_is_reported_not_waited_for(site, fetcher):
    url = site.route("/busy", Answer(status=429, body=b"", headers={"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        fetcher.get(url, "page")
    assert time.monotonic() - started < 1.0
    assert e.value.retry_after == 3600 and e.value.transient and len(site.hits("/busy")) == 1


def test_slow_server_past_the_read_timeout(site, fetcher):
    url = site.route("/slow", Answer(body=PAGE, delay=1.5))
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        fetcher.get(url, "page")
    assert "timeout" in e.value.reason and e.value.transient
    assert len(site.hits("/slow")) == FAST.retries + 1
    assert time.monotonic() - started < 3 * FAST.read_timeout + 1.0


def test_refused_connection_is_a_transient_error(fetcher):
    with socket.socket() as s:  # a port nobody listens on: bind, then close
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as e:
        fetcher.get(f"http://127.0.0.1:{port}/x", "page")
    assert e.value.transient and "connection failed" in e.value.reason and "Connection refused" in e.value.reason


def test_redirects_followed_up_to_the_limit(site, fetcher):
    site.route("/old", Answer(status=301, headers={"Location": "/new"}, body=b""))
    site.route("/new", Answer(body=PAGE))
    got = fetcher.get(site.url("/old"), "page")
    assert got.url == site.url("/new") and got.content == PAGE
    for i in range(5):  # /hop/0 -> /hop/1 -> ... -> /hop/5: more hops than the limit of 3
        site.route(f"/hop/{i}", Answer(status=302, headers={"Location": f"/hop/{i + 1}"}, body=b""))
    site.route("/hop/5", Answer(body=PAGE))
    with pytest.raises(FetchError) as e:
        fetcher.get(site.url("/hop/0"), "page")
    assert e.value.reason == "more than 3 redirects"
    assert len(site.hits("/hop/4")) == 0


def test_redirect_loop_is_named(site, fetcher):
    site.route("/loop/a", Answer(status=302, headers={"Location": "/loop/b"}, body=b""))
    site.route("/loop/b", Answer(status=307, headers={"Location": site.url("/loop/a")}, body=b""))
    with pytest.raises(FetchError) as e:
        fetcher.get(site.url("/loop/a"), "page")
    assert e.value.reason.startswith("redirect loop") and not e.value.transient
    assert len(site.hits("/loop/a")) == 1 and len(site.hits("/loop/b")) == 1


def test_page_larger_than_the_limit_declared_or_not(site, fetcher):
    big = b"<html><body>" + b"<p>word word word</p>" * 10000 + b"</body></html>"
    declared = site.route("/big", Answer(body=big))
    undeclared = site.route("/big-stream", Answer(body=big, send_length=False))
    for url in (declared, undeclared):
        with pytest.raises(FetchError) as e:
            fetcher.get(url, "page")
        assert e.value.reason.startswith("too large") and not e.value.transient


def test_wrong_content_type(site, fetcher):
    pdf = site.route("/report.pdf", Answer(body=b"%PDF-1.4 ...", content_type="application/pdf"))
    with pytest.raises(FetchError) as e:
        fetcher.get(pdf, "page")
    assert e.value.reason == "not HTML (application/pdf)"
    image = site.route("/feed.png", Answer(body=b"\x89PNG", content_type="image/png"))
    with pytest.raises(FetchError) as e:
        fetcher.get(image, "feed")
    assert e.value.reason == "not a feed (image/png)"


def test_robots_txt_disallowing_a_path(site, fetcher):
    site.route("/robots.txt", Answer(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    site.route("/private/memo", Answer(body=PAGE))
    site.route("/public/memo", Answer(body=PAGE))
    site.route("/sneaky", Answer(status=302, headers={"Location": "/private/memo"}, body=b""))
    with pytest.raises(FetchError) as e:
        fetcher.get(site.url("/private/memo"), "page")
    assert e.value.reason.startswith("disallowed by robots.txt") and not e.value.transient
    with pytest.raises(FetchError) as e:
        fetcher.get(site.url("/sneaky"), "page")
    assert e.value.reason == f"disallowed by robots.txt (after a redirect to {site.url('/private/memo')})"
    assert fetcher.get(site.url("/public/memo"), "page").content == PAGE
    assert site.hits("/private/memo") == []
    assert len(site.hits("/robots.txt")) == 1  # read once per site


def test_robots_txt_naming_tidings(site, fetcher):
    site.route("/robots.txt", Answer(body=b"User-agent: Tidings\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                     content_type="text/plain"))
    with pytest.raises(FetchError) as e:
        fetcher.get(site.route("/news/2", Answer(body=PAGE)), "page")
    assert e.value.reason.startswith("disallowed by robots.txt")


def test_robots_txt_that_fails_forbids_everything_for_now(site, fetcher):
    site.route("/robots.txt", Answer(status=500, body=b"", content_type="text/plain"))
    url = site.route("/news/3", Answer(body=PAGE))
    with pytest.raises(FetchError) as e:
        fetcher.get(url, "page")
    assert e.value.reason == "robots.txt unavailable: HTTP 500 Internal Server Error" and e.value.transient
    assert site.hits("/news/3") == []


def test_delay_between_requests_to_one_host(site):
    url = site.route("/news/4", Answer(body=PAGE))
    with Fetcher(FetchPolicy(read_timeout=1.0, host_delay=0.3, retries=0)) as polite:
        for _ in range(3):
            polite.get(url, "page")
    times = [r.at for r in site.hits("/news/4")]
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:]))


def test_crawl_delay_of_robots_txt_wins_when_longer(site, fetcher):
    site.route("/robots.txt", Answer(body=b"User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"))
    url = site.route("/news/5", Answer(body=PAGE))
    fetcher.get(url, "page")
    fetcher.get(url, "page")
    first, second = site.hits("/news/5")
    assert second.at - first.at >= 0.99


def test_stop_cuts_short_the_wait_for_a_host(site):
    url = site.route("/news/6", Answer(body=PAGE))
    with Fetcher(FetchPolicy(host_delay=30.0, retries=0)) as polite:
        threading.Timer(0.3, polite.stop.set).start()
        started = time.monotonic()
        with pytest.raises(Stopped):
            polite.get(url, "page")  # robots.txt is asked at once, then the page waits 30 s for its turn
        assert time.monotonic() - started < 2.0
        with pytest.raises(Stopped):
            polite.get(url, "page")  # once stopped, nothing more is asked
    assert len(site.hits("/robots.txt")) == 1 and site.hits("/news/6") == []


def test_not_a_web_url(fetcher):
    with pytest.raises(FetchError) as e:
        fetcher.get("file:///etc/passwd", "page")
    assert e.value.reason.startswith("not an http(s) URL")
