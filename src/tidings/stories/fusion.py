"""Event fusion: the mentions of one happening in a story become one event.

Two mentions report the same happening when, within one story,

- their CAMEO roots are equal (`03`–`06`, talk, meetings and cooperation, are reciprocal:
  the actors may come in either order; an attack is not),
- their actors agree by country (or IGO/NGO code); an unknown actor on one side is a
  wildcard as long as one known actor matches; for a violent act told at the same town on
  the same day, outlets may name two doers (or two victims): a conflict on who did it,
- their dates are compatible: the intervals overlap within `DATE_SLACK_DAYS`, or, when a
  date only fell back on the publication date, within `WEAK_DATE_DAYS`,
- their places are compatible: unknown, or in the same country (two towns of one
  country are one place reported two ways: a conflict, not two events).

Whether it happened is not a reason to split: one outlet asserting what another denies is
one happening with a conflict on it.

Grouping is complete-link (a mention joins the first group it is compatible with *every*
member of), in a deterministic order, so no chain of near matches glues distinct events.

A fused event keeps every mention, the outlets that carried it (a near duplicate on
another outlet counts as that outlet and flags `syndicated`), when it was first seen, and
a `Conflict` for every fact on which outlets disagree: the date, the place, who did it
(`source`) or to whom (`target`), whether it happened (`happened`: asserted against
denied), a number told (`killed`, `wounded`, `arrested`, `abducted`, `troops`), or the code
when two outlets give two different acts. Each value comes with the outlets and articles
that gave it, the representative value first (most outlets, then earliest seen, then the
more specific). Values that only refine another (July vs July 8, Belarus vs Brest) are
not a disagreement, nor are two values that the very same outlets gave. A finer code of
the same act (`06` vs `062`, the generic `040` "consult" vs `042` "make a visit") is a
refinement: the event takes the finer code and `Event.refinements` says which outlets gave
it and what it refines. `tidings.formats` says each as one
line (`conflict_text`, `refinement_text`).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from tidings.records import Article, Conflict, Event, EventMention, Place, outlet_identity, stable_id

RECIPROCAL_ROOTS = frozenset({"03", "04", "05", "06"})
# acts whose doer (or victim) outlets dispute: told at the same town on the same day, two
# doers are one happening with a conflict on who did it ("Russia shelled Kharkiv" against
# "Ukraine shelled Kharkiv"); two donors of aid on one day are two happenings
CONTESTED_ROOTS = frozenset({"17", "18", "19", "20"})
DATE_SLACK_DAYS = 2          # two precise dates this close may be one happening told twice
WEAK_DATE_DAYS = 7           # a date that is only the publication date is this loose
SAME_PLACE_KM = 25.0         # two resolved places this close are one place
COUNTRY_LEVEL = frozenset({"country", "admin1", "admin2", "region", "continent", "state", "province"})
NON_COUNTRY_ACTORS = frozenset({"IGO", "NGO", "MNC", "IMG", "UIS"})
_WEEK = re.compile(r"^(\d{4})-W(\d{2})")


# ---------------------------------------------------------------- time intervals

def date_interval(value: str | None) -> tuple[int, int, int] | None:
    """A TimeML date value as (first day, last day, precision): 3 day, 2 week/month, 1 year."""
    if not value:
        return None
    v = str(value)
    try:
        if len(v) >= 10 and v[4] == "-" and v[7] == "-":
            d = _dt.date.fromisoformat(v[:10]).toordinal()
            return d, d, 3
        m = _WEEK.match(v)
        if m:
            d = _dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1).toordinal()
            return d, d + 6, 2
        if len(v) == 7 and v[4] == "-":
            y, mo = int(v[:4]), int(v[5:7])
            first = _dt.date(y, mo, 1)
            nxt = _dt.date(y + (mo == 12), mo % 12 + 1, 1)
            return first.toordinal(), nxt.toordinal() - 1, 2
        if len(v) == 4 and v.isdigit():
            return _dt.date(int(v), 1, 1).toordinal(), _dt.date(int(v), 12, 31).toordinal(), 1
    except ValueError:
        return None
    return None


@dataclass
class _Mention:
    """A mention with what fusion compares, computed once."""

    m: EventMention
    outlet: str
    seen: str                    # publication date of its article ("" when unknown)
    root: str
    src: str | None              # actor keys: country, or the full code of IGOs and the like
    tgt: str | None
    start: int | None            # date interval, ordinal days
    end: int | None
    weak: bool                   # the date is only the publication date (or unknown)
    order: tuple

    @property
    def reciprocal(self) -> bool:
        return self.root in RECIPROCAL_ROOTS


def actor_key(code: str | None) -> str | None:
    if not code or code.startswith("---"):
        return None
    head = code[:3]
    return code if head in NON_COUNTRY_ACTORS else head


def _wrap(m: EventMention, articles: dict[str, Article]) -> _Mention:
    art = articles.get(m.article)
    outlet = outlet_identity(art) if art is not None else (m.outlet or f"article:{m.article}")
    seen = (art.published if art is not None else None) or ""
    d = date_interval(m.date)
    e = date_interval(m.date_end) if m.date_end else None
    start = d[0] if d else None
    end = max(d[1], e[1]) if d and e else (d[1] if d else None)
    weak = d is None or m.date_source == "published"
    return _Mention(m=m, outlet=outlet, seen=str(seen), root=(m.code or "")[:2], src=actor_key(m.source),
                    tgt=actor_key(m.target), start=start, end=end, weak=weak,
                    order=(str(seen) == "", str(seen), m.article, m.start, m.end, m.code or ""))


# ---------------------------------------------------------------- compatibility

def _same(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _actors_compatible(a: _Mention, b: _Mention) -> bool:
    def ordered(sa, ta, sb, tb):
        if not (_same(sa, sb) and _same(ta, tb)):
            return False
        return (sa is not None and sa == sb) or (ta is not None and ta == tb)

    if a.src is None and a.tgt is None and b.src is None and b.tgt is None:
        return a.m.code == b.m.code
    if ordered(a.src, a.tgt, b.src, b.tgt):
        return True
    return (a.reciprocal and ordered(a.src, a.tgt, b.tgt, b.src)) or _contested(a, b)


def _contested(a: _Mention, b: _Mention) -> bool:
    """One known side agrees and the other is disputed, for a violent act told at the same
    town on the same day (see CONTESTED_ROOTS)."""
    if a.root not in CONTESTED_ROOTS or a.weak or b.weak or a.m.place is None or b.m.place is None:
        return False
    pa, pb = a.m.place, b.m.place
    same_town = _place_level(pa) == _place_level(pb) == 2 and (
        (pa.geonameid is not None and pa.geonameid == pb.geonameid) or (_km(pa, pb) or SAME_PLACE_KM + 1) <= SAME_PLACE_KM)
    if not same_town or (a.start, a.end) != (b.start, b.end):
        return False
    known = all(x is not None for x in (a.src, a.tgt, b.src, b.tgt))
    return known and ((a.src == b.src) != (a.tgt == b.tgt))


def _dates_compatible(a: _Mention, b: _Mention) -> bool:
    if a.start is None or b.start is None:
        return True
    slack = WEAK_DATE_DAYS if (a.weak or b.weak) else DATE_SLACK_DAYS
    return a.start <= b.end + slack and b.start <= a.end + slack


def _places_compatible(a: Place | None, b: Place | None) -> bool:
    if a is None or b is None:
        return True
    if a.geonameid is not None and a.geonameid == b.geonameid:
        return True
    if a.country and b.country:
        return a.country == b.country
    return True


def compatible(a: _Mention, b: _Mention) -> bool:
    """Could two mentions of one story report one happening?"""
    return (a.root == b.root and _actors_compatible(a, b)
            and _dates_compatible(a, b) and _places_compatible(a.m.place, b.m.place))


# ---------------------------------------------------------------- choosing values

def _choose(
    field_name: str,
    items: list[tuple[Hashable, Any, _Mention]],
    subsumed: Callable[[Hashable, list[Hashable]], bool] | None = None,
    specificity: Callable[[Hashable], int] | None = None,
) -> tuple[Any, Conflict | None]:
    """The representative value of a field and, when mentions disagree, the conflict.

    `items` are (key, value, mention). Values `subsumed` by a more specific one given by
    another mention (July vs July 8; Belarus vs Brest) are not a disagreement; they only
    add their outlets to nothing. Representative: most outlets, then earliest seen, then
    the more specific, then the key (so the choice never depends on input order)."""
    if not items:
        return None, None
    groups: dict[Hashable, dict[str, Any]] = {}
    for key, value, mm in items:
        g = groups.setdefault(key, {"value": value, "outlets": set(), "articles": set(), "seen": None})
        g["outlets"].add(mm.outlet)
        g["articles"].add(mm.m.article)
        if mm.seen and (g["seen"] is None or mm.seen < g["seen"]):
            g["seen"] = mm.seen
    keys = list(groups)
    if subsumed is not None and len(keys) > 1:
        kept = [k for k in keys if not subsumed(k, [o for o in keys if o != k])]
        keys = kept or keys
    spec = specificity or (lambda k: 0)
    keys.sort(key=lambda k: (-len(groups[k]["outlets"]), groups[k]["seen"] is None, groups[k]["seen"] or "",
                             -spec(k), str(k)))
    best = groups[keys[0]]["value"]
    if len(keys) == 1 or all(groups[k]["outlets"] == groups[keys[0]]["outlets"] for k in keys):
        # one value, or every value from the same outlets: an article wavering, not outlets disagreeing
        return best, None
    values = [{"value": _plain(groups[k]["value"]), "outlets": sorted(groups[k]["outlets"]),
               "articles": sorted(groups[k]["articles"])} for k in keys]
    return best, Conflict(field=field_name, values=values)


def _plain(value: Any) -> Any:
    if isinstance(value, Place):
        return {"geonameid": value.geonameid, "name": value.name or value.text, "country": value.country}
    return value


def refines(fine: str, coarse: str) -> bool:
    """Is `fine` a finer code of the same act as `coarse`? Its parent (`06` < `062` < `0622`),
    or the same root's generic code, the one "not specified below" (`040` < `042`)."""
    if fine == coarse or not fine or not coarse:
        return False
    if fine.startswith(coarse):
        return True
    return len(coarse) == 3 and coarse.endswith("0") and fine[:2] == coarse[:2]


