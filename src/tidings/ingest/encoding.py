"""Bytes to text: the encoding is detected, never assumed.

Order: a byte-order mark; strict UTF-8 (valid UTF-8 with non-ASCII bytes is almost never
an accident); a declared charset (HTTP header, `<meta charset>`, XML declaration) when it
decodes cleanly; then charset-normalizer, preferring the common web encoding cp1252
among equally plausible single-byte guesses. Text with a few stray bytes in otherwise
valid UTF-8 is kept with replacement characters; anything else undecodable is an error.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from tidings.ingest.errors import IngestError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)
# Control characters other than tab, newline, carriage return and form feed: binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_STRAY_BYTES_MAX = 3          # invalid UTF-8 sequences tolerated in otherwise UTF-8 text ...
_STRAY_RATIO_MAX = 0.001      # ... and at most this share of the characters
_SNIFF = 16384                # bytes looked at for binary data and declared charsets


def declared_charset(head: bytes) -> str | None:
    """The charset a document declares in its first bytes (meta tag, XML declaration), if any."""
    m = _DECLARED.search(head[:_SNIFF])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").strip().lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF]
    return b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _check_text(text: str) -> str:
    sample = text[:_SNIFF]
    if sample and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise IngestError("binary data, not text")
    return text


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")


def decode_bytes(data: bytes, hint: str | None = None) -> str:
    """Decode a document's bytes; `hint` is a charset declared outside it (HTTP header)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(name))
            except UnicodeDecodeError as e:
                raise IngestError(f"mis-encoded: starts with a {name} byte-order mark but is not {name} ({e.reason})") from e
    if looks_binary(data):
        raise IngestError("binary data, not text")
    try:
        return _check_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for name in (hint, declared_charset(data)):
        if name and name not in ("utf-8", "ascii"):
            try:
                return _check_text(data.decode(name))
            except (UnicodeDecodeError, LookupError):
                pass
    high = len(_HIGH.findall(data))
    in_utf8 = sum(len(m) for m in _UTF8_SEQUENCE.findall(data))
    if in_utf8 >= 0.8 * high:
        # UTF-8 text with some foreign bytes: a stray byte or two is kept (marked), more is an error.
        text = data.decode("utf-8", errors="replace")
        stray = text.count("\ufffd")
        if stray <= _STRAY_BYTES_MAX and stray <= max(1, len(text) * _STRAY_RATIO_MAX):
            return _check_text(text)
        raise IngestError(f"mis-encoded: UTF-8 text mixed with {stray} bytes of another encoding")
    return _check_text(_detect(data))


# Non-ASCII punctuation and symbols common in any Latin-script news text.
_TYPOGRAPHY = frozenset("\u00a0’‘“”„‚–—…«»‹›€£¥°©®™•·§¿¡×½¼¾")


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def oddities(text: str) -> int:
    """How implausible a decoding looks: stray symbols ("C¶te"), runs of three or more
    accented Latin letters ("Ïðåçèäåíò" is Cyrillic read as Windows-1252), and words
    mixing a Latin letter with another script ("CЄte", "C進e")."""
    odd = 0
    run = 0
    prev_latin_ascii = False
    for ch in text:
        if ch < "\x80":
            run = 0
            prev_latin_ascii = ch.isalpha()
            continue
        if ch.isalpha():
            latin = _is_latin(ch)
            run = run + 1 if latin else 0
            if run == 3:
                odd += 1
            if not latin and prev_latin_ascii:
                odd += 1
        else:
            run = 0
            if ch not in _TYPOGRAPHY:
                odd += 1
        prev_latin_ascii = False
    return odd


def _detect(data: bytes) -> str:
    """Non-UTF-8 bytes: Windows-1252 (the web's common legacy encoding) and
    charset-normalizer's most plausible guesses, the decoding with fewest oddities wins."""
    import charset_normalizer

    candidates: list[str] = []
    try:
        candidates.append(data.decode("cp1252"))
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data))
    if matches:
        best = min(m.chaos for m in matches)
        candidates.extend(str(m) for m in matches if m.chaos <= best + 0.1)
    if candidates:
        text = min(candidates, key=oddities)
        non_ascii = sum(ch >= "\x80" for ch in text)
        if oddities(text) <= 0.3 * non_ascii:
            return text
    raise IngestError("mis-encoded: not valid text in any encoding detected")
