"""Throughput of `tidings annotate` against bare spaCy on the same texts, in one run.

    .venv/bin/python bench/bench_annotate.py [--limit N] [--data DIR] [--sets a,b] [--modes m,n]

Four modes, each in its own process (so peak memory is its own), on the same texts
(the `text` of ../shared/eval/data/*.jsonl, or of the sets named by --sets, e.g.
`--sets clusters_basil_dev,places_lgl_dev` for full articles; round-robin over the files):
  bare    spacy.load(model) + nlp.pipe, nothing else
  layers  Tidings' annotate pipeline without event coding (times, places, actors, attributions)
  full    annotate + code (what `tidings annotate` does)
  add     `tidings add` end to end into a new DuckDB file: the texts are written to a JSON
          Lines file first (outside the timing), then read, deduplicated, annotated, coded,
          clustered, fused and stored, batch by batch (`process.add_articles`)
Model loading is excluded from the timings. Prints docs/s, peak RSS and the ratios
layers/bare (goal ≥ 0.75), full/bare (goal ≥ 0.70) and add/bare (goal ≥ 0.70).
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


def load_texts(data: Path, limit: int, sets: list[str] | None = None) -> list[dict]:
    per_file = []
    paths = [data / f"{name}.jsonl" for name in sets] if sets else sorted(data.glob("*.jsonl"))
    for path in paths:
        with path.open(encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        per_file.append([{"id": r["id"], "text": r["text"], "date": r.get("date") or r.get("dct"),
                          "title": r.get("title"), "url": r.get("url")}
                         for r in rows if r.get("text")])
    out, i = [], 0
    while len(out) < limit and any(per_file):
        rows = per_file[i % len(per_file)]
        if rows:
            out.append(rows.pop(0))
        i += 1
    return out


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since `clock()`: on a busy shared machine CPU time is the steadier."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


def warm_up() -> None:
    """Load the model, gazetteers and lexicons outside the timings."""
    from tidings.analysis import annotate_articles
    from tidings.ingest import article_from_record
    from tidings.nlp.pipeline import load_nlp

    load_nlp()
    list(annotate_articles([article_from_record({"text": "Warm-up: Kenya's president met Uganda's in Nairobi."},
                                                "warm")]))


def time_bare(records: list[dict]) -> tuple[float, float]:
    import spacy

    from tidings.nlp.pipeline import BATCH_SIZE, MODEL

    nlp = spacy.load(MODEL)
    start = clock()
    for _ in nlp.pipe((r["text"] for r in records), batch_size=BATCH_SIZE):
        pass
    return since(start)


def time_annotate(records: list[dict], code: bool) -> tuple[float, float]:
    from tidings.analysis import annotate_articles
    from tidings.ingest import article_from_record

    warm_up()
    start = clock()
    articles = (article_from_record({k: v for k, v in r.items() if v}, "bench") for r in records)
    for _ in annotate_articles(articles, code=code):
        pass
    return since(start)


def time_add(records: list[dict]) -> tuple[float, float]:
    """`tidings add` from a JSON Lines file into a new database file."""
    import tempfile

    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    warm_up()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps({k: v for k, v in r.items() if v}) + "\n")
        start = clock()
        with Store(Path(tmp) / "bench.duckdb") as store:
            summary = add_articles(store, read_paths([str(source)], lambda line: print(line, file=sys.stderr)))
        seconds = since(start)
    if summary.read != len(records):
        raise SystemExit(f"add read {summary.read} of {len(records)} records")
    return seconds


def run_mode(mode: str, data: Path, limit: int, sets: list[str] | None = None) -> dict:
    records = load_texts(data, limit, sets)
    if mode == "bare":
        seconds = time_bare(records)
    elif mode == "add":
        seconds = time_add(records)
    else:
        seconds = time_annotate(records, code=(mode == "full"))
    return {"mode": mode, "docs": len(records), "seconds": seconds[0], "cpu_seconds": seconds[1],
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=400, help="number of texts (default 400)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sets", help="comma-separated eval set names (default: every *.jsonl)")
    ap.add_argument("--modes", default="bare,layers,full,add", help="comma-separated modes to run")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sets = args.sets.split(",") if args.sets else None
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.data, args.limit, sets)))
        return
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such directory (the eval data lies in ../shared/eval/data)")
    modes = args.modes.split(",")
    if "bare" not in modes:
        modes.insert(0, "bare")  # every ratio is against bare spaCy measured in the same run
    results = {}
    for mode in modes:
        cmd = [sys.executable, __file__, "--mode", mode, "--limit", str(args.limit), "--data", str(args.data)]
        proc = subprocess.run(cmd + (["--sets", args.sets] if args.sets else []), capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"mode {mode} failed:\n{proc.stderr[-2000:]}")
        results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    for mode, r in results.items():
        print(f"{mode:<7} {r['docs']} docs in {r['seconds']:.1f}s = {r['docs'] / r['seconds']:.1f} docs/s "
              f"(CPU {r['cpu_seconds']:.1f}s), peak RSS {r['maxrss_mb']:.0f} MB")
    goals = {"layers": 0.75, "full": 0.70, "add": 0.70}
    for mode in modes:
        if mode in goals:
            wall = results["bare"]["seconds"] / results[mode]["seconds"]
            cpu = results["bare"]["cpu_seconds"] / results[mode]["cpu_seconds"]
            print(f"ratio {mode + '/bare':<11} = {wall:.2f} wall, {cpu:.2f} CPU (goal >= {goals[mode]:.2f})")


if __name__ == "__main__":
    main()
