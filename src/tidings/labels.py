"""Names for codes, for people reading a listing: actor codes, countries, CAMEO codes.

'BLRMIL' reads 'Belarus military', '042' reads 'Make a visit'. The names come from the
data files (`actors_countries.tsv`, `actors_sector_names.tsv`, the CAMEO codebook), so
users extend them the way they extend everything else (`TIDINGS_DATA`).
"""
from __future__ import annotations

import functools

from tidings.resources import load_tsv

QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
UNKNOWN_COUNTRY = "---"


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for row in load_tsv("actors_countries.tsv"):
        for key in (row["iso3"], row["iso2"]):
            if key:
                names.setdefault(key.upper(), row["name"])
    return names


@functools.lru_cache(maxsize=1)
def _sector_names() -> dict[str, str]:
    return {row["sector"].upper(): row["name"] for row in load_tsv("actors_sector_names.tsv")}


def country_name(code: str | None) -> str | None:
    """The name of an ISO-3166 alpha-2 or alpha-3 country code, None when unknown."""
    return _country_names().get((code or "").upper()) if code else None


def actor_label(code: str | None) -> str:
    """'BLRMIL' -> 'Belarus military'; '---GOV' -> 'government (country unknown)'; unknown parts kept as codes."""
    if not code:
        return "unknown"
    head, rest = code[:3].upper(), code[3:].upper()
    sectors = [rest[i:i + 3] for i in range(0, len(rest), 3)]
    words = [_sector_names().get(s, s) for s in sectors]
    if head == UNKNOWN_COUNTRY:
        return (" ".join(words) or "actor") + " (country unknown)"
    if head in ("IGO", "NGO"):
        return " ".join([_sector_names().get(head, head)] + words)
    return " ".join([country_name(head) or head] + words)


def quad_name(quad: int | None) -> str | None:
    return QUAD_CLASSES.get(quad) if quad is not None else None
