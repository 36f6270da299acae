"""What every `tidings` command shares: the Typer app, options, consoles and output helpers.

No traceback reaches a user: an unexpected error is one line naming the command, and
`tidings --debug COMMAND` shows the traceback (exit status 3). Problems with one input are
reported by `report_skipped`, one line each, and never stop a command.
"""
from __future__ import annotations

import csv
import inspect
import io
import json
import os
import sys
import traceback
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

# Exit statuses every command keeps (docs/limits.md): 0 done (inputs that could not be read
# are listed on stderr), 1 nothing could be read, 2 usage error or database not usable,
# 3 unexpected error.
EXIT_NOTHING_READ = 1
EXIT_UNUSABLE = 2
EXIT_UNEXPECTED = 3


class _Run:
    debug = False
    command: str | None = None


def reflow(doc: str | None) -> str | None:
    """A docstring as `--help` should show it: Typer's rich mode keeps every line break, so
    lines wrapped at 88 columns in the source came out ragged in an 80-column terminal.
    Each paragraph becomes one line for the terminal to wrap; a paragraph holding an
    indented or listed line keeps its lines."""
    if not doc:
        return doc
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(p if any(line[:1] in " -*|" for line in p.splitlines()) else " ".join(p.split("\n"))
                       for p in paragraphs)


class TidingsApp(typer.Typer):
    """The Typer app, with help texts reflowed (`reflow`) and unexpected errors turned into
    one line (the traceback with --debug)."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        register = super().command(*args, **kwargs)

        def decorator(f: Any) -> Any:
            f.__doc__ = reflow(f.__doc__)
            return register(f)

        return decorator

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except BrokenPipeError:   # `tidings events | head`: the reader has gone, stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(1)
        except Exception as e:
            if _Run.debug:
                raise
            command = f"tidings {_Run.command}" if _Run.command else "tidings"
            err.print(f"error: {command} failed: unexpected error ({type(e).__name__}: {_one_line(e)}); "
                      f"run it again as `tidings --debug {_Run.command or ''}...` to see the traceback",
                      highlight=False, markup=False, soft_wrap=True)
            sys.exit(EXIT_UNEXPECTED)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:300]


app = TidingsApp(
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
err = Console(stderr=True, soft_wrap=True)  # an error is one line, however long its file name


@app.callback()
def _global_options(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", envvar="TIDINGS_DEBUG",
                               help="Show the traceback of an unexpected error (and of each input that hit one)."),
) -> None:
    _Run.debug = debug
    _Run.command = ctx.invoked_subcommand


def printable(line: str) -> str:
    """A message as it can be printed on any terminal: undecodable characters escaped."""
    return line.encode("utf-8", "backslashreplace").decode("utf-8")


def report_skipped(line: str) -> None:
    """Print one input that was skipped, on one line of stderr. Called while an unexpected
    exception is being handled, it points to --debug (or, with --debug, shows the traceback)."""
    exc = sys.exc_info()[1]
    from tidings.ingest import IngestError

    unexpected = exc is not None and not isinstance(exc, (IngestError, OSError, EOFError))
    if unexpected and _Run.debug:
        traceback.print_exc()
    hint = " (tidings --debug shows the traceback)" if unexpected and not _Run.debug else ""
    err.print(f"[yellow]skipped:[/yellow] {escape(printable(line))}{hint}", highlight=False, soft_wrap=True)


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


# Seconds to wait while another process holds the file: a reader (the web page, a listing)
# holds it for moments, a writer (`tidings add`) for its whole run.
WRITE_WAIT, READ_WAIT = 10.0, 2.0


def open_store(db: str, read_only: bool = True):
    from tidings.store import Store, StoreError

    try:
        return Store(db, read_only=read_only, wait=READ_WAIT if read_only else WRITE_WAIT)
    except StoreError as e:
        err.print(f"[red]error:[/red] {escape(printable(str(e)))}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE) from e


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit(rows: list[dict[str, Any]], fmt: Format, columns: list[str], title: str | None = None) -> None:
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
            writer.writerow({k: cell(v) for k, v in row.items()})
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold", max_width=60, no_wrap=c in ("id", "date", "first_seen", "last_seen"))
    for row in rows:
        table.add_row(*(cell(row.get(c))[:200] for c in columns))
    out.print(table)


def articles_from_jsonl(path: str) -> Iterator[tuple[dict | None, Any, str | None]]:
    """(input record, Article or None, error) per non-blank line of a JSON Lines file or
    stdin, in order; the whole input is read by ingest's one line reader (limits, gzip).
    A fault of the whole input is raised as an IngestError naming it."""
    from tidings.ingest import IngestError, article_from_record
    from tidings.ingest.jsonlines import records_in

    for where, record, error in records_in(path):
        if record is None:
            yield None, None, f"{where}: {error}"
            continue
        try:
            yield record, article_from_record(record, where), None
        except IngestError as e:
            yield record, None, f"{where}: {e}"


def embeddings_or_exit() -> None:
    """Stop with a one-line error when story embeddings are asked for but not installed."""
    from tidings.stories import embed

    if not embed.available():
        err.print("[red]error:[/red] story embeddings need the optional extra: "
                  "pip install 'tidings\\[embeddings]'", highlight=False)
        raise typer.Exit(2)


def check_input(path: str) -> None:
    if path != "-" and not Path(path).is_file():
        err.print(f"[red]error:[/red] {escape(printable(path))}: no such file", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE)
