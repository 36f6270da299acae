"""Is an article opinion or analysis rather than a report? (`Article.opinion`)

Columns, editorials and analyses share a theme with the news without reporting a
happening, so story clustering links them to event stories more cautiously. Three signs,
each from `data/ingest_opinion.tsv`: a headline opening with a label ("Opinion:",
"Editorial -", "ANALYSIS:"), a URL path segment (`/opinion/`, `/commentisfree/`), or
first-person argument: at least `FIRST_PERSON_MIN` first-person words outside quotation
marks in the first `FIRST_PERSON_CHARS` characters (a reporter quotes people who say "I";
a columnist says it). First-person words are matched as written ("I", "my": "Me." is
Maine).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tidings.resources import load_tsv

FIRST_PERSON_CHARS = 800
FIRST_PERSON_MIN = 2
# A quotation: from an opening mark to its closing mark, or to the end of the paragraph
# (a quote running over several paragraphs opens each one and closes only the last).
_QUOTED = re.compile(r"[\"“][^\"“”\n]*(?:[\"”]|$)", re.M)
_WORD = re.compile(r"(?<![\w.])[A-Za-z]+(?:['’][a-z]+)?(?!\.?\w)")  # not the "I" of "C.I.A."


@dataclass(frozen=True)
class _Cues:
    title_label: re.Pattern[str]
    url_segments: frozenset[str]
    first_person: frozenset[str]


@functools.lru_cache(maxsize=1)
def cues() -> _Cues:
    rows = load_tsv("ingest_opinion.tsv")
    kinds: dict[str, list[str]] = {}
    for r in rows:
        kinds.setdefault(r["kind"].strip(), []).append(r["value"].strip().lower())
    labels = sorted(kinds.get("title_label", []), key=len, reverse=True)
    label_re = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in labels) or r"(?!)"
    return _Cues(
        title_label=re.compile(rf"^\s*(?:{label_re})\s*(?::|\||[-–—]\s)", re.I),
        url_segments=frozenset(kinds.get("url_segment", [])),
        first_person=frozenset(r["value"].strip() for r in rows if r["kind"].strip() == "first_person"),
    )


def is_opinion(title: str | None, text: str, url: str | None = None) -> bool:
    """Whether an article argues rather than reports (see the module docstring)."""
    c = cues()
    if title and c.title_label.match(title):
        return True
    if url and "://" in url:
        path = url.split("://", 1)[1].partition("/")[2].split("?", 1)[0]
        if any(seg.lower() in c.url_segments for seg in path.split("/")):
            return True
    head = _QUOTED.sub(" ", text[:FIRST_PERSON_CHARS])
    words = (w.replace("’", "'") for w in _WORD.findall(head))
    return sum(w in c.first_person for w in words) >= FIRST_PERSON_MIN
