"""Watching feeds (`tidings.watch`, `store/feeds.py`): real feeds and pages served on
127.0.0.1, the real spaCy model, a real DuckDB file. Nothing may reach another address."""
import threading

import duckdb

from localweb import STORIES, Answer, Item, LocalWeb, article_page, net_guard, page_hits, rss, site  # noqa: F401 - fixtures
from tidings.ingest.fetch import Fetcher, FetchPolicy
from tidings.store import Store
from tidings.watch import MAX_PAGE_ATTEMPTS, Watcher, canonical_link, read_feed_list

FAST = FetchPolicy(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, max_bytes=64 * 1024,
                   retries=1, backoff=0.05, host_delay=0.0)
DAY = 86400.0


def publish(site, n, path=None):
    """Story n as a page on the site; its feed item."""
    title, paragraphs = STORIES[n]
    path = path or f"/news/{n}"
    site.route(path, Answer(body=article_page(title, paragraphs)))
    return Item(title=title, link=site.url(path), summary=paragraphs[0], published=1720000000.0 + n * DAY)


def serve_feed(site, items, path="/feed.xml", version="v1"):
    return site.route(path, Answer(body=rss(items), content_type="application/rss+xml; charset=utf-8",
                                   etag=f'"{version}"'))


def poll(db, feeds, policy=FAST):
    """One poll of a freshly started watcher (its own fetcher and store): (summary, log lines)."""
    log = []
    with Store(db) as store, Fetcher(policy) as fetcher:
        summary = Watcher(store, fetcher, log.append).poll(feeds)
    return summary, log


def rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_entries_become_articles_from_their_pages(site, tmp_path):
    items = [publish(site, 0), publish(site, 1),
             Item(title="Ferry timetable changes", link=None, guid="ferry-1", published=1720000000.0 + 5 * DAY,
                  summary="The island ferry will leave at seven instead of eight from Monday, the operator said.")]
    feed = serve_feed(site, items)
    db = tmp_path / "w.duckdb"
    summary, log = poll(db, [feed])
    assert (summary.feeds, summary.new_entries, summary.pages, summary.feed_texts, summary.added) == (1, 3, 2, 1, 3)
    assert log == []
    arts = {r[0]: r for r in rows(db, "SELECT url, outlet, title, published, text FROM articles")}
    page = arts[site.url("/news/0")]
    assert page[1] == "Harbour Gazette" and page[2] == STORIES[0][0] and page[3].startswith("2024-07-")
    assert STORIES[0][1][2] in page[4]  # the whole page, not the feed's one-paragraph summary
    ferry = arts[feed]  # no page: the feed's text, under the feed's URL, and the site's name its pages gave
    assert ferry[4].startswith("The island ferry") and ferry[1] == "Harbour Gazette"
    assert rows(db, "SELECT count(*) FROM watch_entries WHERE state = 'pending'") == [(0,)]
    assert len(site.hits("/robots.txt")) == 1


def test_restart_neither_refetches_nor_misses(site, tmp_path):
    items = [publish(site, 0), publish(site, 1)]
    feed = serve_feed(site, items)
    db = tmp_path / "w.duckdb"
    poll(db, [feed])
    first = rows(db, "SELECT id FROM articles ORDER BY id")
    # A restarted watcher: the feed is unchanged (304), no page is fetched again.
    summary, log = poll(db, [feed])
    assert (summary.unchanged, summary.new_entries, summary.added) == (1, 0, 0) and log == []
    assert site.hits("/feed.xml")[-1].headers["if-none-match"] == '"v1"'
    assert page_hits(site) == ["/news/0", "/news/1"]
    assert rows(db, "SELECT id FROM articles ORDER BY id") == first
    # The feed changes while the watcher is down: the next start fetches the new entry only.
    serve_feed(site, [publish(site, 2)] + items, version="v2")
    summary, _ = poll(db, [feed])
    assert (summary.unchanged, summary.new_entries, summary.pages, summary.added) == (0, 1, 1, 1)
    assert page_hits(site) == ["/news/0", "/news/1", "/news/2"]
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]


