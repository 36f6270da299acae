"""Exports of a store: JSON Lines, Parquet partitioned by date, GDELT 2.0 event table."""
from __future__ import annotations

import csv
import json
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
    """Hive-partitioned Parquet: articles by publication day, events and mentions by event day."""
    out.mkdir(parents=True, exist_ok=True)
    con = store.con
    queries = {
        "articles": f"SELECT {ARTICLE_COLUMNS}, coalesce(left(published, 10), 'unknown') AS day FROM articles",
        "events": "SELECT * EXCLUDE (data), data::VARCHAR AS data, "
                  "coalesce(left(date, 10), 'unknown') AS day FROM events",
        "event_mentions": "SELECT * EXCLUDE (data), data::VARCHAR AS data, "
                          "coalesce(left(date, 10), 'unknown') AS day FROM event_mentions",
    }
    written = []
    for name, sql in queries.items():
        target = out / name
        con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, PARTITION_BY (day), OVERWRITE_OR_IGNORE)")
        written.append(target)
    return written


def _gdelt_day(date: str | None) -> str:
    digits = (date or "").replace("-", "")
    return digits[:8] if len(digits) >= 8 and digits[:8].isdigit() else ""


def gdelt_row(e, source_url: str | None) -> list[str]:
    """One fused event as a GDELT 2.0 row; columns we have no value for stay blank."""
    row = dict.fromkeys(GDELT_COLUMNS, "")
    day = _gdelt_day(e.date)
    row["GlobalEventID"] = str(int(e.id[:15], 16))
    if day:
        year, month = int(day[:4]), int(day[4:6])
        row.update(Day=day, MonthYear=day[:6], Year=str(year),
                   FractionDate=f"{year + (month - 1) / 12 + (int(day[6:8]) - 1) / 365:.4f}")
    for n, code in (("1", e.source), ("2", e.target)):
        if code:
            row[f"Actor{n}Code"] = code
            row[f"Actor{n}CountryCode"] = code[:3] if code[:3] not in ("---", "IGO", "NGO") else ""
            row[f"Actor{n}Type1Code"] = code[3:6]
            row[f"Actor{n}Type2Code"] = code[6:9]
    code = e.code or ""
    row.update(IsRootEvent="1", EventCode=code, EventBaseCode=code[:3], EventRootCode=code[:2],
               QuadClass=str(e.quad_class or ""), GoldsteinScale="" if e.goldstein is None else str(e.goldstein),
               NumMentions=str(len(e.mentions)), NumSources=str(e.outlets), NumArticles=str(len(e.mentions)))
    p = e.place
    if p:
        row.update(ActionGeo_Type="1" if p.feature == "country" else "4", ActionGeo_FullName=p.name or "",
                   ActionGeo_CountryCode=p.country or "", ActionGeo_Lat="" if p.lat is None else str(p.lat),
                   ActionGeo_Long="" if p.lon is None else str(p.lon),
                   ActionGeo_FeatureID="" if p.geonameid is None else str(p.geonameid))
    first = _gdelt_day(e.first_seen) or day
    row["DATEADDED"] = f"{first}000000" if first else ""
    row["SOURCEURL"] = source_url or ""
    return [row[c] for c in GDELT_COLUMNS]


def export_gdelt(store: Store, out: Path) -> list[Path]:
    """A GDELT 2.0 event table (tab-separated, 61 columns, no header) at `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    events = store.list_events()
    urls = {a["id"]: a["url"] for a in store.list_articles()}
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        for e in events:
            first = e.mentions[0].article if e.mentions else None
            writer.writerow(gdelt_row(e, urls.get(first)))
    return [out]


EXPORTERS = {"jsonl": export_jsonl, "parquet": export_parquet, "gdelt": export_gdelt}
