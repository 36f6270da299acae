"""The actor lexicon: country names, demonyms, capitals, IGOs, named organisations, office
holders and role words from the `actors_*.tsv` data files, compiled once into token tries.

Names are matched on token sequences (case-insensitive, with capitalisation checks so that
"us" is not the US and "who" is not the WHO); role words are matched on lemmas, so
"troops" finds the entry "troop". Everything is built once per process (`lexicon()`).
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

import spacy
from spacy.strings import get_string_id
from spacy.tokens import Token

from tidings.resources import load_tsv

# Which kind of name wins when two entries cover exactly the same tokens.
PRIORITY = {"person": 6, "org": 5, "igo": 4, "country": 3, "capital": 2, "demonym": 1}
# Sectors that stand in the country slot of a CAMEO code when no country is known.
NON_STATE = {"IGO", "NGO", "IMG"}


@dataclass(frozen=True)
class Office:
    country: str
    sector: str
    role: str
    start: str
    end: str

    def holds(self, date: str) -> bool:
        return (not self.start or date >= self.start) and (not self.end or date <= self.end + "-99")


@dataclass(frozen=True)
class Entry:
    """One named thing: a country (by name, adjective or capital), IGO, organisation or person."""

    kind: str                      # country, demonym, capital, igo, org, person
    name: str                      # canonical name
    country: str | None = None     # ISO alpha-3, IGO, NGO, IMG
    sector: str | None = None
    media: bool = False
    offices: tuple[Office, ...] = ()
    people: bool = False           # a demonym of an ethnic/national group (actors_peoples.tsv)

    def office_at(self, date: str | None) -> tuple[Office | None, bool]:
        """The office held at `date` (and True), or the nearest one in time (and False)."""
        if not self.offices:
            return None, False
        if date:
            day = date[:10]
            for office in self.offices:
                if office.holds(day):
                    return office, True
            past = [o for o in self.offices if o.start and o.start <= day]
            if past:
                return max(past, key=lambda o: o.start), False
            return min(self.offices, key=lambda o: o.start or ""), False
        # No date: the latest office (articles are mostly recent).
        current = [o for o in self.offices if not o.end] or list(self.offices)
        return max(current, key=lambda o: o.start or ""), True


@dataclass(frozen=True)
class Term:
    """A role or organisation word ("ministry", "defense minister", "troop")."""

    text: str
    sector: str                    # may be empty
    kind: str                      # person, group, org
    strong: bool


@dataclass
class Lexicon:
    names: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Entry]]] = field(default_factory=dict)
    terms: dict[str, list[tuple[tuple[str, ...], Term]]] = field(default_factory=dict)
    place_preps: frozenset[str] = frozenset()
    place_nouns: frozenset[str] = frozenset()
    pronouns: dict[str, str] = field(default_factory=dict)      # subject pronoun -> what it agrees with
    countries: dict[str, str] = field(default_factory=dict)     # iso3 -> name
    iso3: dict[str, str] = field(default_factory=dict)          # iso2 -> iso3
    # actors_inference.tsv: how a country is found for a mention that does not say it
    located_preps: frozenset[str] = frozenset()
    nested_preps: frozenset[str] = frozenset()
    owner_preps: frozenset[str] = frozenset()
    posted: frozenset[str] = frozenset()
    context_sectors: frozenset[str] = frozenset()
    context_person_sectors: frozenset[str] = frozenset()
    own_forces: frozenset[str] = frozenset()
    currency: frozenset[str] = frozenset()
    not_national: frozenset[str] = frozenset()
    other_owner: frozenset[str] = frozenset()
    # actors_associations.tsv
    association_bodies: frozenset[str] = frozenset()
    association_members: frozenset[str] = frozenset()
    association_body_ids: frozenset[int] = frozenset()
    by_name: dict[str, Entry] = field(default_factory=dict)     # normalised person name -> person
    named: dict[str, Entry] = field(default_factory=dict)       # normalised alias -> any entry
    # Hashes of lower-case words that can start a name / be part of a role word: a cheap
    # first filter over spaCy's token arrays, so most tokens are never looked at.
    name_first_ids: frozenset[int] = frozenset()
    term_word_ids: frozenset[int] = frozenset()


def norm(text: str) -> str:
    """Matching form of a token: lower case, typographic apostrophes made plain."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").lower()


