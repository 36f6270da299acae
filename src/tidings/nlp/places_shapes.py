"""Places known by the shape of the phrase, whatever the tagger called their words.

- Names a plural noun closes a list of: "Barrow, Jackson and Madison counties" names three
  counties, each looked up as "Barrow County" and so on (the tagger takes "Jackson" for a
  person and "Clay" for a noun).
- Streets: one to three names before a street word, where the text puts them on a map
  ("420 Augusta St.", "on Bucknell Drive", "between Freeman Drive and Boley Drive"), and
  each name of a list before a plural street word ("between Woodfield and Martingale roads").
- Numbered roads: "Highway 10", "State Highway 360", "County Road 109", "Interstate 395".
- Natural features and parks: names before a feature word or after a feature prefix
  ("Kanawha River", "Canaan Valley", "Zion National Park", "Lake Lanier", "Mount Hood").

Plain functions over a parsed `Doc` that return token spans; `places.py` makes mentions of
them. The words are data (`data/places_shapes.tsv`).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

SHAPES_FILE = "places_shapes.tsv"
MAX_NAME_WORDS = 3
# words before a street's name that put it on a map: "on Bucknell Drive", "the 2400 block of Jay Lane"
STREET_CONTEXT = frozenset({"on", "off", "along", "at", "of", "between", "and", "from", "to", "onto", "near",
                            "across", "down", "up", "via", "past", "toward", "towards", "in"})
_ROAD_NUMBER = re.compile(r"^\d{1,4}[A-Z]?$")
_ORDINAL = re.compile(r"^\d{1,3}(?:st|nd|rd|th)$")
_HOUSE_NUMBER = re.compile(r"^\d{1,6}[A-Za-z]?$")


@dataclass(frozen=True)
class Shapes:
    listed: dict[str, str]          # "counties" -> "County"
    street: frozenset[str]          # "Drive", "St."
    street_plural: frozenset[str]   # "roads", "streets"
    road: frozenset[str]            # "Highway", "Interstate"
    road_prefix: frozenset[str]     # "State", "County", "U.S."
    feature: frozenset[str]         # "River", "Lake", "Park"
    feature_prefix: frozenset[str]  # "Lake", "Mount"


@dataclass(frozen=True)
class ShapedSpan:
    start: int            # token offsets
    end: int
    kind: str             # "division", "street" or "feature"
    lookup: str | None    # the name to look up ("Barrow County"), None for streets


@functools.lru_cache(maxsize=1)
def shapes() -> Shapes:
    from tidings.resources import load_tsv

    rows = load_tsv(SHAPES_FILE)
    by_kind: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_kind.setdefault(row["kind"], []).append(row)
    streets = by_kind.get("street", [])
    return Shapes(
        listed={r["word"]: r["singular"] for r in by_kind.get("listed", ())},
        street=frozenset(r["word"] for r in streets if not r.get("singular")),
        street_plural=frozenset(r["word"] for r in streets if r.get("singular")),
        road=frozenset(r["word"] for r in by_kind.get("road", ())),
        road_prefix=frozenset(r["word"] for r in by_kind.get("road_prefix", ())),
        feature=frozenset(r["word"] for r in by_kind.get("feature", ())),
        feature_prefix=frozenset(r["word"] for r in by_kind.get("feature_prefix", ())),
    )


def _name(t: Token) -> bool:
    """A capitalised word that can be part of a place's name (not "The", "In", "And")."""
    text = t.text
    if not text[:1].isupper() or t.is_stop:
        return False
    if len(text) == 3 and text.endswith("."):      # "St. Marys River", "Ft. Worth"
        return text[:2].isalpha()
    return text.replace("-", "").replace("'", "").replace("’", "").isalpha()


def _initial(t: Token) -> bool:
    """ "E." in "1200 E. Broad St." """
    return len(t.text) == 2 and t.text[0] in "NSEW" and t.text[1] == "."


def _names_before(doc: Doc, end: int, allow_street_parts: bool = False) -> int:
    """Start of the run of up to three name words ending at `end` (== end when none)."""
    s = end
    while s > 0 and end - s < MAX_NAME_WORDS:
        t = doc[s - 1]
        if _name(t) or allow_street_parts and (_initial(t) or _ORDINAL.match(t.text)):
            s -= 1
        else:
            break
    return s


