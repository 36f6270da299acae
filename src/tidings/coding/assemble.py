"""Assembling a sentence's events from its candidates.

`assemble(sent, candidates, art, discourse)` runs the stages on each candidate (participants,
modality, refinements), lets controllers absorb their content ("agreed to meet" = 036,
"threatened to attack" = 138) and reporting verbs attribute theirs ("X said Y would ..."),
turns refused acts into refusals, keeps the main line of the sentence, codes joint and planned
acts, then makes one `EventMention` per (source, target) pair with its date, place,
attribution and the rules that were used. The first event of a sentence is its main one.
"""
from __future__ import annotations

from spacy.tokens import Span as SpacySpan

from tidings.records import EventMention, Span
from tidings.coding.counts import counts_of
from tidings.coding.context import ArticleIndex, CONTENT_PREPS, Candidate, Discourse, SUBORDINATE, Side
from tidings.coding.parse import clause_of, cue_lemma, lookup, subject_of, subject_tokens, to_infinitive
from tidings.coding.participants import actor_sides, read_participants, resolve_anaphor
from tidings.coding.modality import conditional, read_modality
from tidings.coding.anchoring import date_of, place_of
from tidings.coding.unnamed import complement_targets, condition_subjects, purpose_targets, unnamed_sides
from tidings.coding.refine import not_political, refine_by_instrument, refine_deployment


MAX_PAIRS = 6
VIOLENT_ROOTS = frozenset({"17", "18", "19", "20"})
MAIN_LINE_ONLY = True
STATEMENTS_WITH_REPORTED_EVENTS = True


def _attribution(c: Candidate, art: ArticleIndex) -> str | None:
    pos = c.anchor.idx
    best = None
    for a in art.ann.attributions:
        lo, hi = (a.claim_start, a.claim_end) if a.claim_start is not None and a.claim_end is not None else (a.start, a.end)
        if lo <= pos < hi:
            if a.speaker_start is not None and a.speaker_end is not None and a.speaker_start <= pos < a.speaker_end:
                continue
            if best is None or (hi - lo) < (best[1] - best[0]):
                best = (lo, hi, a.speaker)
    if best:
        return best[2]
    if c.speaker is not None:
        return c.speaker.text
    return None


def complement_of(controller: Candidate, c: Candidate) -> bool:
    """Is `c` in the complement (content) of `controller`?"""
    if c is controller:
        return False
    t = c.anchor if c.kind != "nominal" else c.pred
    hops = 0
    while t.head.i != t.i and hops < 6:
        if t.head.i == controller.anchor.i:
            return t.dep_ in ("xcomp", "ccomp", "pcomp", "dobj", "acomp", "oprd") or (
                t.dep_ == "prep" and t.lower_ in CONTENT_PREPS) or to_infinitive(t)
        if t.dep_ in ("advcl", "relcl", "parataxis"):
            return False
        if t.head.i == controller.pred.i:
            return True
        t = t.head
        hops += 1
    return False


def _depth(c: Candidate, art: ArticleIndex) -> int:
    """Distance to the sentence root, reporting verbs and coordination being transparent."""
    t = c.anchor
    d = 0
    hops = 0
    while t.head.i != t.i and hops < 12:
        hops += 1
        head = t.head
        plist = (lookup(art.lex.verbs, head) or ("", []))[1]
        transparent = (t.dep_ in ("ccomp", "parataxis") and any("speech" in p.flags for p in plist)) or t.dep_ == "conj"
        if not transparent:
            d += 1
        t = head
    return d


