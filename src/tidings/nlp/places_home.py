"""The outlet's home: where an outlet's unambiguous place names say it is at home.

A local paper writes "Alexandria" for its own town and "Athens" for the one down the
road; only the outlet says which of the world's namesakes it means. `OutletHomes` learns
that from what each outlet has published: every name the gazetteer gives one region
only ("Rapides Parish", "Louisiana", "Pineville, La."), counted once per article, votes
for that region (a country and its first-level division). `Home` is the share of those
votes per region and per country, a prior the places layer adds to namesakes
(`disambiguate(..., home=...)`).

Nothing here reaches into a store: `OutletHomes.state()` / `from_state()` are plain JSON,
which `tidings add` keeps in the store's `state` table between runs, and `tidings
annotate` learns it within its input. No list of outlets is written by hand: an outlet
is `records.outlet_identity` (its name, else its URL's host).
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from tidings.nlp.gazetteer import Gazetteer, fold_name, load_gazetteer

# A run of capitalised words, as names are written ("Rapides Parish", "St. Louis").
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|of|de|del|du|la|le))*")
_STATE_AFTER = re.compile(r"^,[ \t]*([A-Z][A-Za-z.]{1,6})")
MAX_WORDS = 4
MIN_ONE_WORD_POPULATION = 1000   # a one-word name of a hamlet is too often a word or a surname
PSEUDO_VOTES = 3.0               # shares are tempered while an outlet has said little
MIN_SHARE = 0.05                 # regions below this share are no prior at all
MAX_KEPT = 64                    # regions and countries kept per outlet in the saved state
UNKNOWN_OUTLET = "article:"      # records.outlet_identity's prefix for an article with no outlet


@dataclass(frozen=True)
class Home:
    """An outlet's prior over regions: share of its unambiguous place votes."""

    regions: dict[str, float]        # "US.LA" -> share
    countries: dict[str, float]      # "US" -> share

    def share(self, country: str, admin1: str) -> tuple[float, float]:
        """(share of the entry's region, share of its country)."""
        region = self.regions.get(f"{country}.{admin1}", 0.0) if admin1 else 0.0
        return region, self.countries.get(country, 0.0)


@dataclass
class OutletHomes:
    """Votes per outlet: {outlet: {"US.LA": n, "US": n, ...}} and articles read per outlet."""

    votes: dict[str, Counter] = field(default_factory=dict)
    articles: Counter = field(default_factory=Counter)

    def learn(self, outlet: str | None, text: str, gaz: Gazetteer | None = None) -> None:
        """Count the regions named unambiguously in one article of `outlet`."""
        if not outlet or outlet.startswith(UNKNOWN_OUTLET) or not text:
            return
        votes = region_votes(text, gaz or load_gazetteer())
        self.articles[outlet] += 1
        if votes:
            counter = self.votes.setdefault(outlet, Counter())
            for region, n in votes.items():
                counter[region] = round(counter[region] + n, 4)

    def home_of(self, outlet: str | None) -> Home | None:
        counter = self.votes.get(outlet or "")
        if not counter:
            return None
        region_total = sum(n for k, n in counter.items() if "." in k) + PSEUDO_VOTES
        country_total = sum(n for k, n in counter.items() if "." not in k) + PSEUDO_VOTES
        regions = {k: n / region_total for k, n in counter.items() if "." in k and n / region_total >= MIN_SHARE}
        countries = {k: n / country_total for k, n in counter.items()
                     if "." not in k and n / country_total >= MIN_SHARE}
        if not regions and not countries:
            return None
        return Home(regions, countries)

    # -- state kept between runs (plain JSON)
    def state(self) -> dict:
        """Plain JSON; an outlet keeps its MAX_KEPT strongest regions, so the state stays
        small however many namesakes its papers have named."""
        return {"votes": {o: dict(sorted(c.most_common(MAX_KEPT))) for o, c in sorted(self.votes.items())},
                "articles": dict(sorted(self.articles.items()))}

    @classmethod
    def from_state(cls, state: dict | None) -> "OutletHomes":
        if not state:
            return cls()
        return cls(votes={o: Counter(c) for o, c in (state.get("votes") or {}).items()},
                   articles=Counter(state.get("articles") or {}))


@functools.lru_cache(maxsize=1)
def _state_abbreviations() -> dict[str, str]:
    from tidings.resources import load_tsv

    return {r["abbreviation"]: r["state"] for r in load_tsv("places_us_states.tsv")}


def region_votes(text: str, gaz: Gazetteer) -> dict[str, float]:
    """What one article says about where its outlet is: every name written as a place
    ("in Alexandria", "of Pineville", "Pointe Coupee Parish", "Pineville, La.", a
    dateline "MIDDLETOWN —") votes for the regions ("US.LA") and countries of its
    gazetteer entries, one vote shared among them: a name found in one region only
    gives that region a whole vote, "Alexandria" a tenth to each of ten. Each name
    counts once per article. Names of countries and continents say nothing of a home."""
    votes: dict[str, float] = {}
    seen: set[str] = set()
    abbrev = _state_abbreviations()
    for name, state in _place_names(text, abbrev):
        key = fold_name(name)
        if key in seen or len(key) < 3:
            continue
        seen.add(key)
        if state:
            regions = {f"US.{state}"}
        else:
            regions = _regions_of(gaz, key, len(name.split()))
        for r in regions:
            share = 1.0 / len(regions)
            votes[r] = votes.get(r, 0.0) + share
            cc = r.split(".")[0]
            votes[cc] = votes.get(cc, 0.0) + share
    return votes


_LOCATIVE = re.compile(r"\b(?:in|of|near|at|from|to|outside|downtown|across|around|throughout)[ \t]+$")
_DATELINE_END = re.compile(r"^[ \t]*(?:,|—|–|--|-|\(|:)")


def _place_names(text: str, abbrev: dict[str, str]):
    """(name, US state code or "") for names the text writes as places."""
    for m in _NAME_RUN.finditer(text):
        name = m.group(0).rstrip(".'’-")
        words = name.split()
        while words and words[-1] in ("of", "de", "del", "du", "la", "le"):
            words.pop()
        if not words:
            continue
        name = " ".join(words)
        after = text[m.end():m.end() + 12]
        st = _STATE_AFTER.match(after)
        if st and st.group(1) in abbrev:
            yield name, abbrev[st.group(1)]
            continue
        before = text[max(0, m.start() - 14):m.start()]
        line_start = m.start() == 0 or text[:m.start()].rstrip(" \t")[-1:] in ("\n", ".")
        if _LOCATIVE.search(before) or words[-1] in _admin_suffixes() and len(words) > 1:
            yield name, ""
        elif line_start and name.isupper() and _DATELINE_END.match(after):
            yield name, ""


@functools.lru_cache(maxsize=1)
def _admin_suffixes() -> frozenset[str]:
    from tidings.resources import load_tsv

    return frozenset(r["word"] for r in load_tsv("places_cues.tsv") if r["kind"] == "admin_suffix")


def _regions_of(gaz: Gazetteer, key: str, words: int) -> set[str]:
    """The regions of a name's primary entries; none for a country's or continent's name
    (they name no home) and, for a one-word name, none from hamlets (too often a word)."""
    regions = set()
    for e, primary in gaz.lookup_key(key):
        if not primary:
            continue
        if e.feature in ("country", "continent", "region"):
            return set()
        if not e.country or not e.admin1:
            continue
        if words == 1 and e.feature in ("city", "capital") and e.population < MIN_ONE_WORD_POPULATION:
            continue
        regions.add(f"{e.country}.{e.admin1}")
    return regions
