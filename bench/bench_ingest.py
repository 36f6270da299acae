"""Throughput of ingest alone: read + clean + near-duplicate signatures and lookup, no NLP.

    .venv/bin/python bench/bench_ingest.py [--repeat N] [--data DIR] [--modes jsonl,txt,html]

The texts of ../shared/eval/data/*.jsonl are written to a temporary folder once as one
JSON Lines file and once as one .txt file per text (and the extraction benchmark's pages
as .html files); each mode then runs `read_paths` over its input in its own process, so
the peak RSS printed is that mode's own. `--repeat N` writes every text N times (with a
line of its own so that each copy is a new article) to show that memory stays flat while
the input grows; only the near-duplicate index grows with the number of articles.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "data"


def texts(data: Path) -> list[str]:
    out = []
    for path in sorted(data.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            out.extend(r["text"] for r in map(json.loads, f) if r.get("text"))
    return out


def write_inputs(data: Path, tmp: Path, repeat: int) -> dict[str, Path]:
    corpus = texts(data)
    jsonl = tmp / "all.jsonl"
    txt = tmp / "txt"
    txt.mkdir()
    with jsonl.open("w", encoding="utf-8") as f:
        n = 0
        for r in range(repeat):
            for text in corpus:
                body = text if r == 0 else f"Copy {r} of this report.\n\n{text}"
                f.write(json.dumps({"id": f"t{n}", "text": body}) + "\n")
                (txt / f"{n:06d}.txt").write_text(body, encoding="utf-8")
                n += 1
    html = tmp / "html"
    html.mkdir()
    gold = data / "extract_dev.jsonl"
    if gold.is_file():
        with gold.open(encoding="utf-8") as f:
            for i, r in enumerate(map(json.loads, f)):
                (html / f"{i:04d}.html").write_bytes((data / r["html_path"]).read_bytes())
    return {"jsonl": jsonl, "txt": txt, "html": html}


def run(path: str) -> dict:
    from tidings.ingest import read_paths
    from tidings.ingest.dedup import NearDuplicateIndex, signature

    errors: list[str] = []
    index = NearDuplicateIndex()
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    n = dups = chars = 0
    for article in read_paths([path], errors.append):
        n += 1
        chars += len(article.text)
        dups += index.add(article.id, signature(article.text)) is not None
    seconds = time.perf_counter() - start
    return {"articles": n, "near_duplicates": dups, "errors": len(errors), "seconds": seconds, "chars": chars,
            "base_rss_mb": base_rss / 1024, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--modes", default="jsonl,txt,html")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run(args.child)))
        return
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such folder (the eval data lives in ../shared/eval/data)")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = write_inputs(args.data, Path(tmp), args.repeat)
        print(f"{'mode':<6} {'articles':>8} {'near-dups':>9} {'errors':>6} {'seconds':>8} {'articles/s':>10} "
              f"{'MB text/s':>9} {'RSS base MB':>11} {'RSS peak MB':>11}")
        for mode in args.modes.split(","):
            proc = subprocess.run([sys.executable, __file__, "--child", str(inputs[mode])],
                                  capture_output=True, text=True, check=True)
            r = json.loads(proc.stdout.splitlines()[-1])
            print(f"{mode:<6} {r['articles']:>8} {r['near_duplicates']:>9} {r['errors']:>6} {r['seconds']:>8.2f} "
                  f"{r['articles'] / r['seconds']:>10.1f} {r['chars'] / r['seconds'] / 1e6:>9.2f} "
                  f"{r['base_rss_mb']:>11.0f} {r['peak_rss_mb']:>11.0f}")


if __name__ == "__main__":
    main()
