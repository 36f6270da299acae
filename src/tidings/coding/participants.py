"""Finding participants: the source and target actors of a candidate.

`read_participants(candidate, art, discourse)` reads the actors of the annotate layer
(`ActorRef`) covering the subject and object heads or their modifiers: passives swap the
roles, compound and comma-listed subjects give one side each, "the presidents of A and B" and
"Indian and Pakistani troops" give both countries, pronouns and "the country" take their
antecedents, forces sent somewhere (`theme` patterns) are the doer's own, and reciprocal
predicates are marked to go both ways.
"""
from __future__ import annotations

from spacy.tokens import Token

from tidings.nlp.syntax import conjuncts, prep_objects
from tidings.coding.context import (
    ArticleIndex, Candidate, DEFAULT_TARGET_PREPS, Discourse, MODIFIERS, OBJ, OBJECT_CONTROL_DEPS, OBJECT_SOURCE_PREPS,
    PERSON_PRONOUNS, PLURAL_PRONOUNS, SUBJ, SUBJ_PASS, Side, THEME_TARGET_PREPS, VERBAL,
    earlier_side, iso3, side_of,
)
from tidings.coding.parse import agent_tokens, cue_lemma, lookup, subject_tokens, with_of


def actor_of(tok: Token, art: ArticleIndex, state: Discourse, depth: int = 0) -> Side | None:
    """The actor a head token stands for: its own ActorRef, else one on its modifiers or its "of"
    phrase, else a pronoun's antecedent. (Where an actor is, "demonstrators in Baghdad", the
    actors layer has already used for its country.)"""
    a = art.actor(tok)
    if a is not None:
        return side_of(a, "actor")
    low = tok.lower_
    lex = art.lex
    if depth == 0:
        if low in lex.cue("pronoun_thing") and state.thing is not None:
            return copy_side(state.thing, "pronoun", tok)
        if low in lex.cue("pronoun_person") and state.person is not None:
            return copy_side(state.person, "pronoun", tok)
        if low in lex.cue("pronoun_plural") and state.subjects:
            return copy_side(state.subjects[0], "pronoun", tok)
    anaphors = lex.cue("anaphor")
    for dep in MODIFIERS:
        for c in tok.children:
            if c.dep_ == dep:
                a = art.actor(c)
                if a is None and dep == "compound":  # "US Predator attacks"
                    a = next((art.actor(g) for g in c.children if g.dep_ in ("compound", "amod")
                              and art.actor(g) is not None), None)
                if a is not None:
                    return side_of(a, f"{dep} of {tok.text!r}")
                if dep == "poss" and c.lemma_.lower() in anaphors and any(d.lower_ == "the" for d in c.children):
                    return Side(None, c.idx, c.idx + len(c.text), f"the {c.text}", "anaphor")
    if depth == 0:
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    a = art.actor(g)
                    s = side_of(a, f"'of' {a.text}") if a is not None else None
                    if s is None and tok.lemma_.lower() in lex.cue("collective"):
                        s = actor_of(g, art, state, 1)  # "thousands of Iraqi Kurds"
                    if s is not None:
                        return s
    if tok.lemma_.lower() in lex.cue("anaphor") and any(c.lower_ in ("the", "both") for c in tok.children):
        plural = tok.tag_ in ("NNS", "NNPS")
        return Side(None, tok.idx, tok.idx + len(tok.text), tok.text, "anaphor-plural" if plural else "anaphor")
    return None


def copy_side(s: Side, how: str, tok: Token) -> Side:
    return Side(s.code, tok.idx, tok.idx + len(tok.text), tok.text, f"{how} -> {s.text}", s.kind, s.country)


def resolve_anaphor(s: Side, exclude: set[str], art: ArticleIndex, state: Discourse) -> Side | None:
    """'the country' -> the latest country-bearing actor before it, not on the other side of the event."""
    for a in reversed(art.ann.actors):
        if a.start >= (s.start or 0):
            continue
        country = a.country or (a.code or "")[:3]
        if len(country) == 3 and country.isalpha() and country not in ("IGO", "NGO") and country not in exclude:
            return Side(country, s.start, s.end, s.text, f"'{s.text}' -> {a.text}", "country", country)
    return None