def assemble(sent: SpacySpan, cands: list[Candidate], art: ArticleIndex, state: Discourse) -> list[EventMention]:
    if not cands:
        return []
    lex = art.lex
    for c in cands:
        read_participants(c, art, state)
        read_modality(c, art)
        if not_political(c, art):
            c.absorbed = True
        else:
            refine_by_instrument(c, art)
            refine_deployment(c, art)
    # controllers absorb their content; reporting verbs attribute theirs
    for ctl in cands:
        if ctl.absorbed:
            continue
        flags = ctl.pattern.flags
        if "content" in flags or ctl.pattern.comps:
            first = True
            for c in cands:
                if c.absorbed or c is ctl or not complement_of(ctl, c):
                    continue
                c.absorbed = True
                if not first:
                    continue
                first = False
                combined = None if ctl.combined_with else lex.combine(ctl.code, c.code)
                if combined:
                    ctl.combined_with = f"{c.pattern.rule} ({c.pred.text})"
                    ctl.code = combined
                if not ctl.targets:
                    # "demanded that X withdraw": X; "threatened to attack X": X
                    mine = {x.code for x in ctl.sources}
                    others = [x for x in c.sources if x.code not in mine]
                    ctl.targets = others or [t for t in c.targets if t.code not in mine]
                    ctl.targets_from_content = bool(ctl.targets)
                    # "Greece and Turkey pledged to improve relations": with each other
                    ctl.recip = ctl.recip or (c.recip and not ctl.targets)
            if not ctl.targets and not ctl.recip:
                ctl.targets = complement_targets(ctl, art, state)
                ctl.targets_from_content = bool(ctl.targets)
        elif ctl.speech and _modal_demand(ctl, cands, art, state):
            continue
        elif ctl.speech and _claims_own_act(ctl, cands, art):
            continue
        elif ctl.speech:
            inner = [c for c in cands if c is not ctl and not c.absorbed and complement_of(ctl, c)
                     and (c.kind != "nominal" or c.sources)]
            if inner:
                mine = {x.code for x in ctl.sources}
                # "X said Y would ...": X's statement is an event too; "X said it would ...": only X's act
                ctl.absorbed = not (mine and STATEMENTS_WITH_REPORTED_EVENTS and any(
                    not (mine & {x.code for x in c.sources}) and c.modality != "asserted" for c in inner))
                ctl.reporting = True
                speaker = ctl.sources[0] if ctl.sources else None
                subj, _ = subject_of(ctl, art)
                if speaker is None and subj:
                    s = subj[0]
                    span = art.doc[s.left_edge.i:s.right_edge.i + 1]
                    speaker = Side(None, span.start_char, span.end_char, span.text, "speaker")
                for c in inner:
                    if c.speaker is None:
                        c.speaker = speaker
    # "denied attacking", "failed to reach": the complement is the event, flagged negated
    negating = lex.cue("negating")
    for ctl in cands:
        if not ctl.absorbed and ctl.kind == "verb" and cue_lemma(ctl.anchor, art) in negating and \
                not ctl.pattern.specificity:
            inner = [c for c in cands if c is not ctl and not c.absorbed and complement_of(ctl, c)]
            if inner:
                ctl.absorbed = True
                for c in inner:
                    c.negated = True
                    if not c.sources:  # "Kenya and Uganda denied meeting": their meeting
                        c.sources = list(ctl.sources)
                        c.notes.append(f"actors of {ctl.pred.text!r}")
    # "offered his doubts", "asked, for instance, if": a controller that controls nothing is no event
    for ctl in cands:
        if "needscontent" in ctl.pattern.flags and not ctl.absorbed and not ctl.combined_with and \
                not any(c.absorbed and c is not ctl and complement_of(ctl, c) for c in cands) and \
                not any(ch.dep_ in ("xcomp", "ccomp") or to_infinitive(ch) for ch in ctl.anchor.children):
            ctl.absorbed = True
    # "failed to reach agreement", "would not meet the demands": what happened is a refusal
    for c in cands:
        if c.negated and not c.absorbed:
            refusal = lex.combine("negated", c.code)
            if refusal:
                c.notes.append(f"negated {c.code} coded as {refusal} (event_combinations.tsv)")
                c.code, c.negated = refusal, False
    # nominal events only when no verbal event covers them; one per noun
    verbal = [c for c in cands if c.kind != "nominal" and not c.absorbed]
    keep = []
    for c in cands:
        if c.absorbed:
            continue
        if c.kind == "nominal":
            if verbal or not c.sources:
                continue
        keep.append(c)
    if not keep:
        return []
    # the main line of the sentence first: events in relative and adverbial clauses only when
    # the main line has none; events without any actor only when none has one
    if MAIN_LINE_ONLY:
        levels = {id(c): _subordination(c) for c in keep}
        for pool in ([c for c in keep if not c.speech], keep):
            if pool:
                low = min(levels[id(c)] for c in pool)
                ids = {id(c) for c in pool}
                keep = [c for c in keep if (levels[id(c)] == low and id(c) in ids) or c.reporting]
                break
    with_actors = [c for c in keep if c.sources or c.targets or c.fixed]
    if with_actors:
        keep = with_actors
    else:
        # nobody named: the happening still has a code, a date and a place ("fighting broke out near
        # X"); a bare statement by an unknown speaker ("he added") does not
        keep = [c for c in keep if not c.speech]
    # statements only when nothing else in the sentence is an event, or when they report it
    if any(not c.speech for c in keep):
        keep = [c for c in keep if not c.speech or c.sources]
        keep = [c for c in keep if not (c.speech and not c.reporting and any(not k.speech for k in keep))]
    for c in keep:
        c.depth = _depth(c, art)
        if len({(x.country or x.code) for x in c.sources if x is not None}) >= 2 or (c.recip and c.targets):
            joint = lex.combine("joint", c.code)
            if joint and joint != c.code:
                c.notes.append(f"{c.code} by two sides coded {joint} (event_combinations.tsv)")
                c.code = joint
        if c.code[:2] == "13" and not c.targets:
            c.targets = condition_subjects(c, art, state)
        if conditional(c, art, "threat_condition") and not c.negated:
            threat = lex.combine("13", c.code) or "130"
            if threat != c.code:
                c.notes.append(f"'unless': {c.code} is a threat, coded {threat} (event_combinations.tsv)")
                c.code = threat
        elif (c.modality == "planned" or conditional(c, art)) and not c.negated:
            intent = lex.combine("planned", c.code)
            if intent and intent != c.code:
                c.notes.append(f"planned {c.code} coded as intent {intent} (event_combinations.tsv)")
                c.code = intent
    keep.sort(key=lambda c: (c.kind == "nominal", c.speech, c.depth, c.modality != "asserted", c.anchor.i))
    clauses = {id(c): clause_of(c.anchor) for c in keep}
    out: list[EventMention] = []
    emitted: list[tuple[EventMention, Candidate]] = []
    for c in keep:
        others: set[int] = set()
        for o in keep:
            if o is not c and o.anchor.i != c.anchor.i:
                others |= clauses[id(o)] - clauses[id(c)]
        if not c.targets and not c.fixed and not c.speech and "notarget" not in c.pattern.flags:
            c.targets = purpose_targets(c, art, state)
        pairs = _pairs(c, art, state)
        if not pairs:
            continue
        date, date_end, date_source = date_of(c, art, others)
        place, place_source = place_of(c, art, others, [x for pair in pairs for x in pair if x is not None])
        pairs = unnamed_sides(c, pairs, place, place_source, art)
        attributed = _attribution(c, art) if not c.speech else (c.sources[0].text if c.sources else None)
        info = art.cb.lookup(c.code)
        counts = counts_of(c, art)
        for src, tgt in pairs:
            m = EventMention(
                article=art.ann.article.id,
                start=sent.start_char,
                end=sent.end_char,
                source=src.code if src else None,
                target=tgt.code if tgt else None,
                code=c.code,
                plover=(c.pattern.plover if c.pattern.plover and c.code == c.pattern.code else None)
                or (info.plover if info else None),
                goldstein=info.goldstein if info else None,
                quad_class=info.quad_class if info else None,
                date=date,
                date_end=date_end,
                date_source=date_source,
                place=place,
                attributed_to=attributed,
                negated=c.negated,
                modality=c.modality,
                source_span=_span(src),
                target_span=_span(tgt),
                predicate_span=predicate_span(c, art.text),
                rule=_rule(c, src, tgt, place_source),
                outlet=art.ann.article.outlet,
                counts=dict(counts),
            )
            if _same_happening(m, c, out, emitted):
                continue
            emitted.append((m, c))
            out.append(m)
    return out


