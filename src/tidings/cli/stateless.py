"""`tidings annotate` and `tidings cluster`: stateless, JSON Lines in and out."""
from __future__ import annotations

import json
import sys
from typing import Any, Optional

import typer

from tidings.cli.app import (
    EXIT_NOTHING_READ,
    app,
    articles_from_jsonl,
    check_input,
    embeddings_or_exit,
    report_skipped,
)


@app.command()
def annotate(
    path: str = typer.Argument(..., metavar="IN.jsonl", help="JSON Lines input ('-' for stdin)."),
    no_events: bool = typer.Option(False, "--no-events", help="Skip event coding."),
) -> None:
    """Annotate articles statelessly: one JSON line in, one line out with every layer.

    Input lines: {"id", "text" or "html", optional "date", "title", "url", "outlet"}.
    Output: cleaned text, times, places, actors, attributions and events, with offsets.
    A line that cannot be read or annotated gives {"id", "error"} and a line on stderr.
    Exit status: 0 done, 1 no line could be annotated, 2 no such input file.

    Example: [bold]tidings annotate in.jsonl > out.jsonl[/bold]
    """
    from tidings.analysis import annotate_articles
    from tidings.formats import annotated_json
    from tidings.ingest import IngestError
    from tidings.nlp.places_home import OutletHomes

    check_input(path)
    failures = total = 0
    pending: list[tuple[dict | None, Any, str | None]] = []
    homes = OutletHomes()   # outlets' homes, learnt over the whole input

    def flush() -> None:
        nonlocal failures
        reasons: list[str] = []

        def on_error(line: str) -> None:
            reasons.append(line)
            report_skipped(line)

        good = [a for _, a, _ in pending if a is not None]
        done = {id(ann.article): ann
                for ann in annotate_articles(good, code=not no_events, homes=homes, on_error=on_error)}
        lost = iter(reasons)
        for record, article, error in pending:
            annotated = done.get(id(article)) if article is not None else None
            if annotated is None:
                failures += 1
                out = {"id": (record or {}).get("id"), "error": error or next(lost)}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(json.dumps(annotated_json(annotated), ensure_ascii=False) + "\n")
        sys.stdout.flush()
        pending.clear()

    try:
        for item in articles_from_jsonl(path):
            total += 1
            if item[2]:
                report_skipped(item[2])
            pending.append(item)
            if len(pending) >= 256:
                flush()
    except IngestError as e:
        report_skipped(str(e))
        failures += 1
    flush()
    if failures and failures >= total:
        raise typer.Exit(EXIT_NOTHING_READ)


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
    from tidings.ingest import IngestError
    from tidings.stories import ClusterConfig, cluster_articles

    check_input(path)
    config = ClusterConfig() if embeddings is None else ClusterConfig(embeddings=embeddings)
    if config.embeddings:
        embeddings_or_exit()
    items = []
    try:
        for item in articles_from_jsonl(path):
            if item[2]:
                report_skipped(item[2])
            items.append(item)
    except IngestError as e:
        report_skipped(str(e))
    articles = [a for _, a, _ in items if a is not None]
    annotated = {id(ann.article): ann for ann in annotate_articles(articles, code=False, on_error=report_skipped)}
    assigned = iter(cluster_articles([annotated[id(a)] for a in articles if id(a) in annotated], config))
    for record, article, _ in items:
        story, thread = next(assigned) if article is not None and id(article) in annotated else (None, None)
        sys.stdout.write(json.dumps({"id": (record or {}).get("id"), "story": story, "thread": thread},
                                    ensure_ascii=False) + "\n")
