"""The `tidings` command: build a sourced event database from news, query and export it.

One module per group of commands; each registers its commands on the one Typer app
(`cli/app.py`, with the options and output helpers they share). Importing this package
registers them all, in the order `tidings --help` lists them.
"""
from tidings.cli.app import app
from tidings.cli import add, watch, listing, export, serve, stateless  # noqa: E402,F401,I001 - registers the commands, in help order

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console entry
    app()
