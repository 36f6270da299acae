"""Attributions: who says so.

Reads reporting clauses off the dependency parse: a reporting verb with its speaker
("the Belarusian Defense Ministry said", "said General Vadim Denisenko", "reported by the
tabloid", "citing a diplomatic source") or a phrase cue ("according to Belta"), the claim
it introduces, and the sentence it belongs to. The cue words are data
(`attribution_cues.tsv`). Every sentence with no speaker of its own is attributed to the
outlet, when the outlet is known, so that each sentence knows whom it comes from.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from spacy.attrs import LEMMA, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from tidings.nlp.actors_lexicon import entry_code, lookup, norm
from tidings.records import ActorRef, Attribution
from tidings.resources import load_tsv

# Dependents left out of a speaker's noun phrase ("Reuters, which ...", "..., reported by").
SPEAKER_CUT = frozenset({"appos", "relcl", "acl", "advcl", "parataxis", "punct", "cc", "conj", "prep"})
# A speaker keeps its "of"/"in" phrase: "the representative of the armed forces", "a source in Beijing".
SPEAKER_PREPS = frozenset({"of", "in", "from", "at", "with", "close", "familiar"})
OPEN_QUOTES = frozenset({"\u201c", '"', "\u00ab", "\u201e"})
CLOSE_QUOTES = frozenset({"\u201d", '"', "\u00bb"})
REFERRING = frozenset({"he", "she"})
RELATIVE = frozenset({"WDT", "WP"})


@dataclass(frozen=True)
class Cues:
    verbs: dict[str, str]                          # lemma -> speaker position
    phrases: dict[str, list[tuple[tuple[str, ...], str]]]
    ids: frozenset[int]                            # hashes of cue lemmas and first words


@functools.lru_cache(maxsize=1)
def cues() -> Cues:
    verbs: dict[str, str] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for row in load_tsv("attribution_cues.tsv"):
        cue = row["cue"].strip().lower()
        if row.get("kind", "verb") == "phrase":
            words = tuple(cue.split())
            phrases.setdefault(words[0], []).append((words, row.get("speaker", "after")))
        else:
            verbs[cue] = row.get("speaker", "subject")
    for items in phrases.values():
        items.sort(key=lambda it: -len(it[0]))
    words = set(verbs) | set(phrases)
    return Cues(verbs, phrases, frozenset(get_string_id(w) for w in words))


# --------------------------------------------------------------------------- helpers


def _quote_spans(sent: Span) -> list[tuple[int, int]]:
    """Token ranges inside quotation marks (straight quotes alternate open/close)."""
    spans: list[tuple[int, int]] = []
    start = None
    for t in sent:
        if start is None and t.text in OPEN_QUOTES:
            start = t.i
        elif start is not None and t.text in CLOSE_QUOTES:
            spans.append((start, t.i))
            start = None
    return spans


def _inside(i: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < i < e for s, e in spans)


def _subject(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ in ("nsubj", "csubj"):
            if c.tag_ in RELATIVE and verb.dep_ == "relcl":
                return verb.head                      # "the ministry, which said ..."
            return c
    return None


def _is_cue_clause(tok: Token, verbs: dict[str, str]) -> bool:
    """A reporting clause of its own ("Reuters reported" inside "X said ..., Reuters reported")."""
    return tok.lemma_.lower() in verbs and _subject(tok) is not None


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token range without surrounding punctuation, quotes and a leading 'that'."""
    while start < end and (doc[start].is_punct or doc[start].is_space or doc[start].lower_ == "that"):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _rest_of_sentence(sent: Span, skip: set[int]) -> tuple[int, int] | None:
    """The longest run of the sentence outside `skip` (the claim beside a reporting clause)."""
    best: tuple[int, int] | None = None
    run_start = None
    for t in list(sent) + [None]:
        if t is not None and t.i not in skip:
            if run_start is None:
                run_start = t.i
            continue
        if run_start is not None:
            stop = t.i if t is not None else sent.end
            words = sum(1 for x in sent.doc[run_start:stop] if not x.is_punct)
            if best is None or words > best[2]:
                best = (run_start, stop, words)
            run_start = None
    return (best[0], best[1]) if best and best[2] else None


