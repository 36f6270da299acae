"""The `tidings` command: build a sourced event database from news, query and export it."""
from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="Tidings: turn raw news into a sourced event database — who did what to whom, where and when, "
    "according to whom, and which articles tell the same story.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
if not out.is_terminal:  # piped tables keep whole ids and dates instead of folding at 80 columns
    out = Console(soft_wrap=True, width=220)
err = Console(stderr=True)

DB_HELP = "DuckDB database file (env TIDINGS_DB)."
DbOption = typer.Option("tidings.duckdb", "--db", envvar="TIDINGS_DB", help=DB_HELP)


class Format(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"
    gdelt = "gdelt"


def _open_store(db: str, read_only: bool = True):
    from tidings.store import Store, StoreError

    try:
        return Store(db, read_only=read_only)
    except StoreError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2) from e


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _emit(rows: list[dict[str, Any]], fmt: Format, columns: list[str], title: str | None = None) -> None:
    """Print rows as a Rich table (the columns given), JSON Lines or CSV (every field)."""
    if fmt is Format.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        fields = list(rows[0]) if rows else columns
        writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold", max_width=60, no_wrap=c in ("id", "date", "first_seen", "last_seen"))
    for row in rows:
        table.add_row(*(_cell(row.get(c))[:200] for c in columns))
    out.print(table)


