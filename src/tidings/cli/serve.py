"""`tidings serve`: the web page and the JSON API over a database, read-only."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import typer

from tidings.cli.app import DbOption, app, err, open_store


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Fail now, in one line, if the address cannot be listened on (rather than in the server's log)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        err.print(f"[red]error:[/red] --host {host}: {e.strerror}", highlight=False)
        raise typer.Exit(2) from e
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            err.print(f"[red]error:[/red] cannot listen on {host}:{port} ({e.strerror})", highlight=False)
            raise typer.Exit(2) from e


@app.command()
def serve(
    db: str = DbOption,
    host: str = typer.Option("127.0.0.1", help="Address to listen on. Anything but loopback exposes the page "
                                               "(it has no login) to the network."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(2, min=1, max=32, help="Server processes. Each reads the file on its own, so "
                                                       "pages asked at once are served on as many cores."),
) -> None:
    """Serve the web page and the JSON API over a database: stories, events, a map, a timeline, an actor network.

    The database is opened read-only, and only while pages are asked for: `tidings add` can write to the same file meanwhile (the page says "database busy" until it is done).

    Every script, style and map shape is served by Tidings itself; nothing is fetched from the internet. JSON under /api/, described at /api/openapi.json.

    Example: [bold]tidings serve --db news.duckdb[/bold], then open http://127.0.0.1:8000/
    """
    import uvicorn

    from tidings.web import create_app
    from tidings.web.app import DB_ENV

    open_store(db).close()  # a missing or foreign file is one clear error now, not one per page
    _check_port(host, port)
    if not _loopback(host):
        err.print(f"[yellow]warning:[/yellow] listening on {host}: the page has no login; anyone who can reach "
                  f"{host}:{port} can read {db}", highlight=False)
    shown = f"[{host}]" if ":" in host else host
    err.print(f"Tidings: serving {db} at http://{shown}:{port}/  (JSON API: /api/, Ctrl-C to stop)", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(db), host=host, port=port, log_level="warning", server_header=False)
        return
    # Python holds one core per process (the GIL): a page's own work (records, templates,
    # JSON) scales over cores only in processes of their own, each with its read-only handle.
    os.environ[DB_ENV] = str(Path(db).resolve())
    uvicorn.run("tidings.web.app:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="warning", server_header=False)
