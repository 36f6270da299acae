"""Listings of a database: articles, stories, events, actors, one story, one event, counts.

Every listing goes through the one query layer (`store/query.py`), which the web page and
`tidings.open` use too: the same filters, the same checks, the same JSON fields. A bad
value is refused in Typer's own style, naming the option and the reason.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, Optional, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from tidings.cli.app import DbOption, Format, app, emit, err, open_store, out

T = TypeVar("T")

FMT_HELP = "table, jsonl or csv."
LimitOption = typer.Option(None, min=1, help="At most this many.")
SinceOption = typer.Option(None, help="On or after this date (YYYY-MM-DD, YYYY-MM or YYYY).")
UntilOption = typer.Option(None, help="On or before this date (YYYY-MM-DD, YYYY-MM or YYYY).")
ActorOption = typer.Option(None, help="Actor code prefix on either side, e.g. CHN or BLRMIL.")
CodeOption = typer.Option(None, help="CAMEO code prefix, e.g. 04 or 042.")
RootOption = typer.Option(None, help="CAMEO root, 01 to 20.")
QuadOption = typer.Option(None, min=1, max=4, help="Quad class: 1 verbal cooperation, 2 material cooperation, "
                                                  "3 verbal conflict, 4 material conflict.")
CountryOption = typer.Option(None, help="Country where it happened: ISO code (BY, BLR) or name.")
OutletOption = typer.Option(None, help="An outlet that reported it, e.g. Xinhua.")
SearchOption = typer.Option(None, "--search", "-q", help="Words that must all occur in a title or text of the story.")


def checked(ctx: typer.Context, call: Callable[[], T]) -> T:
    """Run a query; a value it refuses becomes Typer's usage error naming the option."""
    from tidings.store import QueryError

    try:
        return call()
    except QueryError as e:
        hint = {"event": "'EVENT_ID'", "q": "'--search'"}.get(e.parameter, f"'--{e.parameter}'")
        if e.parameter == "story" and ctx.command.name == "show":
            hint = "'STORY_ID'"
        raise typer.BadParameter(e.reason, ctx=ctx, param_hint=hint) from None


def filters_of(ctx: typer.Context, **options: Any):
    from tidings.store import parse_filters

    return checked(ctx, lambda: parse_filters({k: v for k, v in options.items() if v is not None}))


def _events_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        r["place"] = (r["place"] or {}).get("name")
    return rows


EVENT_COLUMNS = ["id", "date", "source", "code", "target", "plover", "place", "outlets", "attributed_to", "modality"]


@app.command()
def articles(
    ctx: typer.Context,
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help=FMT_HELP),
    story: Optional[str] = typer.Option(None, help="Only articles of this story."),
    limit: Optional[int] = LimitOption,
) -> None:
    """List stored articles (id, url, published, outlet, title, story, text).

    Example: [bold]tidings articles --format jsonl[/bold]
    """
    with open_store(db) as store:
        rows = checked(ctx, lambda: store.list_articles(limit=limit, story=story))
    emit(rows, fmt, ["id", "published", "outlet", "title", "story", "url"], title="articles")


@app.command()
def stories(
    ctx: typer.Context,
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help=FMT_HELP),
    search: Optional[str] = SearchOption,
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    actor: Optional[str] = ActorOption,
    country: Optional[str] = CountryOption,
    outlet: Optional[str] = OutletOption,
    code: Optional[str] = CodeOption,
    root: Optional[str] = RootOption,
    quad: Optional[int] = QuadOption,
    sort: str = typer.Option("newest", help="newest (last article), oldest (first article) or added."),
    level: str = typer.Option("event", "--level",
                              help="event: the articles about one happening; thread: the event stories of one "
                                   "developing topic over days or weeks."),
    limit: Optional[int] = LimitOption,
) -> None:
    """List stories: event stories (articles telling one happening) or threads of them, with outlets, first/last seen and event counts.

    Dates select stories with an article published then; actor, country, code, root and quad select stories with such an event.

    Example: [bold]tidings stories --actor CHN --since 2024-07-01 --format jsonl[/bold]
    """
    from tidings.formats import story_json, thread_json

    filters = filters_of(ctx, q=search, since=since, until=until, actor=actor, country=country, outlet=outlet,
                         code=code, root=root, quad=quad)
    with open_store(db) as store:
        found = list(checked(ctx, lambda: store.stories(filters, limit=limit, sort=sort, level=level)))
        if level == "thread":
            of = store.stories_of_threads([t.id for t in found])
            rows = [thread_json(t, of[t.id]) for t in found]
        else:
            rows = [story_json(s) for s in found]
    if level == "thread":
        if fmt is Format.table:
            for r in rows:
                r["stories"], r["articles"] = len(r["stories"]), len(r["articles"])
        emit(rows, fmt, ["id", "title", "stories", "articles", "outlets", "first_seen", "last_seen", "n_events"],
             title="threads")
        return
    emit(rows, fmt, ["id", "title", "outlets", "first_seen", "last_seen", "n_events", "thread"], title="stories")


