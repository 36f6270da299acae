"""Places: toponyms found in a parsed article and resolved to GeoNames entries.

Three steps, each a plain function of the `Doc`:

1. `find_mentions`: places known by the shape of the phrase (`places_shapes`: the names a
   plural closes a list of, "Barrow and Jackson counties"; streets; numbered roads), then
   spaCy's GPE/LOC/FAC entities, the parts of "Springfield, Ill.", place
   names the tagger calls ORG or PERSON or misses ("Minsk" as ORG) when the gazetteer
   and the words around them agree it is a place, and place names inside names of
   institutions ("the Shreveport Police Department").
2. `disambiguate`: every mention gets its candidate entries from the gazetteer; a prior
   (population, kind of place, primary or alternate name) is corrected by the document:
   the state or country right after a comma, countries and states named or implied by
   demonyms elsewhere in the article, and nearby candidates of the other mentions
   (namesakes are told apart by their neighbours: the Paris near Tyler and Dallas is
   Paris, Texas; states named together are states, countries named together countries).
   "A, B" is a place and its container when A has an entry inside B or B is a state
   written short ("Brandon, Minn."); "Georgia,
   Oklahoma, Pennsylvania and Ohio" is a list. Two rounds, the second with the first
   round's beliefs. States and provinces are located at the middle of their settled land
   (`places_admin1_points.tsv`, see `gazetteer.py`).
3. `is_metonym`: a place name standing for its government ("Beijing said", "Minsk is
   allied with Moscow", "Moscow's decision") is kept but marked: events must not take it
   as their location.

All word lists are data files (`places_cues.tsv`, `places_metonym_words.tsv`,
`places_us_states.tsv`, `places_aliases.tsv`) read through `tidings.resources`.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from tidings.nlp.gazetteer import Entry, Gazetteer, distance_km, fold_name, load_gazetteer
from tidings.nlp.places_home import Home
from tidings.nlp.places_shapes import listed_divisions, natural_features, shapes, streets
from tidings.records import Place

PLACE_LABELS = {"GPE", "LOC", "FAC"}
STREET = "STREET"         # the label of a street or road found by its shape (places_shapes)
OTHER_LABELS = {"ORG", "PERSON", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
MAX_CANDIDATES = 25
FLOOR = 0.3               # first-round belief floor, see disambiguate
NEAR_KM = 120.0          # two places this close support each other
MIN_STRONG_CITY = 100_000  # a city this big is a place even where the tagger said ORG
SIBLING_ADMIN1 = 0.5     # support of a state by another state of its country
SIBLING_COUNTRY = 0.3    # support of a country by another country
CITY_CLUE = 3.0          # prior of a city for a dateline or a name inside "X Post", "X Police"
HOME_REGION = 8.0        # prior per unit of the outlet's share of a region (see places_home)
HOME_COUNTRY = 1.0       # the same for the outlet's share of a country
ALTERNATE = -1.5         # prior of an entry found by an alternate name (primary: +1.0)
ALTERNATE_BIG_CITY = 0.5  # ... for a city of BIG_CITY people or more
BIG_CITY = 1_000_000

MIN_HOME_SHARE = 0.1      # an outlet's share of a region that makes a namesake there its own
LEVEL_CLUE = 4.0          # prior of a candidate of the level the words around say ("Washington state")
MIN_BODY_TOWN = 1000      # a town this big is a place in the name of its police, school, council
SMALL_NAMESAKE = 100_000  # a town smaller than this never takes a country's name unqualified
TOWN_FEATURES = ("city", "capital", "admin2")   # what a street or a building can take its point from

FEATURE_PRIOR = {
    "continent": 3.0,
    "country": 2.6,
    "region": 4.0,
    "admin1": 1.5,
    "capital": 2.0,
    "city": 0.0,
    "admin2": -0.6,
}


# ---------------------------------------------------------------- word lists

@dataclass(frozen=True)
class _Cues:
    locative: frozenset[str]
    street: frozenset[str]
    feature_noun: frozenset[str]
    institution: frozenset[str]
    title: frozenset[str]
    admin_suffix: frozenset[str]
    not_place: frozenset[str]
    disease: frozenset[str]
    not_toponym: frozenset[str]
    city_body: frozenset[str]
    not_place_lower: frozenset[str]
    firm: frozenset[str]
    body_lower: frozenset[str]
    town_body: frozenset[str]
    metonym_verb: frozenset[str]
    metonym_noun: frozenset[str]
    partner: frozenset[str]
    state_abbrev: dict[str, tuple[str, bool]]   # "Ill." -> ("IL", ambiguous)
    abbrev: dict[str, tuple[str, str, bool]]    # "Ont." -> ("Ontario", "CA", ambiguous)
    prefixes: tuple[str, ...]                   # "Northeast", "City of": longest first
    suffixes: tuple[str, ...]                   # "City", "Province"
    level_before: dict[str, str]                # "province" (of X) -> "admin1"
    level_after: dict[str, str]                 # (X) "state" -> "admin1"
    level_in_name: dict[str, str]               # (Quebec) "City" -> "city"


@functools.lru_cache(maxsize=1)
def _cues() -> _Cues:
    from tidings.resources import load_tsv

    kinds: dict[str, set[str]] = {}
    for row in load_tsv("places_cues.tsv"):
        kinds.setdefault(row["kind"], set()).add(row["word"])
    meto: dict[str, set[str]] = {}
    for row in load_tsv("places_metonym_words.tsv"):
        meto.setdefault(row["kind"], set()).add(row["word"].lower())
    abbrev = {r["abbreviation"]: (r["state"], r["ambiguous"] == "1") for r in load_tsv("places_us_states.tsv")}
    other = {r["abbreviation"]: (r["name"], r["country"], r["ambiguous"] == "1")
             for r in load_tsv("places_abbreviations.tsv")}
    levels = load_tsv("places_levels.tsv")
    affixes: dict[str, list[str]] = {}
    for row in load_tsv("places_affixes.tsv"):
        affixes.setdefault(row["kind"], []).append(row["words"])
    return _Cues(
        locative=frozenset(w.lower() for w in kinds.get("locative", ())),
        street=frozenset(kinds.get("street", ())),
        feature_noun=frozenset(kinds.get("feature_noun", ())),
        institution=frozenset(kinds.get("institution", ())),
        title=frozenset(kinds.get("title", ())),
        admin_suffix=frozenset(kinds.get("admin_suffix", ())),
        not_place=frozenset(kinds.get("not_place", ())),
        disease=frozenset(w.lower() for w in kinds.get("disease", ())),
        not_toponym=frozenset(kinds.get("not_toponym", ())),
        city_body=frozenset(kinds.get("city_body", ())),
        not_place_lower=frozenset(kinds.get("not_place_lower", ())),
        firm=frozenset(kinds.get("firm", ())),
        body_lower=frozenset(kinds.get("body_lower", ())),
        town_body=frozenset(kinds.get("town_body", ())),
        metonym_verb=frozenset(meto.get("verb", ())),
        metonym_noun=frozenset(meto.get("noun", ())),
        partner=frozenset(meto.get("partner", ())),
        state_abbrev=abbrev,
        abbrev=other,
        prefixes=tuple(sorted(affixes.get("prefix", ()), key=len, reverse=True)),
        suffixes=tuple(sorted(affixes.get("suffix", ()), key=len, reverse=True)),
        level_before={r["word"]: r["level"] for r in levels if r["where"] == "before"},
        level_after={r["word"]: r["level"] for r in levels if r["where"] == "after"},
        level_in_name={r["word"]: r["level"] for r in levels if r["where"] == "name"},
    )


@functools.lru_cache(maxsize=1)
def _COMMON_WORDS() -> frozenset[str]:   # noqa: N802 - a constant, built once
    """spaCy's English stop words: "Many", "Some" open sentences, they name no town."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


