"""Readers on real files of every format, written by the tests, and on broken ones."""
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tidings.ingest import read_file, read_paths
from tidings.records import content_id

PARA = ("Kenyan President William Ruto met Tanzanian President Samia Suluhu Hassan in Arusha on Tuesday "
        "to discuss a new railway line between Nairobi and Dar es Salaam, the Kenyan presidency said. ")
STORIES = {
    "rail": PARA + "The two leaders agreed to ask the East African Community to help finance the project.",
    "port": ("Mozambique opened a new container terminal in Beira on Monday, the port authority said. "
             "Officials said the terminal would double the port's capacity and serve Zambia and Malawi."),
    "dam": ("Uganda and South Sudan signed a memorandum on a hydropower dam on the Nile near Nimule on Friday. "
            "Engineers from both countries will carry out a feasibility study this year."),
}


def html_page(title, body, site="Lakes Herald", date="2025-02-11"):
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split(". ") if p)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:site_name' content='{site}'>"
            f"<meta property='article:published_time' content='{date}T08:00:00Z'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{title}</h1>{paragraphs}"
            f"</article><footer>© 2025 {site}</footer></body></html>")


def rss(entries, title="East Africa Wire"):
    items = "".join(
        f"<item><title>{t}</title><link>https://wire.example/{i}</link>"
        f"<pubDate>Tue, 11 Feb 2025 0{i}:00:00 GMT</pubDate><description><![CDATA[{d}]]></description></item>"
        for i, (t, d) in enumerate(entries))
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{items}</channel></rss>"


def warc_bytes(pages, gz=False, extra_records=True):
    """A WARC with an HTML response per page (and records that are not articles)."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    offsets = []
    for uri, html in pages:
        offsets.append(buf.tell())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(html.encode("utf-8")),
                                                      http_headers=headers))
        if extra_records:
            offsets.append(buf.tell())
            img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri + ".png", "response", payload=io.BytesIO(b"\x89PNG..."),
                                                          http_headers=img))
    return buf.getvalue(), offsets


def read(paths):
    errors = []
    articles = list(read_paths([str(p) for p in paths], errors.append))
    return articles, errors


# --------------------------------------------------------------------- formats

def test_plain_text_file(tmp_path):
    f = tmp_path / "rail.txt"
    f.write_text(f"Leaders discuss railway\n\nPublished: 11 February 2025\n\n{STORIES['rail']}\n\nLakes Herald\n",
                 encoding="utf-8")
    (a,), errors = read([f])
    assert errors == []
    assert a.url == str(f) and a.sources == [str(f)]
    assert a.id == content_id(a.text)
    assert (a.published, a.outlet, a.title) == ("2025-02-11", "Lakes Herald", "Leaders discuss railway")
    assert "Lakes Herald" not in a.text and "Arusha" in a.text


def test_html_file_metadata_and_body(tmp_path):
    f = tmp_path / "rail.html"
    f.write_text(html_page("Ruto and Hassan discuss railway", STORIES["rail"]), encoding="utf-8")
    (a,), errors = read([f])
    assert errors == []
    assert "Arusha" in a.text and "Home" not in a.text and "©" not in a.text
    assert (a.title, a.outlet, a.published) == ("Ruto and Hassan discuss railway", "Lakes Herald", "2025-02-11")
    assert a.url == str(f)


def test_html_file_in_a_declared_legacy_encoding(tmp_path):
    f = tmp_path / "legacy.htm"
    page = html_page("Côte d'Ivoire talks", "Ivorian and Malian ministers met in Abidjan on Monday. "
                     "Both sides said the meeting in Côte d'Ivoire was a success, officials said.")
    f.write_bytes(page.replace("charset='utf-8'", "charset='windows-1252'").encode("cp1252"))
    (a,), errors = read([f])
    assert errors == [] and "Côte d'Ivoire" in a.text


def test_jsonl_records_with_ids_and_given_metadata(tmp_path):
    f = tmp_path / "dump.jsonl"
    lines = [
        {"id": "r1", "text": STORIES["rail"], "date": "2025-02-11T10:00:00Z", "outlet": "Nation", "title": "Rail",
         "url": "https://nation.example/rail"},
        {"id": 2, "html": html_page("Port opens", STORIES["port"], site="Beira Post")},
    ]
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    (a, b), errors = read([f])
    assert errors == []
    assert (a.external_id, a.outlet, a.published, a.url, a.sources) == (
        "r1", "Nation", "2025-02-11", "https://nation.example/rail", ["https://nation.example/rail"])
    assert (b.external_id, b.outlet, b.title, b.url) == ("2", "Beira Post", "Port opens", f"{f}:line 2")
    assert "Beira" in b.text


def test_json_array_file(tmp_path):
    f = tmp_path / "dump.json"
    f.write_text(json.dumps([{"id": "a", "text": STORIES["dam"]}, {"id": "b", "text": STORIES["port"]}]))
    articles, errors = read([f])
    assert [a.external_id for a in articles] == ["a", "b"] and errors == []


def test_rss_feed_entries(tmp_path):
    f = tmp_path / "wire.rss"
    f.write_text(rss([("Rail talks", f"<p>{STORIES['rail']}</p><p>More to follow.</p>"),
                      ("Port opens", STORIES["port"])]), encoding="utf-8")
    (a, b), errors = read([f])
    assert errors == []
    assert a.outlet == b.outlet == "East Africa Wire"
    assert (a.title, a.url, a.published) == ("Rail talks", "https://wire.example/0", "2025-02-11")
    assert "<p>" not in a.text and a.text.endswith("project.\n\nMore to follow.")
    assert b.text == STORIES["port"]


def test_atom_feed_with_content(tmp_path):
    f = tmp_path / "feed.atom"
    f.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Nile Notes</title><id>urn:x</id><updated>2025-02-12T00:00:00Z</updated>
<entry><title>Dam memorandum</title><id>urn:1</id><link href="https://nile.example/dam"/>
<updated>2025-02-12T09:00:00Z</updated><summary>Short summary.</summary>
<content type="html">&lt;p&gt;{STORIES['dam']}&lt;/p&gt;</content></entry></feed>""", encoding="utf-8")
    (a,), errors = read([f])
    assert errors == []
    assert (a.outlet, a.url, a.published, a.text) == ("Nile Notes", "https://nile.example/dam", "2025-02-12",
                                                      STORIES["dam"])


