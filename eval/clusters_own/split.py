#!/usr/bin/env python3
"""Write the gold files of the own story-clustering set, by level and by half.

    python3 eval/clusters_own/split.py

Reads `eval/clusters_own/articles.jsonl` (every article with both labels, `story` and
`thread`) and writes, for `score.py clusters`, which reads its gold label from `cluster`:

    eval/halves/clusters_own_events.tune.jsonl    cluster = the event story
    eval/halves/clusters_own_events.check.jsonl
    eval/halves/clusters_own_threads.tune.jsonl   cluster = the thread
    eval/halves/clusters_own_threads.check.jsonl

The halves are cut by date, fixed before any clustering ran on the set: articles dated
before 2025-07-01 are the tune half, the rest the check half (no thread crosses the cut).
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "halves"
CUT = "2025-07-01"


def main() -> None:
    records = [json.loads(line) for line in (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    for level, field in (("events", "story"), ("threads", "thread")):
        for half in ("tune", "check"):
            rows = [r for r in records if (r["date"] < CUT) == (half == "tune")]
            path = OUT / f"clusters_own_{level}.{half}.jsonl"
            with path.open("w", encoding="utf-8") as f:
                for r in rows:
                    gold = {k: r[k] for k in ("id", "date", "url", "title", "text")}
                    f.write(json.dumps({**gold, "cluster": r[field]}, ensure_ascii=False) + "\n")
            print(f"{path.relative_to(HERE.parent.parent)}: {len(rows)} articles, "
                  f"{len({r[field] for r in rows})} {level}")


if __name__ == "__main__":
    main()
