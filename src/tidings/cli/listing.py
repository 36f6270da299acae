"""Listings of a database: articles, stories, events, one story, one event, counts."""
from __future__ import annotations

import json
import sys
from typing import Any, Optional

import typer
from rich.markup import escape
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


@app.command()
def stories(
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table, jsonl or csv."),
    limit: Optional[int] = typer.Option(None, help="At most this many."),
) -> None:
    """List stories: articles telling the same story, with outlets and first/last seen.

    Example: [bold]tidings stories --format jsonl[/bold]
    """
    with open_store(db) as store:
        rows = store.list_stories(limit=limit)
    emit(rows, fmt, ["id", "title", "outlets", "first_seen", "last_seen", "actors"], title="stories")


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
    story_id: str = typer.Argument(..., help="A story id (from `tidings stories`)."),
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl."),
) -> None:
    """Show one story: its outlets' articles side by side and its fused events.

    Example: [bold]tidings show 3f2a9c01d4e5b6a7[/bold]
    """
    with open_store(db) as store:
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
    emit(evs, Format.table, EVENT_COLUMNS, title="events")
    for r in evs:  # outlets disagreeing on a fact, one readable line each
        for line in [c["text"] for c in r["conflicts"]]:
            out.print(f"[yellow]conflict[/yellow] {r['id']}: {escape(line)}", highlight=False)
        for line in [x["text"] for x in r["refinements"]]:
            out.print(f"[green]refined[/green] {r['id']}: {escape(line)}", highlight=False)


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
        from tidings.formats import conflict_text, refinement_text

        for c in event.conflicts:
            out.print(f"[yellow]conflict[/yellow] {escape(conflict_text(c))}", highlight=False)
        for r in event.refinements:
            out.print(f"[green]refined[/green] {escape(refinement_text(r))}", highlight=False)
        if event.counts:
            out.print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(event.counts.items())), highlight=False)
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