def _list_before(doc: Doc, end: int) -> list[tuple[int, int]]:
    """The names of a list ending at `end`, in order: "Becker, Clay, Otter Tail and
    Wilkin" -> four spans. Items are separated by a comma, "and", "or" or ", and"."""
    spans: list[tuple[int, int]] = []
    k = end
    while True:
        s = _names_before(doc, k)
        if s == k:
            break
        spans.append((s, k))
        j = s
        if j > 0 and doc[j - 1].lower_ in ("and", "or"):
            j -= 1
        if j > 0 and doc[j - 1].text == ",":
            j -= 1
        if j == s:
            break
        k = j
    return spans[::-1]


def listed_divisions(doc: Doc) -> list[ShapedSpan]:
    """ "Barrow, Jackson and Madison counties": each name of the list, as a division."""
    table = shapes().listed
    out = []
    for i, t in enumerate(doc):
        singular = table.get(t.text)
        if singular is None:
            continue
        items = _list_before(doc, i)
        if len(items) < 2:      # "Jackson counties" is no list
            continue
        for s, e in items:
            out.append(ShapedSpan(s, e, "division", f"{doc[s:e].text} {singular}"))
    return out


def _on_a_map(doc: Doc, start: int) -> bool:
    """Does the text before a street's name put it on a map? A house number, "on",
    "between", "the 2400 block of"."""
    if start == 0:
        return False
    before = doc[start - 1]
    return bool(_HOUSE_NUMBER.match(before.text)) or before.lower_ in STREET_CONTEXT


def streets(doc: Doc, not_after: frozenset[str] = frozenset()) -> list[ShapedSpan]:
    """Streets and numbered roads. `not_after`: words that, right after a street's name,
    make the whole the name of something else ("Pine Road Elementary", "Wall Street Journal")."""
    sh = shapes()
    out: list[ShapedSpan] = []
    n = len(doc)
    for i, t in enumerate(doc):
        text = t.text
        if text in sh.road and i + 1 < n and _ROAD_NUMBER.match(doc[i + 1].text):
            s = i
            while s > 0 and i - s < 2 and doc[s - 1].text in sh.road_prefix:
                s -= 1
            out.append(ShapedSpan(s, i + 2, "street", None))
        elif text in sh.street and i > 0:
            s = _names_before(doc, i, allow_street_parts=True)
            if s == i or not _name(doc[i - 1]) and not _ORDINAL.match(doc[i - 1].text):
                continue
            if i + 1 < n and doc[i + 1].text in not_after:
                continue
            # "on Bucknell Drive", or a stretch of it: "Danielsville Road between ..."
            if _on_a_map(doc, s) or i + 1 < n and doc[i + 1].lower_ in ("between", "from"):
                out.append(ShapedSpan(s, i + 1, "street", None))
        elif text in sh.street_plural:
            items = _list_before(doc, i)
            if len(items) >= 2 and _on_a_map(doc, items[0][0]):
                out.extend(ShapedSpan(s, e, "street", None) for s, e in items)
    return _without_overlaps(out)


def natural_features(doc: Doc, known=lambda text: False,
                     not_after: frozenset[str] = frozenset()) -> list[ShapedSpan]:
    """ "Kanawha River", "Zion National Park", "Lake Lanier", "Mount Hood": one to three
    names with a feature word after them or a feature prefix before them. After a prefix
    the name stops where the gazetteer's longest known name stops (`known`), else before
    a word of `not_after` ("Mount Pleasant High School" is the town in a school's name)."""
    sh = shapes()
    out: list[ShapedSpan] = []
    n = len(doc)
    for i, t in enumerate(doc):
        if t.text in sh.feature and i > 0:
            s = _names_before(doc, i)
            if s < i and doc[s].text not in sh.feature_prefix:   # "Lake Erie" is found below
                out.append(ShapedSpan(s, i + 1, "feature", doc[s:i + 1].text))
        if t.text in sh.feature_prefix and i + 1 < n and _name(doc[i + 1]):
            e = i + 1
            while e < n and e - i <= MAX_NAME_WORDS and _name(doc[e]) and doc[e].text not in not_after:
                e += 1
                if doc[e - 1].text in sh.feature:
                    break
            for stop in range(e, i + 1, -1):
                if known(doc[i:stop].text):
                    e = stop
                    break
            out.append(ShapedSpan(i, e, "feature", doc[i:e].text))
    return _without_overlaps(out)


def _without_overlaps(spans: list[ShapedSpan]) -> list[ShapedSpan]:
    out: list[ShapedSpan] = []
    last_end = -1
    for sp in sorted(spans, key=lambda x: (x.start, -x.end)):
        if sp.start >= last_end:
            out.append(sp)
            last_end = sp.end
    return out