def actor_sides(tokens: list[Token], art: ArticleIndex, state: Discourse, owners_of_places: bool = False) -> list[Side]:
    """The actors the tokens (and their conjuncts) stand for. A location noun ("on NATO borders")
    stands for its owner only as a direct object ("attacked a base") or when `owners_of_places`
    ("troops massed near the Ukrainian border")."""
    out = []
    places = art.lex.cue("location_noun")
    for t in tokens:
        for c in conjuncts(t):
            if c.lemma_.lower() in places and art.actor(c) is None and c.dep_ not in OBJ and not owners_of_places:
                continue  # "exercises on NATO borders": a location, not a participant ("attacked a base": is)
            s = actor_of(c, art, state)
            if s is not None:
                out.append(s)
                a = art.actor(c)
                if a is not None and s.start == a.start and s.end == a.end:
                    # "Indian and Pakistani troops": one phrase, one actor per country
                    out += [o for o in (side_of(x, "actor") for x in art.same_span(a)) if o is not None]
                out += _owner_conjuncts(c, s, art)
                # "China, Belarus hold ...": a list written with a comma
                for ap in c.children:
                    if ap.dep_ == "appos":
                        a = art.actor(ap)
                        o = side_of(a, "listed with a comma") if a is not None else None
                        if o is not None and o.country != s.country and a.kind in ("country", "igo"):
                            out.append(o)
    return out


def _posted_to(tok: Token, art: ArticleIndex) -> Token:
    """'recalled its ambassador to Spain': an act on one's own envoy is aimed at the country the
    envoy is posted to (`envoy` cues); anyone else's envoy stands for its own country."""
    if tok.lemma_.lower() not in art.lex.cue("envoy"):
        return tok
    if any(ch.dep_ in ("poss", "amod", "compound") and ch.pos_ != "PRON" for ch in tok.children):
        return tok      # "Mexico's ambassador", "the Russian envoy": that country
    for g in prep_objects(tok, frozenset({"to", "in"})):
        a = art.actor(g)
        if a is not None and a.kind == "country" or art.place(g) is not None:
            return g
    return tok


def _owner_conjuncts(tok: Token, side: Side, art: ArticleIndex) -> list[Side]:
    """'The presidents of Kazakhstan and Uzbekistan', 'ships from Japan and the Philippines': the
    other owners, with the same sector."""
    out = []
    for g in prep_objects(tok, frozenset({"of", "from"})):
        for conj in conjuncts(g)[1:]:
            a = art.actor(conj)
            country = (a.country or (a.code or "")[:3]) if a is not None else ""
            if a is not None and a.kind == "country" and len(country) == 3 and country != side.country:
                code = country + (side.code or "")[3:]
                out.append(Side(code, side.start, side.end, side.text, f"'{g.head.lower_}' {a.text}", side.kind, country))
    return out


def _pronoun_of(tok: Token) -> Token | None:
    """The pronoun standing for the actor: the token itself ("it") or its possessor ("their forces")."""
    if tok.pos_ == "PRON":
        return tok
    if tok.pos_ in ("NOUN", "PROPN"):
        for c in tok.children:
            if c.dep_ == "poss" and c.pos_ == "PRON":
                return c
    return None


def _reporter_for_pronoun(v: Token, pron: Token, art: ArticleIndex, state: Discourse) -> list[Side]:
    """'Iran said it would ...', 'X said their forces had ...': a pronoun under a reporting or
    controlling verb stands for that verb's subject."""
    if art.actor(pron) is not None:
        return []
    person = pron.lower_ in PERSON_PRONOUNS
    plural = pron.lower_ in PLURAL_PRONOUNS
    t = v
    for _ in range(6):
        if t.dep_ not in ("ccomp", "xcomp", "conj", "advcl", "acomp", "pcomp", "prep") or t.head.i == t.i:
            return []
        t = t.head
        if t.dep_ == "prep" or t.pos_ == "ADP":
            continue  # "quoted as saying he would": through the preposition
        subj = [c for c in t.children if c.dep_ in SUBJ or c.dep_ in SUBJ_PASS]
        if subj:
            sides = actor_sides(subj, art, state)
            if sides and (plural or person == (sides[0].kind == "person")):
                return [copy_side(sides[0], "pronoun", pron)]
            if sides or subj[0].pos_ != "PRON":
                return []
    return []