@app.command()
def events(
    ctx: typer.Context,
    db: str = DbOption,
    actor: Optional[str] = ActorOption,
    source: Optional[str] = typer.Option(None, help="Source actor code prefix."),
    target: Optional[str] = typer.Option(None, help="Target actor code prefix."),
    code: Optional[str] = CodeOption,
    root: Optional[str] = RootOption,
    quad: Optional[int] = QuadOption,
    place: Optional[str] = typer.Option(None, help="Place name (e.g. Brest) or GeoNames id."),
    country: Optional[str] = CountryOption,
    outlet: Optional[str] = OutletOption,
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    story: Optional[str] = typer.Option(None, help="Only events of this story."),
    search: Optional[str] = SearchOption,
    sort: str = typer.Option("newest", help="newest or oldest (by event date)."),
    fmt: Format = typer.Option(Format.table, "--format", help=FMT_HELP),
    limit: Optional[int] = LimitOption,
) -> None:
    """List fused events: one row per happening, with every mention and outlet.

    Example: [bold]tidings events --actor CHN --code 04 --since 2024-07-01[/bold]
    """
    from tidings.formats import event_json

    filters = filters_of(ctx, actor=actor, source=source, target=target, code=code, root=root, quad=quad, place=place,
                         country=country, outlet=outlet, since=since, until=until, story=story, q=search)
    with open_store(db) as store:
        rows = [event_json(e) for e in checked(ctx, lambda: store.events(filters, limit=limit, sort=sort))]
    emit(_events_table(rows) if fmt is Format.table else rows, fmt, EVENT_COLUMNS, title="events")


@app.command()
def actors(
    ctx: typer.Context,
    db: str = DbOption,
    actor: Optional[str] = ActorOption,
    code: Optional[str] = CodeOption,
    root: Optional[str] = RootOption,
    quad: Optional[int] = QuadOption,
    country: Optional[str] = CountryOption,
    outlet: Optional[str] = OutletOption,
    since: Optional[str] = SinceOption,
    until: Optional[str] = UntilOption,
    fmt: Format = typer.Option(Format.table, "--format", help=FMT_HELP),
    limit: Optional[int] = LimitOption,
) -> None:
    """List actors of the matching events: how many events, as source and as target, mean Goldstein score.

    Example: [bold]tidings actors --country BY --since 2024-07-01[/bold]
    """
    from tidings.formats import record_json

    filters = filters_of(ctx, actor=actor, code=code, root=root, quad=quad, country=country, outlet=outlet,
                         since=since, until=until)
    with open_store(db) as store:
        rows = [record_json(a) for a in checked(ctx, lambda: store.actors(filters, limit=limit))]
    emit(rows, fmt, ["code", "label", "events", "as_source", "as_target", "goldstein", "first_date", "last_date"],
         title="actors")


