"""Hostile input at the readers: every bad unit named in one line, nothing else lost.

Each test here reproduces one case of issue 10 (the number in its name) with real files
written by the test; each failed before the hardening and passes after.
"""
import gzip
import io
import json
import os
import re
import subprocess
import sys
import threading
import zlib

import pytest

from test_ingest_readers import STORIES, html_page, read, warc_bytes
from tidings.ingest import read_paths

MB = 1024 * 1024

GOOD = {"id": "g", "text": "The port of Mombasa reopened on Tuesday after a two-day strike by dock workers, "
                           "the Kenya Ports Authority said."}


def test_case02_file_name_not_utf8_is_kept_with_escapes(tmp_path):
    folder = os.fsencode(tmp_path / "in")
    os.mkdir(folder)
    with open(os.path.join(folder, b"caf\xe9.txt"), "w") as f:
        f.write(STORIES["port"])
    (tmp_path / "in" / "plain.txt").write_text(STORIES["dam"])
    articles, errors = read([tmp_path / "in"])
    assert errors == []
    assert sorted(a.url for a in articles) == sorted([f"{tmp_path}/in/caf\\xe9.txt", f"{tmp_path}/in/plain.txt"])
    for a in articles:
        a.url.encode("utf-8")  # storable: no surrogate escapes left


def test_case03_fifo_in_a_folder_is_skipped_not_waited_for(tmp_path):
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "x.txt")
    (tmp_path / "in" / "good.txt").write_text(STORIES["rail"])
    code = ("import sys; from tidings.ingest import read_paths\n"
            "arts = list(read_paths([sys.argv[1]], lambda m: print('ERR', m)))\n"
            "print('READ', len(arts))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "in")], capture_output=True, text=True,
                          timeout=120)
    assert "READ 1" in proc.stdout
    assert f"ERR {tmp_path}/in/x.txt: a FIFO, not a regular file" in proc.stdout


def test_fifo_named_on_the_command_line_is_read_as_a_stream(tmp_path):
    """`tidings add <(zcat x.gz)`: a pipe named explicitly is read, as `cat` would."""
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "w") as f:
            f.write(json.dumps(GOOD) + "\n")

    writer = threading.Thread(target=write)
    writer.start()
    articles, errors = read([fifo])
    writer.join(timeout=30)
    assert [a.external_id for a in articles] == ["g"] and errors == []


def test_devices_are_refused(tmp_path):
    articles, errors = read(["/dev/zero"])
    assert articles == [] and errors == ["/dev/zero: cannot open (a character device, not a file)"]


