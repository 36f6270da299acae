"""The JSON API: every page's data under /api/, with the field names of `--format jsonl`.

Listings are paginated (`page`, `per_page`) and answer `{"items", "total", "page",
"per_page", "pages", "filters"}`. Every filter is read and checked by the one query layer;
a wrong one answers 400 with `{"error": {"parameter", "message"}}`, a parameter of the
wrong type 422 in the same shape.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from tidings.formats import article_json, event_json, story_json
from tidings.store.filters import FILTER_NAMES
from tidings.web.views import (
    MAX_PER_PAGE,
    PER_PAGE,
    event_row,
    find_event,
    find_story,
    listing,
    map_data,
    read_request,
)

# Answers are plain JSON already: JSONResponse skips FastAPI's walk over every value
# (a third of the time of a page of events).
router = APIRouter(prefix="/api", tags=["api"], default_response_class=JSONResponse)


def filter_params(
    q: str | None = Query(None, description="Words that must all occur in a title or text of the story."),
    since: str | None = Query(None, description="From this date on (YYYY-MM-DD, YYYY-MM or YYYY)."),
    until: str | None = Query(None, description="Up to this date (YYYY-MM-DD, YYYY-MM or YYYY)."),
    actor: str | None = Query(None, description="Actor code prefix on either side, e.g. CHN or BLRMIL."),
    source: str | None = Query(None, description="Source actor code prefix."),
    target: str | None = Query(None, description="Target actor code prefix."),
    between: str | None = Query(None, description="Two actor codes, A,B: events from one to the other."),
    country: str | None = Query(None, description="Country of the event's place: ISO code (BY, BLR) or name."),
    outlet: str | None = Query(None, description="An outlet that reported it."),
    code: str | None = Query(None, description="CAMEO code prefix, e.g. 04 or 042."),
    root: str | None = Query(None, description="CAMEO root, 01 to 20."),
    quad: str | None = Query(None, description="Quad class 1-4 (verbal/material cooperation, verbal/material conflict)."),
    place: str | None = Query(None, description="Place name or GeoNames id."),
    story: str | None = Query(None, description="Events of this story."),
) -> None:
    """Declares the filters for the OpenAPI description; they are read by `views.read_request`."""


def page_params(
    page: int = Query(1, ge=1, description="Page number, from 1."),
    per_page: int = Query(PER_PAGE, ge=1, le=MAX_PER_PAGE, description="Items per page."),
) -> None:
    """Declares the paging parameters for the OpenAPI description."""


FILTERS = [Depends(filter_params)]
PAGED = [Depends(filter_params), Depends(page_params)]
LISTING = FILTER_NAMES + ("page", "per_page", "sort")


@router.get("/stories", dependencies=PAGED, summary="Stories, newest first")
def stories(request: Request, sort: str | None = Query(None, description="newest, oldest or added.")) -> JSONResponse:
    req = read_request(request.query_params, LISTING)
    with request.app.state.reader.queries() as q:
        page = q.stories(req.filters, req.per_page, req.offset, req.sort, max_limit=MAX_PER_PAGE)
    return JSONResponse(listing([story_json(s) for s in page], page.total, req))


@router.get("/stories/{story_id}", summary="One story: its articles and events")
def story(request: Request, story_id: str) -> JSONResponse:
    detail = find_story(request, story_id)
    return JSONResponse({**story_json(detail.story),
                         "articles": [article_json(a, detail.story.id) for a in detail.articles],
                         "events": [event_json(e) for e in detail.events]})


@router.get("/events", dependencies=PAGED, summary="Fused events, newest first")
def events(request: Request, sort: str | None = Query(None, description="newest or oldest.")) -> JSONResponse:
    req = read_request(request.query_params, LISTING)
    with request.app.state.reader.queries() as q:
        page = q.events(req.filters, req.per_page, req.offset, req.sort, max_limit=MAX_PER_PAGE)
    return JSONResponse(listing([event_row(e) for e in page], page.total, req))


@router.get("/events/{event_id}", summary="One event with its evidence sentences marked")
def event(request: Request, event_id: str) -> JSONResponse:
    return JSONResponse(find_event(request, event_id)[1])


@router.get("/actors", dependencies=PAGED, summary="Actors of the matching events, most events first")
def actors(request: Request) -> JSONResponse:
    from tidings.formats import record_json

    req = read_request(request.query_params, FILTER_NAMES + ("page", "per_page"))
    with request.app.state.reader.queries() as q:
        page = q.actors(req.filters, req.per_page, req.offset, max_limit=MAX_PER_PAGE)
    return JSONResponse(listing([record_json(a) for a in page], page.total, req))


@router.get("/map", dependencies=FILTERS, summary="Events per country and per place")
def event_map(request: Request) -> JSONResponse:
    req = read_request(request.query_params, FILTER_NAMES)
    with request.app.state.reader.queries() as q:
        data = q.event_map(req.filters)
    return JSONResponse({**map_data(data), "filters": req.filters.given()})


@router.get("/timeline", dependencies=FILTERS, summary="Events per day by quad class")
def timeline(request: Request) -> JSONResponse:
    req = read_request(request.query_params, FILTER_NAMES)
    with request.app.state.reader.queries() as q:
        data = q.timeline(req.filters)
    return JSONResponse({**data, "filters": req.filters.given()})


@router.get("/network", dependencies=FILTERS, summary="Actors and the events between them")
def network(request: Request, nodes: int | None = Query(None, ge=2, le=500, description="Most actors drawn (40).")
            ) -> JSONResponse:
    req = read_request(request.query_params, FILTER_NAMES + ("nodes",))
    with request.app.state.reader.queries() as q:
        data = q.network(req.filters, req.nodes)
    return JSONResponse({**data, "filters": req.filters.given()})
