"""One record (a JSON line, a feed entry, a page) to an `Article`: the single code path for
`tidings annotate`, the JSON Lines reader and the other readers."""
from __future__ import annotations

from typing import Any

from tidings.ingest.clean import clean_text
from tidings.ingest.dates import parse_date
from tidings.ingest.errors import IngestError
from tidings.ingest.extract import extract_html
from tidings.ingest.limits import MAX_ARTICLE_CHARS
from tidings.ingest.opinion import is_opinion
from tidings.ingest.textcheck import junk_reason, scrub
from tidings.records import Article, content_id


def _given(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise IngestError(f"field '{key}' is not a string")
    s = " ".join(str(value).split())
    return s or None


def make_article(text: str, url: str, *, title: str | None = None, published: str | None = None,
                 outlet: str | None = None, author: str | None = None, lang: str | None = None,
                 external_id: str | None = None) -> Article:
    """An Article from cleaned text; its id is the content hash of that text.

    A record with a title and no text (a headline feed, an aggregator's dump) is an article
    whose text is its title: it is annotated and clustered on its headline. Junk (control
    characters, no letters) and texts over MAX_ARTICLE_CHARS are refused; every string is
    scrubbed so that it can be printed and stored (`textcheck.scrub`)."""
    if not text.strip():
        if not (title and title.strip()):
            raise IngestError("no article text or title")
        text = title.strip()
    reason = junk_reason(text)
    if reason:
        raise IngestError(reason)
    text = scrub(text)
    if len(text) > MAX_ARTICLE_CHARS:
        raise IngestError(f"text of {len(text):,} characters, over the limit of {MAX_ARTICLE_CHARS:,} per article")
    url, title, published, outlet, author, lang, external_id = (
        None if v is None else scrub(v) for v in (url, title, published, outlet, author, lang, external_id))
    return Article(id=content_id(text), text=text, url=url, outlet=outlet, title=title, published=published,
                   lang=lang or "en", author=author, sources=[url], external_id=external_id,
                   opinion=is_opinion(title, text, url))


def article_from_record(record: dict, source: str) -> Article:
    """A record of the `tidings annotate` contract (`id`, `text` or `html`, optional `date`,
    `title`, `url`, `outlet`, `lang`) as an Article. Raw text goes through the cleaner, HTML
    through the extractor; a date, outlet or title the record gives wins over sniffed ones.
    `source` names where the record came from ("in.jsonl:12") when it has no `url`.

    Raises IngestError (a ValueError) when the record has no usable text.
    """
    if not isinstance(record, dict):
        raise IngestError("not a JSON object")
    html, raw = record.get("html"), record.get("text")
    url = _given(record, "url") or source
    if isinstance(html, str) and html.strip():
        found = extract_html(html, url=url if "://" in url else None)
        text, sniffed = found.text, found
    elif isinstance(raw, str):
        cleaned = clean_text(raw)
        text, sniffed = cleaned.text, cleaned
    elif html is not None or raw is not None:
        raise IngestError("field 'text' or 'html' is not a string")
    elif _given(record, "title"):
        text, sniffed = "", clean_text("")  # a headline-only record
    else:
        raise IngestError("no 'text' or 'html' field (nor a 'title')")
    given_date = _given(record, "date")
    external = record.get("id")
    return make_article(
        text, url,
        title=_given(record, "title") or sniffed.title,
        published=parse_date(given_date) or sniffed.published,
        outlet=_given(record, "outlet") or sniffed.outlet,
        author=_given(record, "author") or sniffed.author,
        lang=_given(record, "lang"),
        external_id=None if external is None else str(external),
    )
