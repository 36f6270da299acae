"""Places: toponyms resolved to GeoNames entries. Work in progress."""
from __future__ import annotations

from spacy.tokens import Doc

from tidings.records import Place


def resolve_places(doc: Doc) -> list[Place]:
    """Every toponym in `doc`, with doc character offsets, resolved to GeoNames."""
    return []