def test_same_page_in_two_feeds_is_fetched_once(site, tmp_path):
    shared = publish(site, 3)
    shared_again = Item(title=shared.title, link=shared.link + "?utm_source=rss#top", summary=shared.summary)
    a = serve_feed(site, [shared, publish(site, 4)], path="/a.xml")
    b = serve_feed(site, [shared_again, publish(site, 5)], path="/b.xml")
    summary, _ = poll(tmp_path / "w.duckdb", [a, b])
    assert summary.new_entries == 3 and page_hits(site) == ["/news/3", "/news/4", "/news/5"]


def test_failing_pages_never_stop_the_others(site, tmp_path):
    site.route("/robots.txt", Answer(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    good = publish(site, 0)
    site.route("/news/missing", Answer(status=404, body=b"no"))
    site.route("/news/broken", Answer(status=500, body=b"oops"))
    site.route("/news/slow", Answer(body=article_page(*STORIES[1]), delay=1.5))
    site.route("/news/loop", Answer(status=302, headers={"Location": "/news/loop2"}, body=b""))
    site.route("/news/loop2", Answer(status=302, headers={"Location": "/news/loop"}, body=b""))
    site.route("/news/huge", Answer(body=b"<html><body>" + b"<p>more words</p>" * 20000 + b"</body></html>"))
    site.route("/news/report", Answer(body=b"%PDF-1.4", content_type="application/pdf"))
    site.route("/private/memo", Answer(body=article_page(*STORIES[2])))
    bad = {"/news/missing": "HTTP 404", "/news/loop": "redirect loop", "/news/huge": "too large",
           "/news/report": "not HTML (application/pdf)", "/private/memo": "disallowed by robots.txt"}
    later = {"/news/broken": "HTTP 500", "/news/slow": "timeout"}
    items = [good] + [Item(title=f"Entry {i}", link=site.url(path), summary=f"{STORIES[i + 3][1][0]}")
                      for i, path in enumerate([*bad, *later])]
    feed = serve_feed(site, items)
    db = tmp_path / "w.duckdb"
    summary, log = poll(db, [feed])
    assert (summary.new_entries, summary.pages, summary.feed_texts, summary.page_errors) == (8, 1, 5, 7)
    assert len(log) == 7
    for path, reason in {**bad, **later}.items():
        line = next(line for line in log if line.startswith(f"page {site.url(path)}: "))
        assert reason in line
    for path in bad:
        assert [line for line in log if site.url(path) in line][0].endswith("kept the feed's text")
    for path in later:
        assert [line for line in log if site.url(path) in line][0].endswith("tried again at the next poll")
    assert rows(db, "SELECT count(*) FROM articles") == [(6,)]
    assert site.hits("/private/memo") == []
    # Pages failing for now are tried at the next polls, then their entries keep the feed's text.
    for attempt in range(2, MAX_PAGE_ATTEMPTS + 1):
        summary, log = poll(db, [feed])
        assert summary.unchanged == 1 and summary.page_errors == 2
    assert summary.feed_texts == 2 and all(line.endswith("kept the feed's text") for line in log)
    assert rows(db, "SELECT state, count(*) FROM watch_entries GROUP BY ALL ORDER BY 1") == \
        [("feed_text", 7), ("page", 1)]
    assert rows(db, "SELECT count(*) FROM articles") == [(8,)]
    summary, log = poll(db, [feed])
    assert (summary.pages, summary.feed_texts, summary.page_errors, log) == (0, 0, 0, [])


def test_failing_feeds_never_stop_the_others(site, tmp_path):
    good = serve_feed(site, [publish(site, 6)])
    missing = site.url("/gone.xml")
    broken = site.route("/broken.xml", Answer(status=500, body=b"oops", content_type="text/plain"))
    not_feed = site.route("/home", Answer(body=article_page(*STORIES[7])))
    busy = site.route("/busy.xml", Answer(status=503, body=b"", headers={"Retry-After": "3600"}))
    empty = serve_feed(site, [], path="/empty.xml")  # well-formed, nothing in it yet: no error
    db = tmp_path / "w.duckdb"
    summary, log = poll(db, [missing, broken, not_feed, busy, empty, good])
    assert (summary.feeds, summary.feed_errors, summary.pages) == (6, 4, 1)
    assert [line.split(": ", 1)[0] for line in log] == [f"feed {u}" for u in (missing, broken, not_feed, busy)]
    assert "HTTP 404" in log[0] and "HTTP 500" in log[1] and "not an RSS/Atom feed" in log[2] and "HTTP 503" in log[3]
    state = dict(rows(db, "SELECT url, last_error FROM watch_feeds"))
    assert state[good] is None and state[empty] is None and state[missing].startswith("HTTP 404")
    # The server that asked for an hour's pause is left alone at the next poll.
    summary, _ = poll(db, [missing, broken, not_feed, busy, good])
    assert summary.deferred == 1 and len(site.hits("/busy.xml")) == 1


def test_feed_list_file(tmp_path):
    f = tmp_path / "feeds.txt"
    f.write_text("# my feeds\nhttps://a.example/rss.xml\n\n  http://b.example/feed#main   # with a fragment\n"
                 "ftp://c.example/feed\nnot a url\nhttps://a.example/rss.xml\n", encoding="utf-8")
    urls, problems = read_feed_list(str(f))
    assert urls == ["https://a.example/rss.xml", "http://b.example/feed#main"]
    assert problems == [f"{f}:line 5: not an http(s) URL (ftp://c.example/feed)",
                        f"{f}:line 6: not an http(s) URL (not a url)"]


def test_canonical_link():
    assert canonical_link("HTTPS://News.Example/a/b?id=3&utm_source=rss&utm_medium=feed#x") == \
        "https://news.example/a/b?id=3"
    assert canonical_link("http://news.example") == "http://news.example/"


def test_queued_entries_of_a_feed_taken_off_the_list_wait(site, tmp_path):
    site.route("/news/later", Answer(status=503, body=b"busy"))
    first = serve_feed(site, [Item(title="Quay repairs", link=site.url("/news/later"),
                                   summary=STORIES[8][1][0])], path="/first.xml")
    other = serve_feed(site, [publish(site, 9)], path="/other.xml")
    db = tmp_path / "w.duckdb"
    summary, _ = poll(db, [first])
    assert summary.page_errors == 1 and len(site.hits("/news/later")) == FAST.retries + 1
    summary, _ = poll(db, [other])
    assert summary.queued == 1 and len(site.hits("/news/later")) == FAST.retries + 1
    site.route("/news/later", Answer(body=article_page(*STORIES[8])))
    summary, _ = poll(db, [first, other])
    assert (summary.queued, summary.pages) == (1, 1)
    assert rows(db, "SELECT state, count(*) FROM watch_entries GROUP BY ALL ORDER BY 1") == [("page", 2)]


def test_a_stop_while_waiting_for_a_host_leaves_the_entries_queued(site, tmp_path):
    with LocalWeb(lifetime=60) as pages:  # another port: another host, asking for 5 s between requests
        pages.route("/robots.txt", Answer(body=b"User-agent: *\nCrawl-delay: 5\n", content_type="text/plain"))
        items = []
        for n in (10, 11):
            pages.route(f"/news/{n}", Answer(body=article_page(*STORIES[n])))
            items.append(Item(title=STORIES[n][0], link=pages.url(f"/news/{n}"), summary=STORIES[n][1][0]))
        feed = serve_feed(site, items)
        db = tmp_path / "w.duckdb"
        with Store(db) as store, Fetcher(FAST) as fetcher:
            threading.Timer(1.0, fetcher.stop.set).start()
            summary = Watcher(store, fetcher, print).poll([feed])
        assert summary.stopped and (summary.new_entries, summary.resolved, summary.feed_texts) == (2, 0, 0)
        assert page_hits(pages) == []
        assert rows(db, "SELECT state, count(*) FROM watch_entries GROUP BY ALL") == [("pending", 2)]
        assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
