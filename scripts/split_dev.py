#!/usr/bin/env python3
"""Split every development set into a tune half and a check half, by id.

    python scripts/split_dev.py            # writes eval/halves/NAME.tune.jsonl, NAME.check.jsonl

The rule (the same for every set, fixed before anyone looked at a score): a record goes to
the tune half when the SHA-256 of its key, read as a number, is even, else to the check
half. The key is the record's `id`, except for story clustering, where the key is the gold
story (`cluster`) so that a story is never cut in two. Look at errors only in the tune
half; report both. The halves are copies of gold data that is not ours: they are written
to `eval/halves/`, which git ignores, and never committed.

Score a half as you would the whole set:

    python ../shared/eval/score.py events eval/halves/events_plover_dev.tune.jsonl --tidings .venv/bin/tidings
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval" / "data"
OWN = ROOT / "eval"
OUT = OWN / "halves"


def half_of(key: str) -> str:
    """'tune' or 'check' for a record key; stable across machines and Python versions."""
    return "tune" if int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "check"


def key_of(name: str, record: dict) -> str:
    if name.startswith("clusters_") and record.get("cluster") is not None:
        return str(record["cluster"])
    return str(record["id"])


def split(path: Path) -> dict[str, int]:
    name = path.name.removesuffix(".jsonl")
    halves: dict[str, list[str]] = {"tune": [], "check": []}
    for line in path.read_text(encoding="utf-8").split("\n"):  # not splitlines: texts hold U+2028
        if line.strip():
            halves[half_of(key_of(name, json.loads(line)))].append(line)
    OUT.mkdir(parents=True, exist_ok=True)
    for half, lines in halves.items():
        (OUT / f"{name}.{half}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {h: len(v) for h, v in halves.items()}


def main() -> int:
    sets = sorted(SHARED.glob("*_dev.jsonl")) + sorted(p for p in OWN.glob("*.jsonl"))
    if not sets:
        print(f"no development sets under {SHARED} or {OWN}", file=sys.stderr)
        return 1
    for path in sets:
        if path.name.startswith("extract_"):
            continue  # its pages live beside the gold file; the extractor is not tuned here
        counts = split(path)
        print(f"{path.name}: tune {counts['tune']}, check {counts['check']}")
    print(f"written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
