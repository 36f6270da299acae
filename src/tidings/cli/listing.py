"""Listings of a database: articles, stories, events, one story, one event, counts."""
from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Any, Optional

import typer
from rich.table import Table

from tidings.cli.app import DbOption, Format, app, emit, err, open_store, out


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
    with open_store(db) as store:
        rows = store.list_articles(limit=limit, story=story)
    emit(rows, fmt, ["id", "published", "outlet", "title", "story", "url"], title="articles")


class Level(str, Enum):
    event = "event"
    thread = "thread"


@app.command()
def stories(
    db: str = DbOption,
    level: Level = typer.Option(Level.event, "--level",
                                help="event: the articles about one happening; thread: the event stories "
                                     "of one developing topic over days or weeks."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
    limit: Optional[int] = typer.Option(None, help="At most this many."),
) -> None:
    """List stories: event stories (articles telling one happening, with outlets and first/last
    seen), or threads of them.

    Example: [bold]tidings stories --level thread --format jsonl[/bold]
    """
    with open_store(db) as store:
        if level is Level.thread:
            rows = store.list_threads(limit=limit)
            columns = ["id", "title", "stories", "articles", "outlets", "first_seen", "last_seen"]
        else:
            rows = store.list_stories(limit=limit)
            columns = ["id", "title", "outlets", "first_seen", "last_seen", "thread", "actors"]
    if fmt is Format.table:
        for r in rows:
            if isinstance(r.get("stories"), list):
                r["stories"] = len(r["stories"])
    emit(rows, fmt, columns, title="threads" if level is Level.thread else "stories")


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
    with open_store(db) as store:
        rows = _event_rows(store.list_events(actor=actor, code=code, quad=quad, place=place, since=since,
                                             until=until, story=story, limit=limit))
    if fmt is Format.table:
        for r in rows:
            r["place"] = (r["place"] or {}).get("name")
    emit(rows, fmt, EVENT_COLUMNS, title="events")


@app.command()
def show(
    story_id: str = typer.Argument(..., help="A story or thread id (from `tidings stories`)."),
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl."),
) -> None:
    """Show one story (its outlets' articles side by side and its fused events), or one
    thread (its event stories in order).

    Example: [bold]tidings show 3f2a9c01d4e5b6a7[/bold]
    """
    with open_store(db) as store:
        found = store.list_stories(story=story_id)
        if not found:
            threads = store.list_threads(thread=story_id)
            if not threads:
                err.print(f"[red]error:[/red] no story or thread {story_id} in {db}", highlight=False)
                raise typer.Exit(2)
            _show_thread(store, threads[0], fmt)
            return
        story = found[0]
        arts = store.list_articles(story=story_id)
        evs = _event_rows(store.list_events(story=story_id))
    if fmt is not Format.table:
        sys.stdout.write(json.dumps({**story, "articles": arts, "events": evs}, ensure_ascii=False, default=str) + "\n")
        return
    out.print(f"[bold]{story['title']}[/bold]  ({story['id']}, {story['first_seen']} – {story['last_seen']})")
    out.print(f"outlets: {', '.join(story['outlets'])}   actors: {', '.join(story['actors'])}   "
              f"thread: {story['thread']}")
    side = Table(show_lines=True)
    for a in arts:
        side.add_column(f"{a['outlet'] or a['url']} ({a['published'] or 'no date'})", overflow="fold")
    side.add_row(*[(a["title"] or "") + "\n\n" + (a["text"][:600] if a["text"] != a["title"] else "") for a in arts])
    out.print(side)
    for r in evs:
        r["place"] = (r["place"] or {}).get("name")
    emit(evs, Format.table, EVENT_COLUMNS, title="events")


def _show_thread(store, thread: dict[str, Any], fmt: Format) -> None:
    stories = [s for sid in thread["stories"] for s in store.list_stories(story=sid)]
    if fmt is not Format.table:
        sys.stdout.write(json.dumps({**thread, "stories": stories}, ensure_ascii=False, default=str) + "\n")
        return
    out.print(f"[bold]{thread['title']}[/bold]  (thread {thread['id']}, {thread['first_seen']} – "
              f"{thread['last_seen']}, {len(stories)} stories, {thread['articles']} articles)")
    for s in stories:
        s["articles"] = len(s["articles"])
    emit(stories, Format.table, ["id", "first_seen", "title", "articles", "outlets"], title="stories")


@app.command()
def explain(
    event_id: str = typer.Argument(..., help="An event id or its prefix (from `tidings events`)."),
    db: str = DbOption,
) -> None:
    """Explain an event: each sentence it was read from, its parts marked, and why it got its code.

    Example: [bold]tidings explain 9c41f0[/bold]
    """
    from tidings.coding import explain_event

    with open_store(db) as store:
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
    with open_store(db) as store:
        counts = store.stats()
    emit([{"what": k, "count": v} for k, v in counts.items()], Format.table, ["what", "count"], title=db)