# ---------------------------------------------------------------- mentions

@dataclass
class Mention:
    """A stretch of text that may name a place, with what the text around it says."""

    start: int                       # token offsets in the doc
    end: int
    text: str
    label: str                       # the entity label it came from, "" for none
    hint: tuple[str, str] | None = None   # (country, admin1) from "City, State"
    forced: Entry | None = None      # a state abbreviation or a container after a comma
    inside: bool = False             # part of an organisation's name ("Ohio State University")
    city_clue: bool = False          # a dateline or a name inside an outlet's or a city body's name
    placed: bool = False             # the text around it says place ("in X", "X, State", a dateline)
    lookup: str | None = None        # the name to look up when it is not the text ("Barrow County")
    level: str | None = None         # the level the words around it say: "the province of X" -> admin1
    feature: bool = False            # a natural feature or park found by its shape ("Kanawha River")
    named_after: str | None = None   # a feature the gazetteer lacks: the town it is named like
    near: Entry | None = None        # ... and that town's entry, whose point it takes
    candidates: list[tuple[Entry, float]] = field(default_factory=list)
    beliefs: list[float] = field(default_factory=list)
    chosen: Entry | None = None

    @property
    def name(self) -> str:
        """The name looked up in the gazetteer."""
        return self.lookup or self.text

    @property
    def key(self) -> str:
        return fold_name(self.name)


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading article or direction word and a trailing possessive or dot."""
    while start < end and (doc[start].lower_ in ("the", "a", "an") or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct and doc[end - 1].text != "."
                           or end - start > 1 and doc[end - 1].is_lower and doc[end - 1].is_alpha):
        end -= 1   # "Beijing's", "the Asia-Pacific region" -> the name itself
    return start, end


def _state_of(gaz: Gazetteer, text: str, after_comma: bool) -> Entry | None:
    """A state or province written as an abbreviation: US states ("Ill.", "W.Va.", "TX"),
    and the press and postal forms of `places_abbreviations.tsv` ("Ont.", "N.S.W.",
    "Phila."). A form that is also a word is taken only after a comma ("Toronto, ON").
    "N.Y" is "N.Y." with its last dot lost to the sentence's, "Ont" one the tokenizer cut off."""
    cues = _cues()
    dot_lost = not text.endswith(".") and ("." in text or after_comma)
    for form in (text, text + ".") if dot_lost else (text,):
        abbrev = cues.state_abbrev.get(form)
        if abbrev and (after_comma or not abbrev[1]):
            return gaz.state("US", abbrev[0])
        other = cues.abbrev.get(form)
        if other and (after_comma or not other[2]):
            return _best_in(gaz, other[0], other[1])
    return None


def _best_in(gaz: Gazetteer, name: str, country: str) -> Entry | None:
    """The most prominent entry called `name` in `country` (Quebec the province, not the city)."""
    entries = [e for e, primary in gaz.lookup(name) if primary and e.country == country]
    return max(entries, key=lambda e: (FEATURE_PRIOR.get(e.feature, 0.0) + 0.4 * math.log10(e.population + 1)),
               default=None)


def _without_affixes(text: str) -> list[str]:
    """The name inside generic words news puts around it (`places_affixes.tsv`):
    "Northeast Georgia" -> "Georgia", "City of Santa Ana" -> "Santa Ana", "Huntsville
    City" -> "Huntsville", "Mid-Jutland" -> "Jutland"; the likeliest reading first."""
    cues = _cues()
    out = []
    core = text
    for p in cues.prefixes:
        if core.startswith(p) and len(core) > len(p) + 1 and core[len(p)] in " -":
            core = core[len(p) + 1:].lstrip()
            out.append(core)
            break
    for base in (text, core) if core != text else (text,):
        for sfx in cues.suffixes:
            if base.endswith(" " + sfx) and len(base) > len(sfx) + 1:
                out.append(base[:-len(sfx) - 1].rstrip())
                break
    return [o for o in out if o and o[0].isupper()]


def _container(gaz: Gazetteer, text: str) -> Entry | None:
    """What may follow "City, ": a US state (abbreviated or not), a country, a province."""
    state = _state_of(gaz, text, after_comma=True)
    if state:
        return state
    for e, primary in gaz.lookup(text):
        if primary and e.feature in ("admin1", "country", "admin2"):
            return e
    return None


