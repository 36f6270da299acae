"""Plain-text explanation of a coded event (work in progress)."""
from __future__ import annotations

from tidings.records import EventMention


def explain_event(mention: EventMention, text: str) -> str:
    return text[mention.start:mention.end]
