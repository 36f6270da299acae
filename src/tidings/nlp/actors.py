"""Actors: noun phrases resolved to CAMEO-style codes (country + sector).

A mention is a whole noun phrase read off the dependency parse: its head decides what it is
(a person, a named organisation or IGO, a country, a capital standing for its government, or
a role/organisation word such as "troops" or "ministry") and its modifiers add the country
("Belarusian", "China's") and the sector ("Defense Ministry" -> MIL, "Foreign Minister" ->
GOV). Heads with no country of their own borrow it from an "of"/"from" phrase ("the
representative of the Belarusian armed forces") or from an appositive ("..., General Vadim
Denisenko"). Known office holders come from `actors_people.tsv`, valid at the publication
date; later short mentions ("Ryzhenkov", "Xi") are linked to the person named in full.
Peoples of one country ("Igbo", "Chechen": `actors_peoples.tsv`) count as its demonyms.

Mentions that still have no country get one from, in this order of trust:

1. a place attached to them (`located`): their own place-name modifiers ("the Alberta
   government"), a complement of in/from/throughout/across/inside ("rebels in the Ivory
   Coast"), of "at" a spot placed in a country ("police at a checkpoint in Harare"), or of
   "of" a country or province ("King X of Morocco", "the government of Sindh province").
   Places are the places layer's (`resolve_places`, passed in) and country/capital names.
2. their context (`context`): office holders with a title and GOV/LEG/JUD/COP role words
   ("officials", "the government") take the country their sentence names when it names
   exactly one (by a country name, adjective, capital or a place; not in a currency, "US $50
   million"), unless that country is the other party of the mention's own clause ("President
   X threatened Zambia", "met Bolivian officials"). Two or more countries: unknown. A sentence
   that names no country falls back on the article, when the article names exactly one.
   Sentence first, then article: the PLOVER/penta event sets are single sentences, where the
   two do not differ; on 450 articles of the BASIL, GeoVirus and LGL dev sets the article
   fallback changed 700 codes and a sample of 69 had the right country for 66.
   Mentions of one person share what their sentences say.

Neither applies to people posted abroad ("the ambassador in Paris", "a diplomatic source in
Beijing"), nor context to mentions that say they are international, foreign or someone
else's ("its forces"). `ActorRef.country_from` records text / lexicon / located / context.

All language knowledge is in the `actors_*.tsv` data files (see `actors_lexicon`); how a
country is inferred is `actors_inference.tsv`.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.attrs import DEP, LEMMA, LOWER, POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from tidings.nlp.actors_lexicon import NON_STATE, Entry, Lexicon, Term, case_ok, forms, lexicon, make_code, norm
from tidings.nlp.syntax import conjuncts
from tidings.records import ActorRef, Place

# Dependents that belong to a noun phrase's left side ("the Belarusian Defense Ministry").
LEFT_DEPS = frozenset({"compound", "amod", "nmod", "poss", "det", "nummod", "quantmod", "case", "predet", "punct"})
# Left modifiers that never head a noun phrase of their own.
MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "det", "nummod", "quantmod", "case", "predet"})
# Prepositions through which a role word takes the country/sector of its complement.
OWNER_PREPS = frozenset({"of", "from"})
NOMINAL = frozenset({"NOUN", "PROPN"})
NOMINAL_IDS = frozenset(POS_IDS[p] for p in NOMINAL)
VERBAL = frozenset({"VERB", "AUX"})
PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
ADMIN_FEATURES = frozenset({"country", "admin1", "admin2", "city", "capital"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})


@dataclass
class Hit:
    start: int                      # token indices, end exclusive
    end: int
    entry: Entry | None = None
    term: Term | None = None


@dataclass
class Candidate:
    head: int
    start: int
    end: int
    kind: str                       # person, country, org, igo, group
    country: str | None = None
    sector: str | None = None
    name: str | None = None
    role: str | None = None
    is_name: bool = False           # a named thing (person, organisation, IGO, country)
    explicit_country: bool = False  # the country was said in the text, not looked up
    place: bool = False             # a country/capital used as a location: no actor
    dropped: bool = False
    person_key: str | None = None
    np: tuple[int, int] = (0, 0)    # the whole noun phrase the mention was read from
    absorbed_by: int | None = None  # head of the phrase this one was folded into ("of the army")
    country_from: str | None = None # set when not "text"/"lexicon" by explicit_country: see ActorRef


# --------------------------------------------------------------------------- matching


def _match_names(doc: Doc, lex: Lexicon, lower: list[int]) -> list[Hit]:
    """Longest non-overlapping matches of names (countries, demonyms, capitals, IGOs, orgs, people)."""
    hits: list[Hit] = []
    keys: dict[int, str] = {}

    def key_at(j: int) -> str:
        if j not in keys:
            keys[j] = norm(doc[j].text)
        return keys[j]

    n = len(doc)
    i = 0
    while i < n:
        if lower[i] not in lex.name_first_ids:
            i += 1
            continue
        found = None
        for key, pattern, entry in lex.names.get(key_at(i), ()):
            size = len(key)
            if i + size > n or any(key_at(i + j) != key[j] for j in range(1, size)):
                continue
            if not all(case_ok(p, doc[i + j].text) for j, p in enumerate(pattern)):
                continue
            if _inside_other_name(doc, i, i + size, entry):
                continue
            found = Hit(i, i + size, entry=entry)
            break
        if found:
            hits.append(found)
            i = found.end
        else:
            i += 1
    return hits


def _inside_other_name(doc: Doc, start: int, end: int, entry: Entry) -> bool:
    """A name that is only part of a longer personal name ("Michael Jordan", "Lara Trump")."""
    ent_iob = doc[start].ent_type_
    if ent_iob != "PERSON" or entry.kind == "person" and end - start > 1:
        return False
    span_start, span_end = start, end
    while span_start > 0 and doc[span_start - 1].ent_type_ == "PERSON" and doc[span_start].ent_iob_ != "B":
        span_start -= 1
    while span_end < len(doc) and doc[span_end].ent_type_ == "PERSON" and doc[span_end].ent_iob_ == "I":
        span_end += 1
    extra = [t for t in doc[span_start:span_end] if not (start <= t.i < end)]
    if not extra:
        return False
    # Titles inside the entity ("President Putin") do not make it another person.
    lex = lexicon()
    return any(t.is_alpha and norm(t.text) not in lex.names and not any(f in lex.terms for f in forms(t))
               for t in extra)


def _match_terms(doc: Doc, lex: Lexicon, taken: list[Hit | None], lower: list[int], lemma: list[int]) -> list[Hit | None]:
    """Role/organisation words per token (longest phrase first), outside names."""
    n = len(doc)
    at: list[Hit | None] = [None] * n
    ids = lex.term_word_ids
    token_forms: list[set[str] | None] = [None] * n

    def forms_at(j: int) -> set[str]:
        f = token_forms[j]
        if f is None:
            f = token_forms[j] = forms(doc[j]) if lower[j] in ids or lemma[j] in ids else set()
        return f

    i = 0
    while i < n:
        if taken[i] is not None or (lower[i] not in ids and lemma[i] not in ids):
            i += 1
            continue
        found = None
        for first in forms_at(i):
            for key, term in lex.terms.get(first, ()):
                size = len(key)
                if found and size <= found.end - found.start:
                    continue
                if i + size > n or any(taken[i + j] is not None for j in range(size)):
                    continue
                if not all(key[j] in forms_at(i + j) for j in range(1, size)):
                    continue
                # "official" and "general" are roles only as nouns ("an official", not "official news")
                if term.kind == "person" and size == 1 and doc[i].pos_ not in NOMINAL:
                    continue
                found = Hit(i, i + size, term=term)
        if found:
            for j in range(found.start, found.end):
                at[j] = found
            i = found.end
        else:
            i += 1
    return at


# --------------------------------------------------------------------------- noun phrases


def _hit_root(doc: Doc, hit: Hit) -> Token:
    """The token of a multi-token name whose syntactic head lies outside it."""
    for t in doc[hit.start:hit.end]:
        if not (hit.start <= t.head.i < hit.end) or t.head.i == t.i:
            return t
    return doc[hit.end - 1]


def _np_bounds(doc: Doc, head: Token, name_at: list[Hit | None]) -> tuple[int, int]:
    start = head.i
    for child in head.lefts:
        if child.dep_ in LEFT_DEPS:
            start = min(start, child.left_edge.i)
    end = head.i + 1
    hit = name_at[head.i]
    if hit is not None:
        start, end = min(start, hit.start), max(end, hit.end)
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return start, end


def _content_start(doc: Doc, start: int, end: int) -> int:
    """Skip leading determiners, possessive pronouns and punctuation."""
    while start < end - 1 and (doc[start].pos_ in ("DET", "PUNCT", "SPACE") or doc[start].tag_ == "PRP$"):
        start += 1
    return start


@dataclass
class Description:
    country: str | None = None
    country_name: str | None = None
    sector: str | None = None
    role: str | None = None
    org_sector: str | None = None
    countries: tuple[str, ...] = ()
    country_from: str | None = None   # "lexicon" when the country is a people's or an organisation's


def _describe(doc: Doc, start: int, end: int, skip: tuple[int, int], name_at, term_at) -> Description:
    """Country, sector and role said by the modifiers of a noun phrase (outside `skip`)."""
    countries: list[tuple[str, str, str | None]] = []
    strong = weak = org_sector = role = None
    seen: set[int] = set()
    for i in range(start, end):
        if skip[0] <= i < skip[1]:
            continue
        hit = name_at[i]
        if hit is not None and id(hit) not in seen:
            seen.add(id(hit))
            e = hit.entry
            if e.kind in ("country", "demonym", "capital"):
                countries.append((e.country, e.name, "lexicon" if e.people else None))
            elif e.kind in ("org", "igo") and e.country:
                countries.append((e.country, e.name, "lexicon"))
                org_sector = e.sector or org_sector
            elif e.kind == "person":                  # "the Biden administration"
                office, _ = e.office_at(None)
                if office is not None and office.country not in NON_STATE:
                    countries.append((office.country, e.name, "lexicon"))
            continue
        term_hit = term_at[i]
        if term_hit is not None and term_hit.start == i:
            term = term_hit.term
            if term.sector:
                if term.strong:
                    strong = term.sector
                else:
                    weak = term.sector
            if term.kind == "person":
                role = doc[term_hit.start:term_hit.end].text
    d = Description(sector=strong or weak or org_sector, role=role, org_sector=org_sector)
    if countries:
        distinct = tuple(dict.fromkeys(c for c, _, _ in countries))
        d.country, d.country_name, d.country_from = countries[-1]
        d.countries = distinct
    return d


def _is_place(tok: Token, lex: Lexicon) -> bool:
    """A country or capital governed by a locative preposition ("in Belarus")."""
    t = tok
    while t.dep_ in ("conj", "appos") and t.head.i != t.i:
        t = t.head
    if t.dep_ != "pobj":
        return False
    prep = t.head
    if prep.lower_ in lex.place_preps:
        return True
    return prep.lower_ == "of" and prep.head.lemma_.lower() in lex.place_nouns


CAPITAL_ACTOR_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "poss", "conj", "appos", "attr", "ROOT", "dative", "agent"})


def _is_modifier(tok: Token) -> bool:
    """A left modifier of a noun ("Chinese" in "Chinese and Belarusian soldiers", and "Belarusian")."""
    t = tok
    while t.dep_ == "conj" and t.head.i < t.i:
        t = t.head
    return t.dep_ in MODIFIER_DEPS and t.head.i > t.i


def _candidate(doc: Doc, head: Token, name_at, term_at, lex: Lexicon, published: str | None) -> Candidate | None:
    hit = name_at[head.i]
    entry = hit.entry if hit is not None else None
    term_hit = term_at[head.i]
    if entry is None and term_hit is None and head.ent_type_ != "PERSON":
        return None                                   # most nouns: not an actor
    start, end = _np_bounds(doc, head, name_at)

    if entry is not None and entry.kind == "person" or entry is None and head.ent_type_ == "PERSON":
        return _person(doc, head, start, end, hit, name_at, term_at, published)

    if entry is not None and entry.kind in ("org", "igo"):
        d = _describe(doc, start, end, (hit.start, hit.end), name_at, term_at)
        country = entry.country
        explicit = bool(country)
        if entry.kind == "org" and d.country and d.country not in NON_STATE:
            country, explicit = d.country, True       # "the Philippine Congress"
        sector = entry.sector
        if entry.kind == "igo" and d.sector and d.sector != "GOV":
            sector = d.sector
        return Candidate(head.i, hit.start, hit.end, entry.kind, country, sector, entry.name,
                         is_name=True, explicit_country=explicit,
                         country_from=None if not country else "text" if d.country == country else "lexicon")

    if term_hit is not None and head.pos_ in NOMINAL:
        if term_hit.start >= start:
            end = max(end, term_hit.end)           # "ministry of defense"
        d = _describe(doc, start, end, (-1, -1), name_at, term_at)
        cand = Candidate(head.i, _content_start(doc, start, end), end, term_hit.term.kind, d.country, d.sector,
                         role=d.role, explicit_country=d.country is not None, country_from=d.country_from)
        if d.country in NON_STATE:
            cand.name = d.country_name
        if len(d.countries) > 1:
            cand.name = "|".join(d.countries)      # several countries: one actor each
        return cand

    if entry is not None and entry.kind in ("country", "capital"):
        if entry.kind == "capital" and head.dep_ not in CAPITAL_ACTOR_DEPS:
            return None
        cand = Candidate(head.i, hit.start, hit.end, "country", entry.country,
                         entry.sector if entry.kind == "capital" else None, entry.name,
                         is_name=True, explicit_country=True)
        cand.place = _is_place(head, lex)
        return cand

    if entry is not None and entry.kind == "demonym" and (head.pos_ in NOMINAL or head.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj")):
        d = _describe(doc, start, end, (hit.start, hit.end), name_at, term_at)
        # "Bosnian Serbs": a people of another country is coded with the country it lives in
        return Candidate(head.i, _content_start(doc, start, end), end, "group", d.country or entry.country,
                         d.sector, explicit_country=True,
                         country_from=d.country_from if d.country else "lexicon" if entry.people else None)
    return None


def _person(doc: Doc, head: Token, start: int, end: int, hit: Hit | None, name_at, term_at, published) -> Candidate:
    if hit is not None and hit.entry is not None and hit.entry.kind == "person":
        n0, n1 = hit.start, hit.end
        entry = hit.entry
    else:
        n0, n1 = head.i, head.i + 1
        if head.ent_iob_ in ("B", "I"):
            while n0 > 0 and doc[n0].ent_iob_ == "I":
                n0 -= 1
            while n1 < len(doc) and doc[n1].ent_iob_ == "I":
                n1 += 1
        # Titles the recogniser folded into the name ("President Putin") are not the name.
        while n0 < n1 - 1 and (term_at[n0] is not None or doc[n0].is_punct or doc[n0].pos_ == "DET"):
            n0 += 1
        while n1 > n0 + 1 and (doc[n1 - 1].tag_ == "POS" or doc[n1 - 1].is_punct):
            n1 -= 1
        entry = None
        key = " ".join(norm(t.text) for t in doc[n0:n1])
        entry = lexicon().by_name.get(key)
    d = _describe(doc, min(start, n0), max(end, n1), (n0, n1), name_at, term_at)
    cand = Candidate(head.i, n0, n1, "person", d.country, d.sector, doc[n0:n1].text, d.role,
                     is_name=True, explicit_country=d.country is not None, country_from=d.country_from)
    if entry is not None:
        office, valid = entry.office_at(published)
        cand.name = entry.name
        if office is not None:
            cand.country = cand.country or office.country
            if cand.sector is None:
                cand.sector = office.sector if valid else "ELI"
            cand.role = cand.role or office.role
    cand.person_key = norm(cand.name or "")
    return cand


# --------------------------------------------------------------------------- linking


def _inherit_from_owner(doc: Doc, cands: dict[int, Candidate]) -> None:
    """'the representative of the Belarusian armed forces': the head borrows country and sector."""
    for cand in list(cands.values()):
        if cand.is_name or (cand.country and cand.sector):
            continue
        head = doc[cand.head]
        for prep in head.rights:
            if prep.dep_ != "prep" or prep.lower_ not in OWNER_PREPS:
                continue
            for pobj in prep.children:
                if pobj.dep_ != "pobj":
                    continue
                owner = cands.get(pobj.i)
                if owner is None or owner.dropped or owner.kind == "person":
                    continue
                if not cand.country and owner.country:
                    cand.country, cand.explicit_country = owner.country, True
                    cand.country_from = owner.country_from
                    if owner.country in NON_STATE:
                        cand.name = owner.name
                if not cand.sector and owner.sector:
                    cand.sector = owner.sector
                if not owner.is_name:
                    owner.dropped, owner.absorbed_by = True, cand.head
                    cand.end = max(cand.end, owner.end)
                break


def _merge_appositions(doc: Doc, cands: dict[int, Candidate]) -> None:
    """'news agency Belta', 'the representative ..., General Vadim Denisenko': one actor."""
    for cand in cands.values():
        if not cand.is_name or cand.dropped:
            continue
        head = doc[cand.head]
        partners = [c for c in head.children if c.dep_ == "appos"]
        if head.dep_ == "appos":
            partners.append(head.head)
        for p in partners:
            other = cands.get(p.i)
            if other is not None and other.absorbed_by is not None:
                other = cands.get(other.absorbed_by)  # "the commander of the army, Colonel X"
            if other is None or other.is_name or other.dropped:
                continue
            if cand.country and other.country and cand.country != other.country:
                continue
            if not cand.country and other.country:
                cand.country_from = other.country_from or ("text" if other.explicit_country else "lexicon")
            cand.country = cand.country or other.country
            cand.explicit_country = cand.explicit_country or other.explicit_country
            cand.sector = cand.sector or other.sector
            if cand.kind == "person":
                cand.role = cand.role or other.role
            other.dropped = True


def _modifier_actors(doc: Doc, hits: list[Hit], roots: set[int], cands: dict[int, Candidate], lex: Lexicon) -> None:
    """A country, IGO or organisation modifying a thing rather than an actor ("rejected a U.S.
    request", "a Senegalese peace plan") is still a party to what happens; near a location
    ("near the Polish border") it is not."""
    phrase = [False] * len(doc)
    for c in cands.values():
        for i in range(min(c.np[0], c.start), max(c.np[1], c.end)):
            phrase[i] = True
    for hit in hits:
        entry = hit.entry
        if entry.kind not in ("country", "demonym", "igo", "org") or any(phrase[hit.start:hit.end]):
            continue
        root = _hit_root(doc, hit)
        if root.i not in roots or not _is_modifier(root):
            continue
        # The thing modified is the last noun of the chain: a mis-parse may hang the chain on a
        # verb ("vetoed a Security Council resolution censuring ..." with "resolution" as a
        # compound of "censuring"), and the noun before it is still the thing.
        head = root
        while _is_modifier(head) and head.head.i != head.i:
            if head.head.pos_ in VERBAL:
                break
            head = head.head
        # "near the Polish border" is a place; "in a Russian exercise" is not
        if head is root or head.pos_ not in NOMINAL or head.lemma_.lower() in lex.place_nouns and _is_place(head, lex):
            continue
        kind = {"demonym": "country"}.get(entry.kind, entry.kind)
        sector = entry.sector if entry.kind in ("org", "igo") else None
        name = entry.name
        cands[root.i] = Candidate(root.i, hit.start, hit.end, kind, entry.country, sector, name,
                                  is_name=True, explicit_country=True, np=(hit.start, hit.end),
                                  country_from="lexicon" if entry.people or entry.kind == "org" else None)


def _consolidate_people(doc: Doc, cands: list[Candidate], covered: list[bool], lower: list[int]) -> list[Candidate]:
    """Every mention of one person gets the same code; short mentions are linked to the full name."""
    persons = [c for c in cands if c.kind == "person" and not c.dropped and c.person_key]
    # Short forms: the first and last word of every multi-word name ("Xi", "Ryzhenkov").
    short: dict[str, str | None] = {}
    for c in persons:
        words = (c.name or "").split()
        if len(words) < 2:
            continue
        for w in {words[0], words[-1]}:
            k = norm(w)
            if len(k) > 1:
                short[k] = None if k in short and short[k] != c.person_key else c.person_key
    for c in persons:
        if " " not in c.person_key and short.get(c.person_key):
            c.person_key = short[c.person_key]
    people: dict[str, list[Candidate]] = {}
    for c in persons:
        people.setdefault(c.person_key, []).append(c)
    best: dict[str, Candidate] = {}
    for key, mentions in people.items():
        top = max(mentions, key=lambda c: (" " in (c.name or ""), c.explicit_country, c.country is not None,
                                           c.sector is not None, c.role is not None))
        best[key] = top
        for c in mentions:
            if not c.country and top.country:
                c.country_from = top.country_from or ("text" if top.explicit_country else "lexicon")
            c.country = c.country or top.country
            c.sector = c.sector or top.sector
            c.role = c.role or top.role
            c.name = top.name
    added: list[Candidate] = []
    if not short:
        return cands
    short_ids = {get_string_id(k) for k in short}
    for i in range(len(doc)):
        if covered[i] or lower[i] not in short_ids:
            continue
        t = doc[i]
        if not t.text[:1].isupper() or t.pos_ not in NOMINAL:
            continue
        key = short.get(norm(t.text))
        if key is None or t.dep_ == "compound" or any(c.dep_ == "compound" for c in t.children):
            continue
        top = best[key]
        added.append(Candidate(t.i, t.i, t.i + 1, "person", top.country, top.sector, top.name, top.role,
                               is_name=True, person_key=key, explicit_country=top.explicit_country,
                               country_from=top.country_from))
    return cands + added


def _to_refs(doc: Doc, cand: Candidate) -> list[ActorRef]:
    span = doc[cand.start:cand.end]
    start, end = span.start_char, span.end_char
    countries = [cand.country]
    name = cand.name
    # "Chinese and Belarusian soldiers", "Polish and Czech ministers" (several people: one actor each)
    if name and "|" in name and (cand.kind != "person" or doc[cand.head].tag_ in ("NNS", "NNPS")):
        countries, name = name.split("|"), None
    refs = []
    source = cand.country_from or ("text" if cand.explicit_country else "lexicon")
    for country in countries:
        sector = cand.sector if cand.sector != country else None
        refs.append(ActorRef(start=start, end=end, text=span.text, code=make_code(country, sector),
                             country=country, sector=sector, kind=cand.kind, name=name, role=cand.role,
                             country_from=source if country else None))
    return refs


# --------------------------------------------------------------------------- inferred countries
#
# Mentions that do not say their country ("rebels", "President X" of no known office) get it,
# in this order of trust, from (1) a place attached to them ("rebels in Chad", "the governor of
# Sindh province") and (2) their sentence when it names exactly one country (see the module
# docstring). Both are marked in `country_from`.


def _place_countries(doc: Doc, places: list[Place] | None, lex: Lexicon) -> list[tuple[str, bool, str] | None]:
    """Per token: (alpha-3 country, metonym, feature) of the place the places layer found there."""
    at: list[tuple[str, bool, str] | None] = [None] * len(doc)
    for p in places or ():
        iso3 = lex.iso3.get(p.country or "")
        if not iso3:
            continue
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is None:
            continue
        for i in range(span.start, span.end):
            at[i] = (iso3, p.metonym, p.feature or "")
    return at


def _country_at(tok: Token, name_at, place_at, lex: Lexicon, metonyms: bool, demonym: bool) -> str | None:
    """The country a token of a place phrase names: a country or capital name, a place of the
    places layer, or (`demonym`) an adjective ("the Iraqi capital")."""
    hit = name_at[tok.i]
    if hit is not None and hit.entry is not None:
        kind = hit.entry.kind
        if kind in ("country", "capital") or demonym and kind == "demonym" and not hit.entry.people:
            return hit.entry.country
        if kind in ("person", "org", "igo"):
            return None
    placed = place_at[tok.i]
    if placed is not None and (metonyms or not placed[1]):
        return placed[0]
    return None


def _place_phrase_country(g: Token, name_at, place_at, lex: Lexicon, owner: bool, depth: int = 0) -> str | None:
    """Country of a prepositional complement that is a place: the word itself, its name
    modifiers ("the Tyumen region", "East Timor's capital"), or a place nested in it ("the city
    of Hebron", "a jail in Dili")."""
    place_noun = g.lemma_.lower() in lex.place_nouns
    found = _country_at(g, name_at, place_at, lex, owner, False)
    if found:
        return found
    for c in g.children:
        if c.dep_ in ("compound", "poss", "appos", "nmod") or c.dep_ == "amod" and place_noun:
            found = _country_at(c, name_at, place_at, lex, owner, place_noun)
            if found:
                return found
    if depth < 2:
        for prep in g.children:
            low = prep.lower_
            if prep.dep_ != "prep" or not (low in lex.located_preps or low in lex.owner_preps and place_noun):
                continue
            for g2 in prep.children:
                if g2.dep_ == "pobj":
                    found = _place_phrase_country(g2, name_at, place_at, lex, owner, depth + 1)
                    if found:
                        return found
    return None


def _located(head: Token, name_at, place_at, lex: Lexicon) -> str | None:
    """Country of a place attached to a mention: "rebels in the Ivory Coast", "students throughout
    Peru", "prisoners at a jail in Dili", "the government of Sindh province", "King X of Morocco"."""
    for prep in head.children:
        if prep.dep_ != "prep":
            continue
        low = prep.lower_
        for g in prep.children:
            if g.dep_ != "pobj":
                continue
            found = None
            if low in lex.located_preps:
                found = _place_phrase_country(g, name_at, place_at, lex, False)
                others = {_place_phrase_country(c, name_at, place_at, lex, False) for c in conjuncts(g)[1:]}
                if found and others - {found, None}:
                    return None             # "people in Somalia, Ethiopia and Kenya": several
            elif low in lex.owner_preps:
                # "of" owns only when its complement is a place ("of Morocco", "of Sindh province")
                if g.lemma_.lower() in lex.place_nouns or _country_at(g, name_at, place_at, lex, True, False):
                    found = _place_phrase_country(g, name_at, place_at, lex, True)
            elif low in lex.nested_preps:
                for p2 in g.children:
                    if p2.dep_ == "prep" and p2.lower_ in lex.located_preps:
                        for g2 in p2.children:
                            if g2.dep_ == "pobj" and not found:
                                found = _place_phrase_country(g2, name_at, place_at, lex, False)
            if found:
                return found
    return None


def _posted(doc: Doc, cand: Candidate, term_at, lex: Lexicon) -> bool:
    """An ambassador, envoy or correspondent: where they are says nothing about whose they are."""
    for i in range(min(cand.np[0], cand.start), max(cand.np[1], cand.end, cand.head + 1)):
        hit = term_at[i]
        if hit is not None and norm(hit.term.text) in lex.posted or norm(doc[i].text) in lex.posted:
            return True
    return bool(cand.role) and norm(cand.role) in lex.posted


def _own_place(doc: Doc, cand: Candidate, place_at, term_at) -> str | None:
    """A place of the places layer among the mention's own modifiers ("the Alberta government",
    "Cleveland officials", "New York Gov. X"); before a person's name only with a title
    between ("Flavia Nardelli" is no place)."""
    countries = set()
    for i in range(min(cand.np[0], cand.start), cand.head):
        t = doc[i]
        if cand.kind == "person" and cand.is_name and not any(term_at[j] for j in range(i + 1, cand.start)):
            continue
        # a name modifier of the head itself, not of a modifier ("U.S.-backed fighters")
        while t.dep_ == "compound" and t.head.i < cand.head:
            t = t.head
        # the recogniser must agree it is a place ("the Bush administration" is a person's), or
        # name an institution after a town or province ("Delhi University", "Broome County")
        ent = doc[i].ent_type_
        if place_at[i] is not None and t.head.i == cand.head and t.dep_ in ("compound", "nmod", "poss") \
                and (ent in PLACE_ENTS or ent == "ORG" and place_at[i][2] in ADMIN_FEATURES):
            countries.add(place_at[i][0])
    return next(iter(countries)) if len(countries) == 1 else None


def _modifiers(cand: Candidate) -> Iterator[int]:
    """Indices of the mention's phrase other than its head: the words that say whose it is."""
    return (i for i in range(min(cand.np[0], cand.start), max(cand.np[1], cand.end)) if i != cand.head)


def _unknown_nationality(doc: Doc, cand: Candidate, name_at, place_at, lex: Lexicon) -> bool:
    """The mention says whose it is in words we cannot resolve ("the Korean government",
    "foreign ministers", "its forces"): better unknown than the sentence's country."""
    for i in _modifiers(cand):
        t = doc[i]
        if norm(t.text) in lex.not_national or t.tag_ == "PRP$" and norm(t.text) in lex.other_owner:
            return True
        if t.ent_type_ == "GPE" and name_at[i] is None and place_at[i] is None:
            return True
    return False


def _locate(doc: Doc, cands: dict[int, Candidate], name_at, term_at, place_at, lex: Lexicon) -> None:
    """Evidence 1: a place syntactically attached to a mention with no country."""
    for cand in cands.values():
        if cand.country or cand.dropped or cand.place or cand.is_name and cand.kind != "person":
            continue
        if cand.kind == "person" and cand.is_name and not (cand.sector or cand.role):
            continue                        # an unknown name ("the Rhine" tagged a person)
        if _posted(doc, cand, term_at, lex):
            continue
        head = doc[cand.head]
        if any(c.dep_ == "poss" and c.tag_ == "PRP$" for c in head.children):
            continue                        # "its forces in Crimea": someone else's
        found = _own_place(doc, cand, place_at, term_at) or _located(head, name_at, place_at, lex)
        if found:
            cand.country, cand.country_from = found, "located"


def _clause_of(tok: Token, lex: Lexicon) -> tuple[int, int, bool]:
    """The nearest verb above a token, the branch of that verb it hangs on, and whether the way
    up passes through a place ("a curfew in Algiers")."""
    t, branch, placed = tok, tok, False
    steps = 0
    while t.pos_ not in VERBAL and t.head.i != t.i and steps < 20:
        if t.dep_ == "pobj" and t.head.lower_ in lex.place_preps:
            placed = True
        branch, t = t, t.head
        steps += 1
    return t.i, branch.i, placed


def _counterpart(head: Token, ev: Token, lex: Lexicon) -> bool:
    """The country named is the other party of the mention's own clause ("President X threatened
    Iraq", "Minister X met Iraqi officials"): it says nothing about the mention's own country."""
    v1, b1, _ = _clause_of(head, lex)
    v2, b2, placed = _clause_of(ev, lex)
    return v1 == v2 and b1 != b2 and not placed


def _context_eligible(cand: Candidate, doc: Doc, name_at, term_at, place_at, lex: Lexicon) -> bool:
    if cand.country or cand.dropped or cand.place or _posted(doc, cand, term_at, lex):
        return False
    if cand.kind == "person" and cand.is_name:          # "President X", "General X"
        ok = cand.sector in lex.context_sectors or cand.sector in lex.context_person_sectors
    else:                                               # "officials", "the government"
        ok = not cand.is_name and (cand.sector in lex.context_sectors or
                                   cand.sector in lex.context_person_sectors and _own_forces(doc, cand, lex))
    return ok and not _unknown_nationality(doc, cand, name_at, place_at, lex)


def _own_forces(doc: Doc, cand: Candidate, lex: Lexicon) -> bool:
    """Armed men the phrase calls the country's own ("government troops", "regime forces")."""
    return any(norm(doc[i].text) in lex.own_forces for i in _modifiers(cand))


def _context(doc: Doc, cands: list[Candidate], hits: list[Hit], name_at, place_at, term_at, lex: Lexicon,
             currency: set[int]) -> None:
    """Evidence 2: an office holder or official with no country in a sentence that names exactly
    one country takes it, unless that country is the other party of its own clause. Mentions of
    one person share what their sentences say (and stay unknown when the sentences disagree)."""
    wanted = [c for c in cands if _context_eligible(c, doc, name_at, term_at, place_at, lex)]
    if not wanted:
        return
    sent_starts = [s.start for s in doc.sents]
    evidence: dict[int, list[tuple[int, str]]] = {}
    for h in hits:
        if h.entry.kind in ("country", "capital", "demonym"):
            i = _hit_root(doc, h).i
            evidence.setdefault(bisect.bisect_right(sent_starts, i) - 1, []).append((i, h.entry.country))
    prev = None
    for i, placed in enumerate(place_at):
        if placed is not None and placed is not prev and i not in currency:
            evidence.setdefault(bisect.bisect_right(sent_starts, i) - 1, []).append((i, placed[0]))
        prev = placed
    found: dict[int, str | None] = {}
    for c in wanted:
        ev = evidence.get(bisect.bisect_right(sent_starts, c.head) - 1, [])
        countries = {country for _, country in ev}
        if len(countries) != 1:
            found[id(c)] = None if countries else "?"
            continue
        head = doc[c.head]
        if any(_counterpart(head, doc[i], lex) for i, _ in ev):
            found[id(c)] = None
            continue
        found[id(c)] = next(iter(countries))
    # A sentence that names no country ("Officials said ...") falls back on the article, when
    # the whole article names exactly one.
    everywhere = {country for ev in evidence.values() for _, country in ev}
    if len(everywhere) == 1:
        only = next(iter(everywhere))
        for c in wanted:
            if found[id(c)] == "?":
                found[id(c)] = only
    by_person: dict[str, set[str]] = {}
    for c in wanted:
        if c.kind == "person" and c.person_key and found[id(c)] not in (None, "?"):
            by_person.setdefault(c.person_key, set()).add(found[id(c)])
    for c in wanted:
        country = found[id(c)]
        if c.kind == "person" and c.person_key and c.person_key in by_person:
            agreed = by_person[c.person_key]
            country = next(iter(agreed)) if len(agreed) == 1 else None
        if country not in (None, "?"):
            c.country, c.country_from = country, "context"


def _associations(doc: Doc, cands: dict[int, Candidate], name_at, term_at, lower: list[int], lex: Lexicon) -> None:
    """Named associations of professionals ("the Association of African Jurists"): NGOs, of a
    country when their name says one ("the Union of Nigerian Journalists")."""
    for i, low in enumerate(lower):
        if low not in lex.association_body_ids or name_at[i] is not None:
            continue
        t = doc[i]
        if not t.text[:1].isupper():
            continue
        members = [g for prep in t.children if prep.dep_ == "prep" and prep.lower_ == "of"
                   for g in prep.children if g.dep_ == "pobj"]
        members = [m for g in members for m in conjuncts(g)]
        if not members or not any(forms(m) & lex.association_members for m in members):
            continue
        start, _ = _np_bounds(doc, t, name_at)
        start = _content_start(doc, start, i + 1)
        end = max(m.i for m in members) + 1
        d = _describe(doc, start, end, (-1, -1), name_at, term_at)
        for j in range(start, end):
            if j in cands:
                cands[j].dropped = True
        cands[i] = Candidate(i, start, end, "org", d.country if d.country not in NON_STATE else None, "NGO",
                             doc[start:end].text, is_name=True, explicit_country=d.country is not None,
                             np=(start, end), country_from=d.country_from)


def _drop_currencies(doc: Doc, hits: list[Hit], lex: Lexicon, currency: set[int]) -> list[Hit]:
    """"US $50 million", "Canadian dollars": a country name in a currency is no actor, and no
    context either (its token indices are added to `currency`)."""
    kept = []
    for h in hits:
        if h.entry.kind in ("country", "demonym") and h.end < len(doc):
            nxt = doc[h.end]
            if norm(nxt.text) in lex.currency and (nxt.pos_ in ("NOUN", "PROPN", "SYM") or not nxt.is_alpha):
                currency.update(range(h.start, h.end))
                continue
        kept.append(h)
    return kept


# --------------------------------------------------------------------------- entry point


def resolve_actors(doc: Doc, published: str | None, places: list[Place] | None = None) -> list[ActorRef]:
    """Every actor mention in `doc`, with doc character offsets, sorted by position. `places`
    (the places layer's output for the same doc) lets mentions take the country of provinces
    and cities ("the governor of Sindh province"); without it only country names count."""
    lex = lexicon()
    if not len(doc):
        return []
    arr = doc.to_array([LOWER, LEMMA, POS]).tolist()
    lower, lemma, pos = [a[0] for a in arr], [a[1] for a in arr], [a[2] for a in arr]
    currency: set[int] = set()
    hits = _drop_currencies(doc, _match_names(doc, lex, lower), lex, currency)
    place_at = _place_countries(doc, places, lex)
    name_at: list[Hit | None] = [None] * len(doc)
    for h in hits:
        for i in range(h.start, h.end):
            name_at[i] = h
    term_at = _match_terms(doc, lex, name_at, lower, lemma)
    roots = {_hit_root(doc, h).i for h in hits}

    cands: dict[int, Candidate] = {}
    possessors: list[Token] = []
    for i in range(len(doc)):
        hit = name_at[i]
        if hit is not None:
            if i not in roots:
                continue
        elif pos[i] not in NOMINAL_IDS:
            continue
        t = doc[i]
        if _is_modifier(t):
            continue
        if t.dep_ == "poss":
            possessors.append(t)
            continue
        cand = _candidate(doc, t, name_at, term_at, lex, published)
        if cand is not None:
            cand.np = _np_bounds(doc, t, name_at)
            cands[t.i] = cand
    # A possessor is part of its head's phrase when the head is an actor ("China's military"),
    # otherwise an actor of its own ("China's assumption of the chair").
    for t in possessors:
        owner = cands.get(t.head.i)
        if owner is not None and not owner.is_name and owner.start <= t.i:
            continue
        cand = _candidate(doc, t, name_at, term_at, lex, published)
        if cand is not None:
            cand.np = _np_bounds(doc, t, name_at)
            cands[t.i] = cand

    _associations(doc, cands, name_at, term_at, lower, lex)
    _inherit_from_owner(doc, cands)
    _modifier_actors(doc, hits, roots, cands, lex)
    _merge_appositions(doc, cands)
    _locate(doc, cands, name_at, term_at, place_at, lex)

    kept = [c for c in cands.values() if not c.dropped and not c.place]
    covered = [False] * len(doc)
    for c in kept:
        for i in range(c.start, c.end):
            covered[i] = True
    kept = _consolidate_people(doc, kept, covered, lower)
    _context(doc, kept, hits, name_at, place_at, term_at, lex, currency)

    # "Vietnamese" inside "Vietnamese-led forces": the inner mention adds nothing
    by_country: dict[str | None, list[Candidate]] = {}
    for c in kept:
        by_country.setdefault(c.country, []).append(c)
    kept = [c for c in kept if c.kind == "person" or not any(
        o is not c and o.start <= c.start and c.end <= o.end and o.end - o.start > c.end - c.start
        for o in by_country[c.country])]
    refs: list[ActorRef] = []
    for c in sorted(kept, key=lambda c: (c.start, c.end)):
        if c.country is None and c.sector is None:
            continue           # "the delegation", an unknown person: nothing to code
        if c.country is None and c.kind != "person" and not _strong_sector(doc, c, term_at) \
                and not (c.is_name and c.sector == "NGO"):
            continue           # "officials", "forces" with no country: too vague
        refs.extend(_to_refs(doc, c))
    return _link_pronouns(doc, refs, lex)


AGREES = {"person": ("person",), "thing": ("country", "org", "igo"), "group": ("group",)}
EXPLETIVE_HEADS = frozenset({"be", "seem", "appear"})


def _link_pronouns(doc: Doc, refs: list[ActorRef], lex: Lexicon) -> list[ActorRef]:
    """A subject pronoun stands for the subject of the sentence before when they agree
    ("Minsk is allied with Moscow. It has joint forces ..."); he/she fall back on the last
    person named. Everything else about coreference is left alone."""
    if not refs or not lex.pronouns:
        return refs
    starts = sorted((r.start, r.end, n) for n, r in enumerate(refs))
    added: list[ActorRef] = []
    previous: ActorRef | None = None
    last_person: ActorRef | None = None
    k = 0
    subjects = {get_string_id("nsubj"), get_string_id("nsubjpass")}
    deps = doc.to_array([DEP]).tolist()
    for sent in doc.sents:
        subject: ActorRef | None = None
        for i in range(sent.start, sent.end):
            if deps[i] not in subjects:
                continue
            tok = doc[i]
            ref = next((refs[n] for s, e, n in starts if s <= tok.idx < e), None)
            if ref is None and tok.lower_ in lex.pronouns and not _expletive(tok):
                agree = lex.pronouns[tok.lower_]
                ante = previous if previous is not None and previous.kind in AGREES.get(agree, ()) else None
                if ante is None and agree == "person":
                    ante = last_person
                if ante is not None:
                    ref = ActorRef(tok.idx, tok.idx + len(tok.text), tok.text, ante.code, ante.country, ante.sector,
                                   ante.kind, ante.name or ante.text, ante.role, ante.country_from)
                    added.append(ref)
            if ref is not None and subject is None and tok.head.i == sent.root.i:
                subject = ref
        while k < len(starts) and starts[k][0] < sent.end_char:
            if refs[starts[k][2]].kind == "person":
                last_person = refs[starts[k][2]]
            k += 1
        previous = subject
    if not added:
        return refs
    return sorted(refs + added, key=lambda r: (r.start, r.end))


def _expletive(tok: Token) -> bool:
    """'It is expected that ...', 'it seems to ...': no one."""
    head = tok.head
    clause = any(c.dep_ in ("ccomp", "xcomp", "csubj") for c in head.children)
    passive = any(c.dep_ == "auxpass" for c in head.children)
    return tok.lower_ == "it" and clause and (head.lemma_ in EXPLETIVE_HEADS or passive)


def _strong_sector(doc: Doc, cand: Candidate, term_at) -> bool:
    hit = term_at[cand.head]
    return hit is not None and hit.term.strong and bool(hit.term.sector)