def _split_commas(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    parts, s = [], start
    for i in range(start, end):
        if doc[i].text == ",":
            if i > s:
                parts.append((s, i))
            s = i + 1
    if end > s:
        parts.append((s, end))
    return parts


def _is_name_token(t: Token) -> bool:
    return t.text[:1].isupper() and (t.is_alpha or t.text.replace(".", "").replace("-", "").isalpha())


def _demonym(gaz: Gazetteer, text: str) -> str | None:
    """The country of a demonym or its plural ("Belarusian", "Palestinians")."""
    key = fold_name(text)
    return gaz.demonyms.get(key) or (gaz.demonyms.get(key[:-1]) if key.endswith("s") else None)


class _Finder:
    """Collects the mentions of one doc; `taken` keeps them from overlapping."""

    def __init__(self, doc: Doc, gaz: Gazetteer):
        self.doc, self.gaz, self.cues = doc, gaz, _cues()
        self.mentions: list[Mention] = []
        self.taken = [False] * len(doc)
        self.doc_keys: set[str] = set()     # names the doc uses as places elsewhere
        # token facts read once: spaCy's Doc.__getitem__ is slow in tight loops
        self.tok = list(doc)
        self.txt = [t.text for t in self.tok]
        self.low = [t.lower_ for t in self.tok]
        self.name = [_is_name_token(t) for t in self.tok]
        self.ent = [t.ent_type_ for t in self.tok]
        self.idx = [t.idx for t in self.tok]
        self.doctext = doc.text   # Doc.text joins every token each time it is read

    def text(self, start: int, end: int) -> str:
        return self.doctext[self.idx[start]:self.idx[end - 1] + len(self.txt[end - 1])]

    # -- helpers
    def locative_before(self, i: int) -> bool:
        """ "in Minsk", "near Brest"; "of" only after a person's age ("Rebecca Sears, 41,
        of Grovetown"): elsewhere "of" opens names ("Bank of America")."""
        if i > 0 and self.low[i - 1] == "of":
            return i >= 3 and self.txt[i - 2] == "," and self.txt[i - 3].isdigit()
        return i > 0 and self.low[i - 1] in self.cues.locative

    def body_after(self, end: int) -> bool:
        """Is the name before `end` a town's by the body or institution named after it?
        ("Corsicana Police Department", "Canaan Board of Finance", "Grovetown police")"""
        if end >= len(self.doc):
            return False
        word = self.txt[end]
        return word in self.cues.city_body or word in self.cues.town_body or self.low[end] in self.cues.body_lower

    def known_town(self, text: str) -> bool:
        """A town of MIN_BODY_TOWN people or more, a county or a state goes by this name
        (not a common word: "Many residents")."""
        if fold_name(text) in _COMMON_WORDS() or text in self.cues.not_place or text in self.cues.suffixes \
                or text.isupper() and len(text) <= 3:
            return False      # "Many", "Town Council", "WA Department": no town's name
        return any(e.feature in ("city", "capital", "admin2", "admin1") and e.population >= MIN_BODY_TOWN
                   for e in self.primary_entries(text))

    def primary_entries(self, text: str) -> list[Entry]:
        return [e for e, primary in self.gaz.lookup(text) if primary]

    def add(self, start: int, end: int, label: str, hint=None, forced=None, inside: bool = False,
            lookup: str | None = None) -> Mention | None:
        doc, gaz, cues = self.doc, self.gaz, self.cues
        start, end = _trim(doc, start, end)
        if start >= end or any(self.taken[start:end]):
            return None
        if label == STREET or lookup is not None:
            # the phrase's shape says what it is (places_shapes): no gazetteer checks
            m = Mention(start, end, self.text(start, end), label, lookup=lookup, placed=True)
            self.mentions.append(m)
            for i in range(start, end):
                self.taken[i] = True
            return m
        # "Laurel" + "County": the tagger often leaves the suffix out
        if end < len(doc) and self.txt[end] in cues.admin_suffix and not self.taken[end]:
            if gaz.has_key(fold_name(self.text(start, end + 1))):
                end += 1
        span = doc[start:end]
        if forced is None and (end < len(doc) and self.low[end] in cues.disease
                               or span.text in cues.not_toponym):
            return None   # "West Nile virus", "Ebola": diseases named after places
        if forced is None and label in PLACE_LABELS:
            forced = _state_of(gaz, span.text, after_comma=True)
        if forced is None and _demonym(gaz, span.text) and not gaz.has_key(fold_name(span.text)):
            return None   # "Sri Lankan", "Palestinians": demonyms are not toponyms
        m = Mention(start, end, span.text, label, hint=hint, forced=forced, inside=inside)
        # "WASHINGTON (AP) —", "the Washington Post", "Alexandria Police": datelines and the
        # bodies a city names after itself point at the city, not a state of the same name
        m.city_clue = self.dateline(start, end) or end < len(doc) and self.txt[end] in cues.city_body
        m.level = self.level_around(start, end)
        m.placed = (m.city_clue or hint is not None or self.locative_before(start)
                    or self.container_after(end) is not None)
        self.mentions.append(m)
        for i in range(start, end):
            self.taken[i] = True
        return m

    def level_around(self, start: int, end: int) -> str | None:
        """ "the province of Ontario", "Washington state", "the city of Alexandria"."""
        cues = self.cues
        if start >= 2 and self.low[start - 1] == "of" and self.txt[start - 2] in cues.level_before:
            return cues.level_before[self.txt[start - 2]]
        if end < len(self.doc) and self.txt[end] in cues.level_after:
            return cues.level_after[self.txt[end]]
        return None

    def container_after(self, end: int) -> tuple[int, int, Entry] | None:
        """ ", Ill." / ", Ohio" / ", Russia" right after a name."""
        doc = self.doc
        if not (end + 1 < len(doc) and self.txt[end] == ","):
            return None
        j = k = end + 1
        while k < len(doc) and k - j < 3 and self.name[k]:
            k += 1
        for stop in range(k, j, -1):
            cont = _container(self.gaz, self.text(j, stop))
            if cont is not None and cont.feature != "admin2":
                return j, stop, cont
        return None

    def add_with_container(self, start: int, end: int, label: str, inside: bool = False) -> None:
        """Add a place span, reading "City, State" inside it or right after it."""
        parts = _split_commas(self.doc, start, end)
        if len(parts) == 1:
            after = self.container_after(end)
            if after and self.fits(start, end, after[2], listed=self.list_goes_on(after[1]),
                                   abbreviated=_state_of(self.gaz, self.text(after[0], after[1]), True) is not None):
                parts.append((after[0], after[1]))
            elif after and self.list_goes_on(after[1]):    # "Suba, Migori, Homa Bay": a list
                self.add(start, end, label, inside=inside)
                self.add(after[0], after[1], label, inside=inside)
                return
        elif not self.fits(*parts[0], _container(self.gaz, self.text(*parts[1])),
                           listed=len(parts) > 2 or self.list_goes_on(end)):
            for s, e in parts:   # "Ohio, Indiana, Georgia": a list, not a place and its state
                self.add(s, e, label, inside=inside)
            return
        if len(parts) > 1:
            outer = [(_container(self.gaz, self.text(s, e)), s, e) for s, e in parts[1:]]
            hint = None
            for cont, _, _ in outer:
                if cont is not None and hint is None:
                    hint = (cont.country, cont.admin1 if cont.feature != "country" else "")
            self.add(parts[0][0], parts[0][1], label, hint=hint, inside=inside)
            for cont, s, e in outer:
                self.add(s, e, label, forced=cont)
            return
        self.add(start, end, label, inside=inside)

    def fits(self, start: int, end: int, cont: Entry | None, listed: bool = False,
             abbreviated: bool = False) -> bool:
        """Can the name at start:end lie in `cont`, the name after its comma? A name the
        gazetteer does not know may; a known one only if one of its entries lies there
        ("Brest, Belarus"). Not so "Missouri, Ohio" or "California, Georgia": a list. In
        a list that goes on ("Georgia, Oklahoma, Pennsylvania and Ohio") a state or a
        country is an item, not a town of the next state."""
        if cont is None:
            return True
        entries = self.primary_entries(self.text(start, end))
        if not entries:
            return True
        if abbreviated and not any(e.feature in ("admin1", "country") for e in entries):
            return True   # "Brandon, Minn.": a state abbreviated follows only a town of it
        if listed and cont.feature in ("admin1", "country") and any(
                e.feature in ("admin1", "country") and e is not cont for e in entries):
            return False
        return any(e is not cont and e.country == cont.country and e.feature != "country"
                   and (cont.feature == "country" or e.feature != "admin1" and e.admin1 == cont.admin1)
                   for e in entries)

    def list_goes_on(self, end: int) -> bool:
        """Does another name follow, after a comma or "and"/"or"? ("..., Ohio, Utah")"""
        k = end
        if k < len(self.doc) and self.txt[k] == ",":
            k += 1
        if k < len(self.doc) and self.low[k] in ("and", "or"):
            k += 1
        return k > end and k < len(self.doc) and self.name[k]

    def is_place_name(self, start: int, end: int, label: str) -> bool:
        """Is this name, which the tagger did not call a place, a place? When the doc
        calls it a place elsewhere, when a state follows it ("Greer, S.C."), when it
        opens a dateline, or when the gazetteer knows it well (a country, a state, a
        capital, a big city) and nothing around it says person or institution."""
        doc, cues = self.doc, self.cues
        if start > 0 and self.txt[start - 1] in cues.title:
            return False
        if not self.name[start]:
            return False      # "coast guard officials": a lower-case word names no place
        text = self.text(start, end)
        if text in cues.not_place or (end - start == 1 and text in cues.feature_noun):
            return False      # "Coast guard ships": a feature word alone is no place
        entries = self.primary_entries(text)
        if not entries:
            return False
        key = fold_name(text)
        if key in self.doc_keys:
            return True
        after = self.container_after(end)
        if after and any(e.country == after[2].country and (after[2].feature == "country" or e.admin1 == after[2].admin1)
                         for e in entries):
            return True
        if self.dateline(start, end):
            return True
        if end < len(doc) and self.txt[end] in cues.street:
            return False
        if self.body_after(end) and self.known_town(text):
            return True       # "Canaan Board of Finance", "Grovetown police": the town's own
        if end < len(doc) and self.txt[end] in cues.institution:
            return False
        best = max(entries, key=lambda e: (FEATURE_PRIOR.get(e.feature, 0), e.population))
        strong = best.feature in ("country", "admin1", "continent", "region", "capital") or (
            best.feature == "city" and best.population >= MIN_STRONG_CITY
        )
        # "the Gainesville sewer system", "Winona man": a name modifying a common noun
        modifier = end - start == 1 and doc[start].dep_ == "compound" and doc[start].head.pos_ == "NOUN" \
            and doc[start].head.is_lower and best.population >= 1000
        if label == "PERSON":
            # people are named after places all the time: "Jackson", "Austin", "Paris Hilton"
            single = end - start == 1
            return (best.feature in ("country", "continent") or (strong and self.locative_before(start))
                    or (single and best.feature == "capital") or modifier)
        if modifier:
            return True
        if strong:
            return True
        return self.locative_before(start) and best.population >= 1000

    def dateline(self, start: int, end: int) -> bool:
        """ "BEIRUT:" / "COLUMBUS, Ohio (AP) —": a capitalised place name opening a line."""
        doc = self.doc
        if not all(self.txt[k].isupper() for k in range(start, end)):
            return False
        first = start == 0 or "\n" in doc[start - 1].whitespace_ or doc[start].is_sent_start
        return first and end < len(doc) and self.txt[end] in (",", ":", "—", "-", "--", "(")

    # -- phases
    def shaped(self) -> None:
        """Divisions a plural closes a list of, streets and numbered roads (places_shapes)."""
        for sp in listed_divisions(self.doc):
            self.add(sp.start, sp.end, "LOC", lookup=sp.lookup)
        for sp in streets(self.doc, not_after=self.cues.institution):
            self.add(sp.start, sp.end, STREET)
        known = lambda text: self.gaz.has_key(fold_name(text))   # noqa: E731
        for sp in natural_features(self.doc, known, not_after=self.cues.institution | self.cues.city_body):
            m = self.add(sp.start, sp.end, "LOC", lookup=sp.lookup)
            if m is not None:
                m.feature = True

    def place_entities(self) -> None:
        ents = list(self.doc.ents)
        for k, ent in enumerate(ents):
            # "Democratic Republic" + "of the" + "Congo": the tagger cut one name in two
            if ent.label_ in ("GPE", "LOC") and k + 1 < len(ents) and ents[k + 1].label_ in ("GPE", "LOC"):
                nxt = ents[k + 1]
                between = [self.low[i] for i in range(ent.end, nxt.start)]
                if between in (["of"], ["of", "the"]) and self.gaz.has_key(fold_name(self.text(ent.start, nxt.end))):
                    self.add(ent.start, nxt.end, ent.label_)
                    continue
            if ent.label_ in ("GPE", "LOC"):
                self.add_with_container(ent.start, ent.end, ent.label_)
            elif ent.label_ == "FAC":
                start, end = _trim(self.doc, ent.start, ent.end)
                if start < end and (self.gaz.has_key(fold_name(self.text(start, end)))
                                    or self.txt[end - 1] in self.cues.street):
                    self.add_with_container(ent.start, ent.end, ent.label_)
        self.doc_keys = {m.key for m in self.mentions if m.forced is None and self.gaz.has_key(m.key)}

    def other_entities(self) -> None:
        for ent in self.doc.ents:
            if ent.label_ in ("GPE", "LOC"):
                continue
            if ent.label_ not in OTHER_LABELS | {"FAC"} and not self.country_name(ent.start, ent.end):
                continue  # a real date or number; but the small model calls "Niger" a DATE at times
            if ent.label_ == "NORP" and _demonym(self.gaz, ent.text):
                continue
            start, end = _trim(self.doc, ent.start, ent.end)
            if start >= end or any(self.taken[start:end]):
                continue
            if self.is_place_name(start, end, ent.label_):
                self.add_with_container(start, end, ent.label_)
            elif ent.label_ in ("ORG", "FAC", "EVENT", "PERSON"):
                self.inner_names(start, end, strict=ent.label_ == "PERSON")

    def country_name(self, start: int, end: int) -> bool:
        """A proper name that is a country's name ("Niger", "Chad"), whatever the tagger called it."""
        if not all(t.pos_ == "PROPN" and t.is_alpha for t in self.doc[start:end]):
            return False
        return any(e.feature == "country" for e in self.primary_entries(self.text(start, end)))

    def inner_names(self, start: int, end: int, strict: bool = False) -> None:
        """Place names inside a name: "Shreveport Police Department", "University of
        Rochester". Kept as places, marked as not where events happen."""
        doc = self.doc
        i = start
        while i < end:
            found = False
            if self.name[i] and not self.taken[i]:
                for stop in range(min(end, i + 4), i, -1):
                    if not all(self.name[i:stop]):
                        continue
                    text = self.text(i, stop)
                    if text in self.cues.not_place or (stop - i == 1 and text in self.cues.feature_noun):
                        continue
                    key = fold_name(text)
                    entries = self.primary_entries(text) if key in self.doc_keys or self.gaz.has_key(key) else []
                    after_prep = i > start and self.low[i - 1] in ("in", "of", "at") and not strict
                    # "Corsicana Police"; not in a person's name ("Linda Daily")
                    named_body = not strict and self.body_after(stop) and self.known_town(text)
                    if entries and (key in self.doc_keys or self.strong(entries, text, strict) or after_prep
                                    or named_body):
                        self.add(i, stop, "INSIDE", inside=True)
                        i, found = stop, True
                        break
            if not found:
                i += 1

    def strong(self, entries: list[Entry], text: str, strict: bool = False) -> bool:
        """Known well enough to be a place wherever it is written: "Laurel County" (a
        county with its suffix); unless strict, also countries, states, capitals, big cities."""
        if text.split()[-1] in self.cues.admin_suffix and any(e.feature == "admin2" for e in entries):
            return True
        if strict:
            return False
        return any(e.feature in ("country", "admin1", "continent", "region", "capital")
                   or e.feature == "city" and e.population >= MIN_STRONG_CITY for e in entries)

    def untagged_names(self) -> None:
        doc, gaz = self.doc, self.gaz
        i = 0
        while i < len(doc):
            if self.taken[i] or self.ent[i] or not self.name[i]:
                i += 1
                continue
            t = self.tok[i]
            j = i
            while j < len(doc) and not self.taken[j] and not self.ent[j] and self.name[j] and j - i < 4:
                j += 1
            found = False
            for stop in range(j, i, -1):
                text = self.text(i, stop)
                state = _state_of(gaz, text, after_comma=i > 0 and self.txt[i - 1] == ",")
                if state is not None:
                    self.add(i, stop, "", forced=state)
                    found = True
                    break
                # a capital opening a sentence says nothing by itself
                if t.is_sent_start and not self.locative_before(i) and fold_name(text) not in self.doc_keys \
                        and not self.dateline(i, stop) and not self.container_after(stop) \
                        and not (self.body_after(stop) and self.known_town(text)):
                    continue
                if self.is_place_name(i, stop, ""):
                    inside = stop < len(doc) and self.txt[stop] in self.cues.institution
                    self.add_with_container(i, stop, "", inside=inside)
                    found = True
                    break
            i = stop if found else j


def find_mentions(doc: Doc, gaz: Gazetteer | None = None) -> list[Mention]:
    """Every stretch of the doc that may name a place, in document order."""
    finder = _Finder(doc, gaz or load_gazetteer())
    finder.shaped()
    finder.place_entities()
    finder.other_entities()
    finder.untagged_names()
    finder.mentions.sort(key=lambda m: m.start)
    return _not_people(finder.mentions, doc, finder.gaz)


_NAME_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})


