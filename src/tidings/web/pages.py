"""The HTML pages: stories, one story, events, one event, map, timeline, actor network.

Pages are rendered on the server from the one query layer (Jinja2, every value escaped);
the map, the timelines and the network are drawn in the browser from the same JSON the
API serves (`/api/map`, `/api/timeline`, `/api/network`, `/api/events`). The filters live
in the URL, so a view can be bookmarked and shared, and the navigation carries them from
one view to the next.
"""
from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tidings.formats import event_json
from tidings.labels import actor_label
from tidings.store.filters import FILTER_NAMES
from tidings.web.views import (
    LISTING_SORTS,
    QUADS,
    event_row,
    find_event,
    find_story,
    pages,
    read_request,
    root_choices,
)

router = APIRouter(include_in_schema=False)

VIEW_PARAMS = FILTER_NAMES  # the chart pages take the filters only; their lists page in the browser


def render(request: Request, template: str, active: str | None, req: Any = None, **context: Any) -> HTMLResponse:
    env = request.app.state.templates
    html = env.get_template(template).render(
        db_name=request.app.state.db_name, active=active, req=req,
        nav_query=req.filter_query() if req is not None else "",
        form=req.filters.given() if req is not None else {},
        roots=root_choices(), quads=QUADS, actor_label=actor_label, **context)
    return HTMLResponse(html)


@router.get("/", response_class=HTMLResponse)
def stories_page(request: Request) -> HTMLResponse:
    req = read_request(request.query_params)
    with request.app.state.reader.queries() as q:
        page = q.stories(req.filters, req.per_page, req.offset, req.sort)
    return render(request, "stories.html", "stories", req, stories=list(page), total=page.total,
                  pages=pages(page.total, req.per_page), sorts=LISTING_SORTS["stories"])


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    detail = find_story(request, story_id)
    events = [event_row(e) for e in detail.events]
    timeline = [{"id": a.id, "outlet": a.outlet or a.url or a.id, "published": a.published, "title": a.title}
                for a in detail.articles]
    return render(request, "story.html", "stories", None, story=detail.story, articles=detail.articles,
                  events=events, conflicted=[e for e in events if e["conflicts"]],
                  timeline_json=json.dumps(timeline, ensure_ascii=False))


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request) -> HTMLResponse:
    req = read_request(request.query_params)
    with request.app.state.reader.queries() as q:
        page = q.events(req.filters, req.per_page, req.offset, req.sort)
    return render(request, "events.html", "events", req, events=[event_row(e) for e in page], total=page.total,
                  pages=pages(page.total, req.per_page), sorts=LISTING_SORTS["events"])


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str) -> HTMLResponse:
    found, detail = find_event(request, event_id)
    place = detail["place"]
    return render(request, "event.html", "events", None, event=detail,
                  place_json=json.dumps(place if place and place.get("lat") is not None else None),
                  raw_json=json.dumps(event_json(found), ensure_ascii=False, indent=1))


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> HTMLResponse:
    req = read_request(request.query_params, VIEW_PARAMS)
    return render(request, "map.html", "map", req)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request) -> HTMLResponse:
    req = read_request(request.query_params, VIEW_PARAMS)
    return render(request, "timeline.html", "timeline", req)


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request) -> HTMLResponse:
    req = read_request(request.query_params, VIEW_PARAMS + ("nodes",))
    return render(request, "network.html", "network", req)