def _choose_code(field_name: str, items: list[tuple[str, _Mention]]) -> tuple[str | None, Conflict | None]:
    """Codes that refine one another agree: the finest wins. Otherwise the best supported
    code stands and the disagreement is a conflict."""
    codes = sorted({c for c, _ in items if c})
    if not codes:
        return None, None
    finest = [c for c in codes if not any(refines(o, c) for o in codes)]
    if len(finest) == 1:
        return finest[0], None
    return _choose(field_name, [(c, c, mm) for c, mm in items if c],
                   subsumed=lambda k, others: any(refines(o, k) for o in others),
                   specificity=len)


def _refinements(field_name: str, chosen: str | None, items: list[tuple[str, _Mention]]) -> list[dict[str, Any]]:
    """The chosen code, who gave it, and the coarser codes of the same act it stands for."""
    if not chosen:
        return []
    coarser = sorted({c for c, _ in items if c and refines(chosen, c)})
    if not coarser:
        return []
    def outlets(code: str) -> list[str]:
        return sorted({mm.outlet for c, mm in items if c == code})
    return [{"field": field_name, "value": chosen, "outlets": outlets(chosen),
             "refines": [{"value": c, "outlets": outlets(c)} for c in coarser]}]


def _date_subsumed(key: Hashable, others: list[Hashable]) -> bool:
    iv = date_interval(str(key))
    if iv is None:
        return True
    for o in others:
        ov = date_interval(str(o))
        if ov and ov[2] > iv[2] and iv[0] <= ov[0] and ov[1] <= iv[1]:
            return True
    return False