def read_participants(c: Candidate, art: ArticleIndex, state: Discourse) -> None:
    """Fill sources and targets of a candidate from the parse and the actors layer."""
    p, v, lex = c.pattern, c.anchor, art.lex
    inverse = "inverse" in p.flags
    passive_subject = False
    if c.kind == "nominal":
        _nominal_participants(c, art, state)
        return
    if c.kind == "aspect":
        _nominal_participants(c, art, state)
        if c.antecedent is not None and not c.sources and not c.targets:
            c.fixed = [(earlier_side(m.source, m.source_span), earlier_side(m.target, m.target_span))
                       for m in c.antecedent.mentions]
            c.notes.append(f"actors from the earlier mention in sentence {c.antecedent.sent_i + 1}")
        return
    subj, passive_subject = c.subject = subject_tokens(v, lex)
    if c.kind == "participate":
        passive_subject = False  # "were engaged in", "were involved in": still the doers
    pron = _pronoun_of(subj[0]) if subj else None
    subj_sides = _reporter_for_pronoun(v, pron, art, state) if pron is not None else []
    if not subj_sides:
        if v.dep_ == "relcl" and subj and subj[0].i == v.head.i:
            # "the U.S., which supports Ukraine, and NATO": the relative clause is about its head only
            own = actor_of(subj[0], art, state)
            subj_sides = [own] if own is not None else []
        else:
            subj_sides = actor_sides(subj, art, state)
    if not subj_sides and v.dep_ == "xcomp" and subj and subj[0].head.i == v.head.i \
            and subj[0].dep_ in OBJECT_CONTROL_DEPS:
        # "police used batons to disperse students": an object that is no actor is the means,
        # not the doer; the doer is the controlling verb's subject ("urged Iran to talk" keeps Iran)
        subj, passive_subject = c.subject = subject_tokens(v.head, lex)
        subj_sides = actor_sides(subj, art, state)
    if subj_sides and not passive_subject:
        # headline lists: "China, Belarus hold joint exercises" (the first name hangs loose)
        for ch in v.children:
            # (the parser may hang it as a modifier or an adverbial clause: "Chad, Sudan agree ...")
            if ch.dep_ in ("npadvmod", "advcl", "dep") and ch.pos_ == "PROPN" and subj and ch.i < subj[0].i \
                    and ch.i + 1 < len(ch.doc) and ch.doc[ch.i + 1].text == ",":
                a = art.actor(ch)
                o = side_of(a, "listed with a comma") if a is not None else None
                if o is not None and a.kind in ("country", "igo") and o.code not in {x.code for x in subj_sides}:
                    subj_sides = [o] + subj_sides
    if c.victim:
        # "the prisoner died of torture by the police": the sufferer is the target, the doer is
        # whoever the act's noun names
        _nominal_participants(c, art, state)
        c.targets, c.recip = subj_sides, False
        return
    objs: list[Side] = []
    # explicit target prepositions (of the verb or of the event noun), then objects, then defaults
    holders = [v] + ([c.noun] if c.noun is not None and c.noun.i != v.i else [])
    if c.kind == "verb":
        # the object's own participants ("an offer from X", "aid for Y"), unless it belongs to someone
        # ("supported its war with Ukraine": the war is its owner's, not Ukraine's)
        objects = [o for o in v.children if o.dep_ in OBJ and o.pos_ in ("NOUN", "PROPN")
                   and not any(ch.dep_ == "poss" for ch in o.children)]
        holders += with_of(objects)
        # "rejected a plan drafted by Armenia": the author of the object
        holders += [a for o in objects for a in o.children if a.dep_ == "acl" and a.tag_ == "VBN"]
    if p.target_preps:
        for h in holders:
            objs += actor_sides(prep_objects(h, p.target_preps), art, state)
    if not objs and not inverse:
        direct = [o for o in v.children if (o.dep_ in OBJ or o.dep_ in ("dative", "iobj"))
                  and (c.kind == "verb" or c.noun is None or o.i != c.noun.i)]
        objs = actor_sides([_posted_to(o, art) for o in direct], art, state)
        if not objs and not direct and c.kind == "verb":
            # "donated and delivered medicine to X": the last conjunct carries the shared objects
            for conj in v.children:
                if conj.dep_ == "conj" and conj.pos_ in VERBAL and not any(
                        x.dep_ in SUBJ or x.dep_ in SUBJ_PASS for x in conj.children):
                    shared = [o for o in conj.children if o.dep_ in OBJ or o.dep_ in ("dative", "iobj")]
                    objs = actor_sides(shared, art, state) or actor_sides(
                        prep_objects(conj, p.target_preps or DEFAULT_TARGET_PREPS), art, state)
                    if objs:
                        break
    if not objs and c.noun is not None and c.noun.i != v.i:
        objs = actor_sides([o for o in c.noun.children if o.dep_ in ("poss",)], art, state) if c.kind == "participate" else []
    if not objs and "notarget" not in p.flags and not inverse:
        for h in holders:
            if h.i in (v.i, getattr(c.noun, "i", -1)) or lookup(art.lex.nouns, h) is not None:
                preps = DEFAULT_TARGET_PREPS | {"for", "by", "from"}  # "aid for Romania", "calls by X"
            else:
                preps = OBJECT_SOURCE_PREPS
            objs += actor_sides(agent_tokens(h) if h.dep_ == "acl" else prep_objects(h, preps), art, state)
            if objs:
                break
    if not objs and c.kind == "verb" and "notarget" not in p.flags:
        for o in prep_objects(v, frozenset({"for", "in", "over", "after"})):
            if lookup(art.lex.nouns, o) is not None:  # "mobilized reservists for a war against Iraq"
                objs = actor_sides(prep_objects(o, frozenset({"against", "on", "with"})), art, state)
                if objs:
                    break
    if c.kind == "participate" and c.noun is None and c.antecedent is not None and not objs:
        mine = {x.country for x in subj_sides}
        seen = set()
        for m in c.antecedent.mentions:
            for code, span in ((m.source, m.source_span), (m.target, m.target_span)):
                if code and code[:3] not in mine and code not in seen:
                    seen.add(code)
                    objs.append(earlier_side(code, span))
        c.notes.append(f"taking part in the {c.antecedent.lemma} of sentence {c.antecedent.sent_i + 1}")
    if c.kind == "participate" and c.noun is not None and not objs:
        # "took part in a Russian exercise": the owner of the event is the partner
        for m in MODIFIERS:
            for ch in c.noun.children:
                if ch.dep_ == m:
                    a = art.actor(ch)
                    if a is not None:
                        s = side_of(a, f"{m} of {c.noun.text!r}")
                        if s:
                            objs.append(s)
    if "theme" in p.flags:
        # "deployed troops to Haiti", "French troops were deployed in Niger": the object is the
        # doer's own force; the target is where it is sent
        own = [o for o in v.children if o.dep_ in OBJ] + (subj if passive_subject else [])
        holders = [v] + own
        objs = []
        for h in holders:
            objs = actor_sides(prep_objects(h, THEME_TARGET_PREPS), art, state, owners_of_places=True)
            for o in prep_objects(h, frozenset({"for", "in", "ahead"})):
                if not objs and lookup(art.lex.nouns, o) is not None:  # "reservists for a war against X"
                    objs = actor_sides(prep_objects(o, frozenset({"against", "on", "with"})), art, state)
            if objs:
                break
        if passive_subject:
            c.sources = actor_sides(agent_tokens(v), art, state) or subj_sides
        else:
            c.sources = subj_sides or actor_sides(own, art, state)
        mine = {x.code for x in c.sources}
        c.targets = [t for t in objs if t.code not in mine]
        c.recip = False
        return
    if passive_subject:
        agents = actor_sides(agent_tokens(v), art, state)
        c.sources, c.targets = agents, subj_sides + ([] if agents else [])
        if not agents:
            c.targets = subj_sides
            c.sources = []
        if objs and not c.targets:
            c.targets = objs
    elif inverse:
        # "received aid from X"; "the town fell to X" (its pattern names the preposition):
        # the subject, or the country of the place it is, receives
        c.sources = actor_sides(prep_objects(v, p.target_preps or frozenset({"from", "by"})), art, state)
        c.targets = subj_sides or next((sides for t in subj if (sides := _place_sides(t, art))), [])
    else:
        c.sources, c.targets = subj_sides, objs
        # "hosted talks between A and B": A and B talk with each other, not with the host
        between = {g.i for h in holders for g in prep_objects(h, frozenset({"between"}))}
        c.targets_from_content = c.targets_from_content or bool(between and objs)
    if "visit" in p.flags:
        _visit_place(c, art)
    c.recip = "recip" in p.flags or _reciprocal_marked(c, art)