@app.command()
def show(
    ctx: typer.Context,
    story_id: str = typer.Argument(..., help="A story or thread id (from `tidings stories`) or its first characters."),
    db: str = DbOption,
    fmt: Format = typer.Option(Format.table, "--format", help="table or jsonl."),
) -> None:
    """Show one story (its outlets' articles side by side and its fused events), or one thread (its event stories in order).

    Example: [bold]tidings show 3f2a9c01d4e5b6a7[/bold]
    """
    from tidings.formats import article_json, event_json, story_json

    with open_store(db) as store:
        detail = checked(ctx, lambda: store.story(story_id))
        thread = checked(ctx, lambda: store.thread(story_id)) if detail is None else None
    if detail is None and thread is not None:
        _show_thread(*thread, fmt)
        return
    if detail is None:
        err.print(f"[red]error:[/red] no story or thread {story_id} in {db}", highlight=False)
        raise typer.Exit(2)
    story = story_json(detail.story)
    arts = [article_json(a, detail.story.id) for a in detail.articles]
    evs = [event_json(e) for e in detail.events]
    if fmt is not Format.table:
        sys.stdout.write(json.dumps({**story, "articles": arts, "events": evs}, ensure_ascii=False, default=str) + "\n")
        return
    # titles are article text: printed without markup, so "[red]" in a title stays as it is
    out.print(f"{story['title']}  ({story['id']}, {story['first_seen']} – {story['last_seen']})", style="bold",
              markup=False, highlight=False)
    out.print(f"outlets: {', '.join(story['outlets'])}   actors: {', '.join(story['actors'])}   "
              f"thread: {story['thread']}", markup=False, highlight=False)
    side = Table(show_lines=True)
    for a in arts:
        side.add_column(f"{a['outlet'] or a['url']} ({a['published'] or 'no date'})", overflow="fold")
    side.add_row(*[(a["title"] or "") + "\n\n" + (a["text"][:600] if a["text"] != a["title"] else "")
                   for a in arts])  # a headline-only record's text is its title
    out.print(side)
    emit(_events_table(evs), Format.table, EVENT_COLUMNS, title="events")
    for r in evs:  # outlets disagreeing on a fact, one readable line each
        for line in [c["text"] for c in r["conflicts"]]:
            out.print(f"[yellow]conflict[/yellow] {r['id']}: {escape(line)}", highlight=False)
        for line in [x["text"] for x in r["refinements"]]:
            out.print(f"[green]refined[/green] {r['id']}: {escape(line)}", highlight=False)


def _show_thread(thread, stories, fmt: Format) -> None:
    from tidings.formats import story_json, thread_json

    rows = [story_json(s) for s in stories]
    if fmt is not Format.table:
        line = {**thread_json(thread, [s.id for s in stories]), "stories": rows}
        sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        return
    out.print(f"{thread.title}  (thread {thread.id}, {thread.first_seen} – {thread.last_seen}, "
              f"{len(stories)} stories, {len(thread.articles)} articles)", style="bold", markup=False,
              highlight=False)
    for r in rows:
        r["articles"] = len(r["articles"])
    emit(rows, Format.table, ["id", "first_seen", "title", "articles", "outlets", "n_events"], title="stories")


@app.command()
def explain(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., help="An event id or its first characters (from `tidings events`)."),
    db: str = DbOption,
) -> None:
    """Explain an event: each sentence it was read from, its parts marked, and why it got its code.

    Example: [bold]tidings explain 9c41f0[/bold]
    """
    from tidings.coding.explain import explain_event

    with open_store(db) as store:
        event = checked(ctx, lambda: store.event(event_id))
        if event is None:
            err.print(f"[red]error:[/red] no event {event_id} in {db}", highlight=False)
            raise typer.Exit(2)
        texts = store.article_texts(m.article for m in event.mentions)
    from tidings.formats import conflict_text, refinement_text

    out.print(f"[bold]event {event.id}[/bold]: {event.source or '?'} —{event.code}→ {event.target or '?'} "
              f"on {event.date or '?'}, reported by {event.outlets} outlet(s)")
    for c in event.conflicts:
        out.print(f"[yellow]conflict[/yellow] {escape(conflict_text(c))}", highlight=False)
    for r in event.refinements:
        out.print(f"[green]refined[/green] {escape(refinement_text(r))}", highlight=False)
    if event.counts:
        out.print("counts: " + ", ".join(f"{k} {v}" for k, v in sorted(event.counts.items())), highlight=False)
    for m in event.mentions:
        out.print(f"\n[dim]article {m.article} ({m.outlet or 'unknown outlet'})[/dim]")
        out.print(explain_event(m, texts.get(m.article, "")))


@app.command()
def stats(db: str = DbOption) -> None:
    """Count what the database holds.

    Example: [bold]tidings stats --db news.duckdb[/bold]
    """
    with open_store(db) as store:
        counts = store.stats()
    emit([{"what": k, "count": v} for k, v in counts.items()], Format.table, ["what", "count"], title=db)