def _speaker_range(doc: Doc, tok: Token) -> tuple[int, int, Token]:
    """The speaker's noun phrase: its modifiers and 'of'/'in' phrase, not its clauses."""
    if tok.pos_ != "PROPN":
        # "the representative of the armed forces, General Vadim Denisenko": the name speaks
        # (the parser hangs the name on the head or on its "of" complement)
        owners = [tok] + [o for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
                          for o in p.children if o.dep_ == "pobj"]
        names = [c for o in owners for c in o.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
        if names:
            tok = names[0]
    cut: set[int] = set()
    for c in tok.children:
        if c.dep_ in SPEAKER_CUT and not (c.dep_ == "prep" and c.lower_ in SPEAKER_PREPS and c.i > tok.i):
            if c.dep_ == "prep" and c.i < tok.i:
                continue
            cut.update(t.i for t in c.subtree)
        elif c.dep_ == "prep":
            for cc in c.subtree:
                if cc.dep_ in ("relcl", "acl", "appos") :
                    cut.update(t.i for t in cc.subtree)
    members = {t.i for t in tok.subtree} - cut
    start = end = tok.i
    while start - 1 in members:
        start -= 1
    while end + 1 in members:
        end += 1
    start, stop = _trim(doc, start, end + 1)
    if tok.pos_ == "PROPN":
        # "the Russian daily Moskovsky Komsomolets": the name, not its description
        run = tok.i
        while run - 1 >= start and (doc[run - 1].pos_ == "PROPN" or doc[run - 1].tag_ == "POS"):
            run -= 1
        before = doc[run - 1] if run - 1 >= start else None
        if before is not None and before.text[:1].islower() and before.pos_ in ("NOUN", "ADJ"):
            start = run
    return start, max(stop, start + 1), tok


def _actor_for(actors: list[ActorRef], start_char: int, end_char: int, head_char: int) -> ActorRef | None:
    """The actor the speaker phrase is: the one at its head, else one modifying it."""
    for a in actors:
        if a.start <= head_char < a.end:
            return a
    inside = [a for a in actors if start_char <= a.start and a.end <= end_char and a.end <= head_char + 1]
    return inside[-1] if inside else None


def _antecedent(actors: list[ActorRef], before: int) -> ActorRef | None:
    """'he said': the last person named before."""
    people = [a for a in actors if a.kind == "person" and a.end <= before]
    return people[-1] if people else None


# --------------------------------------------------------------------------- finding


def _speaker_of_verb(verb: Token, position: str) -> Token | None:
    if position == "object":
        return next((c for c in verb.children if c.dep_ in ("dobj", "dative")), None)
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        return next((c for c in agent.children if c.dep_ == "pobj"), None)
    subject = _subject(verb)
    if subject is not None:
        return subject
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return None                                   # "it was reported that": nobody
    # "..., said the representative of the armed forces": the speaker follows the verb
    for c in verb.rights:
        if c.dep_ in ("dobj", "attr", "npadvmod", "oprd", "nsubj") and c.pos_ in ("NOUN", "PROPN"):
            return c
    # "China has been wary ..., saying ...": the speaker of the clause it hangs on
    head = verb
    for _ in range(3):
        if head.dep_ not in ("advcl", "xcomp", "conj") or head.head.i == head.i:
            break
        head = head.head
        subject = _subject(head)
        if subject is not None:
            return subject
    return None


def _claim_of_verb(doc: Doc, verb: Token, sent: Span, quotes, verbs) -> tuple[int, int] | None:
    clauses = [c for c in verb.children if c.dep_ == "ccomp"]
    # "X said ..., Reuters reported": X's claim leaves out Reuters' clause; Reuters' claim is X's report.
    clauses = [c for c in clauses if not _is_cue_clause(c, verbs)] or clauses
    if clauses:
        return _trim(doc, min(c.left_edge.i for c in clauses), max(c.right_edge.i for c in clauses) + 1)
    outside = [q for q in quotes if not (q[0] < verb.i < q[1])]
    if outside:
        q = min(outside, key=lambda q: abs(q[0] - verb.i))
        return _trim(doc, q[0] + 1, q[1])
    skip = {t.i for t in verb.subtree}
    if verb.dep_ == "ROOT":
        skip = {verb.i} | {t.i for c in verb.children if c.dep_ in ("nsubj", "agent", "dobj", "dative") for t in c.subtree}
    rest = _rest_of_sentence(sent, skip)
    return _trim(doc, *rest) if rest else None


def _reports(verb: Token, quotes, verbs) -> bool:
    """Does this verb introduce or accompany a claim (not "claimed responsibility")?"""
    if any(c.dep_ == "ccomp" for c in verb.children):
        return True
    if verb.dep_ in ("ccomp", "parataxis") and verb.head.i != verb.i:
        return True                                   # "..., Reuters reported."
    if any(c.dep_ == "agent" for c in verb.children) and verb.dep_ in ("acl", "advcl", "ccomp", "parataxis", "conj", "ROOT"):
        return bool(quotes) or verb.dep_ != "ROOT"
    return bool(quotes) and not _inside(verb.i, quotes)


def find_attributions(doc: Doc, actors: list[ActorRef], outlet: str | None) -> list[Attribution]:
    """Every attributed clause in `doc`, with its speaker, cue and claim span, in text order.
    Sentences no one is named for are attributed to `outlet` (cue None) when it is known."""
    table = cues()
    out: list[Attribution] = []
    outlet_entry = lookup(outlet) if outlet else None
    outlet_code = entry_code(outlet_entry) if outlet_entry is not None else None
    if not len(doc):
        return out
    # Only tokens whose lemma or lower-case form is a cue are looked at.
    arr = doc.to_array([LEMMA, LOWER]).tolist()
    hot = [a[0] in table.ids or a[1] in table.ids for a in arr]
    for sent in doc.sents:
        found: list[Attribution] = []
        if not any(hot[sent.start:sent.end]):
            if outlet:
                out.append(_outlets(sent, outlet, outlet_code))
            continue
        quotes = _quote_spans(sent)
        for i in range(sent.start, sent.end):
            if not hot[i]:
                continue
            tok = doc[i]
            lemma = tok.lemma_.lower()
            if tok.pos_ in ("VERB", "AUX") and lemma in table.verbs:
                position = table.verbs[lemma]
                if position == "subject" and not _reports(tok, quotes, table.verbs):
                    continue
                speaker = _speaker_of_verb(tok, position)
                if speaker is None:
                    continue
                claim = _claim_of_verb(doc, tok, sent, quotes, table.verbs)
                found.append(_attribution(doc, sent, speaker, tok.text, claim, actors))
            elif norm(tok.text) in table.phrases:
                for words, _ in table.phrases[norm(tok.text)]:
                    stop = tok.i + len(words)
                    if stop > sent.end or tuple(norm(t.text) for t in doc[tok.i:stop]) != words:
                        continue
                    last = doc[stop - 1]
                    speaker = next((c for c in last.children if c.dep_ == "pobj"), None)
                    if speaker is None and stop < sent.end and doc[stop].pos_ in ("NOUN", "PROPN", "DET", "ADJ"):
                        speaker = doc[stop]
                        while speaker.head.i != speaker.i and speaker.head.i >= stop and speaker.dep_ != "pobj" \
                                and speaker.head.i < sent.end and speaker.head.pos_ in ("NOUN", "PROPN"):
                            speaker = speaker.head
                    if speaker is None:
                        break
                    speaker_end = _speaker_range(doc, speaker)[1]
                    rest = _rest_of_sentence(sent, set(range(tok.i, max(stop, speaker_end))))
                    claim = _trim(doc, *rest) if rest else None
                    found.append(_attribution(doc, sent, speaker, doc[tok.i:stop].text, claim, actors))
                    break
        if found:
            out.extend(found)
        elif outlet:
            out.append(_outlets(sent, outlet, outlet_code))
    return out


def _outlets(sent: Span, outlet: str, code: str | None) -> Attribution:
    """A sentence no one else is named for: the outlet's own word."""
    return Attribution(start=sent.start_char, end=sent.end_char, speaker=outlet, speaker_code=code, cue=None,
                       claim_start=sent.start_char, claim_end=sent.end_char)


def _attribution(doc: Doc, sent: Span, speaker: Token, cue: str, claim, actors: list[ActorRef]) -> Attribution:
    s0, s1, head = _speaker_range(doc, speaker)
    span = doc[s0:s1]
    text, code = span.text, None
    actor = _actor_for(actors, span.start_char, span.end_char, head.idx)
    if head.pos_ == "PRON" and head.lower_ in REFERRING:
        actor = _antecedent(actors, head.idx)
        if actor is not None:
            text = actor.name or actor.text
    if actor is not None:
        code = actor.code
    claim_start = claim_end = None
    if claim and claim[1] > claim[0]:
        claim_start, claim_end = doc[claim[0]].idx, doc[claim[1] - 1].idx + len(doc[claim[1] - 1])
    return Attribution(start=sent.start_char, end=sent.end_char, speaker=text, speaker_code=code, cue=cue,
                       speaker_start=span.start_char, speaker_end=span.end_char,
                       claim_start=claim_start, claim_end=claim_end)
