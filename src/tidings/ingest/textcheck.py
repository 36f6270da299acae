"""Is this text worth storing, and can it be stored at all?

`scrub` makes any string safe to print, store and hash: lone surrogates (from a JSON
`"\\udc80"` escape) become U+FFFD, control characters other than tab, newline, carriage
return and form feed are dropped. `junk_reason` says why a text is no article: mostly
control characters, or no letters once unexpanded entity references (`&lol9;`, left by a
feed parser that rightly refused to expand them) and markup debris are set aside.
"""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ENTITY = re.compile(r"&#?[A-Za-z0-9]+;?")   # feedparser may drop the ";"

# Share of a text's characters that may be control characters before it is binary junk.
CONTROL_SHARE_MAX = 0.1
# Letters a text needs, at least, and as a share of its non-space characters.
LETTERS_MIN = 2
LETTER_SHARE_MIN = 0.1


def scrub(text: str) -> str:
    """`text` without control characters, lone surrogates replaced: storable as UTF-8."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def junk_reason(text: str) -> str | None:
    """Why `text` is junk rather than an article (None when it is text)."""
    if not text:
        return None
    controls = len(_CONTROL.findall(text))
    if controls > CONTROL_SHARE_MAX * len(text):
        return f"junk text: {controls} of its {len(text)} characters are control characters"
    rest = _ENTITY.sub(" ", text)
    letters = sum(ch.isalpha() for ch in rest)
    visible = sum(not ch.isspace() for ch in rest)
    if letters < LETTERS_MIN or letters < LETTER_SHARE_MIN * visible:
        if _ENTITY.search(text) and not rest.strip():
            return "junk text: only unexpanded entity references such as " + _ENTITY.search(text).group(0)
        return f"junk text: {letters} letters among {visible} characters"
    return None
