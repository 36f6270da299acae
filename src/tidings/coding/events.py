"""Event extraction from the dependency parse (work in progress)."""
from __future__ import annotations

from spacy.tokens import Doc

from tidings.records import AnnotatedArticle, EventMention


def code_events(doc: Doc, annotated: AnnotatedArticle) -> list[EventMention]:
    """Every event mention in `doc`, main event of each sentence first."""
    return []
