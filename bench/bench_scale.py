"""Scale-out of `tidings add`: 1 and 2 workers, bare spaCy, the writer alone, peak memory.

    .venv/bin/python bench/bench_scale.py [--limit 1200] [--data DIR] [--sets a,b]

On the same real texts (full articles of ../shared/eval/data, read at bench time, never
committed), each mode in its own process so its peak memory is its own:

  bare     spaCy nlp.pipe in one process: the reference rate
  bare2    spaCy nlp.pipe(n_process=2): what two processes give bare spaCy on this machine
           right now (on a busy machine, the ceiling for any 2-worker figure)
  add1     `tidings add --workers 1`: everything in one process
  add2     `tidings add --workers 2`: annotation on a local Dask cluster of two processes
  writer   the writing process alone (dedup, stories, fusion, DuckDB) fed annotations made
           beforehand, so annotation costs it nothing: the most one writer sustains
  add2/4   add2 on a quarter of the texts: peak memory must not grow with the input

Model loading and cluster start-up are outside the timed part (start-up is printed on
its own). Prints articles/s, CPU seconds of the timed process, peak RSS of the writing
process and of each worker, the load average, and the ratios: add1/bare (goal >= 0.70),
add2/add1 (goal >= 1.7 on 2 cores), memory at 4x the input against 1x (goal: flat).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_annotate import DEFAULT_DATA, clock, load_texts, since, warm_up  # noqa: E402

ARTICLE_SETS = "clusters_basil_dev,places_lgl_dev,places_geovirus_dev,times_timebank_dev,times_aquaint_dev"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now (peak RSS is set by the largest batch met, this shows growth)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))


def _worker_warm_up() -> float:
    """Run on each worker: load the model and lexicons; returns the worker's peak RSS so far."""
    warm_up()
    return peak_rss_mb()


def _worker_peak_rss() -> float:
    return peak_rss_mb()


def _worker_rss() -> float:
    return rss_mb()


def _worker_cpu_seconds() -> float:
    return time.process_time()


def articles_of(records: list[dict]) -> list:
    from tidings.ingest import article_from_record

    return [article_from_record({k: v for k, v in r.items() if v}, f"bench:{i}") for i, r in enumerate(records)]


def time_bare(records: list[dict], processes: int) -> dict:
    import spacy

    from tidings.nlp.pipeline import BATCH_SIZE, MODEL

    nlp = spacy.load(MODEL)
    start = clock()
    for _ in nlp.pipe((r["text"] for r in records), batch_size=BATCH_SIZE, n_process=processes):
        pass
    wall, cpu = since(start)
    return {"seconds": wall, "cpu_seconds": cpu}