def _read_jsonl(path: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record, error) for each non-blank line of a JSON Lines file or stdin."""
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
    name = "<stdin>" if path == "-" else path
    with stream:
        for n, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                yield n, record, None
            except ValueError as e:
                yield n, None, f"{name}:{n}: malformed JSON line ({str(e).splitlines()[0]})"


def _articles_from_jsonl(path: str) -> Iterator[tuple[dict | None, Any, str | None]]:
    """(input record, Article or None, error) per line, in order."""
    from tidings.ingest import article_from_record

    name = "<stdin>" if path == "-" else path
    for n, record, error in _read_jsonl(path):
        if error:
            yield None, None, error
            continue
        try:
            yield record, article_from_record(record, f"{name}:{n}"), None
        except ValueError as e:
            yield record, None, f"{name}:{n}: {e}"


def _check_input(path: str) -> None:
    if path != "-" and not Path(path).is_file():
        err.print(f"[red]error:[/red] {path}: no such file", highlight=False)
        raise typer.Exit(2)


@app.command()
def add(
    paths: list[str] = typer.Argument(..., help="Files, folders, feeds, WARCs; '-' reads stdin."),
    db: str = DbOption,
    batch_size: int = typer.Option(64, help="Articles per transaction."),
) -> None:
    """Ingest and process news into the database (incremental and idempotent).

    Reads .txt, .html, .jsonl, RSS/Atom feeds, WARC (and any of them gzipped), folders
    recursively. Articles already stored are skipped; a killed run can simply be re-run.

    Example: [bold]tidings add --db news.duckdb examples/[/bold]
    """
    from tidings.ingest import read_paths
    from tidings.process import add_articles

    skipped: list[str] = []

    def on_error(line: str) -> None:
        skipped.append(line)
        err.print(f"[yellow]skipped:[/yellow] {line}", highlight=False)

    store = _open_store(db, read_only=False)
    with store, Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                         TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("processing articles", total=None)
        summary = add_articles(store, read_paths(paths, on_error),
                               on_progress=lambda n: progress.advance(task, n), batch_size=batch_size)
        stats = store.stats()
    summary.skipped = skipped
    err.print(
        f"read {summary.read} articles: {summary.added} added, {summary.duplicates} duplicates, "
        f"{summary.near_duplicates} near-duplicates, {len(skipped)} inputs skipped; "
        f"database {db}: {stats['articles']} articles, {stats['stories']} stories, {stats['events']} events",
        highlight=False,
    )
    if summary.read == 0 and skipped:
        raise typer.Exit(1)


@app.command()
def articles(
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
    story: Optional[str] = typer.Option(None, help="Only articles of this story."),
    limit: Optional[int] = typer.Option(None, help="At most this many."),
) -> None:
    """List stored articles (id, url, published, outlet, title, story, text).

    Example: [bold]tidings articles --format jsonl[/bold]
    """
    with _open_store(db) as store:
        rows = store.list_articles(limit=limit, story=story)
    _emit(rows, fmt, ["id", "published", "outlet", "title", "story", "url"], title="articles")


@app.command()
def stories(
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
    limit: Optional[int] = typer.Option(None, help="At most this many."),
) -> None:
    """List stories: articles telling the same story, with outlets and first/last seen.

    Example: [bold]tidings stories --format jsonl[/bold]
    """
    with _open_store(db) as store:
        rows = store.list_stories(limit=limit)
    _emit(rows, fmt, ["id", "title", "outlets", "first_seen", "last_seen", "actors"], title="stories")


def _event_rows(events) -> list[dict[str, Any]]:
    from tidings.formats import event_json

    return [event_json(e) for e in events]


EVENT_COLUMNS = ["id", "date", "source", "code", "target", "plover", "place", "outlets", "attributed_to", "modality"]


@app.command()
def events(
    db: str = DbOption,
    actor: Optional[str] = typer.Option(None, help="Actor code prefix on either side, e.g. CHN or BLRMIL."),
    code: Optional[str] = typer.Option(None, help="CAMEO code prefix, e.g. 04 or 042."),
    quad: Optional[int] = typer.Option(None, help="Quad class 1-4."),
    place: Optional[str] = typer.Option(None, help="Place name, e.g. Brest."),
    since: Optional[str] = typer.Option(None, help="On or after this date (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, help="On or before this date (YYYY-MM-DD)."),
    story: Optional[str] = typer.Option(None, help="Only events of this story."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
    limit: Optional[int] = typer.Option(None, help="At most this many."),
) -> None:
    """List fused events: one row per happening, with every mention and outlet.

    Example: [bold]tidings events --actor CHN --code 04 --since 2024-07-01[/bold]
    """
    with _open_store(db) as store:
        rows = _event_rows(store.list_events(actor=actor, code=code, quad=quad, place=place, since=since,
                                             until=until, story=story, limit=limit))
    if fmt is Format.table:
        for r in rows:
            r["place"] = (r["place"] or {}).get("name")
    _emit(rows, fmt, EVENT_COLUMNS, title="events")


@app.command()
def show(
    story_id: str = typer.Argument(..., help="A story id (from `tidings stories`)."),
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl."),
) -> None:
    """Show one story: its outlets' articles side by side and its fused events.

    Example: [bold]tidings show 3f2a9c01d4e5b6a7[/bold]
    """
    with _open_store(db) as store:
        found = store.list_stories(story=story_id)
        if not found:
            err.print(f"[red]error:[/red] no story {story_id} in {db}", highlight=False)
            raise typer.Exit(2)
        story = found[0]
        arts = store.list_articles(story=story_id)
        evs = _event_rows(store.list_events(story=story_id))
    if fmt is not Format.table:
        sys.stdout.write(json.dumps({**story, "articles": arts, "events": evs}, ensure_ascii=False, default=str) + "\n")
        return
    out.print(f"[bold]{story['title']}[/bold]  ({story['id']}, {story['first_seen']} – {story['last_seen']})")
    out.print(f"outlets: {', '.join(story['outlets'])}   actors: {', '.join(story['actors'])}")
    side = Table(show_lines=True)
    for a in arts:
        side.add_column(f"{a['outlet'] or a['url']} ({a['published'] or 'no date'})", overflow="fold")
    side.add_row(*[(a["title"] or "") + "\n\n" + a["text"][:600] for a in arts])
    out.print(side)
    for r in evs:
        r["place"] = (r["place"] or {}).get("name")
    _emit(evs, Format.table, EVENT_COLUMNS, title="events")


@app.command()
def explain(
    event_id: str = typer.Argument(..., help="An event id or its prefix (from `tidings events`)."),
    db: str = DbOption,
) -> None:
    """Explain an event: each sentence it was read from, its parts marked, and why it got its code.

    Example: [bold]tidings explain 9c41f0[/bold]
    """
    from tidings.coding import explain_event

    with _open_store(db) as store:
        event = store.get_event(event_id)
        if event is None:
            err.print(f"[red]error:[/red] no event {event_id} in {db}", highlight=False)
            raise typer.Exit(2)
        out.print(f"[bold]event {event.id}[/bold]: {event.source or '?'} —{event.code}→ {event.target or '?'} "
                  f"on {event.date or '?'}, reported by {event.outlets} outlet(s)")
        for c in event.conflicts:
            out.print(f"[yellow]conflict on {c.field}:[/yellow] {c.values}")
        for m in event.mentions:
            text = store.article_text(m.article) or ""
            out.print(f"\n[dim]article {m.article} ({m.outlet or 'unknown outlet'})[/dim]")
            out.print(explain_event(m, text))


@app.command()
def stats(db: str = DbOption) -> None:
    """Count what the database holds.

    Example: [bold]tidings stats --db news.duckdb[/bold]
    """
    with _open_store(db) as store:
        counts = store.stats()
    _emit([{"what": k, "count": v} for k, v in counts.items()], Format.table, ["what", "count"], title=db)


@app.command()
def export(
    out_path: Path = typer.Argument(..., metavar="OUT", help="Output directory (jsonl, parquet) or file (gdelt)."),
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", help="jsonl, parquet or gdelt."),
    db: str = DbOption,
) -> None:
    """Export the database: JSON Lines, Parquet partitioned by date, or a GDELT 2.0 event table.

    Example: [bold]tidings export --format parquet out/[/bold]
    """
    from tidings.store.export import EXPORTERS

    with _open_store(db) as store:
        written = EXPORTERS[fmt.value](store, out_path)
    for path in written:
        err.print(f"wrote {path}", highlight=False)


@app.command()
def annotate(
    path: str = typer.Argument(..., metavar="IN.jsonl", help="JSON Lines input ('-' for stdin)."),
    no_events: bool = typer.Option(False, "--no-events", help="Skip event coding."),
) -> None:
    """Annotate articles statelessly: one JSON line in, one line out with every layer.

    Input lines: {"id", "text" or "html", optional "date", "title", "url", "outlet"}.
    Output: cleaned text, times, places, actors, attributions and events, with offsets.

    Example: [bold]tidings annotate in.jsonl > out.jsonl[/bold]
    """
    from tidings.formats import annotated_json
    from tidings.nlp.pipeline import annotate_articles

    _check_input(path)
    failures = total = 0
    pending: list[tuple[dict | None, Any, str | None]] = []

    def flush() -> None:
        good = [a for _, a, e in pending if a is not None]
        done = iter(annotate_articles(good, code=not no_events))
        for record, article, error in pending:
            if article is None:
                sys.stdout.write(json.dumps({"id": (record or {}).get("id"), "error": error}, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(json.dumps(annotated_json(next(done)), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        pending.clear()

    for item in _articles_from_jsonl(path):
        total += 1
        if item[2]:
            failures += 1
            err.print(f"[yellow]skipped:[/yellow] {item[2]}", highlight=False)
        pending.append(item)
        if len(pending) >= 256:
            flush()
    flush()
    if failures and failures == total:
        raise typer.Exit(1)


@app.command()
def cluster(
    path: str = typer.Argument(..., metavar="IN.jsonl", help="JSON Lines input ('-' for stdin)."),
) -> None:
    """Group articles into stories statelessly: one line out per input line, {"id", "story"}.

    Example: [bold]tidings cluster in.jsonl[/bold]
    """
    from tidings.nlp.pipeline import annotate_articles
    from tidings.stories import cluster_articles

    _check_input(path)
    items = list(_articles_from_jsonl(path))
    for _, _, error in items:
        if error:
            err.print(f"[yellow]skipped:[/yellow] {error}", highlight=False)
    annotated = list(annotate_articles([a for _, a, _ in items if a is not None], code=False))
    story_ids = iter(cluster_articles(annotated))
    for record, article, _ in items:
        story = next(story_ids) if article is not None else None
        sys.stdout.write(json.dumps({"id": (record or {}).get("id"), "story": story}, ensure_ascii=False) + "\n")


def main() -> None:  # pragma: no cover - console entry
    app()
