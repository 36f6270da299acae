"""Annotate, then code: the work done for each new article.

This is the expensive part of `tidings add` and all of `tidings annotate`: one spaCy
parse per article, the annotate layers (`tidings/nlp/`), then event coding
(`tidings/coding/`). It takes `Article` records and returns `AnnotatedArticle` records,
so it runs the same in the writing process or on a Dask worker; a spaCy `Doc` never
leaves this function.

One bad article never costs another: an article whose parse, layers or coding raises is
reported through `on_error` in one line (its source and the reason) and left out; the
articles around it come out as if it had not been there. A text longer than
`CHUNK_CHARS` (a report of several MB) is parsed and annotated in paragraph chunks, each
chunk's records moved to the chunk's place, so every offset points into the whole
`Article.text` and the parser's memory stays that of one chunk.
"""
from __future__ import annotations

import dataclasses
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from tidings.ingest.errors import one_line
from tidings.ingest.limits import CHUNK_CHARS, PARSE_BATCH_CHARS
from tidings.nlp.pipeline import BATCH_SIZE, annotate_doc, load_nlp, parse_articles
from tidings.nlp.places_home import OutletHomes
from tidings.records import AnnotatedArticle, Article, outlet_identity

OnError = Callable[[str], None]
HOME_WINDOW = 256   # articles read ahead to learn their outlets' homes (text only: cheap)

# Where a chunk may end, best first: a paragraph, a line, a sentence, a word.
_CUTS = ("\n\n", "\n", ". ", " ")
# Offsets of records, besides the nested records (Span, Place) that carry their own.
_OFFSET_FIELDS = frozenset({"start", "end", "speaker_start", "speaker_end", "claim_start", "claim_end"})


