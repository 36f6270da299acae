"""Attributions: who says so. Work in progress."""
from __future__ import annotations

from spacy.tokens import Doc

from tidings.records import ActorRef, Attribution


def find_attributions(doc: Doc, actors: list[ActorRef], outlet: str | None) -> list[Attribution]:
    """Every attributed clause in `doc`, with its speaker, cue and claim span."""
    return []
