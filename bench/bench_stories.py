"""Throughput and memory of online story clustering over a long stream, clustering alone.

    .venv/bin/python bench/bench_stories.py [--articles 50000] [--per-day 500] [--data DIR]

The stream: the texts of ../shared/eval/data/*.jsonl, drawn at random (seeded) again and
again, each copy perturbed (a fifth of its words dropped, a few swapped, a random word
added) and dated along a clock that advances `--per-day` articles a day. Features are
computed cheaply without spaCy (regex words through `content_terms`, capitalised words
as stand-in entity keys), outside the timed part: only `StoryClusterer.assign` is timed.

Prints articles per CPU-second (process time, so that other work on a shared machine
does not count) over the first and the last `--chunk` articles (the goal: the end
rate is at least half the start rate, i.e. time per article stays flat as the stream
grows; the goal is also at least 400 articles/s at 50,000 articles), active stories,
postings in the story and thread indexes, the size of the JSON state, and peak RSS.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

from tidings.stories import StoryClusterer, StoryFeatures
from tidings.stories.features import LEAD_TERMS, content_terms

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "data"
_CAPS = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")


def load_texts(data: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(data.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    if r.get("text"):
                        out.append((r.get("title") or "", r["text"][:6000]))
    return out


def base_features(title: str, text: str) -> tuple[list[str], list[str], dict[str, int]]:
    words = content_terms(text)
    ents: dict[str, int] = {}
    for m in _CAPS.finditer(text[:3000]):
        key = "n:" + m.group(0).lower()
        ents[key] = ents.get(key, 0) + 1
    return content_terms(title), words, ents


def perturbed(k: int, base: tuple[list[str], list[str], dict[str, int]], day: dt.date,
              rng: random.Random, vocab: list[str]) -> StoryFeatures:
    title, words, ents = base
    kept = [w for w in words if rng.random() > 0.2]
    for _ in range(max(1, len(kept) // 30)):  # swap a few neighbours
        if len(kept) > 2:
            i = rng.randrange(len(kept) - 1)
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
    kept.append(rng.choice(vocab))
    body: dict[str, int] = {}
    for w in kept:
        body[w] = body.get(w, 0) + 1
    return StoryFeatures(id=f"a{k}", published=day.isoformat(), outlet=f"outlet{k % 7}", title=title,
                         lead=kept[:LEAD_TERMS], body=body,
                         entities={e: c for e, c in ents.items() if rng.random() > 0.2})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=50000)
    ap.add_argument("--per-day", type=int, default=500)
    ap.add_argument("--chunk", type=int, default=5000)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    texts = load_texts(args.data)
    if not texts:
        sys.exit(f"no texts under {args.data}")
    bases = [base_features(t, x) for t, x in texts]
    vocab = sorted({w for _, ws, _ in bases for w in ws})
    rng = random.Random(args.seed)
    start_day = dt.date(2024, 1, 1)
    clusterer = StoryClusterer()
    timed = 0.0
    rates: list[tuple[int, float]] = []
    chunk_time, chunk_n = 0.0, 0
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"stream: {args.articles} articles from {len(texts)} texts, {args.per_day} a day "
          f"({args.articles / args.per_day:.0f} days), window {clusterer.config.window_days:g} days")
    for k in range(args.articles):
        f = perturbed(k, bases[rng.randrange(len(bases))], start_day + dt.timedelta(days=k // args.per_day), rng, vocab)
        t0 = time.process_time()  # CPU time: other processes on a shared machine do not count
        clusterer.assign(f)
        t = time.process_time() - t0
        timed += t
        chunk_time += t
        chunk_n += 1
        if chunk_n == args.chunk:
            rates.append((k + 1, chunk_n / chunk_time))
            print(f"  {k + 1:>7} articles  {chunk_n / chunk_time:8.0f} articles/s  active stories {len(clusterer):>6}  "
                  f"index postings {clusterer.index_size():>7}  "
                  f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
            chunk_time, chunk_n = 0.0, 0
    state = json.dumps(clusterer.state())
    start, end = rates[0][1], rates[-1][1]
    print(f"articles/s: start {start:.0f} (first {args.chunk}), end {end:.0f} (last {args.chunk}), "
          f"end/start {end / start:.2f} (goal >= 0.5), overall {args.articles / timed:.0f}")
    print(f"state JSON: {len(state) / 1e6:.1f} MB, {len(clusterer)} active stories; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"(before the stream {rss0 / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
