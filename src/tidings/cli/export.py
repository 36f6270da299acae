"""`tidings export`: JSON Lines, Parquet or a GDELT event table."""
from __future__ import annotations

from pathlib import Path

import typer

from tidings.cli.app import DbOption, ExportFormat, app, err, open_store


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

    with open_store(db) as store:
        written = EXPORTERS[fmt.value](store, out_path)
    for path in written:
        err.print(f"wrote {path}", highlight=False)
