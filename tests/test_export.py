"""Exports: no user string becomes SQL, targets checked first, overwrite replaces whole,
and a GDELT table that pandas reads under GDELT's 61 column names (issue 10, cases 8, 9, 11)."""
import json
import os
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from conftest import ROOT
from tidings.records import AnnotatedArticle, Article, Event, EventMention, Place, Span, stable_id
from tidings.store import Store
from tidings.store.export import GDELT_COLUMNS

VIENNA = Place(0, 6, "Vienna", 2761369, "Vienna", "AT", 48.21, 16.37, "city")
SYDNEY = Place(0, 6, "Sydney", 2147714, "Sydney", "AU", -33.87, 151.21, "city")
AUSTRIA = Place(0, 7, "Austria", 2782113, "Austria", "AT", 47.33, 13.33, "country")


def _article(n: int, url: str, published: str | None) -> AnnotatedArticle:
    text = f"Austrian and Australian officials met for talks, round {n}."
    article = Article.from_text(text, url=url, outlet=f"Outlet {n}", published=published, sources=[url])
    return AnnotatedArticle(article=article)


def _event(story: str, n: int, article: Article, date: str | None, place: Place | None) -> Event:
    mention = EventMention(article=article.id, start=0, end=10, source="AUTGOV", target="AUSGOV", code="042",
                           date=date, place=place, source_span=Span(0, 8, "Austrian"),
                           target_span=Span(13, 23, "Australian"))
    return Event(id=stable_id(story, n), story=story, source="AUTGOV", target="AUSGOV", code="042",
                 plover="CONSULT", goldstein=1.9, quad_class=1, date=date, date_end=None, place=place,
                 attributed_to=None, negated=False, modality="asserted", mentions=[mention], outlets=1,
                 outlet_names=[article.outlet], first_seen=article.published)


def make_db(path, n_articles: int = 4) -> str:
    """A database of `n_articles` articles, one event each: URLs with a tab, a newline and
    spaces; events with and without a date; places in Austria and Australia."""
    urls = ["https://news.example/a\tb", "https://news.example/line\nbreak", "https://news.example/plain",
            "/data/in folder/report.txt"]
    dates = ["2024-07-08", None, "2024-07", None]
    places = [VIENNA, SYDNEY, AUSTRIA, None]
    with Store(path) as store:
        store.begin()
        events = []
        for n in range(n_articles):
            ann = _article(n, urls[n % 4], "2024-07-09" if n % 4 != 3 else "2024-06-30T10:00:00")
            store.add_article(ann, f"story{n}", b"sig", n + 1)
            events.append(_event(f"story{n}", n, ann.article, dates[n % 4], places[n % 4]))
        for e in events:
            store.replace_events([e.story], [e])
        store.commit()
    return str(path)


