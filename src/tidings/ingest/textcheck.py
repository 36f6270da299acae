"""Is this text worth storing, and can it be stored at all?

`scrub` makes any string safe to print, store, hash and hand to lxml: lone surrogates
(from a JSON `"\\udc80"` escape) become U+FFFD; the C0 control characters XML forbids
are dropped (vertical tab and form feed become spaces), as are the noncharacters U+FFFE
and U+FFFF. C1 characters (U+0080 to U+009F, mostly Windows-1252 punctuation read as
Latin-1) are kept: they are valid text, and dropping a dash would glue two words.
`junk_reason` says why a text is no article: mostly control characters, or no letters
once unexpanded entity references (`&lol9;`, left by a feed parser that rightly refused
to expand them) are set aside.
"""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")     # what junk is made of
_FORBIDDEN = re.compile(r"[\x00-\x08\x0e-\x1f\ufffe\uffff]")     # what scrub drops
_BREAKS = str.maketrans("\x0b\x0c", "  ")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ENTITY = re.compile(r"&#?[A-Za-z0-9]+;?")   # feedparser may drop the ";"
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")

# Share of a text's characters that may be control characters before it is binary junk.
CONTROL_SHARE_MAX = 0.1
# Letters a text needs, at least, and as a share of its non-space characters.
LETTERS_MIN = 2
LETTER_SHARE_MIN = 0.1
# How much of a text is looked at, at most.
SAMPLE_CHARS = 10_000


def scrub(text: str) -> str:
    """`text` storable as UTF-8 and readable by lxml (see the module's docstring)."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    if "\x0b" in text or "\x0c" in text:
        text = text.translate(_BREAKS)
    return _FORBIDDEN.sub("", text) if _FORBIDDEN.search(text) else text


def junk_reason(text: str) -> str | None:
    """Why `text` is junk rather than an article (None when it is text). Judged on its
    start (junk is junk from its start, and a long article costs no more than a short
    one): the first 500 characters clear almost every article; a text they do not clear
    is judged again on its first SAMPLE_CHARS."""
    if not text:
        return None
    reason = None
    for size in (500, SAMPLE_CHARS):
        reason = _judged(text[:size])
        if reason is None or len(text) <= size:
            return reason
    return reason


def _judged(sample: str) -> str | None:
    if _CONTROL.search(sample):
        controls = len(_CONTROL.findall(sample))
        if controls > CONTROL_SHARE_MAX * len(sample):
            return f"junk text: {controls} of its first {len(sample)} characters are control characters"
    rest = _ENTITY.sub(" ", sample) if "&" in sample else sample
    visible = len("".join(rest.split()))
    letters = sum(map(len, _ASCII_LETTERS.findall(rest)))     # the fast count, enough for most text
    if letters < LETTERS_MIN or letters < LETTER_SHARE_MIN * visible:
        letters = sum(ch.isalpha() for ch in rest)              # letters of every script
    if letters < LETTERS_MIN or letters < LETTER_SHARE_MIN * visible:
        entity = _ENTITY.search(sample)
        if entity and not rest.strip():
            return "junk text: only unexpanded entity references such as " + entity.group(0)
        return f"junk text: {letters} letters among {visible} characters"
    return None