def _not_people(mentions: list[Mention], doc: Doc, gaz: Gazetteer) -> list[Mention]:
    """People and firms are not places unless the text puts them there: a one-word name
    that is the surname of a person the article names in full ("David Hopkins ...
    Hopkins said", "Tony Servance Jr."), that the article writes elsewhere as a firm's
    name ("Titan Operating ... Titan said"), or that a lower-case word makes a person's
    or a firm's ("the Obama administration"), is dropped, unless it is placed ("in
    Hopkins", "Hopkins, Minn.") or names a country or a state."""
    cues = _cues()
    surnames = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) >= 2:
            last = ent[-2] if ent[-1].text in _NAME_SUFFIXES and len(ent) >= 3 else ent[-1]
            if last.is_title:
                surnames.add(last.text)
    firms = {doc[i].text for i in range(len(doc) - 1) if doc[i + 1].text in cues.firm and doc[i].is_title}
    kept = []
    for m in mentions:
        single = m.end - m.start == 1
        if single and m.forced is None and not m.placed:
            follower = doc[m.end].text if m.end < len(doc) else ""
            if m.text in surnames or m.text in firms or follower in cues.not_place_lower:
                if not any(e.feature in ("country", "admin1", "continent") for e, p in gaz.lookup(m.text) if p):
                    continue
        kept.append(m)
    return kept


