"""The grammar of time expressions: word classes and patterns from data files, compiled once.

`times_words.tsv` gives the words (class, value); `times_patterns.tsv` gives regular
expressions over the text in which `{class}` stands for any word of a class (a named
group the normaliser reads back) and `{name}` for a shared sub-pattern (`DEF` rows).
A plain space in a pattern matches any run of white space. Everything here is
language-independent machinery; the English lives in the two files.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tidings.resources import DataFileError, load_tsv

WORDS_FILE = "times_words.tsv"
PATTERNS_FILE = "times_patterns.tsv"

_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")
_SPACES = re.compile(r"\s+")


def norm_key(text: str) -> str:
    """The form a matched word is looked up by: lower case, single spaces, plain quotes."""
    return _SPACES.sub(" ", text.replace("’", "'").replace("–", "-")).strip().lower()


@dataclass
class Lexicon:
    """Words by class: `values[cls][word] -> value`, and the case-sensitive ones."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    case_sensitive: dict[str, set[str]] = field(default_factory=dict)
    flags: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    _original: dict[str, dict[str, str]] = field(default_factory=dict)  # cs words as written

    def flagged(self, cls: str, text: str, flag: str) -> bool:
        return flag in self.flags.get(cls, {}).get(norm_key(text), ())

    def phrase_before(self, cls: str) -> re.Pattern[str]:
        """A regex for any word or phrase of `cls` right at the end of a text (the words
        before a match): search it with endpos = the match's start."""
        return _phrase_before(self, cls)

    def has(self, cls: str) -> bool:
        return cls in self.values

    def get(self, cls: str, text: str) -> str | None:
        table = self.values.get(cls, {})
        key = norm_key(text)
        if key in table:
            return table[key]
        return table.get(key.rstrip("."))

    def words(self, cls: str) -> set[str]:
        return set(self.values.get(cls, {}))

    def alternation(self, cls: str) -> str:
        """A regex matching any word of `cls`, bounded by non-word characters.

        The words are laid out as a trie (common prefixes factored out), which the regex
        engine walks far faster than a flat list of alternatives."""
        cs = self.case_sensitive.get(cls, set())
        plain = [w for w in self.values[cls] if w not in cs]
        parts = [_trie_regex(plain)] if plain else []
        parts += [f"(?-i:{self._original[cls][w]})" for w in sorted(cs, key=len, reverse=True)]
        return r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])"


@functools.lru_cache(maxsize=None)
def _phrase_before_cached(cls: str) -> re.Pattern[str]:
    words = sorted(lexicon().values.get(cls, {}))
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![\w])(?P<phrase>" + _trie_regex(words) + r")\W*$", re.IGNORECASE)


def _phrase_before(lex: Lexicon, cls: str) -> re.Pattern[str]:
    return _phrase_before_cached(cls)


def _atom(ch: str) -> str:
    if ch == " ":
        return r"\s+"
    if ch in "'’":
        return "['’]"
    return re.escape(ch)


