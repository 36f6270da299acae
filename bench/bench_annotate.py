"""Throughput of `tidings annotate` against bare spaCy on the same texts, in one run.

    .venv/bin/python bench/bench_annotate.py [--limit N] [--data DIR]

Three modes, each in its own process (so peak memory is its own), on the same texts
(the `text` of ../shared/eval/data/*.jsonl, round-robin over the files):
  bare    spacy.load(model) + nlp.pipe, nothing else
  layers  Tidings' annotate pipeline without event coding (times, places, actors, attributions)
  full    annotate + code (what `tidings annotate` does)
Model loading is excluded from the timings. Prints docs/s, tokens/s, peak RSS and the
ratios layers/bare (goal ≥ 0.75) and full/bare (goal ≥ 0.70).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "data"


def load_texts(data: Path, limit: int) -> list[dict]:
    per_file = []
    for path in sorted(data.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        per_file.append([{"id": r["id"], "text": r["text"], "date": r.get("date") or r.get("dct")}
                         for r in rows if r.get("text")])
    out, i = [], 0
    while len(out) < limit and any(per_file):
        rows = per_file[i % len(per_file)]
        if rows:
            out.append(rows.pop(0))
        i += 1
    return out


def run_mode(mode: str, data: Path, limit: int) -> dict:
    records = load_texts(data, limit)
    if mode == "bare":
        import spacy

        from tidings.nlp.pipeline import BATCH_SIZE, MODEL

        nlp = spacy.load(MODEL)
        start = time.perf_counter()
        tokens = sum(len(doc) for doc in nlp.pipe((r["text"] for r in records), batch_size=BATCH_SIZE))
    else:
        from tidings.ingest import article_from_record
        from tidings.analysis import annotate_articles
        from tidings.nlp.pipeline import load_nlp

        load_nlp()
        warm = article_from_record({"id": "warm", "text": "Warm-up: Kenya's president met Uganda's in Nairobi."},
                                   "warm")
        list(annotate_articles([warm]))  # loads gazetteers and lexicons outside the timing
        start = time.perf_counter()
        articles = (article_from_record({k: v for k, v in r.items() if v}, "bench") for r in records)
        tokens = 0
        for ann in annotate_articles(articles, code=(mode == "full")):
            tokens += len(ann.keywords)  # cheap proxy; docs/s is the headline figure
    seconds = time.perf_counter() - start
    return {"mode": mode, "docs": len(records), "seconds": seconds,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=400, help="number of texts (default 400)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.data, args.limit)))
        return
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such directory (the eval data lies in ../shared/eval/data)")
    results = {}
    for mode in ("bare", "layers", "full"):
        proc = subprocess.run([sys.executable, __file__, "--mode", mode, "--limit", str(args.limit),
                               "--data", str(args.data)], capture_output=True, text=True, check=True)
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode, r in results.items():
        print(f"{mode:<7} {r['docs']} docs in {r['seconds']:.1f}s = {r['docs'] / r['seconds']:.1f} docs/s, "
              f"peak RSS {r['maxrss_mb']:.0f} MB")
    rate = {m: r["docs"] / r["seconds"] for m, r in results.items()}
    print(f"ratio layers/bare = {rate['layers'] / rate['bare']:.2f} (goal >= 0.75)")
    print(f"ratio full/bare   = {rate['full'] / rate['bare']:.2f} (goal >= 0.70)")


if __name__ == "__main__":
    main()
