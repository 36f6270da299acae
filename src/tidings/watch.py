"""Watching feeds: `tidings watch` polls RSS/Atom feeds and adds what is new.

A poll has two phases:

1. Every feed is asked for its entries (conditional GET through `ingest.fetch`, parsed by
   the one feed parser, `ingest.readers.feed_entries`). Entries never seen are queued in the
   database together with the feed's new validators, one transaction per feed
   (`store/feeds.py`).
2. Every queued entry becomes an article: its page, fetched politely and extracted as any
   HTML input is; or, when it has no page or the page fails for good (not found, not HTML,
   too large, forbidden by robots.txt), the text its feed gave. A page that fails for now
   (timeout, 5xx) is tried again at the next polls before the feed's text is used. The
   articles go through `process.add_articles`, the same path as `tidings add`, and what
   became of each entry is written once the batch holding its article is committed.

So a watcher stopped at any point (a signal, a crash) resumes where it was: queued
entries wait in the database, done ones are never fetched again, and an article added
but not yet marked done is found again by its content hash and not stored twice.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tidings.ingest.article import make_article
from tidings.ingest.encoding import decode_bytes
from tidings.ingest.errors import IngestError
from tidings.ingest.extract import extract_html
from tidings.ingest.fetch import Fetched, FetchError, Fetcher, Stopped, is_web_url
from tidings.ingest.readers import FeedEntry, feed_entries
from tidings.records import Article, content_id
from tidings.store import Store
from tidings.store.feeds import EntryOutcome, FeedState, PendingEntry

MAX_PAGE_ATTEMPTS = 3  # polls at which a page failing for now is tried before the feed's text is used
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_TRACKING_PARAM = re.compile(r"^(utm_[a-z]+|fbclid|gclid)$", re.I)

Log = Callable[[str], None]


@dataclass
class PollSummary:
    feeds: int = 0            # feeds asked
    unchanged: int = 0        # ... that answered 304 Not Modified
    deferred: int = 0         # ... not asked: their server asked us to wait (Retry-After)
    feed_errors: int = 0
    new_entries: int = 0      # entries queued by this poll
    pages: int = 0            # articles read from their pages
    feed_texts: int = 0       # articles read from the feed's text
    page_errors: int = 0      # entries whose page failed (for now or for good)
    added: int = 0            # new articles stored (the others were already known)
    queued: int = 0           # entries to turn into articles at this poll (new and retried)
    resolved: int = 0         # ... done so far
    committed: int = 0        # articles committed so far (new or already known)
    stopped: bool = False     # a stop came before the poll was complete: the rest waits

    @property
    def errors(self) -> int:
        return self.feed_errors + self.page_errors


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def read_feed_list(path: str) -> tuple[list[str], list[str]]:
    """(feed URLs in order without repeats, one message per unusable line) from a file
    of one URL a line, '#' starting a comment."""
    urls: list[str] = []
    problems: list[str] = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, start=1):
            url = _COMMENT.sub("", line).strip()
            if not url:
                continue
            if not is_web_url(url):
                problems.append(f"{path}:line {n}: not an http(s) URL ({url[:100]})")
            elif url not in urls:
                urls.append(url)
    return urls, problems


def canonical_link(url: str) -> str:
    """One spelling of a page URL: no fragment, no tracking parameters, lower-case host."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING_PARAM.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def entry_key(entry: FeedEntry, feed_url: str) -> str:
    """What identifies an entry across polls and feeds: its page, else its guid within its
    feed, else its title and text within its feed."""
    if is_web_url(entry.link):
        return canonical_link(entry.link)
    if entry.guid:
        return f"{feed_url} guid:{entry.guid}"
    return f"{feed_url} text:{content_id((entry.title or '') + ' ' + entry.text)}"


def entry_from_json(data: dict) -> FeedEntry:
    names = {f.name for f in dataclasses.fields(FeedEntry)}
    return FeedEntry(**{k: v for k, v in data.items() if k in names})