def _trie_regex(words: list[str]) -> str:
    """One regex for a set of words, as a trie: ['may', 'march'] -> 'ma(?:y|rch)'. Longer
    continuations come before an end, so the longest word wins as in a sorted alternation."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [_atom(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        ends = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = Lexicon()
    for row in load_tsv(WORDS_FILE):
        word, cls, value = row.get("word", ""), row.get("class", ""), row.get("value", "")
        if not word or not cls:
            raise DataFileError(f"{WORDS_FILE}: a row needs a word and a class: {row}")
        key = norm_key(word)
        lex.values.setdefault(cls, {})[key] = value
        flags = frozenset(f.strip() for f in (row.get("flags") or "").split(",") if f.strip())
        if flags:
            lex.flags.setdefault(cls, {})[key] = flags
        if "cs" in flags:
            lex.case_sensitive.setdefault(cls, set()).add(key)
            body = re.escape(word).replace("\\ ", r"\s+")
            lex._original.setdefault(cls, {})[key] = body
    return lex


@dataclass
class Pattern:
    """One compiled pattern: which rule normalises it, and which class each group holds."""

    name: str
    type: str
    rule: str
    regex: re.Pattern[str]
    groups: dict[str, str]           # group name -> class or DEF name
    priority: int
    gate: str = ""
    kinds: frozenset[str] = frozenset()  # trigger kinds near which it can match (empty: anywhere)


def _expand(text: str, lex: Lexicon, defs: dict[str, str], groups: dict[str, str] | None,
            seen: tuple[str, ...] = ()) -> str:
    """Replace `{class}` / `{def}` placeholders; capture them as named groups when `groups` is given."""

    def sub(m: re.Match[str]) -> str:
        ref, alias = m.group(1), m.group(2)
        if ref in seen:
            raise DataFileError(f"{PATTERNS_FILE}: {ref} refers to itself")
        if ref in defs:
            body = _expand(defs[ref], lex, defs, None, seen + (ref,))
        elif lex.has(ref):
            body = lex.alternation(ref)
        else:
            raise DataFileError(f"{PATTERNS_FILE}: unknown word class or definition {{{ref}}}")
        if groups is None:
            return f"(?:{body})"
        name = alias or ref
        if name in groups:
            raise DataFileError(f"{PATTERNS_FILE}: group {name} used twice in one pattern; write {{{ref}:other}}")
        groups[name] = ref
        return f"(?P<{name}>{body})"

    return _PLACEHOLDER.sub(sub, text.replace(" ", r"\s+"))


@functools.lru_cache(maxsize=1)
def patterns() -> tuple[Pattern, ...]:
    """Every pattern of `times_patterns.tsv`, compiled (once per process)."""
    lex = lexicon()
    rows = load_tsv(PATTERNS_FILE)
    defs = {r["name"]: r["pattern"] for r in rows if r.get("type") == "DEF"}
    out = []
    for n, row in enumerate(r for r in rows if r.get("type") != "DEF"):
        groups: dict[str, str] = {}
        body = _expand(row["pattern"], lex, defs, groups)
        try:
            regex = re.compile(r"(?<![\w$£€#/:-])(?:" + body + r")(?![\w]|[-/:]\d|\.\d)", re.IGNORECASE)
        except re.error as e:
            raise DataFileError(f"{PATTERNS_FILE}: pattern {row['name']} does not compile: {e}") from e
        kinds = _required_kinds(regex, groups) or _kinds(row["pattern"], lex, defs)
        out.append(Pattern(row["name"], row["type"], row["rule"], regex, groups, n, row.get("gate", ""), kinds))
    return tuple(out)


@dataclass
class Candidate:
    """One match of one pattern in a text, before it is judged and normalised."""

    start: int
    end: int
    pattern: Pattern
    match: re.Match[str]


# DEFs whose every match is itself a trigger token (a year, a decade, a clock time ...)
DEF_KINDS = {"year": frozenset({"number"}), "decade": frozenset({"number"}), "spokenyear": frozenset({"spoken"}),
             "clock": frozenset({"number", "trigger", "clockword", "pod"})}
# how common each kind of trigger is in news text: a pattern is searched near its rarest
# required kind
_KIND_WEIGHT = {"number": 6, "unit": 5, "calunit": 4, "pod": 3, "fuzzy": 3, "trigger": 2}


def _required_kinds(regex: re.Pattern[str], groups: dict[str, str]) -> frozenset[str] | None:
    """Trigger kinds of which every match of `regex` must contain one (None: unknown).

    Walks the parsed regex: a required (not optional) element that is a word class of
    TRIGGER_CLASSES, a DEF of DEF_KINDS, a literal trigger word, or an alternation whose
    every branch has such an element; of several, the rarest kind is kept."""
    try:
        from re import _constants as C
        from re import _parser as P
        tree = P.parse(regex.pattern, regex.flags)
    except Exception:                   # pragma: no cover - private API of the re module
        return None
    names = {gid: name for name, gid in tree.state.groupdict.items()}
    triggers = trigger_words()

    def weight(kinds: frozenset[str]) -> int:
        return sum(_KIND_WEIGHT.get(k, 1) for k in kinds)

    def need(items: Any) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        buf: list[str] = []

        def consider(kinds: frozenset[str] | None) -> None:
            nonlocal best
            if kinds and (best is None or weight(kinds) < weight(best)):
                best = kinds

        def flush() -> None:
            for word in re.findall(r"[a-z]+", "".join(buf).lower()):
                consider(triggers.get(word))
            buf.clear()

        for op, av in items:
            if op is C.LITERAL:
                buf.append(chr(av))
                continue
            flush()
            if op is C.SUBPATTERN:
                cls = groups.get(names.get(av[0], ""), "")
                if cls in TRIGGER_CLASSES:
                    consider(frozenset({cls}))
                elif cls in DEF_KINDS:
                    consider(DEF_KINDS[cls])
                elif not cls or cls not in lexicon().values:
                    consider(need(av[3]))
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
                consider(need(av[2]))
            elif op is C.BRANCH:
                branches = [need(b) for b in av[1]]
                if all(branches):
                    consider(frozenset().union(*branches))  # type: ignore[arg-type]
        flush()
        return best

    return need(tree)


# DEFs that match digits: text near a number-shaped token may hold them
NUMBER_DEFS = frozenset({"day", "year", "yy", "mnum", "clock", "decade"})


def _kinds(pattern: str, lex: Lexicon, defs: dict[str, str], seen: tuple[str, ...] = ()) -> frozenset[str]:
    """The trigger kinds a pattern refers to (classes, 'number', 'spoken'), looking through DEFs."""
    kinds: set[str] = set()
    for m in _PLACEHOLDER.finditer(pattern):
        ref = m.group(1)
        if ref in TRIGGER_CLASSES:
            kinds.add(ref)
        if ref in NUMBER_DEFS or re.search(r"\\d|\[\d", defs.get(ref, "")):
            kinds.add("number")
        if ref == "spokenyear":
            kinds.add("spoken")
        if ref in defs and ref not in seen:
            kinds |= _kinds(defs[ref], lex, defs, seen + (ref,))
    if "(?P<" in pattern or re.search(r"\\d", pattern):
        kinds.add("number")
    literal = _PLACEHOLDER.sub(" ", pattern).lower()
    triggers = trigger_words()
    for word in re.findall(r"[a-z][a-z'’.]*", literal):
        kinds |= triggers.get(word, frozenset()) | triggers.get(word.rstrip("."), frozenset())
    return frozenset(kinds)


# ---------------------------------------------------------------- numbers

def parse_number(text: str, lex: Lexicon | None = None) -> float | None:
    """'11' -> 11, '2,000' -> 2000, '2 1/2' -> 2.5, 'eleven' -> 11, 'twenty-four' -> 24,
    'a hundred thirty' -> 130."""
    lex = lex or lexicon()
    t = norm_key(text)
    half = 0.0
    if t.endswith("1/2") or t.endswith("½"):
        t, half = t.rsplit(" ", 1)[0] if " " in t else t.rstrip("½"), 0.5
    digits = t.replace(",", "")
    try:
        return float(digits) + half
    except ValueError:
        pass
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", t):
        if word in ("and", ""):
            continue
        if word in ("a", "an"):
            current = max(current, 1.0)
            continue
        v = lex.get("numword", word)
        if v is None:
            return None
        n = float(v)
        if n == 100.0:
            current = max(current, 1.0) * n
        elif n >= 1000:
            total += max(current, 1.0) * n
            current = 0.0
        else:
            current += n
    return total + current + half


def spoken_year_is_pair(text: str, lex: Lexicon | None = None) -> bool:
    """'nineteen ninety-six' (a pair of numbers read as a year), not 'two thousand' (a count)."""
    lex = lex or lexicon()
    words = [w for w in re.split(r"[\s-]+", norm_key(text)) if w and w != "and"]
    values = [lex.get("numword", w) for w in words]
    return len(words) >= 2 and None not in values and 11 <= float(values[0] or 0) <= 20 \
        and float(values[1] or 0) not in (100.0, 1000.0)


def parse_spoken_year(text: str, lex: Lexicon | None = None) -> int | None:
    """'nineteen ninety-six' -> 1996, 'twenty twenty-four' -> 2024, 'two thousand' -> 2000;
    None unless the words read as a year ('twenty six' is a number, not 2006)."""
    lex = lex or lexicon()
    words = [w for w in re.split(r"[\s-]+", norm_key(text)) if w and w != "and"]
    values = [lex.get("numword", w) for w in words]
    if not words or None in values:
        return None
    nums = [int(float(v)) for v in values if v is not None]
    if len(nums) >= 2 and 11 <= nums[0] <= 20 and nums[1] not in (100, 1000):
        rest = nums[1:]
        if len(rest) == 1 and (rest[0] >= 10 or (rest[0] == 0)):
            return nums[0] * 100 + rest[0]
        if len(rest) == 2 and rest[0] >= 20 and rest[0] % 10 == 0 and 1 <= rest[1] <= 9:
            return nums[0] * 100 + rest[0] + rest[1]
        return None
    value = parse_number(text, lex)
    if value is not None and 1000 <= value <= 2099 and value == int(value) and 1000 in nums:
        return int(value)
    return None


Parser = Callable[[str], Any]


# classes whose words can carry a time expression; text far from all of them is skipped
TRIGGER_CLASSES = ("month", "weekday", "weekdays", "unit", "calunit", "dayrel", "pod", "season", "fuzzy",
                   "setword", "holiday", "clockword", "decadeword", "trigger")


_FILLER = frozenset({"the", "a", "an", "in", "of", "at", "this", "these", "more", "most", "right", "s"})


@functools.lru_cache(maxsize=1)
def trigger_words() -> dict[str, frozenset[str]]:
    """Lower-case single words that can carry a time expression, with the kinds they trigger
    (each word of a phrase counts; teens and 'thousand' trigger spoken years)."""
    lex = lexicon()
    words: dict[str, set[str]] = {}
    for cls in TRIGGER_CLASSES:
        for entry in lex.words(cls):
            for w in entry.split():
                if w not in _FILLER:
                    words.setdefault(w, set()).add(cls)
                    words.setdefault(w.rstrip("."), set()).add(cls)
    for numword, value in lex.values.get("numword", {}).items():
        if 10 <= float(value) <= 20 or float(value) == 1000:      # spoken years: "nineteen ninety-six"
            words.setdefault(numword, set()).add("spoken")
    return {w: frozenset(k) for w, k in words.items()}
