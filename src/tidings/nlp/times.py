"""Times: time expressions resolved to TimeML values. Work in progress."""
from __future__ import annotations

from spacy.tokens import Doc

from tidings.records import TimeRef


def resolve_times(doc: Doc, published: str | None) -> list[TimeRef]:
    """Every time expression in `doc`, with doc character offsets."""
    return []
