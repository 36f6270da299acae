"""Hostile inputs for `tidings add`, built at test time from a seed.

`build(folder, seed)` writes into `folder`:
- good files in every format (text, HTML, JSON Lines, JSON, RSS, Atom, WARC, gzip of
  each), each with its own article: every one of them must be stored;
- one or more inputs of each kind issue 10 lists (a text longer than one parse chunk, a
  file name that is not UTF-8, a FIFO, JSON nested 100,000 deep, WARCs with broken
  Content-Lengths, a JSON line over the limit, a compression bomb, junk text, inputs
  with nothing in them), written by hand;
- random mutations (bit flips, cuts, insertions, deletions, repeated or swapped chunks,
  NULs, line breaks) of the bundled `examples/` in every format, and of WARC, JSON and
  gzip copies made from them.

It returns a manifest: per input its path (as Tidings names it) and what must happen:
`stored` (an article must come from it), `named` (a line on stderr must name it),
`partly` (both: the good records stored, the bad ones named), or `either`.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from test_ingest_readers import warc_bytes
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MB = 1024 * 1024

CITIES = ["Mombasa", "Kisumu", "Arusha", "Entebbe", "Gulu", "Jinja", "Mwanza", "Dodoma", "Kigali", "Huye",
          "Bujumbura", "Goma", "Lusaka", "Ndola", "Blantyre", "Lilongwe", "Beira", "Nampula", "Harare", "Bulawayo"]
ACTS = ["opened a new clinic", "inaugurated a bridge", "launched a water project", "signed a trade deal",
        "announced new school funding", "met local farmers", "reopened the main market", "visited a flooded area"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@dataclass
class Input:
    path: str            # as Tidings names it in messages and sources
    expect: str          # stored | named | partly | either
    kind: str
    raw: bytes           # the path as the file system has it


def story(n: int) -> tuple[str, str]:
    """A title and a short article of its own for good input number n."""
    city = CITIES[n % len(CITIES)]
    act = ACTS[(n // len(CITIES)) % len(ACTS)]
    title = f"Governor of {city} {act} (report {n})"
    text = (f"The governor of {city} {act} on {DAYS[n % 5]}, the regional office said in a statement. "
            f"Officials said {n + 3} people attended the event and that work would continue next month. "
            f"Residents of {city} welcomed the step, local radio reported, citing reference {n * 7919 % 100000}.")
    return title, text


def html_page(title: str, text: str, site: str = "Lakes Courier") -> str:
    body = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:site_name' content='{site}'></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>(c) {site}</footer></body></html>")


def rss(entries: list[tuple[str, str, str]], title: str = "Lakes Wire") -> str:
    items = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>Tue, 11 Feb 2025 08:00:00 GMT</pubDate>"
                    f"<description><![CDATA[<p>{d}</p>]]></description></item>" for t, d, link in entries)
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>{items}</channel></rss>"


def atom(entries: list[tuple[str, str, str]]) -> str:
    items = "".join(f"<entry><title>{t}</title><link href='{link}'/><id>{link}</id><updated>2025-02-11T08:00:00Z</updated>"
                    f"<content type='html'>&lt;p&gt;{d}&lt;/p&gt;</content></entry>" for t, d, link in entries)
    return f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Lakes Atom</title>{items}</feed>"


def warc(pages: list[tuple[str, str]], gz: bool = False) -> tuple[bytes, list[int]]:
    """A WARC with one HTML response per (uri, html) and an image record after each."""
    return warc_bytes(pages, gz=gz, extra_records=True)


# --------------------------------------------------------------------- mutations

def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of a file's bytes."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not data:
            data = bytearray(rng.randbytes(rng.randint(1, 64)))
            continue
        at = rng.randrange(len(data))
        kind = rng.randrange(9)
        if kind == 0:                       # flip bits
            for _ in range(rng.randint(1, 8)):
                k = rng.randrange(len(data))
                data[k] ^= 1 << rng.randrange(8)
        elif kind == 1:                     # cut the file short
            del data[at:]
        elif kind == 2:                     # insert random bytes
            data[at:at] = rng.randbytes(rng.randint(1, 200))
        elif kind == 3:                     # delete a span
            del data[at:at + rng.randint(1, 400)]
        elif kind == 4:                     # repeat a chunk
            chunk = data[at:at + rng.randint(1, 300)]
            data[at:at] = chunk * rng.randint(2, 20)
        elif kind == 5:                     # swap two chunks
            b = rng.randrange(len(data))
            a, b = sorted((at, b))
            n = min(rng.randint(1, 200), b - a)
            data[a:a + n], data[b:b + n] = data[b:b + n], data[a:a + n]
        elif kind == 6:                     # NULs
            data[at:at] = b"\x00" * rng.randint(1, 64)
        elif kind == 7:                     # a line break where none was
            data[at:at] = rng.choice([b"\n", b"\r\n", b"\r", b"\n\n"])
        else:                               # overwrite with one repeated byte
            n = rng.randint(1, 100)
            data[at:at + n] = bytes([rng.randrange(256)]) * min(n, len(data) - at)
    return bytes(data)


def example_bases() -> dict[str, bytes]:
    """The bundled examples in every format Tidings reads: as they are, and as JSON, WARC
    and gzip made from them (JSON Lines records lose their URL, so they are named by line)."""
    bases = {p.name: p.read_bytes() for p in sorted(EXAMPLES.iterdir()) if p.suffix in (".txt", ".html", ".rss",
                                                                                          ".jsonl")}
    records = [json.loads(line) for line in bases["wire.jsonl"].decode().splitlines() if line.strip()]
    for r in records:
        r.pop("url", None)
    bases["wire.jsonl"] = "".join(json.dumps(r) + "\n" for r in records).encode()
    bases["wire.json"] = json.dumps(records).encode()
    pages = [("https://horn-observer.example/cairo", bases["cairo_talks_hornobserver.html"].decode())]
    bases["crawl.warc"] = warc(pages)[0]
    bases["crawl.warc.gz"] = warc(pages, gz=True)[0]
    for name in ("cairo_talks_dailycourier.txt", "cairo_talks_hornobserver.html", "maritime_review.rss",
                 "wire.jsonl"):
        bases[f"{name}.gz"] = gzip.compress(bases[name], mtime=0)
    return bases


# --------------------------------------------------------------------- build

class Builder:
    def __init__(self, folder: Path, rng: random.Random):
        self.folder = folder
        self.rng = rng
        self.inputs: list[Input] = []
        self.good = 0

    def write(self, name: str | bytes, data: bytes, expect: str, kind: str) -> None:
        path = os.path.join(os.fsencode(self.folder), os.fsencode(name))
        with open(path, "wb") as f:
            f.write(data)
        self.add(path, expect, kind)

    def add(self, path: bytes, expect: str, kind: str) -> None:
        shown = path.decode("utf-8", "backslashreplace")
        self.inputs.append(Input(shown, expect, kind, path))

    def next_story(self) -> tuple[str, str]:
        self.good += 1
        return story(self.good)

    def good_files(self, rounds: int) -> None:
        """Good inputs in every format, each with an article of its own."""
        for r in range(rounds):
            title, text = self.next_story()
            self.write(f"good-{r}.txt", f"{title}\n\n{text}\n".encode(), "stored", "good text")
            title, text = self.next_story()
            self.write(f"good-{r}.html", html_page(title, text).encode(), "stored", "good html")
            title, text = self.next_story()
            self.write(f"good-{r}.txt.gz", gzip.compress(f"{title}\n\n{text}\n".encode()), "stored", "good gzip text")
            lines = [json.dumps({"id": f"g{r}-{k}", "title": t, "text": x, "date": "2025-02-11"})
                     for k, (t, x) in enumerate(self.next_story() for _ in range(2))]
            self.write(f"good-{r}.jsonl", ("\n".join(lines) + "\n").encode(), "stored", "good jsonl")
            self.write(f"good-{r}.jsonl.gz", gzip.compress(json.dumps(
                {"id": f"gz{r}", "text": self.next_story()[1]}).encode() + b"\n"), "stored", "good jsonl.gz")
            entries = [(t, x, f"https://lakes-wire.example/{r}/{k}") for k, (t, x) in
                       enumerate(self.next_story() for _ in range(2))]
            self.write(f"good-{r}.rss", rss(entries).encode(), "stored", "good rss")
            entries = [(t, x, f"https://lakes-atom.example/{r}/{k}") for k, (t, x) in
                       enumerate(self.next_story() for _ in range(2))]
            self.write(f"good-{r}.atom", atom(entries).encode(), "stored", "good atom")
            pages = [(f"https://lakes-courier.example/{r}/{k}", html_page(*self.next_story())) for k in range(2)]
            self.write(f"good-{r}.warc", warc(pages)[0], "stored", "good warc")
            pages = [(f"https://lakes-courier.example/gz/{r}/{k}", html_page(*self.next_story())) for k in range(2)]
            self.write(f"good-{r}.warc.gz", warc(pages, gz=True)[0], "stored", "good warc.gz")

    def issue_cases(self) -> None:
        """One or more inputs of each kind issue 10 found a fault with."""
        rng = self.rng
        # 1. a text longer than one parse chunk: annotated in chunks, stored
        paragraphs = [f"Paragraph {i}: the committee discussed the budget for the coming year at length and "
                      f"agreed to meet again after the holidays to settle item {i}." for i in range(500)]
        self.write("long-report.txt", ("Annual committee report\n\n" + "\n\n".join(paragraphs)).encode(),
                   "stored", "long text")
        # 2. file names that are not UTF-8
        title, text = self.next_story()
        self.write(b"caf\xe9-latin1.txt", f"{title}\n\n{text}\n".encode(), "stored", "non-UTF-8 name")
        title, text = self.next_story()
        self.write(b"\xff\xfe-odd.html", html_page(title, text).encode(), "stored", "non-UTF-8 name")
        # 3. a FIFO with a known extension
        fifo = os.path.join(os.fsencode(self.folder), b"x.txt")
        os.mkfifo(fifo)
        self.add(fifo, "named", "FIFO")
        # 4. JSON nested 100,000 deep, with good lines around it
        lines = [json.dumps({"id": "before-deep", "text": self.next_story()[1]}), "[" * 100000,
                 '{"a":' * 3000, json.dumps({"id": "after-deep", "text": self.next_story()[1]})]
        self.write("deep.jsonl", ("\n".join(lines) + "\n").encode(), "partly", "deep JSON")
        self.write("deep.json", b"[" * 100000, "named", "deep JSON")
        # 5. WARCs with broken Content-Lengths: the good records stored, the broken named
        for variant, bad in enumerate([b"999999", b"100", b"-5", b"twelve", b""]):
            pages = [(f"https://broken-warc.example/{variant}/{k}", html_page(*self.next_story())) for k in range(6)]
            data, offsets = warc(pages)
            records = [data[a:b] for a, b in zip(offsets, offsets[1:] + [len(data)])]
            k = rng.randrange(1, 5)
            records[k] = re.sub(rb"Content-Length: \d+", b"Content-Length: " + bad, records[k], count=1)
            self.write(f"broken-{variant}.warc", b"".join(records), "partly", "broken WARC record")
        pages = [(f"https://broken-warc.example/gz/{k}", html_page(*self.next_story())) for k in range(6)]
        data, offsets = warc(pages, gz=True)
        damaged = bytearray(data)
        damaged[offsets[3] + 30:offsets[3] + 50] = b"\x00" * 20
        self.write("corrupt-member.warc.gz", bytes(damaged), "partly", "corrupt gzip member")
        # 6. a JSON line over the limit (random letters: it does not compress away) and a bomb
        table = bytes(97 + b % 26 for b in range(256))
        raw = io.BytesIO()
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
            gz.write(json.dumps({"id": "before-huge", "text": self.next_story()[1]}).encode() + b"\n")
            gz.write(b'{"id": "huge", "text": "')
            for _ in range(34):
                gz.write(rng.randbytes(MB).translate(table))
            gz.write(b'"}\n')
            gz.write(json.dumps({"id": "after-huge", "text": self.next_story()[1]}).encode() + b"\n")
        self.write("huge-line.jsonl.gz", raw.getvalue(), "partly", "JSON line over the limit")
        deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
        bomb = [deflate.compress(json.dumps({"id": "before-bomb", "text": self.next_story()[1]}).encode() + b"\n"),
                deflate.compress(b'{"id": "bomb", "text": "')]
        block = b"a" * MB
        bomb += [deflate.compress(block) for _ in range(1100)]
        bomb += [deflate.compress(b'"}\n'), deflate.flush()]
        self.write("bomb.jsonl.gz", b"".join(bomb), "partly", "compression bomb")
        self.write("bomb.txt.gz", gzip.compress(b"a " * (40 * MB), compresslevel=9), "named", "compression bomb")
        # 7. junk text
        junk = [{"id": "nul", "text": "\x00" * 300}, {"id": "ctl", "text": "".join(chr(1 + i % 30) for i in range(600))},
                {"id": "no-letters", "text": "1234 5678 -- ++ 90 " * 30}, {"id": "ok", "text": self.next_story()[1]}]
        self.write("junk.jsonl", "".join(json.dumps(x) + "\n" for x in junk).encode(), "partly", "junk text")
        self.write("nuls.txt", b"\x00" * 5000, "named", "junk text")
        laughs = "<!ENTITY lol0 'lol'>" + "".join(f"<!ENTITY lol{i} '{f'&lol{i - 1};' * 10}'>" for i in range(1, 10))
        title, text = self.next_story()
        self.write("laughs.xml", (f"<?xml version='1.0'?><!DOCTYPE rss [{laughs}]><rss version='2.0'><channel>"
                                  "<title>Laughs</title><item><title>lol</title><link>https://laughs.example/1</link>"
                                  "<description>&lol9;</description></item><item><title>ok</title>"
                                  f"<link>https://laughs.example/2</link><description>{text}</description></item>"
                                  "</channel></rss>").encode(), "partly", "unexpanded entity")
        # 12. inputs with nothing in them
        for name, data in [("blank.jsonl", b"\n  \n\n"), ("blank.json", b" \n\t "), ("blank.warc", b"\r\n \r\n"),
                           ("one-byte.warc", b"W"), ("garbage.warc", rng.randbytes(3000)),
                           ("garbage-records.warc", b"WARC/1.0\r\nno header here\r\n\r\n" * 4),
                           ("empty.txt", b""), ("empty.html", b""), ("empty.rss", b""), ("empty.jsonl.gz", gzip.compress(b"")),
                           ("spaces.txt", b"   \n\n  \t"), ("binary.txt", rng.randbytes(5000)),
                           ("not-a-feed.xml", b"<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>"),
                           ("nav-only.html", b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
                           ("empty-array.json", b"[]"), ("numbers.jsonl", b"1\n2\n3\n"),
                           ("truncated.txt.gz", gzip.compress(b"Some text about talks in Kampala." * 50)[:-20]),
                           ("images-only.warc", warc([])[0] + _image_record())]:
            self.write(name, data, "named", "nothing in it")

    def mutations(self, count: int) -> None:
        """`count` random mutations of the examples, spread over every format (more of the
        compressed ones, whose mutations mostly break the whole file, fewer of the plain
        text ones, whose mutations are new articles to annotate)."""
        bases = example_bases()
        weights = {name: MUTATION_WEIGHTS[name.split(".", 1)[1]] for name in bases}
        total = sum(weights.values())
        k = 0
        for name in sorted(bases):
            stem, ext = name.split(".", 1)
            for _ in range(round(count * weights[name] / total)):
                self.write(f"mut-{k:04d}-{stem}.{ext}", mutate(bases[name], self.rng), "either", f"mutated {ext}")
                k += 1


# How many mutations of each format, relative to each other.
MUTATION_WEIGHTS = {"txt": 4, "html": 5, "rss": 6, "jsonl": 8, "json": 6, "warc": 8, "warc.gz": 10,
                    "txt.gz": 10, "html.gz": 10, "rss.gz": 10, "jsonl.gz": 10}


def _image_record() -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://x.example/a.png", "response",
                                                  payload=io.BytesIO(b"\x89PNG"), http_headers=img))
    return buf.getvalue()


def build(folder: Path, seed: int, mutations: int = 960, good_rounds: int = 3) -> list[Input]:
    """Write every input into `folder` (which must exist); the manifest of what must happen."""
    rng = random.Random(seed)
    builder = Builder(folder, rng)
    builder.good_files(good_rounds)
    builder.issue_cases()
    builder.mutations(mutations)
    return builder.inputs