# ---------------------------------------------------------------- resolution

def _prior(e: Entry, primary: bool, m: Mention) -> float:
    score = 0.4 * math.log10(e.population + 1) + FEATURE_PRIOR.get(e.feature, 0.0)
    if m.city_clue and e.feature in ("city", "capital"):
        score += CITY_CLUE
    if primary:
        score += 1.0
    else:
        # an alternate name is mostly another language's spelling, but a city of millions
        # is known in English by its alternate and former names too ("Calcutta", "Peking")
        score += ALTERNATE_BIG_CITY if e.feature in ("city", "capital") and e.population >= BIG_CITY else ALTERNATE
    if e.feature == "admin2" and m.name.split()[-1] in _cues().admin_suffix:
        score += 2.5      # "Laurel County" written in full: the county, not the town
    return score


def _near(a: Entry, b: Entry) -> tuple[float, float]:
    """How much b being meant supports a being meant, as (strong, weak) evidence. Strong:
    close places, a place in a named state, a state or country holding a named place,
    and, less, a state beside another state of its country or a country beside a country.
    Weak: the same country (many weak hints must not outweigh one strong one)."""
    if a is b:
        return 0.0, 0.0
    small = ("city", "capital", "admin2")
    same_country = a.country != "" and a.country == b.country
    weak = 0.15 if same_country else 0.0
    if a.feature in small and b.feature in small:
        if abs(a.lat - b.lat) > 3.0 or abs(a.lon - b.lon) > 4.0 and abs(a.lon - b.lon) < 356.0:
            return 0.0, weak      # far apart: no need for the exact distance
        d = distance_km(a.lat, a.lon, b.lat, b.lon)
        return (1.0 if d < NEAR_KM else 0.4 if d < 2.5 * NEAR_KM else 0.0), weak
    if b.feature == "admin1":
        if same_country and a.admin1 == b.admin1 and a.feature != "admin1":
            return 2.0, 0.0
        if same_country and a.feature == "admin1":
            return SIBLING_ADMIN1, 0.0     # "Ohio, Indiana and Georgia": states of one country
        return 0.0, weak
    if b.feature == "country":
        if a.feature == "country":
            return SIBLING_COUNTRY, 0.0    # "Chad, Niger and Mali": countries named together
        return (0.6 if same_country else 0.0), 0.0
    if a.feature == "admin1":
        return (1.0 if same_country and b.admin1 == a.admin1 else 0.0), weak
    if a.feature == "country":
        return (0.6 if same_country else 0.0), 0.0
    return 0.0, weak