def _same_happening(m: EventMention, c: Candidate, out: list[EventMention],
                        emitted: list[tuple[EventMention, Candidate]]) -> bool:
    """'donated and delivered': coordinated verbs of the same root between the same sides are
    one happening, and so is one code twice in a sentence between the same target and a source
    of one country ('troops used tear gas to disperse protesters'); the more specific code is kept."""
    for k, (other, oc) in enumerate(emitted):
        coordinated = (c.anchor.dep_ == "conj" and c.anchor.head.i == oc.anchor.i) or (
            oc.anchor.dep_ == "conj" and oc.anchor.head.i == c.anchor.i)
        repeated = other.code == m.code and other.target == m.target and (
            (other.source or "")[:3] == (m.source or "")[:3] or not other.source or not m.source)
        if not repeated and (not coordinated or other.code[:2] != m.code[:2]):
            continue
        if not repeated and (other.source, other.target) != (m.source, m.target):
            continue
        if (bool(m.source), len(m.code), not m.code.endswith("0")) > \
                (bool(other.source), len(other.code), not other.code.endswith("0")):
            out[out.index(other)] = m
            emitted[k] = (m, c)
        return True
    return False


def _subordination(c: Candidate) -> int:
    """How many relative, adverbial or modifying clauses the candidate sits in (0: main line)."""
    t = c.anchor
    n = hops = 0
    while t.head.i != t.i and hops < 12:
        if t.dep_ in SUBORDINATE:
            n += 1
        t = t.head
        hops += 1
    return n


