"""Counts over the events of a filter: per actor, per place and country, per day, per pair of actors.

What the map, the timeline and the actor network draw, and what `Queries.actors` lists.
Each takes an open connection and checked `Filters`, and returns plain dicts and lists
(JSON-ready): the web page and the API serve them as they are.
"""
from __future__ import annotations

from typing import Any

from tidings.labels import actor_label, country_name
from tidings.store.filters import Filters, event_conditions

MAX_POINTS = 2000     # places drawn on the map, the most reported first
UNKNOWN = "---"       # actor codes of unknown country are left out of the network: they are no one actor


def _by_day(date: str | None) -> bool:
    """A date given to the day: YYYY-MM-DD, perhaps with a time after it."""
    return date is not None and len(date) >= 10 and date[4] == "-" and date[7] == "-"


def _where(filters: Filters, *more: str, keys: bool = True) -> tuple[str, list[Any]]:
    where, params = event_conditions(filters, "e", keys)
    where += list(more)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _mean(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def actor_rows(con, filters: Filters, limit: int | None, offset: int, keys: bool = True
               ) -> tuple[list[dict[str, Any]], int]:
    """Each actor code on either side of the filter's events: counts, mean Goldstein, first and last date."""
    clause, params = _where(filters, keys=keys)
    tail, extra = (" LIMIT ? OFFSET ?", [limit, offset]) if limit is not None else (" OFFSET ?", [offset])
    rows = con.execute(
        f"WITH m AS (SELECT * FROM events e{clause}), "
        "sides AS (SELECT source AS code, 1 AS src, 0 AS tgt, goldstein, date FROM m WHERE source IS NOT NULL "
        "          UNION ALL SELECT target, 0, 1, goldstein, date FROM m WHERE target IS NOT NULL) "
        "SELECT code, count(*) AS events, sum(src) AS as_source, sum(tgt) AS as_target, avg(goldstein) AS goldstein, "
        "min(date) AS first_date, max(date) AS last_date, count(*) OVER () AS total "
        f"FROM sides GROUP BY code ORDER BY events DESC, code{tail}", params + extra).fetchall()
    total = rows[0][7] if rows else 0
    out = [{"code": r[0], "label": actor_label(r[0]), "events": r[1], "as_source": int(r[2]), "as_target": int(r[3]),
            "goldstein": _mean(r[4]), "first_date": r[5], "last_date": r[6]} for r in rows]
    return out, total


def event_map(con, filters: Filters, keys: bool = True) -> dict[str, Any]:
    """Events per country (ISO alpha-2 of the place) and per place with coordinates."""
    clause, params = _where(filters, keys=keys)
    # one pass: events per country, those with no country under a null one (the total needs them)
    per_country = con.execute(
        f"SELECT e.place_country, count(*) AS n FROM events e{clause} GROUP BY 1 ORDER BY n DESC, 1", params).fetchall()
    total = sum(n for _, n in per_country)
    countries = [{"country": c, "name": country_name(c), "events": n} for c, n in per_country if c is not None]
    placed = sum(c["events"] for c in countries)
    points = [{"geonameid": g, "name": name, "country": c, "lat": lat, "lon": lon, "events": n}
              for g, name, c, lat, lon, n in con.execute(
                  "SELECT e.place_geonameid, any_value(e.place_name), any_value(e.place_country), "
                  "any_value(e.place_lat), any_value(e.place_lon), count(*) AS n "
                  f"FROM events e{_where(filters, 'e.place_lat IS NOT NULL', 'e.place_geonameid IS NOT NULL', keys=keys)[0]} "
                  "GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?", params + [MAX_POINTS]).fetchall()]
    return {"events": total, "placed": placed, "countries": countries, "points": points}


def timeline(con, filters: Filters, keys: bool = True) -> dict[str, Any]:
    """Events per day, split by quad class; events dated only to a month or a year are counted apart."""
    clause, params = _where(filters, keys=keys)
    # one pass, grouped by the stored date as it is (a few thousand values; cutting each of
    # 100,000 dates to its day in SQL cost more), then by day here
    rows = con.execute(f"SELECT e.date, coalesce(e.quad_class, 0), count(*) FROM events e{clause} GROUP BY 1, 2",
                       params).fetchall()
    total = sum(n for _, _, n in rows)
    rows = sorted((date[:10], quad, n) for date, quad, n in rows if _by_day(date))
    days: dict[str, dict[str, Any]] = {}
    for day, quad, n in rows:
        d = days.setdefault(day, {"day": day, "events": 0, "quad": {"1": 0, "2": 0, "3": 0, "4": 0, "0": 0}})
        d["events"] += n
        d["quad"][str(quad)] = d["quad"].get(str(quad), 0) + n
    dated = sum(d["events"] for d in days.values())
    return {"events": total, "by_day": dated, "not_by_day": total - dated, "days": list(days.values())}


def network(con, filters: Filters, max_nodes: int, keys: bool = True) -> dict[str, Any]:
    """Actors linked by the events between them: the `max_nodes` busiest actors and the edges among them.

    An edge joins two actor codes whichever side acted; its weight is the number of events,
    its colour the mean Goldstein score."""
    clause, params = _where(filters, "e.source IS NOT NULL", "e.target IS NOT NULL", "e.source <> e.target",
                            f"NOT starts_with(e.source, '{UNKNOWN}')", f"NOT starts_with(e.target, '{UNKNOWN}')",
                            keys=keys)
    pairs = con.execute(
        "SELECT least(e.source, e.target) AS a, greatest(e.source, e.target) AS b, count(*) AS n, "
        f"avg(e.goldstein) AS g FROM events e{clause} GROUP BY 1, 2", params).fetchall()
    degree: dict[str, int] = {}
    for a, b, n, _ in pairs:
        degree[a] = degree.get(a, 0) + n
        degree[b] = degree.get(b, 0) + n
    kept = sorted(degree, key=lambda c: (-degree[c], c))[:max_nodes]
    keep = set(kept)
    edges = [{"a": a, "b": b, "events": n, "goldstein": _mean(g)}
             for a, b, n, g in sorted(pairs, key=lambda p: (-p[2], p[0], p[1])) if a in keep and b in keep]
    nodes = [{"code": c, "label": actor_label(c), "events": degree[c]} for c in kept]
    return {"nodes": nodes, "edges": edges, "actors": len(degree), "pairs": len(pairs)}