def forms(token: Token) -> set[str]:
    """The forms a role word may take in a doc: itself, its lemma, a naive singular."""
    low = norm(token.text)
    out = {low, token.lemma_.lower()}
    if len(low) > 3 and low.endswith("ies"):
        out.add(low[:-3] + "y")
    elif len(low) > 2 and low.endswith("s") and not low.endswith("ss"):
        out.add(low[:-1])
    return out


def case_ok(pattern: str, text: str) -> bool:
    """An alias written in capitals matches only in capitals; a capitalised one only capitalised."""
    letters = [c for c in pattern if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return text.replace("\u2019", "'") == pattern
    if pattern[:1].isupper():
        return text[:1].isupper() or not text[:1].isalpha()
    return True


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def make_code(country: str | None, sector: str | None) -> str:
    """CAMEO-style code: country (or IGO/NGO/IMG, --- when unknown) followed by the sector."""
    if country in NON_STATE:
        return country + (sector if sector and sector not in ("GOV", country) else "")
    if sector == "NGO" and not country:
        return "NGO"
    return (country or "---") + (sector or "")


def entry_code(entry: Entry, date: str | None = None) -> str:
    """The code a named thing stands for on its own (a person: the office held at `date`)."""
    if entry.kind == "person":
        office, valid = entry.office_at(date)
        if office is None:
            return "---"
        return make_code(office.country, office.sector if valid else "ELI")
    return make_code(entry.country, entry.sector if entry.kind in ("org", "igo", "capital") else None)


def lookup(text: str) -> Entry | None:
    """The entry a whole name stands for ("Reuters", "Belta", "Xi Jinping"), if any."""
    lex = lexicon()
    return lex.named.get(" ".join(norm(t.text) for t in _tokenizer()(text)))


@functools.lru_cache(maxsize=1)
def _tokenizer():
    return spacy.blank("en").tokenizer


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    tokenizer = _tokenizer()
    lex = Lexicon()
    names: dict[str, list] = defaultdict(list)
    seen: set[tuple[tuple[str, ...], Entry]] = set()

    def add(alias: str, entry: Entry) -> None:
        toks = tuple(t.text for t in tokenizer(alias))
        if len(toks) > 1 and toks[0].lower() == "the":
            toks = toks[1:]             # the article belongs to the noun phrase, not the name
        if not toks:
            return
        key = tuple(norm(t) for t in toks)
        if (key, entry) in seen:
            return
        seen.add((key, entry))
        names[key[0]].append((key, toks, entry))
        flat = " ".join(key)
        if flat not in lex.named or PRIORITY[entry.kind] > PRIORITY[lex.named[flat].kind]:
            lex.named[flat] = entry

    for row in load_tsv("actors_countries.tsv"):
        iso3 = row["iso3"]
        lex.countries[iso3] = row["name"]
        if row.get("iso2"):
            lex.iso3[row["iso2"]] = iso3
        country = Entry("country", row["name"], iso3)
        for alias in [row["name"]] + _split(row.get("aliases", "")):
            add(alias, country)
        demonym = Entry("demonym", row["name"], iso3)
        for alias in _split(row.get("adjectives", "")):
            add(alias, demonym)
        capital = Entry("capital", row["name"], iso3, "GOV")
        for alias in _split(row.get("capital", "")):
            add(alias, capital)

    for row in load_tsv("actors_peoples.tsv"):
        people = Entry("demonym", row["name"], row["country"], people=True)
        for alias in _split(row.get("forms", "")):
            add(alias, people)

    for row in load_tsv("actors_igos.tsv"):
        entry = Entry("igo", row["name"], "IGO", row.get("sector") or None)
        for alias in [row["name"]] + _split(row.get("aliases", "")):
            add(alias, entry)

    for row in load_tsv("actors_organisations.tsv"):
        entry = Entry("org", row["name"], row.get("country") or None, row.get("sector") or None,
                      media=row.get("kind") == "media")
        for alias in [row["name"]] + _split(row.get("aliases", "")):
            add(alias, entry)

    offices: dict[str, list[Office]] = defaultdict(list)
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in load_tsv("actors_people.tsv"):
        offices[row["name"]].append(Office(row["country"], row.get("sector", ""), row.get("role", ""),
                                           row.get("from", ""), row.get("to", "")))
        aliases[row["name"]].extend(_split(row.get("aliases", "")))
    for name, held in offices.items():
        entry = Entry("person", name, offices=tuple(held))
        for alias in dict.fromkeys([name] + aliases[name]):
            add(alias, entry)
            lex.by_name[" ".join(norm(t.text) for t in tokenizer(alias))] = entry

    for key, items in names.items():
        items.sort(key=lambda it: (-len(it[0]), -PRIORITY[it[2].kind]))
    lex.names = dict(names)

    terms: dict[str, list] = defaultdict(list)
    for row in load_tsv("actors_sectors.tsv"):
        term = Term(row["term"], row.get("sector", ""), row.get("kind", "group"), row.get("weight", "strong") != "weak")
        # tokenised capitalised, as titles are written ("Gen." is one token, "gen." two)
        key = tuple(norm(t.text) for t in tokenizer(row["term"].title()))
        terms[key[0]].append((key, term))
    for items in terms.values():
        items.sort(key=lambda it: -len(it[0]))
    lex.terms = dict(terms)

    firsts = set()
    for first in lex.names:
        firsts.update({first, first.replace("'", "\u2019")})
    lex.name_first_ids = frozenset(get_string_id(w) for w in firsts)
    words = set()
    for items in lex.terms.values():
        for key, _ in items:
            for w in key:
                words.update({w, w + "s", w + "es"} | ({w[:-1] + "ies"} if w.endswith("y") else set()))
    lex.term_word_ids = frozenset(get_string_id(w) for w in words)

    words = load_tsv("actors_place_words.tsv")
    lex.place_preps = frozenset(r["word"].lower() for r in words if r.get("kind") == "preposition")
    lex.place_nouns = frozenset(r["word"].lower() for r in words if r.get("kind") == "place_noun")
    lex.pronouns = {r["word"].lower(): r.get("agrees", "thing") for r in load_tsv("actors_pronouns.tsv")}
    by_kind: dict[str, set[str]] = defaultdict(set)
    for r in load_tsv("actors_inference.tsv"):
        word = r["word"] if r.get("kind", "").startswith("context") else norm(r["word"])
        by_kind[r.get("kind", "")].add(word)
    lex.located_preps = frozenset(by_kind["located"])
    lex.nested_preps = frozenset(by_kind["nested_located"] | by_kind["located_nested"])
    lex.owner_preps = frozenset(by_kind["owner"])
    lex.posted = frozenset(by_kind["posted"])
    lex.context_sectors = frozenset(by_kind["context_sector"])
    lex.context_person_sectors = frozenset(by_kind["context_person_sector"])
    lex.own_forces = frozenset(by_kind["own_forces"])
    lex.currency = frozenset(by_kind["currency"])
    lex.not_national = frozenset(by_kind["not_national"])
    lex.other_owner = frozenset(by_kind["other_owner"])
    assoc: dict[str, set[str]] = defaultdict(set)
    for r in load_tsv("actors_associations.tsv"):
        assoc[r.get("kind", "")].add(norm(r["word"]))
    lex.association_bodies = frozenset(assoc["body"])
    lex.association_members = frozenset(assoc["member"])
    lex.association_body_ids = frozenset(get_string_id(w) for w in lex.association_bodies)
    return lex