def _modal_demand(ctl: Candidate, cands: list[Candidate], art: ArticleIndex, state: Discourse) -> bool:
    """'X said Y must withdraw' is X demanding of Y; 'should' makes it an appeal."""
    lex = art.lex
    for comp in ctl.anchor.children:
        if comp.dep_ != "ccomp":
            continue
        code = None
        for ch in comp.children:
            if ch.dep_ == "aux" and ch.tag_ == "MD":
                code = lex.cue_codes.get(("modal_demand", ch.lower_)) or lex.cue_codes.get(("modal_appeal", ch.lower_))
            elif ch.dep_ == "xcomp" and cue_lemma(comp, art) in lex.cue("modal_demand_verb"):
                code = lex.cue_codes.get(("modal_demand_verb", cue_lemma(comp, art)))
            if code:
                break
        if not code:
            continue
        subj, _ = subject_tokens(comp, lex)
        targets = [t for t in actor_sides(subj, art, state) if t.code not in {s.code for s in ctl.sources}]
        if not targets:
            return False
        ctl.speech = False
        ctl.code = code
        ctl.targets = targets
        ctl.notes.append(f"reported obligation ({ch.text!r}): {code}")
        for c in cands:
            if c is not ctl and not c.absorbed and complement_of(ctl, c):
                c.absorbed = True
                combined = lex.combine(code, c.code)
                if combined and ctl.code == code:
                    ctl.code = combined
                    ctl.combined_with = f"{c.pattern.rule} ({c.pred.text})"
        return True
    return False


def _claims_own_act(ctl: Candidate, cands: list[Candidate], art: ArticleIndex) -> bool:
    """'The rebels claimed they had attacked the base': a doer telling of its own violent act
    claims responsibility for it (`claim_own` cues with their code); told of someone else, it
    is a report of that act."""
    lemma = cue_lemma(ctl.anchor, art)
    if lemma not in art.lex.cue("claim_own"):
        return False
    mine = {s.country for s in ctl.sources if s is not None}
    for c in cands:
        if c is ctl or c.absorbed or c.code[:2] not in VIOLENT_ROOTS or not complement_of(ctl, c):
            continue
        theirs = {s.country for s in c.sources if s is not None}
        if theirs and not (theirs & mine):
            continue
        code = art.lex.cue_codes.get(("claim_own", lemma)) or "015"
        ctl.speech, ctl.code, c.absorbed = False, code, True
        ctl.targets = [t for t in c.targets if t.code not in {s.code for s in ctl.sources if s is not None}]
        ctl.notes.append(f"its own act told ({c.pred.text!r}): {code} (claim_own cue)")
        return True
    return False


