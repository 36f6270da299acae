"""Small walks over spaCy's dependency parse, shared by the annotate layers and the coder."""
from __future__ import annotations

from spacy.tokens import Token


def conjuncts(tok: Token) -> list[Token]:
    """The token and everything coordinated with it ("China, Belarus and Russia")."""
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out.extend(conjuncts(c))
    return out


def prep_objects(tok: Token, preps: frozenset[str]) -> list[Token]:
    """Objects of the token's prepositions (and datives) whose word is in `preps` ("met with X")."""
    return [g for c in tok.children if c.dep_ in ("prep", "dative") and c.lower_ in preps
            for g in c.children if g.dep_ == "pobj"]
