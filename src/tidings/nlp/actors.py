"""Actors: mentions resolved to CAMEO-style codes (country + sector). Work in progress."""
from __future__ import annotations

from spacy.tokens import Doc

from tidings.records import ActorRef


def resolve_actors(doc: Doc, published: str | None) -> list[ActorRef]:
    """Every actor mention in `doc`, with doc character offsets."""
    return []
