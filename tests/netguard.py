"""A guard that keeps tests on this machine: any reach outside 127.0.0.0/8 is refused.

`NetGuard` is an audit hook (PEP 578): while active, a connection or a name lookup for an
address outside the loopback range raises PermissionError and is recorded (and appended to
a file, when given one). A test fails when anything was recorded. For the CLI run as a
subprocess, `netguard_site/` holds a `sitecustomize.py` that installs the same hook.
"""
from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

NETGUARD_SITE = Path(__file__).resolve().parent / "netguard_site"


def loopback(host: object) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local host's wildcard
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0]
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _target(event: str, args: tuple) -> tuple[bool, object]:
    """(whether the event is a network reach, its host) for the audit events that matter."""
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        if isinstance(address, tuple) and address:
            return True, address[0]
        return False, None  # a Unix socket
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        return True, args[0]
    return False, None


class NetGuard:
    """One audit hook per process (hooks cannot be removed); it acts only while active."""

    _installed: "NetGuard | None" = None

    def __init__(self, log_path: str | None = None):
        self.active = False
        self.refused: list[str] = []
        self.log_path = log_path

    @classmethod
    def install(cls, log_path: str | None = None) -> "NetGuard":
        if cls._installed is None:
            cls._installed = cls(log_path)
            sys.addaudithook(cls._installed._hook)
        return cls._installed

    def _hook(self, event: str, args: tuple) -> None:
        if not self.active or not event.startswith("socket."):
            return
        reach, host = _target(event, args)
        if not reach or loopback(host):
            return
        line = f"{event} {host!r}"
        self.refused.append(line)
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        raise PermissionError(f"test network guard: {line} is outside 127.0.0.0/8")
