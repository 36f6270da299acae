"""Records as the JSON shapes users and scorers read (see docs/output.md).

One place decides how an annotated article, an event mention and a fused event look as
JSON, so the CLI, the exports and the web API all print the same thing.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from tidings.records import AnnotatedArticle, Article, Conflict, Event, EventMention, Place, Story, to_dict

PLACE_FIELDS = ("geonameid", "name", "country", "lat", "lon")


def place_json(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {k: getattr(place, k) for k in PLACE_FIELDS}


def _event_fields(e: EventMention | Event) -> dict[str, Any]:
    return {
        "source": e.source, "target": e.target, "code": e.code, "plover": e.plover,
        "goldstein": e.goldstein, "quad_class": e.quad_class, "date": e.date, "date_end": e.date_end,
        "place": place_json(e.place), "attributed_to": e.attributed_to, "negated": e.negated,
        "modality": e.modality,
    }


def _code_info(code: str):
    try:
        from tidings.coding.codebook import lookup

        return lookup(code)
    except Exception:  # noqa: BLE001 - a broken user codebook must not stop the output
        return None


def _value_text(field_name: str, value: Any) -> str:
    if isinstance(value, dict):                       # a place
        name = value.get("name") or value.get("geonameid")
        return f"{name}, {value['country']}" if value.get("country") else str(name)
    if field_name == "code":
        info = _code_info(str(value))
        return f"{value} {info.name}" if info is not None and info.name else str(value)
    return str(value)


def conflict_text(c: Conflict) -> str:
    """One line: 'date: 2024-07-08 (News.Az, Belta) against 2024-07-09 (Xinhua)'."""
    parts = [f"{_value_text(c.field, v['value'])} ({', '.join(v['outlets'])})" for v in c.values]
    return f"{c.field}: " + " against ".join(parts)


def refinement_text(r: dict[str, Any]) -> str:
    """One line: 'code: 042 Make a visit (Xinhua) refines 040 Consult (News.Az, Belta)'."""
    coarser = " and ".join(f"{_value_text(r['field'], x['value'])} ({', '.join(x['outlets'])})"
                           for x in r["refines"])
    return f"{r['field']}: {_value_text(r['field'], r['value'])} ({', '.join(r['outlets'])}) refines {coarser}"


def mention_json(m: EventMention) -> dict[str, Any]:
    out = {"start": m.start, "end": m.end, **_event_fields(m)}
    out["date_source"] = m.date_source
    out["counts"] = dict(m.counts or {})
    out["rule"] = m.rule
    out["evidence"] = {k: to_dict(getattr(m, k)) for k in ("source_span", "predicate_span", "target_span")}
    return out


def event_json(e: Event) -> dict[str, Any]:
    return {
        "id": e.id, "story": e.story, **_event_fields(e),
        "outlets": e.outlets, "outlet_names": e.outlet_names, "syndicated": e.syndicated,
        "first_seen": e.first_seen,
        "mentions": [{"article": m.article, "start": m.start, "end": m.end, "attributed_to": m.attributed_to,
                      "outlet": m.outlet, "rule": m.rule} for m in e.mentions],
        "counts": dict(e.counts or {}),
        "conflicts": [{**to_dict(c), "text": conflict_text(c)} for c in e.conflicts],
        "refinements": [{**r, "text": refinement_text(r)} for r in e.refinements],
    }


def annotated_json(ann: AnnotatedArticle) -> dict[str, Any]:
    """One output line of `tidings annotate` (the contract in ../shared/eval/CONTRACT.md)."""
    a = ann.article
    return {
        "id": a.external_id or a.id, "article_id": a.id, "text": a.text, "title": a.title,
        "published": a.published, "outlet": a.outlet, "url": a.url,
        "times": [to_dict(t) for t in ann.times],
        "places": [to_dict(p) for p in ann.places],
        "actors": [to_dict(x) for x in ann.actors],
        "attributions": [to_dict(x) for x in ann.attributions],
        "events": [mention_json(m) for m in ann.events],
    }


def story_json(s: Story) -> dict[str, Any]:
    """One line of `tidings stories --format jsonl` (and of /api/stories)."""
    return {"id": s.id, "title": s.title, "thread": s.thread, "articles": s.articles, "outlets": s.outlets,
            "first_seen": s.first_seen, "last_seen": s.last_seen, "n_events": s.n_events, "actors": s.actors,
            "places": s.places}


def thread_json(t: Story, stories: list[str]) -> dict[str, Any]:
    """One line of `tidings stories --level thread --format jsonl`: a thread (a story record
    over the thread's articles) with its event stories, first seen first."""
    row = story_json(t)
    row.pop("thread")
    return {"id": row.pop("id"), "title": row.pop("title"), "stories": stories, **row}


def article_json(a: Article, story: str | None = None) -> dict[str, Any]:
    """An article as `tidings articles --format jsonl` prints it."""
    return {"id": a.id, "url": a.url, "published": a.published, "outlet": a.outlet, "title": a.title,
            "story": story, "duplicate_of": a.duplicate_of, "external_id": a.external_id, "sources": a.sources,
            "text": a.text}


def record_json(item: Any) -> Any:
    """Any record a query returns in its JSON shape (events and stories as the CLI prints them)."""
    if isinstance(item, Event):
        return event_json(item)
    if isinstance(item, Story):
        return story_json(item)
    if isinstance(item, Article):
        return article_json(item)
    if dataclasses.is_dataclass(item):
        return to_dict(item)
    return item
