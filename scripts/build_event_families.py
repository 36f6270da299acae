#!/usr/bin/env python3
"""Extend the event lexicon's verbs to their near synonyms, at build time, from WordNet 3.0.

    apt-get install wordnet-base          # Debian's WordNet 3.0 database (/usr/share/wordnet)
    python3 scripts/build_event_families.py [--wordnet DIR]

Writes src/tidings/data/event_verbs_families.tsv: for a row of event_verbs.tsv whose head
verb is `attack`, a row with the same code, objects, target prepositions and flags, one
point lower in priority (a hand-written row always wins), and as heads the members of the
head's first WordNet sense for which that sense is also their own first sense ("assail"
for "attack") and which WordNet's sense-tagged corpus has seen at least once. A word that would land under two different CAMEO roots, a word the lexicon
already has, a word of the cue lists (light verbs, aspect, speech...) and the words listed
in REVIEWED_OUT below are left out. Nothing is read from the network and nothing at run
time: the written file is reviewable data, loaded like any other lexicon file.
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "tidings" / "data"
OUT = DATA / "event_verbs_families.tsv"

# Read by a person against the written file and taken out: senses that are not the act
# in news text, or words too vague to code on their own.
REVIEWED_OUT = frozenset({
    "come", "go", "get", "have", "do", "make", "take", "give", "set", "put", "run", "turn", "move",
    "see", "hold", "keep", "let", "look", "stand", "lead", "bring", "carry", "pass", "play", "work",
    "fire", "shoot", "strike", "hit", "beat", "charge", "press", "push", "pull", "cut", "break",
    "spend", "pay", "sell", "buy", "deal", "trade", "treat", "handle", "manage", "cover", "call",
    "ask", "tell", "say", "state", "note", "add", "mention", "talk", "speak", "express", "show",
    "welcome", "receive", "meet", "join", "follow", "support", "back", "help", "serve", "save",
    "kill", "die", "end", "stop", "start", "begin", "open", "close", "raise", "drop", "lift",
    "score", "win", "lose", "fall", "rise", "grow", "clear", "free", "release", "order",
    "bomb", "shell", "mine", "blast", "storm", "rush", "crash", "block", "ban", "bar", "seize",
    "arrest", "hold", "detain", "book", "nail", "collar", "pinch", "nab", "cop", "pick",
    "sack", "fire", "can", "axe", "boot", "dump", "drop", "ditch", "scrap", "junk",
    "plug", "boost", "promote", "advance", "further", "encourage", "upgrade", "elevate",
    "visit", "see", "travel", "tour", "host", "entertain", "amuse", "divert",
    "bash", "slam", "knock", "pan", "trash", "savage", "blast", "lambaste", "lambast",
    # read in the written file (first run) and taken out
    "accentuate", "uncover", "bespeak", "print", "cite", "refer", "react", "regard", "view", "meditate",
    "muse", "reward", "enquire", "inquire", "blaspheme", "curse", "cuss", "wing", "compound", "exalt",
    "glorify", "warrant", "rationalize", "reason", "gird", "reassign", "excuse", "vacate", "discontinue",
    "loose", "exert", "necessitate", "blare", "cane", "withstand", "endanger", "imperil", "jeopardize",
    "coordinate", "form", "police", "construct", "recollect", "remember", "acquaint", "comprehend",
    "savvy", "conquer", "inhibit", "sprinkle", "beset", "chivy", "harry", "vanquish", "smart", "torment",
    "essay", "rage", "pursue", "avenge", "revenge", "infest", "busy", "pelt", "recover", "retrieve",
    "corroborate", "substantiate",
})
CUE_KINDS_TO_AVOID = ("light", "aspect", "participate", "negating", "intent", "purpose_verb", "duration")


def read_wordnet(directory: Path) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]:
    """(lemma -> synset offsets in sense order, offset -> member lemmas, lemma -> number of its
    senses seen in WordNet's sense-tagged corpus) for verbs."""
    senses: dict[str, list[str]] = {}
    tagged: dict[str, int] = {}
    with (directory / "index.verb").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue                       # the licence header
            parts = line.split()
            lemma, n_synsets, n_pointers = parts[0], int(parts[2]), int(parts[3])
            offsets = parts[4 + n_pointers + 2:]
            assert len(offsets) == n_synsets, line
            senses[lemma.replace("_", " ")] = offsets
            tagged[lemma.replace("_", " ")] = int(parts[4 + n_pointers + 1])
    members: dict[str, list[str]] = {}
    with (directory / "data.verb").open(encoding="latin-1") as f:
        for line in f:
            if line.startswith(" "):
                continue
            parts = line.split()
            offset, n_words = parts[0], int(parts[3], 16)
            members[offset] = [parts[4 + 2 * k].lower().replace("_", " ") for k in range(n_words)]
    return senses, members, tagged


def read_rows(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return list(reader.fieldnames or []), list(reader)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    args = ap.parse_args()
    if not (args.wordnet / "index.verb").is_file():
        print(f"no WordNet database in {args.wordnet} (apt-get install wordnet-base)", file=sys.stderr)
        return 1
    senses, members, tagged = read_wordnet(args.wordnet)
    fields, rows = read_rows("event_verbs.tsv")
    known = {h for r in rows for h in r["pattern"].split()[0].split("|")}
    _, cues = read_rows("event_cues.tsv")
    avoid = {r["word"] for r in cues if r["kind"] in CUE_KINDS_TO_AVOID} | REVIEWED_OUT | known

    proposals: dict[int, set[str]] = defaultdict(set)   # row index -> new heads
    roots: dict[str, set[str]] = defaultdict(set)       # new head -> CAMEO roots it would get
    for i, row in enumerate(rows):
        for head in row["pattern"].split()[0].split("|"):
            first = senses.get(head, [])[:1]
            for offset in first:
                for m in members[offset]:
                    if m in avoid or " " in m or "-" in m or not m.isalpha() or len(m) < 4:
                        continue
                    if senses.get(m, [None])[0] != offset:
                        continue               # not the word's own first sense
                    if not tagged.get(m):
                        continue               # never seen in the tagged corpus: rare or archaic
                    proposals[i].add(m)
                    roots[m].add(row["code"][:2])
    out, written = [], set()
    for i, heads in sorted(proposals.items()):
        heads = sorted(h for h in heads if len(roots[h]) == 1)
        if not heads:
            continue
        row = dict(rows[i])
        items = row["pattern"].split()
        row["note"] = f"WordNet 3.0 first-sense synonyms of {items[0]}"
        row["pattern"] = " ".join(["|".join(heads)] + items[1:])
        row["priority"] = str(int(row.get("priority") or 0) - 1)
        if (row["code"], row["pattern"]) not in written:
            written.add((row["code"], row["pattern"]))
            out.append(row)
    with OUT.open("w", encoding="utf-8") as f:
        f.write("# Near synonyms of event_verbs.tsv heads, written by scripts/build_event_families.py from\n"
                "# WordNet 3.0 (Debian's wordnet-base; Princeton WordNet licence). Reviewable: each row is\n"
                "# a row of event_verbs.tsv with other heads and one point less priority. Regenerate, do not edit.\n")
        f.write("\t".join(fields) + "\n")
        for row in out:
            f.write("\t".join(row.get(k) or "" for k in fields) + "\n")
    print(f"{len(out)} rows, {sum(len(r['pattern'].split()[0].split('|')) for r in out)} new heads -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