def _reciprocal_marked(c: Candidate, art: ArticleIndex) -> bool:
    """'Held joint talks', 'met each other', 'exchanged accusations' (`reciprocal` and
    `reciprocal_verb` cues): each side does it to the other."""
    if c.kind == "light" and cue_lemma(c.anchor, art) in art.lex.cue("reciprocal_verb"):
        return True
    marks = art.lex.cue("reciprocal")
    toks = [c.anchor] + ([c.noun] if c.noun is not None else [])
    for t in toks:
        for ch in t.children:
            if ch.lower_ in marks or ch.lemma_.lower() in marks:
                return True
    return False


def _visit_place(c: Candidate, art: ArticleIndex) -> None:
    """A visit's target may be a place: the host is its country, and it is where the visit was."""
    v = c.anchor
    toks = [o for o in v.children if o.dep_ in OBJ] + prep_objects(v, frozenset({"to", "in", "at"}))
    if c.noun is not None:
        toks += prep_objects(c.noun, frozenset({"to", "in", "at"}))
    for t in toks:
        pl = art.place(t)
        if pl is None:
            continue
        c.place = pl
        if not c.targets:
            code = iso3(pl.country)
            if code:
                c.targets = [Side(code, pl.start, pl.end, pl.text, f"host country of {pl.text}", "country", code)]
        return