def chunks_of(text: str, size: int) -> list[tuple[int, str]]:
    """(offset, piece) covering `text` exactly, each piece at most `size` characters,
    cut at the last paragraph break before the limit (else line, sentence, word)."""
    pieces = []
    start = 0
    while len(text) - start > size:
        end = start + size
        for cut in _CUTS:
            k = text.rfind(cut, start + size // 2, end)
            if k != -1:
                end = k + len(cut)
                break
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def shifted(record, offset: int):
    """A record (and the records inside it) with every character offset moved by `offset`."""
    if dataclasses.is_dataclass(record):
        changes = {}
        for f in dataclasses.fields(record):
            value = getattr(record, f.name)
            if f.name in _OFFSET_FIELDS and isinstance(value, int) and not isinstance(value, bool):
                changes[f.name] = value + offset
            elif dataclasses.is_dataclass(value) or isinstance(value, list):
                changes[f.name] = shifted(value, offset)
        return dataclasses.replace(record, **changes)
    if isinstance(record, list):
        return [shifted(r, offset) for r in record]
    return record


def _joined(article: Article, parts: list[tuple[int, AnnotatedArticle]]) -> AnnotatedArticle:
    """One article's annotation from the annotations of its chunks."""
    whole = AnnotatedArticle(article=article)
    for offset, part in parts:
        for layer in ("sentences", "times", "places", "actors", "attributions", "events"):
            getattr(whole, layer).extend(shifted(getattr(part, layer), offset))
        whole.keywords.extend(part.keywords)
    return whole


def source_of(article: Article) -> str:
    """How a message names an article: where it came from, and the id its input gave it."""
    where = article.url or f"article {article.id}"
    if article.external_id and article.external_id not in where:
        where += f" (id {article.external_id})"
    return where


def annotate_articles(
    articles: Iterable[Article], batch_size: int = BATCH_SIZE, code: bool = True,
    homes: OutletHomes | None = None, on_error: OnError | None = None,
) -> Iterator[AnnotatedArticle]:
    """Every layer, and the events unless `code` is False, for a stream of articles, in order.

    `homes` is what is known of each outlet's home (`nlp/places_home.py`); it learns from
    every article read here, a window ahead of the one being annotated, so that a local
    paper's namesakes resolve to its own region. Pass the same object across calls (or
    keep its `state()`) to carry that knowledge; by default it lives for this call.

    With `on_error`, an article that cannot be annotated is reported and left out; without
    it, its exception is raised."""
    homes = homes if homes is not None else OutletHomes()
    it = iter(articles)
    while window := list(itertools.islice(it, HOME_WINDOW)):
        for a in window:
            try:
                homes.learn(outlet_identity(a), a.text)
            except Exception:   # an article that cannot be read is reported by its annotation below
                pass
        for start in range(0, len(window), batch_size):
            yield from _annotate_batch(window[start:start + batch_size], batch_size, code, homes, on_error)


def _annotate_batch(batch: list[Article], batch_size: int, code: bool, homes: OutletHomes,
                    on_error: OnError | None) -> Iterator[AnnotatedArticle]:
    """One batch through one parse stream. A fault of the parser loses the stream, so the
    articles not handled by then are parsed again one at a time: only the faulty one is lost."""
    size = min(CHUNK_CHARS, load_nlp().max_length)
    handled: list[Article] = []     # yielded or reported, in order
    try:
        yield from _annotate_stream(batch, size, batch_size, code, homes, on_error, handled)
        return
    except Exception:
        if on_error is None:
            raise
    for article in batch[len(handled):]:
        try:
            yield from _annotate_stream([article], size, batch_size, code, homes, on_error, [])
        except Exception as e:
            _report(on_error, article, e)


def _report(on_error: OnError | None, article: Article, e: Exception) -> None:
    if on_error is None:
        raise e
    on_error(f"{source_of(article)}: cannot annotate ({type(e).__name__}: {one_line(e)})")


def _annotate_stream(batch: list[Article], size: int, batch_size: int, code: bool, homes: OutletHomes,
                     on_error: OnError | None, handled: list[Article]) -> Iterator[AnnotatedArticle]:
    """Parse the chunks of a batch's articles in one stream; annotate each chunk as it
    comes and yield each article when its last chunk is done. A fault in the layers or
    the coder costs its article; a fault of the parser is raised."""
    from tidings.coding import code_events

    parts: list[tuple[int, AnnotatedArticle]] = []
    failed: Article | None = None
    for group in _parse_groups(batch, size, batch_size):
        plan = deque(group)
        pieces = [article if offset == 0 and last else dataclasses.replace(article, text=text)
                  for article, offset, text, last in group]
        for doc, piece in parse_articles(pieces, len(pieces)):
            article, offset, _, last = plan.popleft()
            if failed is not article:
                try:
                    part = annotate_doc(doc, piece, homes.home_of(outlet_identity(article)))
                    if code:
                        part.events = code_events(doc, part)
                    parts.append((offset, part))
                except Exception as e:
                    failed, parts = article, []
                    handled.append(article)
                    _report(on_error, article, e)
            if last:
                if failed is not article:
                    handled.append(article)
                    yield parts[0][1] if len(parts) == 1 and parts[0][0] == 0 else _joined(article, parts)
                parts = []


def _parse_groups(batch: list[Article], size: int, batch_size: int) -> Iterator[list[tuple[Article, int, str, bool]]]:
    """The chunks of a batch's articles, (article, offset, text, last chunk?), in groups the
    parser takes at once: at most `batch_size` chunks and PARSE_BATCH_CHARS characters."""
    group: list[tuple[Article, int, str, bool]] = []
    chars = 0
    for article in batch:
        chunks = chunks_of(article.text, size)
        for k, (offset, text) in enumerate(chunks):
            if group and (len(group) >= batch_size or chars + len(text) > PARSE_BATCH_CHARS):
                yield group
                group, chars = [], 0
            group.append((article, offset, text, k == len(chunks) - 1))
            chars += len(text)
    if group:
        yield group
