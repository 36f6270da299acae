"""Event coding: who did what to whom, when, where, says who, sentence by sentence.

`code_events(doc, annotated)` is the entry point. Each sentence goes through the stages,
one module each:

1. `predicates.find_candidates`: which words are events, by which lexicon pattern;
2. `participants.read_participants`: the source and target actors of each candidate;
3. `modality.read_modality`: negated, planned, hypothetical;
4. `anchoring.date_of` / `place_of`: when and where;
5. `assemble.assemble`: controllers and their content, reported speech, the main line of the
   sentence, sides the text leaves unnamed (`unnamed`), code refinements (`refine`), and one
   `EventMention` per pair of sides.

What a sentence leaves for later ones (its subject, the events it named, for "they began on
Monday") is kept here, in a `Discourse`.
"""

from __future__ import annotations

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from tidings.coding.codebook import Codebook, load_codebook
from tidings.coding.lexicon import Lexicon, load_lexicon
from tidings.records import AnnotatedArticle, EventMention, stable_id
from tidings.coding.context import ArticleIndex, Candidate, Discourse, Group, side_of
from tidings.coding.parse import subject_tokens
from tidings.coding.predicates import find_candidates
from tidings.coding.participants import actor_sides
from tidings.coding.assemble import assemble, predicate_span


def code_events(doc: Doc, annotated: AnnotatedArticle, lexicon: Lexicon | None = None,
                codebook: Codebook | None = None) -> list[EventMention]:
    """Every event mention of `doc`, sentence by sentence, the main event of each sentence first.

    `annotated` carries the article and the annotate layers (times, places, actors,
    attributions) with character offsets into `doc.text`. `lexicon` and `codebook` default
    to the packaged CAMEO ones (`load_lexicon()`, `load_codebook()`).
    """
    lex = lexicon or load_lexicon()
    cb = codebook or load_codebook()
    art = ArticleIndex(doc, annotated, lex, cb)
    state = Discourse()
    out: list[EventMention] = []
    for sent in doc.sents:
        cands = find_candidates(sent, art, state)
        mentions = assemble(sent, cands, art, state)
        _remember(sent, cands, mentions, art, state)
        out.extend(mentions)
    for n, m in enumerate(out):
        m.id = stable_id(annotated.article.id, m.start, m.code, m.source, m.target, n)
    return out


def _remember(sent: SpacySpan, cands: list[Candidate], mentions: list[EventMention], art: ArticleIndex,
              state: Discourse) -> None:
    root = sent.root
    subj, _ = subject_tokens(root, art.lex)
    sides = actor_sides(subj, art, state) if subj else []
    if sides:
        state.subjects = sides
        for s in sides:
            if s.kind == "person":
                state.person = s
            elif s.code:
                state.thing = s
    if state.person is None:
        for a in art.ann.actors:
            if sent.start_char <= a.start < sent.end_char and a.kind == "person":
                state.person = side_of(a, "actor")
                break
    groups: dict[int, list[EventMention]] = {}
    owner: dict[int, Candidate] = {}
    for m, c in zip(mentions, _mention_candidates(cands, mentions)):
        if c is not None and (m.source or m.target) and (c.noun is not None or c.antecedent is not None):
            groups.setdefault(id(c), []).append(m)
            owner[id(c)] = c
    for key, ms in groups.items():
        c = owner[key]
        lemma = c.antecedent.lemma if c.antecedent is not None and c.noun is None else (
            c.noun.lemma_.lower() if c.noun is not None else "event")
        if c.antecedent is not None and c.kind == "aspect":
            lemma = c.antecedent.lemma if c.noun is None or c.noun.pos_ == "PRON" else lemma
        g = Group(ms, state.sent_i, lemma)
        state.by_noun.setdefault(lemma, []).append(g)
        state.last_nominal.append(g)
    state.last_nominal = state.last_nominal[-6:]
    state.sent_i += 1


def _mention_candidates(cands: list[Candidate], mentions: list[EventMention]) -> list[Candidate | None]:
    """The candidate each mention came from (matched by predicate span)."""
    by_span = {}
    for c in cands:
        ps = predicate_span(c, "")
        by_span[(ps.start, ps.end)] = c
    return [by_span.get((m.predicate_span.start, m.predicate_span.end)) if m.predicate_span else None
            for m in mentions]