def _date_specificity(key: Hashable) -> int:
    iv = date_interval(str(key))
    return iv[2] if iv else 0


def _km(a: Place, b: Place) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _place_level(p: Place) -> int:
    """2 for a town or site, 1 for a country or region (it contains the towns in it)."""
    return 1 if (p.feature or "").lower() in COUNTRY_LEVEL else 2


def _choose_place(items: list[tuple[Place, _Mention]]) -> tuple[Place | None, Conflict | None]:
    if not items:
        return None, None
    reps: list[Place] = []              # one representative Place per distinct place
    keyed: list[tuple[Hashable, Place, _Mention]] = []
    for p, mm in items:
        key = None
        for i, r in enumerate(reps):
            if p.geonameid is not None and p.geonameid == r.geonameid:
                key = i
                break
            d = _km(p, r)
            if d is not None and d <= SAME_PLACE_KM and _place_level(p) == _place_level(r) == 2:
                key = i
                break
        if key is None:
            reps.append(p)
            key = len(reps) - 1
        keyed.append((key, p, mm))
    # the Place shown for a key is the one its first mention gave
    first: dict[Hashable, Place] = {}
    for key, p, _ in keyed:
        first.setdefault(key, p)

    def subsumed(k: Hashable, others: list[Hashable]) -> bool:
        p = first[k]
        return _place_level(p) == 1 and any(
            _place_level(first[o]) == 2 and (p.country is None or first[o].country == p.country) for o in others)

    return _choose("place", [(k, first[k], mm) for k, _, mm in keyed], subsumed=subsumed,
                   specificity=lambda k: _place_level(first[k]))