def _place_sides(tok: Token, art: ArticleIndex) -> list[Side]:
    """The country of a place that is, or owns, a thing ("Odesa's port", "the port of Odesa")."""
    for t in [tok] + [x for x in tok.children if x.dep_ in ("poss", "compound")] + prep_objects(tok, frozenset({"of"})):
        pl = art.place(t)
        code = iso3(pl.country) if pl is not None and not pl.metonym else None
        if code:
            return [Side(code, pl.start, pl.end, pl.text, f"country of the place {pl.text}", "country", code)]
    return []


def _nominal_participants(c: Candidate, art: ArticleIndex, state: Discourse) -> None:
    """'Israel's attack on Gaza', 'US sanctions against Iran', 'talks between A and B'."""
    n = c.noun if c.noun is not None else c.pred
    sources: list[Side] = []
    targets: list[Side] = []
    for ch in n.children:
        if ch.dep_ in ("poss", "compound", "amod", "nmod"):
            for t in conjuncts(ch):
                a = art.actor(t)
                if a is not None:
                    s = side_of(a, f"{ch.dep_} of {n.text!r}")
                    if s:
                        sources.append(s)
        elif ch.dep_ == "prep" and ch.lower_ == "by":
            sources += actor_sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
        elif ch.dep_ == "prep" and ch.lower_ == "between":
            both = actor_sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
            if len(both) >= 2:
                sources, c.recip = both, True
        elif ch.dep_ == "prep" and (ch.lower_ in c.pattern.target_preps or ch.lower_ in DEFAULT_TARGET_PREPS):
            targets += actor_sides([g for g in ch.children if g.dep_ == "pobj"], art, state)
    if sources and not targets:
        # "Israel's blockade of Gaza", "the Russian shelling of Odesa's port": with the doer named
        # before the noun, its "of" phrase is what it is done to
        for g in prep_objects(n, frozenset({"of"})):
            targets = actor_sides([g], art, state) or _place_sides(g, art)
            if targets:
                break
    if not sources and n.dep_ == "pobj" and n.head.head.pos_ in ("NOUN", "PROPN"):
        # "Chinese soldiers on maneuvers": the noun the event hangs on does it
        owner = actor_of(n.head.head, art, state)
        if owner is not None:
            sources = [owner]
    c.sources, c.targets = sources, targets
    c.recip = c.recip or "recip" in c.pattern.flags or _reciprocal_marked(c, art)