def time_add(records: list[dict], workers: int) -> dict:
    """`tidings add --workers N` into a new database; cluster start-up and model loading are
    timed apart."""
    from tidings.distributed import DaskAnnotator, open_annotator
    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"  # read as a stream, as `tidings add` reads its input
        with source.open("w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps({k: v for k, v in r.items() if v}) + "\n")
        start = time.perf_counter()
        with open_annotator(workers) as annotator:
            client = annotator.client if isinstance(annotator, DaskAnnotator) else None
            if client is not None:
                client.run(_worker_warm_up)
                worker_cpu = client.run(_worker_cpu_seconds)
            else:
                warm_up()
            out["startup_seconds"] = time.perf_counter() - start
            start = clock()
            written, quarters = 0, []

            def sample(n: int) -> None:  # memory now, each time another quarter of the input is written
                nonlocal written
                written += n
                if written >= (len(quarters) + 1) * len(records) / 4:
                    workers = sorted(client.run(_worker_rss).values()) if client is not None else []
                    quarters.append([round(rss_mb())] + [round(w) for w in workers])

            with Store(Path(tmp) / "bench.duckdb") as store:
                summary = add_articles(store, read_paths([str(source)], print), annotator=annotator,
                                       on_progress=sample)
            out["seconds"], out["cpu_seconds"] = since(start)
            out["rss_by_quarter"] = quarters
            out["all_cpu_seconds"] = out["cpu_seconds"]
            if client is not None:
                out["worker_rss_mb"] = sorted(client.run(_worker_peak_rss).values())
                out["all_cpu_seconds"] += sum(t - worker_cpu[w] for w, t in client.run(_worker_cpu_seconds).items())
    if summary.read != len(records) or summary.added + summary.duplicates != summary.read:
        raise SystemExit(f"add read {summary.read} of {len(records)} articles, stored {summary.added}")
    return out


def time_writer(records: list[dict]) -> dict:
    """The writing process fed annotations made beforehand (outside the timing)."""
    from tidings.distributed import BatchResult, BatchWork, annotate_batch
    from tidings.process import add_articles
    from tidings.store import Store

    articles = articles_of(records)
    made = annotate_batch(BatchWork(articles_of(records)))
    by_id = {ann.article.id: (ann, sig, f) for ann, sig, f in zip(made.annotated, made.signatures, made.features)}

    class StoredAnnotations:
        def map(self, batches):
            for tag, work in batches:
                result = BatchResult()
                for a in work.articles:
                    ann, sig, features = by_id[a.id]
                    result.annotated.append(ann)
                    result.signatures.append(sig)
                    result.features.append(features)
                yield tag, result

    with tempfile.TemporaryDirectory() as tmp:
        start = clock()
        with Store(Path(tmp) / "bench.duckdb") as store:
            add_articles(store, iter(articles), annotator=StoredAnnotations())
        wall, cpu = since(start)
    return {"seconds": wall, "cpu_seconds": cpu}


def run_mode(mode: str, records: list[dict]) -> dict:
    if mode == "bare":
        result = time_bare(records, 1)
    elif mode == "bare2":
        result = time_bare(records, 2)
    elif mode in ("add1", "add2", "add2/4"):
        result = time_add(records[: len(records) // 4] if mode == "add2/4" else records, 1 if mode == "add1" else 2)
    elif mode == "writer":
        result = time_writer(records)
    else:
        raise SystemExit(f"unknown mode {mode}")
    n = len(records) // 4 if mode == "add2/4" else len(records)
    return {"mode": mode, "docs": n, "rss_mb": peak_rss_mb(), "load": os.getloadavg()[0], **result}


MODES = ("bare", "bare2", "add1", "add2", "writer", "add2/4")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=1200, help="number of texts (default 1200)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sets", default=ARTICLE_SETS, help="comma-separated eval sets (default: the full articles)")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated modes to run")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: no such directory (the eval data lies in ../shared/eval/data)")
    records = load_texts(args.data, args.limit, args.sets.split(","))
    if args.mode:
        print(json.dumps(run_mode(args.mode, records)))
        return
    print(f"{len(records)} texts, {sum(len(r['text']) for r in records) / len(records):.0f} characters on average; "
          f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = {}
    for mode in args.modes.split(","):
        cmd = [sys.executable, __file__, "--mode", mode, "--limit", str(args.limit), "--data", str(args.data),
               "--sets", args.sets]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"mode {mode} failed:\n{proc.stderr[-3000:]}")
        r = results[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
        extra = f", start-up {r['startup_seconds']:.1f}s" if "startup_seconds" in r else ""
        if "all_cpu_seconds" in r:
            extra += f", CPU of writer and workers {r['all_cpu_seconds']:.1f}s"
        workers = f", workers peak RSS {', '.join(f'{w:.0f}' for w in r['worker_rss_mb'])} MB" \
            if "worker_rss_mb" in r else ""
        print(f"{mode:<7} {r['docs']} docs in {r['seconds']:.1f}s = {r['docs'] / r['seconds']:.2f} docs/s "
              f"(CPU of this process {r['cpu_seconds']:.1f}s{extra}), peak RSS {r['rss_mb']:.0f} MB{workers}; "
              f"load at end {r['load']:.1f}", flush=True)
    rate = {m: r["docs"] / r["seconds"] for m, r in results.items()}

    def ratio(a: str, b: str, goal: str) -> None:
        if a in rate and b in rate:
            print(f"ratio {a}/{b} = {rate[a] / rate[b]:.2f} ({goal})")

    ratio("bare2", "bare", "what 2 processes give bare spaCy on this machine now")
    ratio("add1", "bare", "goal >= 0.70")
    ratio("add2", "bare", "")
    ratio("add2", "add1", "goal >= 1.7 on 2 cores")
    ratio("writer", "add1", "how many single-process annotators one writer can feed")
    if "add1" in results and "add2" in results:
        cpu1, cpu2 = results["add1"]["all_cpu_seconds"], results["add2"]["all_cpu_seconds"]
        print(f"CPU seconds add2/add1 = {cpu2 / cpu1:.2f}: the work two workers add (Dask, moving records); on "
              f"an idle 2-core machine add2/add1 can reach at most {2 * cpu1 / cpu2:.2f}")
    if "add2" in results and "add2/4" in results:
        big, small = results["add2"], results["add2/4"]
        print(f"peak memory at 4x the input: writer {big['rss_mb']:.0f} MB vs {small['rss_mb']:.0f} MB, workers "
              f"{max(big['worker_rss_mb']):.0f} MB vs {max(small['worker_rss_mb']):.0f} MB (goal: flat)")
    for mode in ("add1", "add2"):
        if mode in results:
            series = "; ".join(", ".join(f"{v}" for v in q) for q in results[mode]["rss_by_quarter"])
            print(f"{mode} memory now (MB; writer first, then each worker) after each quarter of the input: {series}")


if __name__ == "__main__":
    main()
