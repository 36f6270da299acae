"""The event lexicon: lemma patterns that decide event codes, compiled once into lookups.

Language knowledge lives in data files read through `tidings.resources` (users add rows
with files of the same names in `TIDINGS_DATA`, or load another set with a prefix:
`load_lexicon("myontology_")` reads `myontology_verbs.tsv` ...):

- `event_verbs.tsv`   code, pattern, priority, flags, note, plover: verbal predicates.
- `event_verbs_families.tsv`  the same columns: near synonyms of the verbs' heads, written
                      at build time from WordNet by `scripts/build_event_families.py` (optional).
- `event_nouns.tsv`   code, pattern, priority, flags, note: event nouns (light-verb objects,
                      "the summit", "sanctions on", subjects of "began", objects of "take part in").
- `event_combinations.tsv`  controller, content, code, note: a verb whose complement is the
                      content of the act ("threatened to attack" = 13 + 19 -> 138).
- `event_cues.tsv`    kind, word, code, note: negation, modality, light verbs, aspect verbs ...
                      (`code` only where a cue itself decides a code, e.g. "X said Y must ...")

Pattern mini-language (items separated by spaces, alternatives by `|`):

    meet +with              head lemma `meet`, a child word `with`
    hold =talk @with        object lemma `talk` (direct object, passive subject or object of a
                            preposition), target preferably the object of `with`
    decline ^comment        a clausal complement whose verb lemma is `comment`
    welcome =@actor         the object is an actor
    joint exercise +with    (nouns) modifiers come before the head noun, the last bare item
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field

from tidings.resources import DataFileError, load_tsv

DEFAULT_PREFIX = "event_"

# Flags a pattern may carry (anything else in the flags column is an error, to catch typos).
FLAGS = frozenset({
    "recip",      # reciprocal: "A and B met" -> A->B and B->A
    "visit",      # the target may be a place: its country is the host
    "speech",     # a reporting verb: a statement only when its complement holds no event
    "content",    # its complement is the content of the act and refines the code
    "inverse",    # the subject is the recipient ("received aid from X")
    "nominal",    # (nouns) may stand alone as an event when actors are attached to it
    "notarget",   # never takes a target (statements about no one)
    "intransitive",  # only without a direct object ("they met", not "met the targets")
    "needscontent",  # a controller that is no event without a complement ("offered his doubts")
    "theme",      # the object is the doer's own means ("deployed troops"); the target is where it goes
})


@dataclass(frozen=True)
class Pattern:
    code: str
    kind: str                                   # verb | noun
    text: str                                   # the pattern as written
    heads: frozenset[str]
    mods: tuple[frozenset[str], ...] = ()       # nouns: required modifier children
    children: tuple[frozenset[str], ...] = ()   # +w
    objects: tuple[frozenset[str], ...] = ()    # =w
    comps: tuple[frozenset[str], ...] = ()      # ^w
    target_preps: frozenset[str] = frozenset()  # @w
    priority: int = 0
    flags: frozenset[str] = frozenset()
    note: str = ""
    origin: str = ""                            # file name the row came from
    plover: str | None = None                   # a PLOVER type finer than the code's mapping

    @property
    def specificity(self) -> int:
        return len(self.mods) + len(self.children) + len(self.objects) + len(self.comps)

    @property
    def rule(self) -> str:
        """How the pattern is cited in evidence: `event_verbs.tsv: hold =talk @with -> 043`."""
        return f"{self.origin}: {self.text} -> {self.code}"


@dataclass
class Lexicon:
    verbs: dict[str, list[Pattern]] = field(default_factory=dict)
    nouns: dict[str, list[Pattern]] = field(default_factory=dict)
    cues: dict[str, frozenset[str]] = field(default_factory=dict)
    combinations: list[tuple[str, str, str]] = field(default_factory=list)
    cue_codes: dict[tuple[str, str], str] = field(default_factory=dict)
    _known: frozenset[str] | None = field(default=None, repr=False)

    def cue(self, kind: str) -> frozenset[str]:
        return self.cues.get(kind, frozenset())

    def known_words(self) -> frozenset[str]:
        """Every head word and cue word (for repairing wrong lemmas)."""
        if self._known is None:
            words = set(self.verbs) | set(self.nouns)
            for v in self.cues.values():
                words |= v
            self._known = frozenset(words)
        return self._known

    def combine(self, controller: str, content: str) -> str | None:
        """The code of `controller` acting on `content` (longest matching prefixes), if listed."""
        best, best_key = None, (-1, -1)
        for ctrl, cont, code in self.combinations:
            if controller.startswith(ctrl) and content.startswith(cont):
                key = (len(cont), len(ctrl))
                if key > best_key:
                    best, best_key = code, key
        return best


def _alts(item: str) -> frozenset[str]:
    return frozenset(w.strip().lower().replace("_", " ") for w in item.split("|") if w.strip())


def parse_pattern(code: str, kind: str, text: str, priority: int = 0, flags: frozenset[str] = frozenset(),
                  note: str = "", origin: str = "", plover: str | None = None) -> Pattern:
    """One pattern string -> `Pattern` (see the module docstring for the syntax)."""
    items = text.split()
    if not items:
        raise DataFileError(f"{origin}: empty pattern for code {code}")
    bare = [i for i in items if i[0] not in "+=^@"]
    if not bare:
        raise DataFileError(f"{origin}: pattern {text!r} has no head word")
    if kind == "verb" and items[0] != bare[0]:
        raise DataFileError(f"{origin}: verb pattern {text!r} must start with the verb")
    head = bare[-1] if kind == "noun" else bare[0]
    mods = tuple(_alts(i) for i in bare[:-1]) if kind == "noun" else ()
    if kind == "verb" and len(bare) > 1:
        raise DataFileError(f"{origin}: verb pattern {text!r}: mark extra words with + = ^ or @")
    return Pattern(
        code=code, kind=kind, text=text, heads=_alts(head), mods=mods,
        children=tuple(_alts(i[1:]) for i in items if i[0] == "+"),
        objects=tuple(_alts(i[1:]) for i in items if i[0] == "="),
        comps=tuple(_alts(i[1:]) for i in items if i[0] == "^"),
        target_preps=frozenset().union(*[_alts(i[1:]) for i in items if i[0] == "@"]),
        priority=priority, flags=flags, note=note, origin=origin, plover=plover or None,
    )


def _rows(name: str, optional: bool = False) -> tuple[dict[str, str], ...]:
    try:
        return load_tsv(name)
    except DataFileError:
        if optional:
            return ()
        raise


def _patterns(name: str, kind: str, families: str | None = None) -> dict[str, list[Pattern]]:
    """Patterns of `name`, then of its word-family file (near synonyms written at build time
    by scripts/build_event_families.py; optional)."""
    index: dict[str, list[Pattern]] = {}
    rows = [(name, r) for r in _rows(name)] + ([(families, r) for r in _rows(families, optional=True)]
                                                if families else [])
    for name, row in rows:
        code, text = row.get("code", ""), row.get("pattern", "")
        if not code or not text:
            raise DataFileError(f"{name}: every row needs a code and a pattern ({row})")
        flags = frozenset(f.strip() for f in (row.get("flags") or "").split(",") if f.strip())
        unknown = flags - FLAGS
        if unknown:
            raise DataFileError(f"{name}: unknown flag(s) {sorted(unknown)} in {text!r}")
        try:
            priority = int(row.get("priority") or 0)
        except ValueError as e:
            raise DataFileError(f"{name}: priority must be an integer in {text!r}") from e
        p = parse_pattern(code, kind, text, priority, flags, row.get("note", ""), name,
                          (row.get("plover") or "").upper() or None)
        for h in p.heads:
            index.setdefault(h, []).append(p)
    for plist in index.values():
        plist.sort(key=lambda p: (-p.specificity, -p.priority))
    return index


@functools.lru_cache(maxsize=8)
def load_lexicon(prefix: str | None = None) -> Lexicon:
    """Compile `{prefix}verbs.tsv`, `{prefix}nouns.tsv`, `{prefix}combinations.tsv`, `{prefix}cues.tsv`.

    The prefix defaults to $TIDINGS_LEXICON or `event_`; cached per prefix.
    """
    prefix = prefix or os.environ.get("TIDINGS_LEXICON") or DEFAULT_PREFIX
    cues: dict[str, set[str]] = {}
    cue_codes: dict[tuple[str, str], str] = {}
    for row in load_tsv(f"{prefix}cues.tsv"):
        cues.setdefault(row["kind"], set()).add(row["word"].lower())
        if row.get("code"):
            cue_codes[(row["kind"], row["word"].lower())] = row["code"]
    combos = [(r["controller"], r["content"], r["code"]) for r in load_tsv(f"{prefix}combinations.tsv")]
    return Lexicon(
        verbs=_patterns(f"{prefix}verbs.tsv", "verb", f"{prefix}verbs_families.tsv"),
        nouns=_patterns(f"{prefix}nouns.tsv", "noun"),
        cues={k: frozenset(v) for k, v in cues.items()},
        combinations=combos,
        cue_codes=cue_codes,
    )
