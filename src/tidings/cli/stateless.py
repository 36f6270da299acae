"""`tidings annotate` and `tidings cluster`: stateless, JSON Lines in and out."""
from __future__ import annotations

import json
import sys
from typing import Any, Optional

import typer

from tidings.cli.app import app, articles_from_jsonl, check_input, embeddings_or_exit, err


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
    from tidings.analysis import annotate_articles
    from tidings.formats import annotated_json
    from tidings.nlp.places_home import OutletHomes

    check_input(path)
    failures = total = 0
    pending: list[tuple[dict | None, Any, str | None]] = []
    homes = OutletHomes()   # outlets' homes, learnt over the whole input

    def flush() -> None:
        good = [a for _, a, e in pending if a is not None]
        done = iter(annotate_articles(good, code=not no_events, homes=homes))
        for record, article, error in pending:
            if article is None:
                sys.stdout.write(json.dumps({"id": (record or {}).get("id"), "error": error}, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(json.dumps(annotated_json(next(done)), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        pending.clear()

    for item in articles_from_jsonl(path):
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
    embeddings: Optional[bool] = typer.Option(
        None, "--embeddings/--no-embeddings",
        help="Compare sentence embeddings too (needs pip install 'tidings\\[embeddings]'; "
             "default: env TIDINGS_EMBEDDINGS)."),
) -> None:
    """Group articles into event stories and threads statelessly: one line out per input line, {"id", "story", "thread"}.

    A story holds the articles about one happening; a thread groups the stories of one developing topic over days or weeks. A line with only a "title" (a headline feed) is clustered on its title.

    Example: [bold]tidings cluster in.jsonl[/bold]
    """
    from tidings.analysis import annotate_articles
    from tidings.stories import ClusterConfig, cluster_articles

    check_input(path)
    config = ClusterConfig() if embeddings is None else ClusterConfig(embeddings=embeddings)
    if config.embeddings:
        embeddings_or_exit()
    items = list(articles_from_jsonl(path))
    for _, _, error in items:
        if error:
            err.print(f"[yellow]skipped:[/yellow] {error}", highlight=False)
    annotated = list(annotate_articles([a for _, a, _ in items if a is not None], code=False))
    assigned = iter(cluster_articles(annotated, config))
    for record, article, _ in items:
        story, thread = next(assigned) if article is not None else (None, None)
        sys.stdout.write(json.dumps({"id": (record or {}).get("id"), "story": story, "thread": thread},
                                    ensure_ascii=False) + "\n")