def test_case04_deeply_nested_json_costs_its_line_only(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text("[" * 100000 + "\n" + '{"a": ' * 5000 + "\n" + json.dumps(GOOD) + "\n")
    g = tmp_path / "deep.json"
    g.write_text("[" * 100000)
    articles, errors = read([f, g])
    assert [a.external_id for a in articles] == ["g"]
    assert errors == [f"{f}:line 1: JSON nested too deeply", f"{f}:line 2: JSON nested too deeply",
                      f"{g}: JSON nested too deeply"]


def _set_length(record: bytes, value: bytes) -> bytes:
    return re.sub(rb"Content-Length: \d+", b"Content-Length: " + value, record, count=1)


def _pages(n):
    return [(f"https://h.example/{i}", html_page(f"Bridge {i}", f"The mayor of Town{i} opened a bridge over the "
                                                f"river on Monday, officials said. Traffic resumes on day {i}."))
            for i in range(n)]


@pytest.mark.parametrize("bad", [b"999999", b"100", b"-5", b"twelve", b"", b"99999999999999999999"])
def test_case05_warc_broken_content_length_costs_that_record_only(tmp_path, bad):
    data, offsets = warc_bytes(_pages(22), extra_records=False)
    records = [data[a:b] for a, b in zip(offsets, offsets[1:] + [len(data)])]
    records[5] = _set_length(records[5], bad)
    records[12] = _set_length(records[12], b"20000")
    f = tmp_path / "crawl.warc"
    f.write_bytes(b"".join(records))
    articles, errors = read([f])
    assert len(articles) == 20 and len({a.url for a in articles}) == 20
    assert {"https://h.example/5", "https://h.example/12"}.isdisjoint(a.url for a in articles)
    assert [e.split(": broken WARC record")[0] for e in errors] == [f"{f}:record 6", f"{f}:record 13"]
    assert all(e.endswith("skipped to the next record") for e in errors)


def test_case05_gzipped_warc_with_a_corrupt_member(tmp_path):
    data, offsets = warc_bytes(_pages(10), gz=True, extra_records=False)
    damaged = bytearray(data)
    damaged[offsets[4] + 40:offsets[4] + 60] = b"\0" * 20
    f = tmp_path / "crawl.warc.gz"
    f.write_bytes(bytes(damaged))
    articles, errors = read([f])
    assert len(articles) == 9 and "https://h.example/4" not in {a.url for a in articles}
    assert len(errors) == 1 and errors[0].startswith(f"{f}:record 5: corrupt compressed data")


def test_warc_from_a_pipe_resynchronises_too(tmp_path):
    data, offsets = warc_bytes(_pages(4), extra_records=False)
    broken = data[:offsets[1]] + b"GARBAGE HEADER\r\n" + data[offsets[1] + 16:]
    code = ("import sys; from tidings.ingest import read_paths\n"
            "arts = list(read_paths(['-'], lambda m: print('ERR', m)))\n"
            "print('READ', sorted(a.url for a in arts))\n")
    proc = subprocess.run([sys.executable, "-c", code], input=broken, capture_output=True, timeout=120)
    out = proc.stdout.decode()
    assert "READ ['https://h.example/0', 'https://h.example/2', 'https://h.example/3']" in out
    assert "ERR <stdin>:record 2: broken WARC record" in out


# Reads the files named and prints what came of them and its own peak memory (VmHWM: see
# peak_memory.py for why not ru_maxrss).
READ_AND_MEASURE = """
import sys
from tidings.ingest import read_paths
arts = list(read_paths(sys.argv[1:], lambda m: print('ERR', m)))
print('READ', sorted(a.external_id or a.url for a in arts))
with open('/proc/self/status') as status:
    print('PEAK_MB', next(int(line.split()[1]) for line in status if line.startswith('VmHWM:')) // 1024)
"""


def _peak(out: str) -> int:
    return int(re.search(r"PEAK_MB (\d+)", out).group(1))


def test_case06_json_line_over_the_limit_is_skipped_without_being_held(tmp_path):
    """A line of random letters (it does not compress away) longer than the limit, between two
    good lines, in a .jsonl.gz: the line is refused, memory stays far below its size."""
    from tidings.ingest.limits import MAX_JSON_LINE_BYTES

    f = tmp_path / "big.jsonl.gz"
    alphabet = bytes(range(97, 123))
    with gzip.open(f, "wb", compresslevel=1) as gz:
        gz.write(json.dumps({**GOOD, "id": "before"}).encode() + b"\n")
        gz.write(b'{"id": "huge", "text": "')
        for _ in range(MAX_JSON_LINE_BYTES // MB + 8):
            gz.write(bytes(alphabet[b % 26] for b in os.urandom(MB)))
        gz.write(b'"}\n')
        gz.write(json.dumps({**GOOD, "id": "after", "text": GOOD["text"] + " Traffic resumed."}).encode() + b"\n")
    proc = subprocess.run([sys.executable, "-c", READ_AND_MEASURE, str(f)], capture_output=True, text=True,
                          timeout=600)
    assert "READ ['after', 'before']" in proc.stdout, proc.stderr[-2000:]
    assert f"ERR {f}:line 2: line longer than {MAX_JSON_LINE_BYTES // MB} MB, skipped" in proc.stdout
    assert _peak(proc.stdout) < 400, proc.stdout


def test_case06_compression_bomb_is_refused_early(tmp_path):
    """The issue's reproducer: one valid 1.1 GB JSON line in a gzip of about 1 MB."""
    f = tmp_path / "bomb.jsonl.gz"
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    with f.open("wb") as out:
        out.write(deflate.compress(json.dumps({**GOOD, "id": "before"}).encode() + b"\n"))
        out.write(deflate.compress(b'{"id": "bomb", "text": "'))
        block = b"a" * MB
        for _ in range(1100):
            out.write(deflate.compress(block))
        out.write(deflate.compress(b'"}\n'))
        out.write(deflate.flush())
    assert f.stat().st_size < 3 * MB
    proc = subprocess.run([sys.executable, "-c", READ_AND_MEASURE, str(f)], capture_output=True, text=True,
                          timeout=600)
    assert "READ ['before']" in proc.stdout, proc.stderr[-2000:]
    assert re.search(rf"ERR {re.escape(str(f))}: compressed data expands over \d+ times .* a compression bomb",
                     proc.stdout), proc.stdout
    assert _peak(proc.stdout) < 400, proc.stdout


def test_case07_junk_text_is_refused_and_good_entries_kept(tmp_path):
    lines = [{"id": "nul", "text": "\x00" * 500}, {"id": "ctl", "text": "".join(chr(i % 31 + 1) for i in range(900))},
             {"id": "digits", "text": "0 1 2 3 4 5 6 7 8 9 " * 20}, GOOD,
             {"id": "mixed", "text": GOOD["text"] + "\x00\x07 The strike ended."}]
    f = tmp_path / "in.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    feed = tmp_path / "lol.xml"
    laughs = "<!ENTITY lol0 'lol'>" + "".join(f"<!ENTITY lol{i} '{f'&lol{i - 1};' * 10}'>" for i in range(1, 10))
    feed.write_text(
        f"<?xml version='1.0'?><!DOCTYPE rss [{laughs}]>"
        "<rss version='2.0'><channel><title>Wire</title>"
        "<item><title>Entity</title><link>https://w.example/1</link><description>&lol9;</description></item>"
        f"<item><title>Port</title><link>https://w.example/2</link><description>{STORIES['port']}</description></item>"
        "</channel></rss>")
    articles, errors = read([f, feed])
    assert sorted(a.external_id or a.url for a in articles) == ["g", "https://w.example/2", "mixed"]
    mixed = next(a for a in articles if a.external_id == "mixed")
    assert "\x00" not in mixed.text and "\x07" not in mixed.text
    named = [e.split(": junk text")[0] for e in errors if ": junk text" in e]
    assert named == [f"{f}:line 1", f"{f}:line 2", f"{f}:line 3", f"{feed}:record 1"], errors


@pytest.mark.parametrize("name, content, says", [
    ("blank.json", b"  \n\t\n", "no records, only blank lines"),
    ("blank.jsonl", b"\n \n\n", "no records, only blank lines"),
    ("blank.warc", b" \r\n\r\n  ", "no WARC records, only blank space"),
    ("byte.warc", b"W", "not a WARC file"),
    ("garbage.warc", b"\x00\x01not a warc at all\n" * 40, "not a WARC file"),
    ("empty-array.json", b"[]", "an empty JSON array"),
    ("images.warc", None, "no HTML pages among its 1 records"),
])
def test_case12_every_input_that_yields_nothing_says_so(tmp_path, name, content, says):
    if content is None:
        buf = io.BytesIO()
        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter
        writer = WARCWriter(buf, gzip=False)
        img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://x.example/a.png", "response",
                                                      payload=io.BytesIO(b"\x89PNG"), http_headers=img))
        content = buf.getvalue()
    f = tmp_path / name
    f.write_bytes(content)
    articles, errors = read([f])
    assert articles == [] and len(errors) == 1 and errors[0].startswith(f"{f}: ") and says in errors[0], errors


