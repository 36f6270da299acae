"""Event coding: who did what to whom, in CAMEO and PLOVER, with evidence.

`code_events` and `explain_event` are imported on first use, so that reading the codebook
(`tidings.coding.codebook`: names, Goldstein scores) does not load spaCy: the web page
and the listings name codes without the NLP pipeline.
"""
from __future__ import annotations

from typing import Any

__all__ = ["code_events", "explain_event"]


def __getattr__(name: str) -> Any:
    if name == "code_events":
        from tidings.coding.events import code_events

        return code_events
    if name == "explain_event":
        from tidings.coding.explain import explain_event

        return explain_event
    raise AttributeError(f"module 'tidings.coding' has no attribute {name!r}")