class Watcher:
    """Polls feeds into one open store through one polite fetcher."""

    def __init__(self, store: Store, fetcher: Fetcher, log: Log,
                 on_progress: Callable[[PollSummary], None] | None = None):
        self.store = store
        self.state = FeedState(store)
        self.fetcher = fetcher
        self.log = log
        self.on_progress = on_progress or (lambda summary: None)
        self._site_names: dict[str, str | None] = {}  # feed URL -> the name its pages give their site

    @property
    def stopping(self) -> bool:
        return self.fetcher.stop.is_set()

    def poll(self, feeds: list[str]) -> PollSummary:
        """Ask every feed, then turn every queued entry into an article."""
        summary = PollSummary()
        for url in feeds:
            if self.stopping:
                summary.stopped = True
                return summary
            try:
                self._poll_feed(url, summary)
            except Stopped:
                summary.stopped = True
                return summary
            self.on_progress(summary)
        self._process_queue(set(feeds), summary)
        return summary

    # ------------------------------------------------------------------ phase 1: feeds

    def _poll_feed(self, url: str, summary: PollSummary) -> None:
        now = now_utc()
        stamp = now.isoformat()
        row = self.state.feed(url)
        if row.not_before and row.not_before > stamp:
            summary.deferred += 1
            return
        summary.feeds += 1
        try:
            got = self.fetcher.get(url, "feed", etag=row.etag, last_modified=row.last_modified)
            if got.not_modified:
                summary.unchanged += 1
                self.state.feed_unchanged(url, stamp)
                return
            entries = feed_entries(got.content, url, lambda line: self.log(f"feed {line}"),
                                   headers=_feed_headers(got))
        except FetchError as e:
            self._feed_failed(url, now, e.reason, e.status, e.retry_after, summary)
            return
        except IngestError as e:
            self._feed_failed(url, now, str(e), got.status, None, summary)
            return
        except Stopped:
            raise
        except Exception as e:  # a bug in fetching or parsing one feed costs that feed, not the poll
            self._feed_failed(url, now, f"unexpected error ({_one_line(e)})", None, None, summary)
            return
        rows = [(entry_key(e, url), e.link, dataclasses.asdict(e)) for e in entries]
        summary.new_entries += self.state.feed_changed(url, stamp, got.status, got.etag, got.last_modified, rows)

    def _feed_failed(self, url: str, now: datetime, reason: str, status: int | None, retry_after: float | None,
                     summary: PollSummary) -> None:
        summary.feed_errors += 1
        not_before = (now + timedelta(seconds=retry_after)).isoformat() if retry_after else None
        self.log(f"feed {url}: {reason}")
        self.state.feed_failed(url, now.isoformat(), reason, status, not_before)

    # ------------------------------------------------------------------ phase 2: entries

    def _process_queue(self, feeds: set[str], summary: PollSummary) -> None:
        from tidings.process import add_articles

        # Entries of feeds taken off the list wait, in case they come back.
        queue = [p for p in self.state.pending() if p.feed in feeds]
        summary.queued = len(queue)
        if not queue:
            return
        # Oldest news first, so that stories grow in the order things happened.
        queue.sort(key=lambda p: (p.entry.get("published") is None, p.entry.get("published") or ""))
        outcomes = _Outcomes(self.state)

        def articles():
            for pending in queue:
                if self.stopping:
                    summary.stopped = True
                    return
                try:
                    outcome, article = self._resolve(pending, summary)
                except Stopped:
                    summary.stopped = True
                    return
                outcomes.add(outcome, article is not None)
                summary.resolved += 1
                self.on_progress(summary)
                if article is not None:
                    yield article

        def batch_committed(n: int) -> None:
            outcomes.batch_committed(n)
            summary.committed += n
            self.on_progress(summary)

        if self.stopping:
            summary.stopped = True
            return
        # An article that cannot be annotated is logged and left out, its entry done: it
        # would fail the same way at every poll and hold back the rest of its batch.
        added = add_articles(self.store, articles(), on_progress=batch_committed,
                             on_error=lambda line: self.log(f"article {line}"))
        summary.added += added.added
        outcomes.write_all()
        self.on_progress(summary)

    def _resolve(self, pending: PendingEntry, summary: PollSummary) -> tuple[EntryOutcome, Article | None]:
        """What one queued entry gives: an article from its page, from its feed's text, none
        yet (try again later) or none at all."""
        entry = entry_from_json(pending.entry)
        page_error = None
        if is_web_url(entry.link):
            try:
                page = self.fetcher.get(entry.link, "page")
            except FetchError as e:
                page_error = e.reason
                if e.transient and pending.attempts + 1 < MAX_PAGE_ATTEMPTS:
                    summary.page_errors += 1
                    self.log(f"page {entry.link}: {e.reason}; tried again at the next poll")
                    return EntryOutcome(pending.key, "pending", error=e.reason), None
            except Stopped:
                raise  # the entry stays queued as it is
            except Exception as e:  # a bug in fetching costs this entry's page, not the poll
                page_error = f"unexpected error fetching the page ({_one_line(e)})"
            else:
                try:
                    article = self._from_page(entry, page)
                    if article is not None:
                        if article.outlet and article.outlet != entry.outlet:
                            self._site_names[pending.feed] = article.outlet
                        summary.pages += 1
                        return EntryOutcome(pending.key, "page", article.id), article
                    page_error = "no article text found in the page"
                except IngestError as e:
                    page_error = str(e)
                except Exception as e:  # a page that breaks the extractor costs its entry's page, not the poll
                    page_error = f"cannot extract the page ({_one_line(e)})"
        if page_error:
            summary.page_errors += 1
            self.log(f"page {entry.link}: {page_error}; " +
                     ("kept the feed's text" if entry.text else "no text in the feed either, entry dropped"))
        if not entry.text:
            if not page_error:
                self.log(f"feed {entry.where}: entry without a page or text, dropped")
            return EntryOutcome(pending.key, "failed", error=page_error or "no page and no text"), None
        url = entry.link or pending.feed
        article = make_article(entry.text, url, title=entry.title, published=entry.published,
                               outlet=self._site_name(pending.feed) or entry.outlet, author=entry.author,
                               external_id=entry.guid)
        summary.feed_texts += 1
        return EntryOutcome(pending.key, "feed_text", article.id, error=page_error), article

    def _site_name(self, feed: str) -> str | None:
        """One outlet for a feed's articles, from pages or from feed text alike: the name its
        pages give their site ("Harbour Gazette") rather than the feed's title ("Harbour
        Gazette: World"), when a page has given one."""
        if feed not in self._site_names:
            self._site_names[feed] = self.state.site_name(feed)
        return self._site_names[feed]

    @staticmethod
    def _from_page(entry: FeedEntry, page: Fetched) -> Article | None:
        """The article in a fetched page; what the feed says of the entry (its title, date)
        wins over what the page's markup says, the site's own name over the feed's title."""
        found = extract_html(decode_bytes(page.content, page.charset), url=page.url)
        if not found.text:
            return None
        article = make_article(found.text, page.url, title=entry.title or found.title,
                               published=entry.published or found.published, outlet=found.outlet or entry.outlet,
                               author=found.author or entry.author, external_id=entry.guid)
        if entry.link and entry.link != page.url:
            article.sources.append(entry.link)
        return article