def test_case12_warc_of_garbage_records_names_each(tmp_path):
    f = tmp_path / "junk.warc"
    f.write_bytes(b"WARC/1.0\r\nthis is no header\r\n\r\n" * 3)
    articles, errors = read([f])
    assert articles == [] and [e.split(": broken")[0] for e in errors] == [f"{f}:record {n}" for n in (1, 2, 3)]


def test_folder_with_nothing_readable_says_so(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "notes.md").write_text("# notes")
    articles, errors = read([tmp_path / "in"])
    assert articles == [] and errors == [f"{tmp_path / 'in'}: no files of a known format in this folder"]


def test_lone_surrogates_and_bracketed_names_are_storable(tmp_path):
    f = tmp_path / "[bold]odd.jsonl"
    f.write_text(json.dumps({"id": "s", "title": "Caf\udce9 talks", "text": GOOD["text"] + " \ud800"}) + "\n")
    articles, errors = read([f])
    assert errors == [] and len(articles) == 1
    a = articles[0]
    for value in (a.text, a.title, a.url):
        value.encode("utf-8")
    assert a.title == "Caf\ufffd talks"


def test_article_text_over_the_limit_is_refused_by_name(tmp_path):
    from tidings.ingest.limits import MAX_ARTICLE_CHARS

    f = tmp_path / "huge.jsonl"
    f.write_text(json.dumps({"id": "huge", "text": "Talks went on. " * (MAX_ARTICLE_CHARS // 15 + 10)}) + "\n"
                 + json.dumps(GOOD) + "\n")
    articles, errors = read([f])
    assert [a.external_id for a in articles] == ["g"]
    assert len(errors) == 1 and errors[0].startswith(f"{f}:line 1: text of ") and "over the limit" in errors[0]


def test_read_paths_gives_surrogate_free_names_for_bytes_paths(tmp_path):
    name = os.fsencode(tmp_path) + b"/na\xefve.txt"
    with open(name, "w") as f:
        f.write(STORIES["dam"])
    articles = list(read_paths([name], print))
    assert [a.url for a in articles] == [f"{tmp_path}/na\\xefve.txt"]


def test_legacy_arc_file_is_read(tmp_path):
    html = ("<html><head><title>Bridge opens</title></head><body><article><p>" + STORIES["rail"]
            + "</p></article></body></html>").encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(html) + html
    version = b"1 0 Tidings\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(version) + version + b"\n"
    arc += b"http://news.example/rail 1.2.3.4 20240101000000 text/html %d\n" % len(http) + http + b"\n"
    f = tmp_path / "old.arc"
    f.write_bytes(arc)
    articles, errors = read([f])
    assert [a.url for a in articles] == ["http://news.example/rail"] and errors == []