@pytest.mark.parametrize("gz", [False, True])
def test_warc_html_responses_only(tmp_path, gz):
    data, _ = warc_bytes([("https://herald.example/rail", html_page("Rail", STORIES["rail"])),
                          ("https://herald.example/port", html_page("Port", STORIES["port"]))], gz=gz)
    f = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    f.write_bytes(data)
    articles, errors = read([f])
    assert errors == []
    assert [a.url for a in articles] == ["https://herald.example/rail", "https://herald.example/port"]
    assert all(a.sources == [a.url] for a in articles)
    assert "Arusha" in articles[0].text


@pytest.mark.parametrize("name, make", [
    ("a.txt.gz", lambda: STORIES["rail"].encode()),
    ("a.html.gz", lambda: html_page("Rail", STORIES["rail"]).encode()),
    ("a.jsonl.gz", lambda: json.dumps({"id": "x", "text": STORIES["rail"]}).encode()),
    ("a.rss.gz", lambda: rss([("Rail", STORIES["rail"])]).encode()),
])
def test_gzip_compressed_formats(tmp_path, name, make):
    f = tmp_path / name
    f.write_bytes(gzip.compress(make()))
    (a,), errors = read([f])
    assert errors == [] and "Arusha" in a.text


@pytest.mark.parametrize("content, expect", [
    (lambda: html_page("Rail", STORIES["rail"]), "Arusha"),
    (lambda: rss([("Port", STORIES["port"])]), "Beira"),
    (lambda: json.dumps({"id": "x", "text": STORIES["dam"]}), "Nimule"),
    (lambda: STORIES["dam"], "Nimule"),
])
def test_unknown_extension_sniffed_when_named(tmp_path, content, expect):
    f = tmp_path / "download.dat"
    f.write_text(content(), encoding="utf-8")
    (a,), errors = read([f])
    assert errors == [] and expect in a.text


def test_warc_sniffed_without_extension(tmp_path):
    f = tmp_path / "crawl.bin"
    f.write_bytes(warc_bytes([("https://h.example/dam", html_page("Dam", STORIES["dam"]))])[0])
    (a,), errors = read([f])
    assert errors == [] and a.url == "https://h.example/dam"


def test_folder_recursive_sorted_skipping_hidden_and_unknown(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "b" / "2.txt").write_text(STORIES["port"])
    (tmp_path / "a" / "deep" / "1.txt").write_text(STORIES["rail"])
    (tmp_path / "0.txt").write_text(STORIES["dam"])
    (tmp_path / ".hidden.txt").write_text("Hidden story. " * 5)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Version control. " * 5)
    (tmp_path / "README.md").write_text("# Notes\nNot news.")
    (tmp_path / "meta.json").write_text('{"source": "crawler"}')
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    articles, errors = read([tmp_path])
    assert errors == []
    assert [Path(a.url).relative_to(tmp_path).as_posix() for a in articles] == ["0.txt", "a/deep/1.txt", "b/2.txt"]