class _Outcomes:
    """What became of queued entries, in queue order, written once the batch holding their
    article is committed (`add_articles` reports each batch after its commit), so an entry
    is never marked done before its article is stored."""

    def __init__(self, state: FeedState):
        self.state = state
        self.items: list[tuple[EntryOutcome, bool]] = []  # (outcome, whether it gave an article)
        self.committed = 0          # articles committed so far
        self.written = 0            # outcomes written so far ...
        self.written_articles = 0   # ... and the articles among them

    def add(self, outcome: EntryOutcome, has_article: bool) -> None:
        self.items.append((outcome, has_article))

    def batch_committed(self, n: int) -> None:
        self.committed += n
        self._write(self.committed)

    def write_all(self) -> None:
        self._write(len(self.items))

    def _write(self, committed_articles: int) -> None:
        ready = []
        while self.written < len(self.items):
            outcome, has_article = self.items[self.written]
            if has_article:
                if self.written_articles >= committed_articles:
                    break
                self.written_articles += 1
            ready.append(outcome)
            self.written += 1
        if ready:
            self.state.finish(ready, now_utc().isoformat())


def _one_line(e: BaseException) -> str:
    return f"{type(e).__name__}: {' '.join(str(e).split())[:150]}"


def _feed_headers(got: Fetched) -> dict[str, str]:
    """What the feed parser needs of the response: the charset, and the URL relative links
    resolve against."""
    return {"content-type": got.content_type or "application/xml", "content-location": got.url}
