"""Reading publication dates written by people and machines ("July 9, 2024", "2024-07-09",
"Tue, 09 Jul 2024 10:00:00 GMT", "9.7.2024") into ISO dates.

Month and weekday names come from the data file `ingest_calendar.tsv`; numeric forms that
could be day-first or month-first ("07/09/2024") are read only when unambiguous.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import time
from dataclasses import dataclass

from tidings.resources import load_tsv

_TIME = (r"(?:\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?\s?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)"
         r"(?:\s*(?:Z|[+\-−]\d{2}:?\d{2}|\(?(?:GMT|UTC)\s*(?:[+\-−]\s*\d{1,2}(?::?\d{2})?)?\)?|(?-i:[A-Z]{2,5})))?")


@dataclass(frozen=True)
class _Calendar:
    months: dict[str, int]
    words: frozenset[str]            # every month and weekday name
    month_re: str
    weekday_re: str
    forms: tuple[re.Pattern[str], ...]
    time: re.Pattern[str]


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def calendar() -> _Calendar:
    rows = load_tsv("ingest_calendar.tsv")
    months = {r["name"].lower(): int(r["number"]) for r in rows if r["kind"] == "month"}
    month = rf"(?:{_alternation(months)})\.?"
    weekday = rf"(?:{_alternation(r['name'].lower() for r in rows if r['kind'] == 'weekday')})\.?"
    day = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
    forms = (
        rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})(?!\d)"
        r"(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?",
        rf"(?P<mon>{month})\s*{day},?\s+(?P<y>\d{{4}})(?!\d)",
        rf"{day}(?:\s+of)?[\s\-]+(?P<mon>{month})[\s,\-]+(?P<y>\d{{4}})(?!\d)",
        r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)",
        r"(?P<a>\d{1,2})[/\-](?P<b>\d{1,2})[/\-](?P<y>\d{4})(?!\d)",
    )
    compiled = tuple(re.compile(rf"(?<![\w.]){f}", re.I) for f in forms)
    words = frozenset(r["name"].lower() for r in rows)
    return _Calendar(months, words, month, weekday, compiled, re.compile(_TIME, re.I))


def _iso(m: re.Match[str], months: dict[str, int]) -> str | None:
    g = m.groupdict()
    year = int(g["y"])
    if g.get("mon"):
        month, day = months.get(g["mon"].lower().rstrip(".")), int(g["d"])
    elif g.get("a"):
        a, b = int(g["a"]), int(g["b"])
        if a > 12 >= b:
            day, month = a, b
        elif b > 12 >= a or a == b:
            month, day = a, b
        else:
            return None  # 07/09/2024: July 9 or 7 September, cannot tell
    else:
        month, day = int(g["m"]), int(g["d"])
    if month is None or not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str, pos: int = 0, anchored: bool = False) -> tuple[str, int, int] | None:
    """The first date in `text` from `pos` as (ISO date, start, end); at `pos` only if anchored."""
    cal = calendar()
    best: tuple[str, int, int] | None = None
    for form in cal.forms:
        m = form.match(text, pos) if anchored else form.search(text, pos)
        if m and (best is None or m.start() < best[1]):
            iso = _iso(m, cal.months)
            if iso:
                best = (iso, m.start(), m.end())
    return best


def parse_date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date given by a record, a feed or a page; None if unreadable."""
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        try:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    found = find_date(str(value).strip())
    return found[0] if found else None


def match_time(text: str, pos: int) -> int:
    """End of a time of day ("10:32 AM GMT") starting at `pos`, or `pos` if there is none."""
    m = calendar().time.match(text, pos)
    return m.end() if m else pos
