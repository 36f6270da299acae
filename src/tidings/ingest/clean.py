"""Cleaning scraped plain text into an article body plus the metadata it carries.

`clean_text` drops boilerplate lines (comment forms, share and font-size widgets, cookie
and copyright notices: regexes in `data/boilerplate.txt`), cuts trailing "Related
Articles" / comment sections (`data/ingest_tail_markers.txt`), reads a date line into
`published` and a trailing outlet signature ("News.Az") into `outlet`, takes a short
first line as the title (it stays in the text: headlines carry the main event), repairs
sentences glued without a space ("areas.Chinese" -> "areas. Chinese") and lays the text
out as paragraphs separated by blank lines. Every pattern is compiled once per process.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from tidings.ingest import dates
from tidings.resources import load_lines, load_tsv

MAX_BOILERPLATE_LINE = 400    # longer lines are article paragraphs, whatever they contain
HEAD_LINES = 6                # content lines at the top searched for a date line or byline
TAIL_LINES = 3                # ... and at the bottom
TAIL_CUT_FROM = 0.5           # a tail marker cuts the rest only past this share of the text
MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 30
MAX_SIGNATURE_CHARS = 50
MAX_SIGNATURE_WORDS = 5


@dataclass
class Cleaned:
    """Cleaned article text and the metadata read out of it."""

    text: str
    published: str | None = None   # ISO date from a date line
    outlet: str | None = None      # from a trailing signature line
    title: str | None = None       # a short first line (kept in the text)
    author: str | None = None      # from a byline ("By Jane Doe")


# --------------------------------------------------------------------- whitespace

_DROP_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def normalise_whitespace(raw: str) -> str:
    """NFC, one kind of newline, no zero-width or soft-hyphen characters, single spaces."""
    text = unicodedata.normalize("NFC", raw).translate(_DROP_CHARS)
    text = _NEWLINES.sub("\n", text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


# --------------------------------------------------------------------- rules from data files

@dataclass(frozen=True)
class _Rules:
    boilerplate: re.Pattern[str]
    tail_marker: re.Pattern[str]
    date_label: re.Pattern[str]
    label_kind: dict[str, str]
    byline: re.Pattern[str]
    signature_label: re.Pattern[str]
    connectors: frozenset[str]
    not_signature: frozenset[str]
    tlds: frozenset[str]
    title_label: re.Pattern[str]


# A time of day before the date ("10:32 AM, July 9, 2024"); with a colon, unlike "09.07.2024".
_LEAD_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?(?:\s*(?-i:[A-Z]{2,5}))?"


def _union(patterns) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def _words(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def rules() -> _Rules:
    """Every cleaning pattern, compiled once (call `resources.clear_cache` and this one's
    `cache_clear` after changing TIDINGS_DATA)."""
    labels = {r["label"].lower(): r["kind"] for r in load_tsv("ingest_date_labels.tsv")}
    sig = load_tsv("ingest_signature.tsv")
    cal = dates.calendar()
    date_label = re.compile(
        rf"(?:(?P<label>{_words(labels)})\b\s*[:\-–—|]?\s*)?"
        rf"(?:{_LEAD_TIME}\s*[,|\-–—]?\s*)?(?:{cal.weekday_re},?\s+)?", re.I)
    return _Rules(
        boilerplate=_union(load_lines("boilerplate.txt")),
        tail_marker=_union(load_lines("ingest_tail_markers.txt")),
        date_label=date_label,
        label_kind=labels,
        byline=re.compile(rf"(?:{_words(load_lines('ingest_byline_labels.txt'))})\s*:?\s+(?P<name>.+)", re.I),
        signature_label=re.compile(rf"(?:{_words(r['value'] for r in sig if r['kind'] == 'label')})\s*:?\s+", re.I),
        connectors=frozenset(r["value"].lower() for r in sig if r["kind"] == "connector"),
        not_signature=frozenset(r["value"].lower() for r in sig if r["kind"] == "not"),
        tlds=frozenset(t.strip().lower() for t in load_lines("ingest_tlds.txt")),
        title_label=re.compile(rf"(?:{_words(load_lines('ingest_title_labels.txt'))})\s*:\s*(?P<rest>.+)", re.I),
    )


def is_boilerplate(line: str) -> bool:
    return len(line) <= MAX_BOILERPLATE_LINE and rules().boilerplate.fullmatch(line) is not None


TITLE_LABEL_MIN_WORDS = 4  # "Video: AFP via Getty" is a credit; a headline after a label is longer


def is_labelled_title(line: str) -> bool:
    """A headline behind a media label ("VIDEO: Ferry runs aground off Lesbos"), not a credit
    line ("Photo: Reuters/Jane Doe"): never dropped when it opens the text."""
    m = rules().title_label.fullmatch(line)
    if not m:
        return False
    rest = m.group("rest")
    return (looks_like_title(line) and len(rest.split()) >= TITLE_LABEL_MIN_WORDS
            and "/" not in rest and " via " not in f" {rest.lower()} ")


# --------------------------------------------------------------------- date lines

_SEPARATORS = " ,;|·•-–—/()[]"


def read_date_line(line: str) -> tuple[str, str] | None:
    """(ISO date, published|updated) if the line is only a date, with an optional label
    ("Published:"), weekday, time of day and trailing widget junk; else None."""
    r = rules()
    m = r.date_label.match(line)
    pos = m.end() if m else 0
    found = dates.find_date(line, pos, anchored=True)
    if not found:
        return None
    iso, _, end = found
    rest = line[end:].lstrip(_SEPARATORS)
    if rest[:3].lower() == "at ":
        rest = rest[3:]
    rest = rest[dates.match_time(rest, 0):].strip(_SEPARATORS + ".")
    if rest and not is_boilerplate(rest):
        return None
    label = (m.group("label") or "") if m else ""
    return iso, r.label_kind.get(re.sub(r"\s+", " ", label.lower()), "published")


# --------------------------------------------------------------------- signatures, titles, bylines

_TERMINAL = tuple(".!?:;,")
_SENTENCE_END = re.compile(r"""[.!?…]["”’')\]]*$""")
_DOMAIN = re.compile(r"(?:www\.)?[A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_NAME_WORD = re.compile(r"[A-Z0-9][\w.&'’\-]*|[A-Z]")


def _name_like(s: str, connectors: frozenset[str]) -> bool:
    words = s.split()
    if not words or not _NAME_WORD.fullmatch(words[0]):
        return False
    return all(_NAME_WORD.fullmatch(w) or w.lower() in connectors for w in words)


def read_signature(line: str) -> str | None:
    """The outlet named by a short closing line ("News.Az", "— Reuters", "Source: Belta")."""
    r = rules()
    s = line.strip().strip("—–-~*_ ").strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    if m := r.signature_label.match(s):
        s = s[m.end():].strip()
    s = s.rstrip(".").strip()
    if not s or len(s) > MAX_SIGNATURE_CHARS or len(s.split()) > MAX_SIGNATURE_WORDS:
        return None
    if s.lower() in r.not_signature or s.endswith(_TERMINAL) or dates.find_date(s):
        return None
    if _DOMAIN.fullmatch(s) or _name_like(s, r.connectors):
        return s
    return None


MAX_BYLINE_CHARS = 100
_BYLINE_SEPARATOR = re.compile(r"\s*[,|;·•]\s*|\s+[-–—]\s+")


def read_byline(line: str) -> str | None:
    """The author's name in a byline ("By Jane Doe", "By Jane Doe, Reuters | July 9")."""
    r = rules()
    m = r.byline.fullmatch(line)
    if not m or len(line) > MAX_BYLINE_CHARS or _SENTENCE_END.search(line):
        return None
    name = _BYLINE_SEPARATOR.split(m.group("name"), maxsplit=1)[0].strip()
    words = name.split()
    if not 1 <= len(words) <= 5 or not _name_like(name, r.connectors):
        return None
    if words[0].lower().rstrip(".,") in dates.calendar().words:  # "By Monday, ..." starts a sentence
        return None
    return name


def looks_like_title(line: str) -> bool:
    words = line.split()
    stripped = line.rstrip("\"”’'»")
    return (2 <= len(words) <= MAX_TITLE_WORDS and len(line) <= MAX_TITLE_CHARS
            and not stripped.endswith(_TERMINAL) and not line[0].islower())


# --------------------------------------------------------------------- glued sentences

_GLUE = re.compile(r"(?<=\S)[.!?]+[\"”’')\]]*(?=[\"“‘']?[A-Z])")
_RIGHT_WORD = re.compile(r"[\"“‘']?([A-Z][\w’'\-]*)")
_LEFT_WORD = re.compile(r"(\w+)\W*$")


def _is_address(token: str) -> bool:
    t = token.lower()
    return "://" in t or t.startswith("www.") or "@" in t


def _should_split(text: str, start: int, end: int) -> bool:
    tok_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    tok_end = len(text)
    for sep in (" ", "\n"):
        k = text.find(sep, end)
        if k != -1:
            tok_end = min(tok_end, k)
    if _is_address(text[tok_start:tok_end]):
        return False
    left = _LEFT_WORD.search(text, tok_start, start)
    right = _RIGHT_WORD.match(text, end)
    if not left or not right:
        return False
    lw, rw = left.group(1), right.group(1)
    after = text[right.end():right.end() + 1]
    punct = text[start]
    if len(rw) >= 2 and rw[1:2].islower():
        # "W.Va.", "N.Ga.": an initial, then a short capitalised abbreviation with its own dot
        if len(lw) == 1 and lw.isupper() and len(rw) <= 3 and after == ".":
            return False
        # "News.Az", "Salon.Com": a capitalised name and a domain ending are an outlet's name
        if punct == "." and rw.lower() in rules().tlds and not after.isalpha() and lw[:1].isupper() \
                and text[start + 1:right.start()] == "":
            return False
        return True
    if rw in ("A", "I") and after in (" ", "\n"):
        # "NATO.A Chinese": but not "U.S.A" or initials
        return len(lw) >= 2
    if len(rw) >= 2 and rw.isupper() and after in (" ", "\n", ",", ""):
        # "areas.NATO said": a lower-case word then an acronym; "ASP.NET" stays
        return len(lw) >= 2 and lw.islower()
    return False


def repair_glued_sentences(text: str) -> str:
    """Insert the missing space in "areas.Chinese", "NATO.A", "U.S.On", "said.”The"; leave
    "U.S.", "3.5", URLs, e-mail addresses, "Node.js" and names such as "News.Az" alone."""
    out: list[str] = []
    last = 0
    for m in _GLUE.finditer(text):
        if _should_split(text, m.start(), m.end()):
            out.append(text[last:m.end()])
            out.append(" ")
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


# --------------------------------------------------------------------- hard-wrapped paragraphs

def _is_hard_wrapped(block: list[str]) -> bool:
    """Lines of one paragraph broken at a fixed width (e-mail, wire copy), not separate paragraphs."""
    if len(block) < 2:
        return False
    body = block[:-1]
    if not all(30 <= len(line) <= 110 for line in body):
        return False
    open_ends = sum(not _SENTENCE_END.search(line) for line in body)
    return open_ends * 2 >= len(body)


def _join_wrapped(block: list[str]) -> str:
    out = block[0]
    for line in block[1:]:
        out += line if re.search(r"[^\W\d_]-$", out) and line[:1].islower() else " " + line
    return out


# --------------------------------------------------------------------- the cleaner

def clean_text(raw: str, *, extracted: bool = False) -> Cleaned:
    """Clean scraped plain text: drop boilerplate, read the date line, byline, title and
    outlet signature, repair glued sentences, one paragraph per line or wrapped block.

    `extracted=True` is for text an HTML extractor already laid out and separated from its
    metadata: boilerplate is dropped and sentences repaired, nothing else is read or joined.
    """
    sniff_meta = not extracted
    r = rules()
    lines = normalise_whitespace(raw).split("\n")

    # Content lines with the index of the paragraph block they belong to. A tail marker
    # ("Related Articles", "Leave a Reply") in the second half ends the article; it is
    # looked for before boilerplate goes, as most markers are boilerplate lines themselves.
    junk = [bool(line) and is_boilerplate(line) for line in lines]
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is not None and junk[first] and is_labelled_title(lines[first]):
        junk[first] = False  # the cleaner never drops a title
    total = sum(len(line) for line, j in zip(lines, junk) if not j)
    content: list[tuple[float, str]] = []
    block = 0
    seen = 0
    for line, j in zip(lines, junk):
        if not line:
            block += 1
            continue
        if seen >= total * TAIL_CUT_FROM and len(line) <= MAX_BOILERPLATE_LINE and r.tail_marker.fullmatch(line):
            break
        if not j:
            content.append((block, line))
            seen += len(line)

    published = author = title = outlet = None
    if sniff_meta and content:
        updated = None
        positions = list(range(min(HEAD_LINES, len(content))))
        positions += [i for i in range(max(0, len(content) - TAIL_LINES), len(content)) if i not in positions]
        drop: set[int] = set()
        for i in positions:
            found = read_date_line(content[i][1])
            if found:
                drop.add(i)
                if found[1] == "published" and published is None:
                    published = found[0]
                elif found[1] == "updated" and updated is None:
                    updated = found[0]
        published = published or updated
        for i in range(min(HEAD_LINES, len(content))):
            if i not in drop and (name := read_byline(content[i][1])):
                author = name
                drop.add(i)
                if published is None and (found := dates.find_date(content[i][1])):
                    published = found[0]  # "By Jane Doe | July 9, 2024"
                break
        content = [c for i, c in enumerate(content) if i not in drop]

    if sniff_meta and len(content) >= 2:
        if _SENTENCE_END.search(content[-2][1]) and (name := read_signature(content[-1][1])):
            outlet = name
            content.pop()
        first_block, first = content[0]
        nxt_block, nxt = content[1] if len(content) > 1 else (first_block, "")
        if looks_like_title(first) and (nxt_block != first_block or (len(nxt) > len(first) and _SENTENCE_END.search(nxt))):
            title = first
            content[0] = (first_block - 0.5, first)  # its own paragraph

    paragraphs: list[str] = []
    i = 0
    while i < len(content):
        j = i
        while j + 1 < len(content) and content[j + 1][0] == content[i][0]:
            j += 1
        group = [line for _, line in content[i:j + 1]]
        paragraphs.extend([_join_wrapped(group)] if sniff_meta and _is_hard_wrapped(group) else group)
        i = j + 1
    text = repair_glued_sentences("\n\n".join(_dateline_apart(p) for p in paragraphs))
    return Cleaned(text=text, published=published, outlet=outlet, title=title, author=author)


# A wire dateline opening a paragraph: "WASHINGTON —", "NAIROBI, March 3 (Reuters) -",
# "BERKELEY HEIGHTS, N.J. —". The city in capitals, an optional state or country, an optional
# day, an optional agency in brackets, then a dash. (The shape of a news format, not language.)
_DATELINE = re.compile(
    r"^([A-Z][A-Z.'’ -]{1,40}[A-Z.](?:, [A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*)?"
    r"(?:, [A-Z][a-z]{2,8}\.? \d{1,2}(?:, \d{4})?)?(?: ?\([A-Za-z .&'-]{2,30}\))? ?(?:--|[-—–]))[ \t]+(?=\S)")


def _dateline_apart(paragraph: str) -> str:
    """Put a paragraph's opening dateline on its own line, so the parser never takes the city
    for the subject of the lead ("WASHINGTON — The Senate voted ..."): a line break ends a
    sentence (nlp/pipeline.py), and the dateline stays in the text for places and dates."""
    return _DATELINE.sub(lambda m: m.group(1) + "\n", paragraph, count=1)
