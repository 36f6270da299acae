"""The filters every listing takes, checked once, and turned into SQL with bound values.

One set of filters serves the web page, the JSON API, the CLI listings and Python
(`tidings.open`). `parse_filters` turns what a user gave (strings from a URL or a command
line, or Python values) into a `Filters` record, or raises `QueryError` naming the
parameter and the reason. The SQL builders below put only `?` into SQL text; every value
a user gave is a bound parameter.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tidings.resources import load_tsv


class QueryError(ValueError):
    """A query parameter has a value Tidings cannot use; the message names it and says why."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


@dataclass(frozen=True)
class Filters:
    """What a listing is narrowed to. None is no filter; every filter given must hold."""

    q: tuple[str, ...] = ()            # words that must all occur in a title or text of the story
    since: str | None = None           # events still going on at or after this date; stories with an article then
    until: str | None = None           # events begun at or before this date; stories with an article then
    actor: str | None = None           # actor code prefix on either side (CHN, BLRMIL)
    source: str | None = None          # actor code prefix of the source
    target: str | None = None          # actor code prefix of the target
    between: tuple[str, str] | None = None  # events from one of two actor codes to the other (exact codes)
    country: str | None = None         # ISO-3166 alpha-2 of the event's place
    outlet: str | None = None          # an outlet that reported it (any case)
    code: str | None = None            # CAMEO code prefix
    root: str | None = None            # CAMEO root, two digits
    quad: int | None = None            # quad class 1-4
    place: str | None = None           # place name (any case) or GeoNames id
    story: str | None = None           # events of this story

    def given(self) -> dict[str, Any]:
        """The filters set, by name, in URL form (what a link must carry to keep the view)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value in (None, ()):
                continue
            if f.name == "q":
                value = " ".join(value)
            elif f.name == "between":
                value = ",".join(value)
            out[f.name] = value
        return out


FILTER_NAMES = tuple(f.name for f in dataclasses.fields(Filters))

# Stories at each level are the groups of articles sharing this column of `articles`.
# (Thread-level stories drop in here as {"thread": "thread"} once the column exists.)
STORY_LEVELS = {"event": "story", "thread": "thread"}  # level -> articles column

MAX_TEXT = 200        # characters in a search, outlet or place value
MAX_WORDS = 8         # words in a search
_CODE = re.compile(r"^[A-Z-]{1,24}$")
_CAMEO = re.compile(r"^\d{2,4}$")
_ID = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")
_DATE_FORMS = ((re.compile(r"^\d{4}$"), "%Y"), (re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
               (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"))


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise QueryError(name, f"{value!r} is not text")
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_TEXT:
        raise QueryError(name, f"longer than {MAX_TEXT} characters")
    if any(ord(c) < 32 for c in value):
        raise QueryError(name, "holds control characters")
    return value


def check_date(name: str, value: Any) -> str | None:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD (a real day), else QueryError."""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    text = _text(name, value)
    if text is None:
        return None
    for pattern, form in _DATE_FORMS:
        if pattern.match(text):
            try:
                dt.datetime.strptime(text, form)
            except ValueError:
                break
            return text
    raise QueryError(name, f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")


def check_actor(name: str, value: Any) -> str | None:
    text = _text(name, value)
    if text is None:
        return None
    code = text.upper()
    if not _CODE.match(code):
        raise QueryError(name, f"{text!r} is not an actor code (letters, e.g. CHN or BLRMIL)")
    return code


def check_id(name: str, value: Any) -> str:
    """A story or event id (or id prefix): required, never empty."""
    text = _text(name, value)
    if text is None:
        raise QueryError(name, "an empty id names nothing: give an id")
    if not _ID.match(text):
        raise QueryError(name, f"{text!r} is not an id (letters, digits, '-', '_', '.', ':')")
    return text


SQL_INT_MAX = 2 ** 63 - 1     # the largest number a BIGINT parameter holds


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise QueryError(name, f"{value!r} is not a whole number")
    try:
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise QueryError(name, f"{value!r} is not a whole number") from None
    if isinstance(value, float) and number != value:
        raise QueryError(name, f"{value!r} is not a whole number")
    if number < low or (high is not None and number > high):
        raise QueryError(name, f"{number} is not in {low}..{high}" if high is not None else f"must be at least {low}")
    if number > SQL_INT_MAX:    # DuckDB would fail to bind it
        raise QueryError(name, f"{number} is too large")
    return number


def check_choice(name: str, value: Any, choices: tuple[str, ...], default: str) -> str:
    text = _text(name, value)
    if text is None:
        return default
    if text not in choices:
        raise QueryError(name, f"{text!r} is none of {', '.join(choices)}")
    return text


@functools.lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO alpha-2 of every country by its alpha-2, alpha-3 and name, lower case."""
    table: dict[str, str] = {}
    for row in load_tsv("actors_countries.tsv"):
        iso2 = row["iso2"].upper()
        for key in (row["iso2"], row["iso3"], row["name"]):
            if key:
                table[key.lower()] = iso2
    return table


def check_country(name: str, value: Any) -> str | None:
    text = _text(name, value)
    if text is None:
        return None
    iso2 = _countries().get(text.lower())
    if iso2 is None:
        raise QueryError(name, f"{text!r} is no country Tidings knows (ISO code such as BY or BLR, or a name)")
    return iso2


def parse_filters(params: Mapping[str, Any] | None = None, **more: Any) -> Filters:
    """Filters from user values (a URL's query, CLI options, Python keywords), or QueryError.

    Unknown names are refused (a typo would otherwise silently filter nothing); empty
    values are no filter."""
    given = {**(params or {}), **more}
    unknown = sorted(set(given) - set(FILTER_NAMES))
    if unknown:
        raise QueryError(unknown[0], f"no such filter (filters: {', '.join(FILTER_NAMES)})")
    get = given.get
    q = _text("q", get("q"))
    words = tuple(q.split()) if q else ()
    if len(words) > MAX_WORDS:
        raise QueryError("q", f"more than {MAX_WORDS} words")
    between = get("between")
    if isinstance(between, str):
        between = [p for p in between.split(",")] if between.strip() else None
    if between is not None:
        if len(between) != 2:
            raise QueryError("between", "give two actor codes, e.g. CHNGOV,BLRMIL")
        a, b = (check_actor("between", x) for x in between)
        if not a or not b:
            raise QueryError("between", "give two actor codes, e.g. CHNGOV,BLRMIL")
        between = (a, b)
    code = _text("code", get("code"))
    if code is not None and not _CAMEO.match(code):
        raise QueryError("code", f"{code!r} is not a CAMEO code (2 to 4 digits, e.g. 04 or 042)")
    root = _text("root", get("root"))
    if root is not None:
        if root.isdigit() and len(root) == 1:
            root = "0" + root
        if not (root.isdigit() and len(root) == 2 and 1 <= int(root) <= 20):
            raise QueryError("root", f"{root!r} is not a CAMEO root (01 to 20)")
    place = _text("place", get("place"))
    story = get("story")
    filters = Filters(
        q=words, since=check_date("since", get("since")), until=check_date("until", get("until")),
        actor=check_actor("actor", get("actor")), source=check_actor("source", get("source")),
        target=check_actor("target", get("target")), between=between,
        country=check_country("country", get("country")), outlet=_text("outlet", get("outlet")),
        code=code, root=root, quad=check_int("quad", get("quad"), 1, 4), place=place,
        story=None if story is None or (isinstance(story, str) and not story.strip()) else check_id("story", story),
    )
    if filters.since and filters.until and filters.until < filters.since:
        raise QueryError("until", f"{filters.until} is before since ({filters.since})")
    return filters


# ---------------------------------------------------------------------------------- SQL

# Who published an article, in SQL: the definition of `records.outlet_identity` (outlet,
# else the URL's host without www., else the article id), over the columns of `articles`.
OUTLET_SQL = (
    "coalesce(nullif(trim({a}.outlet), ''), "
    "nullif(regexp_replace(lower(regexp_extract({a}.url, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)), "
    "'^www\\.', ''), ''), 'article:' || {a}.id)"
)


def outlet_sql(alias: str) -> str:
    return OUTLET_SQL.format(a=alias)


def _words_sql(words: tuple[str, ...], alias: str) -> tuple[list[str], list[Any]]:
    """Each word in the title or the text, any case (a substring match, bound as a value)."""
    clauses, params = [], []
    for w in words:
        clauses.append(f"(contains(lower(coalesce({alias}.title, '')), ?) OR contains(lower({alias}.text), ?))")
        params += [w.lower(), w.lower()]
    return clauses, params


def event_conditions(f: Filters, alias: str = "e", outlet_keys: bool = True) -> tuple[list[str], list[Any]]:
    """WHERE clauses (joined by AND) and their values for the `events` table.

    `outlet_keys`: the table has the `outlet_keys` column (files made before it, opened
    read-only, are searched in the JSON record instead: slower, same answer)."""
    e = alias
    where: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        where.append(clause)
        params.extend(values)

    if f.since:
        add(f"coalesce({e}.date_end, {e}.date) >= ?", f.since)
    if f.until:  # "until 2024-07" takes in every day of July
        add(f"left({e}.date, ?) <= ?", len(f.until), f.until)
    if f.actor:
        add(f"(starts_with({e}.source, ?) OR starts_with({e}.target, ?))", f.actor, f.actor)
    if f.source:
        add(f"starts_with({e}.source, ?)", f.source)
    if f.target:
        add(f"starts_with({e}.target, ?)", f.target)
    if f.between:
        a, b = f.between
        add(f"(({e}.source = ? AND {e}.target = ?) OR ({e}.source = ? AND {e}.target = ?))", a, b, b, a)
    if f.country:
        add(f"{e}.place_country = ?", f.country)
    if f.code:
        add(f"starts_with({e}.code, ?)", f.code)
    if f.root:
        add(f"{e}.root = ?", f.root)
    if f.quad is not None:
        add(f"{e}.quad_class = ?", f.quad)
    if f.place:
        if f.place.isdigit():
            add(f"{e}.place_geonameid = ?", int(f.place))
        else:
            add(f"lower({e}.place_name) = lower(?)", f.place)
    if f.story:
        add(f"{e}.story = ?", f.story)
    if f.outlet and outlet_keys:
        add(f"list_contains({e}.outlet_keys, lower(?))", f.outlet)
    elif f.outlet:
        add(f"list_contains(list_transform(CAST(json_extract({e}.data, '$.outlet_names') AS VARCHAR[]), "
            "lambda x: lower(x)), lower(?))", f.outlet)
    if f.q:
        words, values = _words_sql(f.q, "qa")
        add(f"{e}.story IN (SELECT qa.story FROM articles qa WHERE {' AND '.join(words)})", *values)
    return where, params


EVENT_ONLY = ("actor", "source", "target", "between", "country", "code", "root", "quad", "place")


def story_conditions(f: Filters, column: str = "story", outlet_keys: bool = True) -> tuple[list[str], list[Any]]:
    """WHERE clauses on a story id column: stories with an article, and an event, that match."""
    where: list[str] = []
    params: list[Any] = []
    article_where: list[str] = []
    if f.q:
        words, values = _words_sql(f.q, "fa")
        article_where += words
        params += values
    if f.outlet:
        article_where.append(f"lower({outlet_sql('fa')}) = lower(?)")
        params.append(f.outlet)
    if f.since:
        article_where.append("fa.published >= ?")
        params.append(f.since)
    if f.until:
        # a day given as YYYY-MM-DD covers datetimes of that day too
        article_where.append("left(fa.published, ?) <= ?")
        params += [len(f.until), f.until]
    if article_where:
        where.append(f"{column} IN (SELECT fa.story FROM articles fa WHERE {' AND '.join(article_where)})")
    if f.story:
        where.append(f"{column} = ?")
        params.append(f.story)
    event_filters = dataclasses.replace(Filters(), **{k: getattr(f, k) for k in EVENT_ONLY})
    if event_filters != Filters():
        clauses, values = event_conditions(event_filters, "fe", outlet_keys)
        where.append(f"{column} IN (SELECT fe.story FROM events fe WHERE {' AND '.join(clauses)})")
        params += values
    return where, params