# ---------------------------------------------------------------- grouping and fusing

def group_mentions(mentions: list[_Mention]) -> list[list[_Mention]]:
    """Complete-link groups in a deterministic order (earliest seen first)."""
    groups: list[list[_Mention]] = []
    for mm in sorted(mentions, key=lambda x: x.order):
        for g in groups:
            if all(compatible(mm, other) for other in g):
                g.append(mm)
                break
        else:
            groups.append([mm])
    return groups


def _codebook_lookup():
    try:
        from tidings.coding.codebook import lookup
    except Exception:  # noqa: BLE001 - the codebook is optional for fusion; carry mention values
        return None
    return lookup


def _fuse(story_id: str, group: list[_Mention], articles: dict[str, Article]) -> Event:
    conflicts: list[Conflict] = []

    def note(c: Conflict | None) -> None:
        if c is not None:
            conflicts.append(c)

    reciprocal = group[0].reciprocal
    # orientation: the ordered (source, target) pair most outlets gave
    flip: dict[int, bool] = {}
    if reciprocal:
        pairs: dict[tuple, set[str]] = {}
        for mm in group:  # in order: the earliest-seen orientation wins ties
            if mm.src is not None and mm.tgt is not None:
                pairs.setdefault((mm.src, mm.tgt), set()).add(mm.outlet)
        if pairs:
            rank = {p: n for n, p in enumerate(pairs)}
            src_key, tgt_key = min(pairs, key=lambda p: (-len(pairs[p]), rank[p]))
            for i, mm in enumerate(group):
                flip[i] = (mm.src == tgt_key and mm.src is not None and mm.src != src_key) or (
                    mm.tgt == src_key and mm.tgt is not None and mm.tgt != tgt_key)
    sources = [((mm.m.target if flip.get(i) else mm.m.source), mm) for i, mm in enumerate(group)]
    targets = [((mm.m.source if flip.get(i) else mm.m.target), mm) for i, mm in enumerate(group)]
    source, c = _choose_code("source", [(s, mm) for s, mm in sources if s and not s.startswith("---")])
    note(c)
    target, c = _choose_code("target", [(t, mm) for t, mm in targets if t and not t.startswith("---")])
    note(c)
    code_items = [(mm.m.code, mm) for mm in group]
    code, c = _choose_code("code", code_items)
    note(c)
    code = code or group[0].m.code
    refinements = _refinements("code", code, code_items)

    strong = [mm for mm in group if not mm.weak and mm.m.date]
    dated = strong or [mm for mm in group if mm.m.date]
    date, c = _choose("date", [(mm.m.date, mm.m.date, mm) for mm in dated],
                      subsumed=_date_subsumed if strong else None, specificity=_date_specificity)
    if strong:
        note(c)
    ends = [mm for mm in (strong or group) if mm.m.date_end]
    date_end, c = _choose("date_end", [(mm.m.date_end, mm.m.date_end, mm) for mm in ends],
                          subsumed=_date_subsumed, specificity=_date_specificity)
    note(c)
    place, c = _choose_place([(mm.m.place, mm) for mm in group if mm.m.place is not None])
    note(c)
    attributed, _ = _choose("attributed_to", [(mm.m.attributed_to, mm.m.attributed_to, mm)
                                              for mm in group if mm.m.attributed_to])
    happened, c = _choose("happened", [(mm.m.negated, "denied" if mm.m.negated else "asserted", mm)
                                       for mm in group])
    note(c)
    negated = happened == "denied"
    counts: dict[str, int] = {}
    for what in sorted({k for mm in group for k in (mm.m.counts or {})}):
        value, c = _choose(what, [(mm.m.counts[what], mm.m.counts[what], mm) for mm in group
                                  if what in (mm.m.counts or {})])
        note(c)
        counts[what] = value
    modalities = {mm.m.modality for mm in group}
    modality = next((m for m in ("asserted", "planned", "hypothetical") if m in modalities), group[0].m.modality)

    info = None
    lookup = _codebook_lookup()
    if lookup is not None:
        try:
            info = lookup(code)
        except Exception:  # noqa: BLE001 - a broken user codebook must not lose the event
            info = None
    carrier = next((mm.m for mm in group if mm.m.code == code), group[0].m)
    plover = info.plover if info and info.plover else carrier.plover
    goldstein = info.goldstein if info and info.goldstein is not None else carrier.goldstein
    quad = info.quad_class if info and info.quad_class is not None else carrier.quad_class

    outlets = sorted({mm.outlet for mm in group})
    syndicated = False
    for mm in group:
        art = articles.get(mm.m.article)
        if art is not None and art.duplicate_of:
            orig = articles.get(art.duplicate_of)
            if orig is None or outlet_identity(orig) != mm.outlet:
                syndicated = True
    seen = sorted(mm.seen for mm in group if mm.seen)
    mentions = [dataclasses.replace(mm.m, outlet=mm.outlet) for mm in group]
    actors = sorted([source or "", target or ""]) if reciprocal else [source or "", target or ""]
    return Event(
        id=stable_id(story_id, *actors, code[:2], date, negated),
        story=story_id, source=source, target=target, code=code, plover=plover, goldstein=goldstein,
        quad_class=quad, date=date, date_end=date_end, place=place, attributed_to=attributed,
        negated=negated, modality=modality, mentions=mentions, outlets=len(outlets),
        outlet_names=outlets, syndicated=syndicated, first_seen=seen[0] if seen else None, conflicts=conflicts,
        counts=counts, refinements=refinements,
    )


def fuse_events(story_id: str, mentions: list[EventMention], articles: dict[str, Article]) -> list[Event]:
    """One `Event` per happening among a story's mentions, each with every mention,
    its outlets and its conflicts. Deterministic: the same mentions in any order give the
    same events with the same ids, in the same order (earliest seen first)."""
    wrapped = [_wrap(m, articles) for m in mentions]
    events = [_fuse(story_id, g, articles) for g in group_mentions(wrapped)]
    seen_ids: dict[str, int] = {}
    for e in events:  # two happenings alike in story, actors, root and date: keep ids distinct
        n = seen_ids.get(e.id, 0)
        seen_ids[e.id] = n + 1
        if n:
            e.id = stable_id(e.id, n, e.place.geonameid if e.place else None)
    return events