def _softmax(scores: list[float]) -> list[float]:
    if not scores:
        return []
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [x / total for x in exps]


def _retry_lookup(gaz: Gazetteer, text: str) -> list[tuple[Entry, bool]]:
    """Entries for a name the gazetteer does not know as written: an abbreviation
    ("B.C.", "Phila."), or the name inside generic words ("Northeast Georgia")."""
    abbrev = _state_of(gaz, text, after_comma=False)
    if abbrev is not None:
        return [(abbrev, True)]
    for variant in _without_affixes(text):
        found = [(e, p) for e, p in gaz.lookup(variant) if p or e.population >= 1000]
        if found:
            return found
    return []


def _level_of(e: Entry) -> str:
    return "city" if e.feature in ("city", "capital") else e.feature


def _home_prior(e: Entry, home: Home | None) -> float:
    """What the outlet's home adds to an entry: a local paper's "Alexandria" is its own."""
    if home is None or e.feature in ("continent", "region"):
        return 0.0
    region, country = home.share(e.country, e.admin1)
    return HOME_REGION * region + HOME_COUNTRY * country


def disambiguate(mentions: list[Mention], doc: Doc, gaz: Gazetteer | None = None,
                 home: Home | None = None) -> None:
    """Choose an entry for every mention that has candidates (sets `Mention.chosen`).
    `home` is the outlet's prior over regions (`places_home`), None when unknown."""
    gaz = gaz or load_gazetteer()
    # a level said once ("the province of Ontario") holds for the name in the whole article
    levels: dict[str, str] = {}
    for m in mentions:
        if m.level:
            levels.setdefault(m.key, m.level)
    priors: list[list[float]] = []
    for m in mentions:
        if m.forced is not None:
            m.candidates = [(m.forced, 10.0)]
        elif m.label == STREET:
            m.candidates = []      # a street takes its town's point (_town_of)
        else:
            found = gaz.lookup(m.name) or _retry_lookup(gaz, m.name)
            if not found and m.feature:
                # "St. Marys River", "Lake Hartwell": a river or lake the gazetteer lacks is
                # put at the town it is named like, chosen as any place is (below)
                core = _feature_core(m.name)
                found = [(e, p) for e, p in gaz.lookup(core) if p and e.feature in TOWN_FEATURES] if core else []
                if found:
                    m.named_after = core
            level = levels.get(m.key)
            if level is None and not gaz.has_key(m.key):     # "Quebec City", known as "Quebec"
                level = _cues().level_in_name.get(m.name.rsplit(" ", 1)[-1])
            scored = [(e, _prior(e, primary, m) + _home_prior(e, home)
                       + (LEVEL_CLUE if level and _level_of(e) == level else 0.0)) for e, primary in found]
            if m.hint:
                cc, a1 = m.hint
                inside = [e.country == cc and (not a1 or e.admin1 == a1) for e, _ in scored]
                # "Brandon, Minn." with no Brandon in Minnesota known: the state's point
                # (resolve_places), never a namesake the text rules out
                scored = [(e, s + 8.0) for (e, s), ok in zip(scored, inside) if ok]
            scored.sort(key=lambda x: -x[1])
            m.candidates = scored[:MAX_CANDIDATES]
        priors.append([s for _, s in m.candidates])
        m.beliefs = _softmax(priors[-1])

    # countries named through demonyms ("Belarusian troops") count as named countries
    demonym_countries: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "NORP":
            cc = _demonym(gaz, ent.text)
            if cc:
                demonym_countries.add(cc)
    demonym_entries = [e for e in (gaz.country(cc) for cc in demonym_countries) if e is not None]

    groups: dict[str, list[int]] = {}
    for n, m in enumerate(mentions):
        if m.candidates:
            groups.setdefault(m.key, []).append(n)

    for _round in range(2):
        # one belief per distinct name: the same name twice is one piece of evidence
        name_beliefs = {k: (mentions[ns[0]].candidates, mentions[ns[0]].beliefs) for k, ns in groups.items()}
        new_beliefs = {}
        for key, ns in groups.items():
            m = mentions[ns[0]]
            if m.forced is not None or len(m.candidates) == 1:
                continue
            scores = []
            for (e, prior) in m.candidates:
                strong = weak = 0.0
                for other, (cands, beliefs) in name_beliefs.items():
                    if other == key:
                        continue
                    best_s = best_w = 0.0
                    for (o, _), b in zip(cands, beliefs):
                        # first round: every reading of the other name counts a little, so
                        # two namesakes that fit each other (Paris and Henry County,
                        # Tennessee) can both beat their famous readings
                        b = max(b, FLOOR) if _round == 0 else b
                        if b < 0.02:
                            continue
                        s_, w_ = _near(e, o)
                        best_s = max(best_s, s_ * b)
                        best_w = max(best_w, w_ * b)
                    strong += best_s
                    weak += best_w
                for o in demonym_entries:
                    strong += 0.5 * _near(e, o)[0]
                scores.append(prior + 1.6 * (min(strong, 4.0) + min(weak, 0.6)))
            new_beliefs[key] = scores
        for key, scores in new_beliefs.items():
            for n in groups[key]:
                # a hint on one occurrence ("Paris, Texas") holds for the name in the doc
                mentions[n].beliefs = _softmax(scores)
        for key, ns in groups.items():
            hinted = [mentions[n] for n in ns if mentions[n].hint]
            if hinted and len(ns) > 1:
                for n in ns:
                    if not mentions[n].hint:
                        mentions[n].candidates = hinted[0].candidates
                        mentions[n].beliefs = hinted[0].beliefs
            # the first occurrence stands for the name in the next round
    for m in mentions:
        if m.candidates:
            best = max(range(len(m.candidates)), key=lambda k: m.beliefs[k])
            m.chosen = _country_over_namesake(m, _city_for_city_region(m.candidates[best][0], m.candidates), home)
            if m.named_after:
                m.near, m.chosen = m.chosen, None