def tidings(*args, cwd=ROOT, check=True):
    proc = subprocess.run([sys.executable, "-m", "tidings", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def read_gdelt(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=GDELT_COLUMNS, quoting=3, keep_default_na=False,
                       na_values=[""], dtype={"EventCode": str, "EventBaseCode": str, "EventRootCode": str})


def test_case11_gdelt_table_loads_with_pandas_types_and_fips_codes(tmp_path):
    db = make_db(tmp_path / "t.duckdb")
    tidings("export", "--db", db, "--format", "gdelt", tmp_path / "events.csv")
    table = read_gdelt(tmp_path / "events.csv")
    assert len(table) == 4 and list(table.columns) == GDELT_COLUMNS
    for column in ("GlobalEventID", "Day", "MonthYear", "Year", "IsRootEvent", "QuadClass", "NumMentions",
                   "NumSources", "NumArticles", "ActionGeo_Type", "Actor1Geo_Type", "DATEADDED"):
        assert table[column].dtype.kind == "i", column
    for column in ("FractionDate", "GoldsteinScale", "ActionGeo_Lat", "ActionGeo_Long"):
        assert table[column].dtype.kind == "f", column
    assert table["Day"].between(19000101, 21001231).all()
    assert (table["Year"] == table["Day"] // 10000).all() and (table["MonthYear"] == table["Day"] // 100).all()
    by_url = dict(zip(table["SOURCEURL"], table.itertuples()))
    assert set(by_url) == {"https://news.example/a%09b", "https://news.example/line%0Abreak",
                           "https://news.example/plain", "/data/in%20folder/report.txt"}
    assert by_url["https://news.example/a%09b"].Day == 20240708                  # the event's own date
    assert by_url["https://news.example/line%0Abreak"].Day == 20240709           # its publication date
    assert by_url["https://news.example/plain"].Day == 20240709                  # a month only: published
    assert by_url["/data/in%20folder/report.txt"].Day == 20240630
    fips = dict(zip(table["ActionGeo_FullName"].fillna(""), table["ActionGeo_CountryCode"].fillna("")))
    assert fips == {"Vienna": "AU", "Sydney": "AS", "Austria": "AU", "": ""}        # FIPS 10-4, not ISO
    assert table.loc[table["ActionGeo_FullName"] == "Austria", "ActionGeo_Type"].item() == 1
    assert table.loc[table["ActionGeo_FullName"] == "Sydney", "ActionGeo_Type"].item() == 4
    assert set(table["Actor1CountryCode"]) == {"AUT"} and set(table["Actor2CountryCode"]) == {"AUS"}
    assert set(table["EventCode"]) == {"042"} and set(table["EventRootCode"]) == {"04"}


def test_fips_codes_come_from_the_country_table():
    from tidings.store.export import fips_code

    assert [fips_code(c) for c in ("AT", "AU", "DE", "GB", "XK", "by", None, "ZZ")] == \
        ["AU", "AS", "GM", "UK", "KV", "BO", "", ""]


def test_case08_no_path_becomes_sql(tmp_path):
    db = make_db(tmp_path / "t.duckdb")
    crafted = (f"out' (FORMAT csv); COPY (SELECT 'pwned') TO '{tmp_path}/PWNED.csv' (FORMAT csv); "
               "COPY (select 1) TO 'x")
    tidings("export", "--db", db, "--format", "parquet", crafted, cwd=tmp_path)
    assert not (tmp_path / "PWNED.csv").exists()
    exported = tmp_path / crafted
    assert sorted(p.name for p in exported.iterdir()) == ["articles", "event_mentions", "events"]
    quoted = tmp_path / "it's here"
    tidings("export", "--db", db, "--format", "parquet", quoted)
    tidings("export", "--db", db, "--format", "gdelt", tmp_path / "o'clock.csv")
    tidings("export", "--db", db, "--format", "jsonl", tmp_path / "a'b")
    count = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)",
                                     [f"{quoted}/articles/*/*.parquet"]).fetchone()[0]
    assert count == 4
    assert len(read_gdelt(tmp_path / "o'clock.csv")) == 4
    assert len((tmp_path / "a'b" / "articles.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "gdelt"])
def test_case09_existing_target_refused_then_replaced_whole(tmp_path, fmt):
    big, small = make_db(tmp_path / "big.duckdb", 12), make_db(tmp_path / "small.duckdb", 3)
    out = tmp_path / ("events.csv" if fmt == "gdelt" else "out")
    tidings("export", "--db", big, "--format", fmt, out)
    again = tidings("export", "--db", small, "--format", fmt, out, check=False)
    assert again.returncode == 2 and again.stderr.strip() == \
        f"error: {out} already exists; pass --overwrite to replace it"
    tidings("export", "--db", small, "--format", fmt, "--overwrite", out)
    if fmt == "parquet":
        n = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [f"{out}/articles/*/*.parquet"]).fetchone()[0]
    elif fmt == "jsonl":
        n = len((out / "articles.jsonl").read_text().splitlines())
    else:
        n = len(read_gdelt(out))
    assert n == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temporary left behind


def test_case09_targets_that_cannot_be_written_are_one_line_errors(tmp_path):
    db = make_db(tmp_path / "t.duckdb")
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("x")
    (tmp_path / "mixed").mkdir()
    (tmp_path / "mixed" / "thesis.pdf").write_text("mine")
    cases = [
        (["--format", "gdelt", tmp_path / "folder"], f"{tmp_path}/folder is a folder; a gdelt export writes one file"),
        (["--format", "jsonl", tmp_path / "afile"], f"{tmp_path}/afile is a file; a jsonl export writes a folder"),
        (["--format", "gdelt", tmp_path / "afile" / "out.csv"], f"cannot write {tmp_path}/afile/out.csv: "
                                                                  f"{tmp_path}/afile is not a folder"),
        (["--format", "gdelt", "--overwrite", "/dev/full"], "/dev/full is a special file (device, FIFO or socket); "
                                                            "a gdelt export writes one file"),
        (["--format", "gdelt", "--overwrite", db], f"{db}: that is the database being exported"),
        (["--format", "parquet", "--overwrite", tmp_path / "mixed"],
         f"{tmp_path}/mixed holds thesis.pdf, which a parquet export did not write; not replacing it"),
    ]
    for args, message in cases:
        proc = tidings("export", "--db", db, *args, check=False)
        assert proc.returncode == 2 and proc.stderr.strip() == f"error: {message}", (args, proc.stderr)
    assert (tmp_path / "afile").read_text() == "x" and (tmp_path / "mixed" / "thesis.pdf").read_text() == "mine"
    with duckdb.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 4


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_unwritable_folder_is_a_one_line_error(tmp_path):
    db = make_db(tmp_path / "t.duckdb")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    proc = tidings("export", "--db", db, "--format", "gdelt", locked / "e.csv", check=False)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: cannot write {locked}/e.csv")


def test_write_failure_is_one_line_and_keeps_the_earlier_export(tmp_path):
    """A write that fails half-way (the file size limit of the process, as a full disk
    would): one line, exit 2, the earlier export untouched, no temporary left."""
    import resource

    db = make_db(tmp_path / "t.duckdb", 40)
    out = tmp_path / "out"
    tidings("export", "--db", make_db(tmp_path / "small.duckdb", 2), "--format", "jsonl", out)
    before = (out / "articles.jsonl").read_text()

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    proc = subprocess.run([sys.executable, "-m", "tidings", "export", "--db", db, "--format", "jsonl",
                           "--overwrite", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          preexec_fn=small_files)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"error: cannot write {out} (File too large)"
    assert (out / "articles.jsonl").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "small.duckdb", "t.duckdb"]


def test_jsonl_export_rows(tmp_path):
    db = make_db(tmp_path / "t.duckdb")
    tidings("export", "--db", db, "--format", "jsonl", tmp_path / "j")
    events = [json.loads(line) for line in (tmp_path / "j" / "events.jsonl").read_text().splitlines()]
    assert len(events) == 4 and all(e["code"] == "042" for e in events)