def _pairs(c: Candidate, art: ArticleIndex, state: Discourse) -> list[tuple[Side | None, Side | None]]:
    if c.fixed is not None:
        return [(a, b) for a, b in c.fixed if not (a and b and a.code == b.code)][:MAX_PAIRS]
    srcs, recip = _plural_anaphors([s for s in c.sources if s is not None], art)
    if recip:
        c.recip = True
    tgts = [t for t in c.targets if t is not None]
    # resolve 'the country' against the other side
    srcs = [x for x in (_fix_anaphor(s, tgts, art, state) for s in srcs) if x is not None]
    tgts = [x for x in (_fix_anaphor(t, srcs, art, state) for t in tgts) if x is not None]
    # an actor span that covers the predicate itself is not a participant ("joint military exercises")
    own = [c.pred.idx] + ([c.noun.idx] if c.noun is not None and c.kind != "verb" else [])
    srcs = _dedupe([s for s in srcs if not (s.how == "actor" and _covers(s, own))])
    tgts = _dedupe([t for t in tgts if not (t.how == "actor" and _covers(t, own))])
    pairs: list[tuple[Side | None, Side | None]] = []
    if c.recip and len(srcs) >= 2 and all(t.code in {x.code for x in srcs} for t in tgts):
        for a in srcs:
            for b in srcs:
                if a.code != b.code:
                    pairs.append((a, b))
    elif c.recip and len(srcs) == 1 and any(t.code != srcs[0].code for t in tgts) and \
            not c.targets_from_content and c.modality == "asserted":
        # "X held talks with Y", "X signed a pact with Y": a symmetric act goes both ways (an
        # intent, "X will hold talks with Y", is X's own)
        for b in tgts:
            if b.code != srcs[0].code:
                pairs += [(srcs[0], b), (b, srcs[0])]
    else:
        for a in srcs or [None]:
            others = [b for b in tgts if a is None or b.code != a.code]
            # a target that is the source itself ("the UN told the UN") is dropped, not the event
            for b in others or [None]:
                pairs.append((a, b))
    pairs = [(a, b) for a, b in pairs if not (a is not None and b is not None and a.code == b.code)]
    return pairs[:MAX_PAIRS]


def _covers(s: Side, positions: list[int]) -> bool:
    return s.start is not None and s.end is not None and any(s.start <= p < s.end for p in positions)


def _fix_anaphor(s: Side, other: list[Side], art: ArticleIndex, state: Discourse) -> Side | None:
    if s.code is not None:
        return s
    exclude = {o.country or (o.code or "")[:3] for o in other if o.code}
    return resolve_anaphor(s, exclude, art, state)


def _plural_anaphors(sides: list[Side], art: ArticleIndex) -> tuple[list[Side], bool]:
    """'The two countries are deepening relations': the last two countries named before."""
    out, expanded = [], False
    for s in sides:
        if s.code is None and s.how == "anaphor-plural":
            found: list[Side] = []
            for a in reversed(art.ann.actors):
                if a.start >= (s.start or 0):
                    continue
                country = a.country or (a.code or "")[:3]
                if len(country) == 3 and country.isalpha() and country not in ("IGO", "NGO") and \
                        country not in {f.code for f in found}:
                    found.append(Side(country, s.start, s.end, s.text, f"'{s.text}' -> {a.text}", "country", country))
                if len(found) == 2:
                    break
            if len(found) == 2:
                out.extend(reversed(found))
                expanded = True
                continue
        out.append(s)
    return out, expanded


def _dedupe(sides: list[Side]) -> list[Side]:
    seen, out = set(), []
    for s in sides:
        if s.code in seen:
            continue
        seen.add(s.code)
        out.append(s)
    return out


def _span(s: Side | None) -> Span | None:
    if s is None or s.start is None or s.end is None:
        return None
    return Span(s.start, s.end, s.text or "")


def predicate_span(c: Candidate, text: str) -> Span:
    toks = [c.pred] if c.pred.i == c.anchor.i else sorted([c.anchor, c.pred], key=lambda t: t.i)
    if c.kind == "aspect":
        toks = [c.anchor]
    start = min(t.idx for t in toks)
    end = max(t.idx + len(t.text) for t in toks)
    # phrasal particles belong to the predicate ("set up", "carry out")
    for ch in c.anchor.children:
        if ch.dep_ == "prt" and ch.idx >= end and ch.idx - end <= 1:
            end = ch.idx + len(ch.text)
    return Span(start, end, text[start:end])


def _rule(c: Candidate, src: Side | None, tgt: Side | None, place_source: str | None) -> str:
    parts = [c.pattern.rule]
    if c.kind != "verb":
        parts.append(f"[{c.kind}{' of ' + c.anchor.text if c.anchor.i != c.pred.i else ''}]")
    if c.combined_with:
        parts.append(f"+ content {c.combined_with}")
    for s, role in ((src, "source"), (tgt, "target")):
        if s is not None and s.how and s.how != "actor":
            parts.append(f"{role}: {s.how}")
    parts.extend(c.notes)
    return "; ".join(parts)