def _country_over_namesake(m: Mention, chosen: Entry, home: Home | None) -> Entry:
    """A country's name never goes to a small namesake ("China" near Houston is still
    China) unless the text qualifies it ("China, Texas" gives a hint) or the namesake
    lies in the outlet's home (a Tennessee paper's "Lebanon")."""
    if m.hint is not None or m.forced is not None or chosen.feature not in ("city", "admin2") \
            or chosen.population >= SMALL_NAMESAKE or _home_prior(chosen, home) >= HOME_REGION * MIN_HOME_SHARE:
        return chosen
    for e, _ in m.candidates:
        if e.feature == "country":
            return e
    return chosen


def _city_for_city_region(chosen: Entry, candidates: list[tuple[Entry, float]]) -> Entry:
    """A province that is a city's own ("Astana", "Beijing" as municipalities): the name
    means the city. A state where the namesake city is a minority ("New York") stays."""
    if chosen.feature not in ("admin1", "admin2"):
        return chosen
    for e, _ in candidates:
        if (e.feature in ("city", "capital") and e.country == chosen.country and e.admin1 == chosen.admin1
                and e.population >= 0.6 * chosen.population):
            return e
    return chosen


# ---------------------------------------------------------------- metonymy

def is_metonym(doc: Doc, start: int, end: int) -> bool:
    """Does the place name at doc[start:end] stand for an actor?"""
    cues = _cues()
    head = doc[start:end].root
    dep = head.dep_
    gov = head.head
    if dep in ("nsubj", "nsubjpass") and gov.pos_ in ("VERB", "AUX", "ADJ"):
        if gov.lemma_.lower() in cues.metonym_verb:
            return True
        # "Minsk is allied with Moscow", "Beijing has been wary of"
        if gov.lemma_.lower() in cues.partner or gov.text.lower() in cues.partner:
            return True
        for child in gov.children:
            if child.dep_ in ("xcomp", "acomp") and child.lemma_.lower() in cues.metonym_verb | cues.partner:
                return True
        if gov.lemma_.lower() == "be" and any(c.dep_ == "acomp" and c.text.lower() in ("wary", "allied", "opposed", "ready", "willing") for c in gov.children):
            return True
    if dep == "poss" and gov.lemma_.lower() in cues.metonym_noun | {w.rstrip("s") for w in cues.metonym_noun}:
        return True
    if dep == "pobj" and gov.lower_ == "with" and gov.head.lower_ in cues.partner:
        return True
    if dep == "conj":
        # "China and Belarus share interests": the conjunct shares the first name's role
        first = head.head
        while first.dep_ == "conj":
            first = first.head
        if first.ent_type_ in ("GPE",) and first.i < start:
            return is_metonym(doc, first.i, first.i + 1)
    return False


