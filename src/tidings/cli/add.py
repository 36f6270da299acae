"""`tidings add`: ingest and process news into the database."""
from __future__ import annotations

from typing import Optional

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from tidings.cli.app import (
    EXIT_NOTHING_READ,
    EXIT_UNUSABLE,
    DbOption,
    app,
    embeddings_or_exit,
    err,
    open_store,
    printable,
    report_skipped,
)
from tidings.distributed import AUTO_MIN_ARTICLES, cores


@app.command()
def add(
    paths: list[str] = typer.Argument(..., help="Files, folders, feeds, WARCs; '-' reads stdin."),
    db: str = DbOption,
    batch_size: int = typer.Option(64, help="Articles per transaction."),
    embeddings: Optional[bool] = typer.Option(
        None, "--embeddings/--no-embeddings",
        help="Compare sentence embeddings when clustering stories (needs pip install 'tidings\\[embeddings]'; "
             "default: as the database was built, else env TIDINGS_EMBEDDINGS)."),
    workers: int = typer.Option(
        None, "--workers", min=1, show_default=False,
        help="Processes that annotate. 1: everything in this process. N > 1: a local Dask cluster of N "
        f"processes. Default: one per core (here {cores()}) when the input holds more than "
        f"{AUTO_MIN_ARTICLES} articles, else 1: a cluster and a model per worker take seconds to start, "
        "which small inputs would not win back. Reading stdin ('-'), 1."),
    dask: str = typer.Option(
        None, "--dask", metavar="ADDRESS",
        help="Annotate on a running Dask cluster: its scheduler's address, e.g. tcp://10.0.0.5:8786 (its "
        "workers need `pip install tidings`; --workers does not apply), or 'local' to start one here with "
        "--workers processes (default one per core)."),
) -> None:
    """Ingest and process news into the database (incremental and idempotent).

    Reads .txt, .html, .jsonl, RSS/Atom feeds, WARC (and any of them gzipped), folders
    recursively. Articles already stored are skipped; a killed run can simply be re-run.
    Each input that cannot be read (a file, line, feed entry, WARC record, or an article
    that cannot be annotated) is named on stderr and skipped; the rest is stored. Exit
    status: 0 done, 1 nothing could be read, 2 database not usable, 3 unexpected error.
    Size limits and what happens at each: docs/limits.md.

    Annotation can run on several processes or machines (--workers, --dask); deduplication,
    stories and the database stay in this process, in input order, so the database is
    the same however many workers there are. See docs/scaling.md.

    Example: [bold]tidings add --db news.duckdb examples/[/bold]
    """
    from tidings.distributed import DistributedError, choose_workers, open_annotator
    from tidings.ingest import read_paths
    from tidings.process import add_articles

    if embeddings:
        embeddings_or_exit()

    skipped: list[str] = []

    def on_error(line: str) -> None:
        skipped.append(line)
        report_skipped(line)

    store = open_store(db, read_only=False)
    with store, Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                         TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("processing articles", total=None)
        articles = read_paths(paths, on_error)
        if workers is None:
            workers, articles = choose_workers(articles, dask, stdin="-" in paths)
        try:
            with open_annotator(workers, dask) as annotator:
                summary = add_articles(store, articles, on_progress=lambda n: progress.advance(task, n),
                                       batch_size=batch_size, embeddings=embeddings, on_error=on_error,
                                       annotator=annotator)
        except DistributedError as e:
            err.print(f"[red]error:[/red] {escape(printable(str(e)))}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_UNUSABLE) from e
        stats = store.stats()
    summary.skipped = skipped
    err.print(
        f"read {summary.read} articles: {summary.added} added, {summary.duplicates} duplicates, "
        f"{summary.near_duplicates} near-duplicates, {len(skipped)} inputs skipped; "
        f"database {db}: {stats['articles']} articles, {stats['stories']} stories in {stats['threads']} threads, "
        f"{stats['events']} events",
        highlight=False, markup=False, soft_wrap=True,
    )
    if skipped and summary.added == 0 and summary.duplicates == 0:
        raise typer.Exit(EXIT_NOTHING_READ)
