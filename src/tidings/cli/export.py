"""`tidings export`: JSON Lines, Parquet or a GDELT event table."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from tidings.cli.app import EXIT_UNUSABLE, DbOption, ExportFormat, app, err, open_store, printable


@app.command()
def export(
    out_path: Path = typer.Argument(..., metavar="OUT", help="Output directory (jsonl, parquet) or file (gdelt)."),
    fmt: ExportFormat = typer.Option(ExportFormat.jsonl, "--format", help="jsonl, parquet or gdelt."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier export at OUT, whole."),
    db: str = DbOption,
) -> None:
    """Export the database: JSON Lines, Parquet partitioned by date, or a GDELT 2.0 event table.

    An existing OUT is refused unless --overwrite, which replaces the earlier export whole
    (a folder holding anything else is never replaced). The export is written beside OUT
    and moved into place, so a failed export leaves nothing half-written.

    Example: [bold]tidings export --format parquet out/[/bold]
    """
    from tidings.store.export import ExportError
    from tidings.store.export import export as write_export

    with open_store(db) as store:
        try:
            written = write_export(store, fmt.value, out_path, overwrite=overwrite)
        except ExportError as e:
            err.print(f"[red]error:[/red] {escape(printable(str(e)))}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_UNUSABLE) from e
    for path in written:
        err.print(f"wrote {printable(str(path))}", highlight=False, markup=False, soft_wrap=True)
