"""What every `tidings` command shares: the Typer app, options, consoles and output helpers."""
from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
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
err = Console(stderr=True, soft_wrap=True)  # an error is one line, however long its file name

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
        err.print(f"[red]error:[/red] {e}", highlight=False)
        raise typer.Exit(2) from e


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


def read_jsonl(path: str) -> Iterator[tuple[int, dict | None, str | None]]:
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


def articles_from_jsonl(path: str) -> Iterator[tuple[dict | None, Any, str | None]]:
    """(input record, Article or None, error) per line, in order."""
    from tidings.ingest import article_from_record

    name = "<stdin>" if path == "-" else path
    for n, record, error in read_jsonl(path):
        if error:
            yield None, None, error
            continue
        try:
            yield record, article_from_record(record, f"{name}:{n}"), None
        except ValueError as e:
            yield record, None, f"{name}:{n}: {e}"


def embeddings_or_exit() -> None:
    """Stop with a one-line error when story embeddings are asked for but not installed."""
    from tidings.stories import embed

    if not embed.available():
        err.print("[red]error:[/red] story embeddings need the optional extra: "
                  "pip install 'tidings\\[embeddings]'", highlight=False)
        raise typer.Exit(2)


def check_input(path: str) -> None:
    if path != "-" and not Path(path).is_file():
        err.print(f"[red]error:[/red] {path}: no such file", highlight=False)
        raise typer.Exit(2)