# ---------------------------------------------------------------- entry point

def _place(doc: Doc, m: Mention) -> Place:
    span = doc[m.start:m.end]
    text = span.text.rstrip("-–")          # "Beijing- and Moscow-led"
    start, end = span.start_char, span.start_char + len(text)
    e = m.chosen
    # a place inside an organisation's name is not where an event happens either
    metonym = m.inside or is_metonym(doc, m.start, m.end)
    if e is None:
        return Place(start, end, text, None, feature=_unresolved_feature(doc, m), metonym=metonym)
    return Place(
        start=start,
        end=end,
        text=text,
        geonameid=e.geonameid,
        name=e.name,
        country=e.country or None,
        lat=e.lat,
        lon=e.lon,
        feature="city" if e.feature == "capital" else e.feature,
        metonym=metonym,
    )


def _unresolved_feature(doc: Doc, m: Mention) -> str:
    last = doc[m.end - 1].text
    cues = _cues()
    if m.label == STREET or last in cues.street:
        return "street"
    if m.feature:
        return "feature"
    if last in cues.feature_noun:
        return "feature"
    return "place"


def _keep_unresolved(doc: Doc, m: Mention) -> bool:
    """A name with no gazetteer entry is still a toponym when the tagger says it is a
    place or a location, or when it is a street or a named feature."""
    cues = _cues()
    last = doc[m.end - 1].text
    if m.label == STREET or m.hint is not None:
        return True     # a street; "Brandon, Minn.": the text says place
    if m.label == "FAC":
        return last in cues.street or last in cues.feature_noun
    if m.label == "LOC":
        return True
    if m.label == "GPE":
        # a name the gazetteer does not know is a place only where the text says so: the
        # tagger calls many surnames GPE ("Hartmann", "Musharraf")
        return m.placed
    return False


def resolve_places(doc: Doc, home: Home | None = None) -> list[Place]:
    """Every toponym in `doc`, with doc character offsets, resolved to GeoNames where the
    gazetteer has it; metonyms ("Beijing said") are kept and marked. `home` is the prior
    of the article's outlet (`places_home.OutletHomes.home_of`), if known."""
    gaz = load_gazetteer()
    mentions = find_mentions(doc, gaz)
    disambiguate(mentions, doc, gaz, home)
    places = []
    for k, m in enumerate(mentions):
        if m.chosen is None and not _keep_unresolved(doc, m):
            continue
        place = _place(doc, m)
        if m.near is not None and not _near_the_story(m, mentions):
            m.near = None      # a namesake town nothing else in the article is near
        if m.near is not None:
            place.lat, place.lon, place.country = m.near.lat, m.near.lon, m.near.country or None
            place.resolved_from = m.named_after
        elif m.chosen is None:
            _take_town_point(place, m.feature and _around(doc, mentions, k) or _town_of(doc, mentions, k))
        places.append(place)
    return places


def _town_of(doc: Doc, mentions: list[Mention], k: int) -> Mention | None:
    """The town a street, building or venue lies in: the place right after it and a comma
    ("420 Memphis St., Alexandria"), else the nearest town or county named before it."""
    m = mentions[k]
    if k + 1 < len(mentions):
        nxt = mentions[k + 1]
        if nxt.chosen is not None and nxt.start == m.end + 1 and doc[m.end].text == "," \
                and (nxt.chosen.feature in TOWN_FEATURES or m.hint is not None):
            return nxt    # "420 Memphis St., Alexandria"; "Brandon, Minn.": the state's point
    for prev in reversed(mentions[:k]):
        if prev.chosen is not None and prev.chosen.feature in TOWN_FEATURES:
            return prev
    return None


def _near_the_story(m: Mention, mentions: list[Mention]) -> bool:
    """Is the town a river or lake is named like in a state or province another place of
    the article lies in, or near one? ("Kanawha River" in a West Virginia story is not at
    Kanawha, Iowa; "Lake Hartwell" in a story from Anderson, S.C., is at Hartwell, Ga.)"""
    e = m.near
    if e is None:
        return False
    for o in mentions:
        c = o.chosen
        if o is m or c is None or c.feature in ("country", "continent", "region"):
            continue
        if c.country == e.country and c.admin1 == e.admin1:
            return True
        if c.feature in TOWN_FEATURES and distance_km(c.lat, c.lon, e.lat, e.lon) < 2.5 * NEAR_KM:
            return True
    return False


def _feature_core(name: str) -> str | None:
    """ "St. Marys River" -> "St. Marys", "Lake Hartwell" -> "Hartwell"."""
    words = name.split()
    if len(words) < 2:
        return None
    if words[0] in shapes().feature_prefix:
        return " ".join(words[1:])
    if words[-1] in shapes().feature:
        return " ".join(words[:-1])
    return None


def _around(doc: Doc, mentions: list[Mention], k: int) -> Mention | None:
    """The place a river, lake or park the gazetteer lacks is named with: the one right
    after it ("Zion National Park in Utah"), else the nearest town, county or state of
    its sentence (else, as for a street, the nearest town named before it)."""
    m = mentions[k]
    sent = doc[m.start].sent
    near = [o for o in mentions if o is not m and o.chosen is not None
            and o.chosen.feature in TOWN_FEATURES + ("admin1",)
            and sent.start <= o.start < sent.end]
    for o in near:   # "Rocky Mountain National Park in Colorado", "Star Lake, Minn."
        if o.start == m.end + 1 and doc[m.end].lower_ in ("in", ","):
            return o
    # a town or county of the sentence before its state: "Charleston, W.Va., ... the Kanawha River"
    return min(near, key=lambda o: (o.chosen.feature == "admin1", abs(o.start - m.start)), default=None)


def _take_town_point(place: Place, town: Mention | None) -> None:
    if town is None or town.chosen is None:
        return
    e = town.chosen
    place.lat, place.lon, place.country = e.lat, e.lon, e.country or None
    place.resolved_from = town.text