def test_stdin(tmp_path):
    code = ("import sys; from tidings.ingest import read_paths\n"
            "for a in read_paths(['-'], lambda e: print('ERR', e)): print(a.url, a.external_id, a.text[:20])")
    lines = "\n".join(json.dumps({"id": k, "text": v}) for k, v in STORIES.items())
    out = subprocess.run([sys.executable, "-c", code], input=lines.encode(), capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().splitlines() == [
        "<stdin>:line 1 rail Kenyan President Wil", "<stdin>:line 2 port Mozambique opened a ",
        "<stdin>:line 3 dam Uganda and South Sud"]


def test_stdin_gzip_text(tmp_path):
    code = ("from tidings.ingest import read_paths\n"
            "for a in read_paths(['-'], print): print(a.url, a.text[:14])")
    out = subprocess.run([sys.executable, "-c", code], input=gzip.compress(STORIES["port"].encode()),
                         capture_output=True, timeout=120)
    assert out.stdout.decode().strip() == "<stdin> Mozambique ope"


def test_large_jsonl_is_streamed(tmp_path):
    f = tmp_path / "big.jsonl"
    with f.open("w") as out:
        for i in range(3000):
            out.write(json.dumps({"id": i, "text": f"Story number {i}. " + STORIES["rail"]}) + "\n")
    it = read_paths([str(f)], print)
    first = next(it)
    assert first.external_id == "0"
    assert sum(1 for _ in it) == 2999


# --------------------------------------------------------------------- bad input

def test_missing_path_and_directory_given_as_file(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text(STORIES["rail"])
    articles, errors = read([tmp_path / "nope.txt", good])
    assert len(articles) == 1
    assert errors == [f"{tmp_path / 'nope.txt'}: no such file or folder"]
    errs = []
    assert list(read_file(str(tmp_path), errs.append)) == []
    assert len(errs) == 1 and errs[0].startswith(f"{tmp_path}: cannot open")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads files without permission")
def test_unreadable_file(tmp_path):
    f = tmp_path / "locked.txt"
    f.write_text(STORIES["rail"])
    f.chmod(0)
    try:
        articles, errors = read([f])
    finally:
        f.chmod(0o644)
    assert articles == [] and len(errors) == 1 and errors[0].startswith(f"{f}: cannot open")


def test_dangling_link_is_reported(tmp_path):
    link = tmp_path / "gone.txt"
    link.symlink_to(tmp_path / "missing.txt")
    articles, errors = read([link])
    assert articles == [] and errors == [f"{link}: no such file or folder"]


def test_binary_empty_and_misencoded_files_reported_and_rest_read(tmp_path):
    (tmp_path / "1_binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "2_empty.txt").write_bytes(b"")
    (tmp_path / "3_blank.html").write_bytes(b"  \n\n ")
    (tmp_path / "4_mixed.txt").write_bytes(
        "Le ministre a déclaré à Genève.".encode("utf-8") * 3 + "Très élevé, déjà vu à la carte.".encode("latin-1"))
    (tmp_path / "5_boilerplate.txt").write_text("Leave a Reply\nBack to top\n")
    (tmp_path / "6_good.txt").write_text(STORIES["dam"])
    articles, errors = read([tmp_path])
    assert [Path(a.url).name for a in articles] == ["6_good.txt"]
    reasons = dict(e.split(": ", 1) for e in errors)
    assert reasons[str(tmp_path / "1_binary.txt")].startswith("binary")
    assert reasons[str(tmp_path / "2_empty.txt")] == "empty file"
    assert reasons[str(tmp_path / "3_blank.html")] == "empty file"
    assert reasons[str(tmp_path / "4_mixed.txt")].startswith("mis-encoded")
    assert reasons[str(tmp_path / "5_boilerplate.txt")].startswith("no article text")
    assert len(errors) == 5


def test_legacy_encoded_text_is_detected_not_assumed(tmp_path):
    f = tmp_path / "cp1251.txt"
    f.write_bytes(("Министр иностранных дел Беларуси встретился с коллегой из Китая в Пекине. " * 3).encode("cp1251"))
    (a,), errors = read([f])
    assert errors == [] and a.text.startswith("Министр иностранных дел")


def test_truncated_gzip_keeps_nothing_from_it_and_reports(tmp_path):
    f = tmp_path / "cut.txt.gz"
    f.write_bytes(gzip.compress((STORIES["rail"] * 50).encode())[:200])
    good = tmp_path / "z.txt"
    good.write_text(STORIES["port"])
    articles, errors = read([f, good])
    assert [a.url for a in articles] == [str(good)]
    assert len(errors) == 1 and errors[0].startswith(f"{f}: truncated or corrupt compressed data")


def test_truncated_gzip_jsonl_keeps_the_lines_before_the_cut(tmp_path):
    f = tmp_path / "cut.jsonl.gz"
    lines = "".join(json.dumps({"id": i, "text": f"{i}: {STORIES['rail']}"}) + "\n" for i in range(200))
    data = gzip.compress(lines.encode())
    f.write_bytes(data[: len(data) // 2])
    articles, errors = read([f])
    assert 0 < len(articles) < 200
    assert errors[-1].startswith(f"{f}: truncated or corrupt compressed data")


def test_malformed_json_lines_reported_by_line(tmp_path):
    f = tmp_path / "dump.jsonl"
    f.write_text("\n".join([
        json.dumps({"id": "ok1", "text": STORIES["rail"]}),
        '{"id": "broken", "text": "no end',
        "[1, 2, 3]",
        json.dumps({"id": "nothing", "url": "https://wire.example/9"}),
        json.dumps({"id": "num", "text": 42}),
        json.dumps({"id": "ok2", "text": STORIES["port"]}),
        json.dumps({"id": "cut", "text": "truncated"})[:25],
    ]))
    articles, errors = read([f])
    assert [a.external_id for a in articles] == ["ok1", "ok2"]
    assert [e.split(": ", 1)[0] for e in errors] == [f"{f}:line {n}" for n in (2, 3, 4, 5, 7)]
    assert "malformed JSON" in errors[0] and "not a JSON object" in errors[1]
    assert "no 'text' or 'html'" in errors[2] and "not a string" in errors[3]


def test_feed_entry_without_text_and_truncated_feed(tmp_path):
    f = tmp_path / "wire.xml"
    full = rss([("Rail", STORIES["rail"]), ("", ""), ("Port", STORIES["port"])])
    f.write_text(full)
    articles, errors = read([f])
    assert [a.title for a in articles] == ["Rail", "Port"]
    assert errors == [f"{f}:record 2: feed entry without title, content or summary"]

    cut = tmp_path / "cut.rss"
    cut.write_text(full[: full.index("Port</title>") - 1])
    articles, errors = read([cut])
    assert [a.title for a in articles] == ["Rail"]
    assert any(e.startswith(f"{cut}: malformed feed") for e in errors)


def test_headline_only_feed_entries_are_articles_of_their_title(tmp_path):
    """A headline feed gives titles and no text: each is an article whose text is its title,
    and a media label such as "VIDEO:" stays in it."""
    f = tmp_path / "headlines.xml"
    f.write_text(rss([("VIDEO: Ferry runs aground off Lesbos", ""), ("Port strike ends in Mombasa", "")]))
    articles, errors = read([f])
    assert errors == []
    assert [(a.title, a.text) for a in articles] == [
        ("VIDEO: Ferry runs aground off Lesbos", "VIDEO: Ferry runs aground off Lesbos"),
        ("Port strike ends in Mombasa", "Port strike ends in Mombasa")]


def test_xml_that_is_no_feed(tmp_path):
    f = tmp_path / "sitemap.xml"
    f.write_text("<?xml version='1.0'?><urlset><url><loc>https://x.example/</loc></url></urlset>")
    articles, errors = read([f])
    assert articles == [] and len(errors) == 1 and "not an RSS/Atom feed" in errors[0]


def test_broken_warc_record_skipped_and_reading_resumes(tmp_path):
    pages = [(f"https://h.example/{k}", html_page(k, v)) for k, v in STORIES.items()]
    data, offsets = warc_bytes(pages, extra_records=False)
    broken = data[:offsets[1]] + b"GARBAGE HEADER\r\n" + data[offsets[1] + 16:]
    f = tmp_path / "crawl.warc"
    f.write_bytes(broken)
    articles, errors = read([f])
    assert [a.url for a in articles] == ["https://h.example/rail", "https://h.example/dam"]
    assert len(errors) == 1 and errors[0].startswith(f"{f}:record 2: broken WARC record")


@pytest.mark.parametrize("gz", [False, True])
def test_truncated_warc(tmp_path, gz):
    pages = [(f"https://h.example/{k}", html_page(k, v)) for k, v in STORIES.items()]
    data, _ = warc_bytes(pages, gz=gz, extra_records=False)
    f = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    f.write_bytes(data[:-150])
    articles, errors = read([f])
    assert [a.url for a in articles] == ["https://h.example/rail", "https://h.example/port"]
    assert len(errors) == 1 and errors[0].startswith(f"{f}:record 3: ")


def test_error_lines_are_single_lines(tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": 1,\n"text": "split over lines"}\n')
    _, errors = read([f])
    assert errors and all("\n" not in e for e in errors)
