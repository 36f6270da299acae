"""`tidings watch`: poll RSS/Atom feeds into the database; `tidings feeds`: their state."""
from __future__ import annotations

import itertools
import re
import signal
import threading
import time

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tidings.cli.app import DbOption, Format, app, emit, err, open_store, report_skipped

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])", re.I)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.I)
_BYTES = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def parse_duration(text: str) -> float:
    """Seconds in "90s", "15m", "1h30m", "1d"; a bare number is minutes."""
    s = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s) * 60
    if not s or _DURATION.sub("", s).strip():
        raise typer.BadParameter(f"{text!r} is not a duration (examples: 90s, 15m, 1h30m)")
    return sum(float(n) * _SECONDS[u] for n, u in _DURATION.findall(s))


def parse_size(text: str) -> int:
    """Bytes in "5MB", "500KB", "2 MiB" or a bare number of bytes."""
    m = _SIZE.match(text)
    if not m:
        raise typer.BadParameter(f"{text!r} is not a size (examples: 5MB, 500KB)")
    return int(float(m.group(1)) * _BYTES[m.group(2).lower()])


def _positive(value: float, name: str) -> float:
    if value <= 0:
        raise typer.BadParameter(f"{name} must be more than 0")
    return value


class _Signals:
    """SIGINT/SIGTERM: the first asks the watcher to finish its batch, commit and stop; a
    second aborts at once (the open transaction is rolled back, nothing half-written stays)."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.name: str | None = None
        self.previous = {}

    def __enter__(self) -> "_Signals":
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        if self.stop.is_set():
            raise KeyboardInterrupt
        self.name = signal.Signals(signum).name
        self.stop.set()


@app.command()
def watch(
    feeds: str = typer.Argument(..., help="File of RSS/Atom feed URLs, one a line; '#' starts a comment. "
                                "Read again at every poll, so feeds can be added while it runs."),
    db: str = DbOption,
    every: str = typer.Option("15m", help="Time between the starts of two polls: 90s, 15m, 1h (a bare number is "
                              "minutes)."),
    once: bool = typer.Option(False, "--once", help="Poll every feed once, add what is new, and exit (for cron)."),
    delay: float = typer.Option(1.0, help="Seconds between two requests to one host (a longer robots.txt "
                                "Crawl-delay wins)."),
    timeout: float = typer.Option(20.0, help="Seconds to wait for a connection, or for the next data of an answer."),
    max_page_size: str = typer.Option("5MB", help="Largest feed or page read; larger ones are skipped."),
    retries: int = typer.Option(2, min=0, max=10, help="Further attempts after a timeout or a 5xx answer, with "
                                "growing waits."),
    contact: str | None = typer.Option(None, envvar="TIDINGS_CONTACT", help="Your e-mail or web page, sent in "
                                       "the User-Agent so that site owners can reach you."),
) -> None:
    """Poll RSS/Atom feeds and add their new articles to the database.

    Each new entry's page is fetched and extracted as [bold]tidings add[/bold]
    reads HTML; an entry without a page, or whose page cannot be had, keeps
    its feed's text.

    A good citizen: conditional GET, robots.txt, one request at a time with a
    delay per host, timeouts, a size limit, retries with backoff, and a
    User-Agent naming Tidings.

    What it has seen is kept in the database: restarted, it fetches nothing
    twice and misses nothing. Ctrl-C or SIGTERM finishes the current batch,
    commits and exits (a second one aborts). The database is open only
    during a poll, so other commands can read it in between;
    [bold]tidings feeds[/bold] shows each feed's state.

    Example: [bold]tidings watch --db news.duckdb feeds.txt --every 15m[/bold]
    """
    from tidings.ingest.fetch import Fetcher, FetchPolicy

    interval = _positive(parse_duration(every), "--every")
    policy = FetchPolicy(connect_timeout=_positive(timeout, "--timeout"), read_timeout=timeout,
                         total_timeout=max(60.0, 3 * timeout), max_bytes=parse_size(max_page_size),
                         retries=retries, backoff=min(2.0, timeout), host_delay=max(0.0, delay), contact=contact)
    urls = _feed_list(feeds, previous=None)
    stop = threading.Event()
    with _Signals(stop) as signals, Fetcher(policy, stop) as fetcher, \
            Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                     transient=True, disable=not err.is_terminal) as progress:
        line = progress.add_task("starting", total=None)
        for n in itertools.count(1):
            started = time.monotonic()
            _poll(db, urls, n, fetcher, once, lambda summary: progress.update(
                line, description=_progress_text(n, len(urls), summary, signals.name)))
            if once or stop.is_set():
                break
            pause = max(0.0, started + interval - time.monotonic())
            wake = time.strftime("%H:%M:%S", time.localtime(time.time() + pause))
            progress.update(line, description=f"next poll at {wake}")
            if stop.wait(pause):
                break
            urls = _feed_list(feeds, previous=urls)
    if signals.name:
        err.print(f"stopped on {signals.name}; everything fetched so far is committed", highlight=False)


def _poll(db: str, urls: list[str], n: int, fetcher, once: bool, show) -> None:
    """One poll with the database open; one line says how it went."""
    from tidings.store import StoreError
    from tidings.watch import Watcher

    try:
        store = _open_store_for_poll(db, once)
    except StoreError as e:
        err.print(f"[yellow]skipped poll {n}:[/yellow] {escape(str(e))}; trying again at the next poll", highlight=False,
                  soft_wrap=True)
        return
    try:
        with store:
            summary = Watcher(store, fetcher, report_skipped, on_progress=show).poll(urls)
            articles = store.stats()["articles"]
    except KeyboardInterrupt:
        err.print("aborted: the open batch was rolled back; entries not yet stored stay queued", highlight=False)
        raise typer.Exit(130) from None
    except Exception as e:  # a bug must not end a long-running watcher with a traceback
        err.print(f"[red]poll {n} failed:[/red] {type(e).__name__}: {escape(' '.join(str(e).split())[:300])}; "
                  "the open batch was rolled back, its entries stay queued", highlight=False, soft_wrap=True)
        if once:
            raise typer.Exit(1) from None
        return
    err.print(_poll_line(n, summary, articles, db), highlight=False, soft_wrap=True)


def _progress_text(n: int, feeds: int, s, signal_name: str | None) -> str:
    stopping = f" · stopping ({signal_name})" if signal_name else ""
    return (f"poll {n}: feeds {s.feeds + s.deferred}/{feeds} · entries {s.resolved}/{s.queued} · "
            f"{s.committed}/{s.pages + s.feed_texts} articles stored · {s.errors} errors{stopping}")


def _open_store_for_poll(db: str, once: bool):
    """The store for one poll, waiting as `tidings add` does while a reader (the web page, a
    listing) holds the file; a database still held after that is an error for a single poll
    and a skipped poll for a running watcher."""
    from tidings.cli.app import WRITE_WAIT
    from tidings.store import Store, StoreError

    try:
        return Store(db, read_only=False, wait=WRITE_WAIT)
    except StoreError as e:
        if once:
            err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
            raise typer.Exit(2) from e
        raise


def _feed_list(path: str, previous: list[str] | None) -> list[str]:
    """The feeds to poll; the list of the last poll when the file has become unreadable."""
    from tidings.watch import read_feed_list

    try:
        urls, problems = read_feed_list(path)
    except OSError as e:
        if previous is None:
            err.print(f"[red]error:[/red] {escape(path)}: cannot read the feed list ({escape(str(e.strerror or e))})", highlight=False)
            raise typer.Exit(2) from e
        err.print(f"[yellow]warning:[/yellow] {escape(path)}: cannot read the feed list ({escape(str(e.strerror or e))}); "
                  "polling the feeds of the last poll", highlight=False)
        return previous
    for p in problems:
        report_skipped(p)
    if not urls and previous is None:
        err.print(f"[red]error:[/red] {escape(path)}: no feed URLs in the file", highlight=False)
        raise typer.Exit(2)
    return urls


def _poll_line(n: int, s, articles: int, db: str) -> str:
    """"poll 2: 40 feeds (31 unchanged, 1 failed), 57 new entries, 57 articles (55 from
    pages, 2 from feed text), 54 added, 3 page errors; news.duckdb: 1804 articles"."""
    feeds = f"{s.feeds} feeds ({s.unchanged} unchanged, {s.feed_errors} failed" + \
        (f", {s.deferred} more waiting as their server asked" if s.deferred else "") + ")"
    read = f"{s.pages + s.feed_texts} articles ({s.pages} from pages, {s.feed_texts} from feed text)"
    stopped = "; stopped early, the rest stays queued" if s.stopped else ""
    return (f"poll {n}: {feeds}, {s.new_entries} new entries, {read}, {s.added} added, {s.page_errors} page errors; "
            f"{db}: {articles} articles{stopped}")


@app.command()
def feeds(
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
) -> None:
    """The feeds [bold]tidings watch[/bold] polls: last poll, last error, what their entries gave."""
    from tidings.store.feeds import watched_feeds

    with open_store(db) as store:
        rows = watched_feeds(store)
    emit(rows, fmt, ["url", "last_polled", "last_status", "last_error", "entries", "pages", "feed_texts",
                     "pending", "failed"], title="watched feeds")
