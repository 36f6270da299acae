"""Why an event was coded the way it was: the sentence with its parts marked, and the evidence.

`explain_event` returns text with Rich markup (printed by `tidings explain`); `plain=True`
marks the parts with brackets instead, for logs and tests.
"""
from __future__ import annotations

from tidings.coding.codebook import load_codebook
from tidings.records import EventMention

_STYLES = {"source": "bold cyan", "predicate": "bold yellow", "target": "bold magenta"}
_BRACKETS = {"source": ("[S: ", "]"), "predicate": ("[P: ", "]"), "target": ("[T: ", "]")}


def _escape(s: str) -> str:
    return s.replace("[", r"\[")


def sentence_parts(mention: EventMention, text: str) -> list[tuple[str, str | None]]:
    """The event's sentence cut into (text, role) pieces, role one of source, predicate, target or None.

    The one reading of an event's evidence spans, for the terminal (`mark_sentence`) and the web page."""
    start, end = mention.start, mention.end
    spans = []
    for role, span in (("source", mention.source_span), ("predicate", mention.predicate_span),
                       ("target", mention.target_span)):
        if span is not None and start <= span.start < span.end <= end:
            spans.append((span.start, span.end, role))
    spans.sort()
    parts: list[tuple[str, str | None]] = []
    pos = start
    for s, e, role in spans:
        if s < pos:  # overlapping parts (an actor inside the predicate phrase): mark the first only
            continue
        parts.append((text[pos:s], None))
        parts.append((text[s:e], role))
        pos = e
    parts.append((text[pos:end], None))
    # the sentence span may carry the spaces around it: strip them from its ends
    if parts and parts[0][1] is None:
        parts[0] = (parts[0][0].lstrip(), None)
    if parts and parts[-1][1] is None:
        parts[-1] = (parts[-1][0].rstrip(), None)
    return [(chunk, role) for chunk, role in parts if chunk]


def mark_sentence(mention: EventMention, text: str, plain: bool = False) -> str:
    """The event's sentence with source, predicate and target marked."""
    out = []
    for chunk, role in sentence_parts(mention, text):
        if role is None:
            out.append(chunk if plain else _escape(chunk))
        elif plain:
            left, right = _BRACKETS[role]
            out.append(f"{left}{chunk}{right}")
        else:
            out.append(f"[{_STYLES[role]}]{_escape(chunk)}[/]")
    return "".join(out)


def explain_event(mention: EventMention, text: str, plain: bool = False) -> str:
    """A few lines for `tidings explain`: the marked sentence, the code and why it was chosen."""
    esc = (lambda s: s) if plain else _escape
    info = load_codebook().lookup(mention.code)
    lines = [mark_sentence(mention, text, plain)]
    name = f" {info.name}" if info else ""
    extra = []
    if mention.plover:
        extra.append(f"PLOVER {mention.plover}")
    if mention.goldstein is not None:
        extra.append(f"Goldstein {mention.goldstein:+.1f}")
    if mention.quad_class is not None:
        extra.append(f"quad class {mention.quad_class}")
    lines.append(f"code {mention.code}{esc(name)}" + (f" ({', '.join(extra)})" if extra else ""))
    src = mention.source or "unknown"
    tgt = mention.target or "unknown"
    src_txt = f" \u201c{esc(mention.source_span.text)}\u201d" if mention.source_span else ""
    tgt_txt = f" \u201c{esc(mention.target_span.text)}\u201d" if mention.target_span else ""
    lines.append(f"source {src}{src_txt} -> target {tgt}{tgt_txt}")
    if mention.rule:
        lines.append(f"why: {esc(mention.rule)}")
    flags = [mention.modality]
    if mention.negated:
        flags.append("negated")
    lines.append(f"modality: {', '.join(flags)}")
    if mention.date:
        span = mention.date + (f" to {mention.date_end}" if mention.date_end else "")
        how = {"clause": "a time expression in its clause",
               "sentence": "a time expression elsewhere in its sentence",
               "published": "the publication date (no date in the sentence)"}.get(mention.date_source or "", "?")
        lines.append(f"date: {span}, from {how}")
    else:
        lines.append("date: unknown (no date in the sentence and no publication date)")
    if mention.place is not None:
        p = mention.place
        lines.append(f"place: {esc(p.name or p.text)} (GeoNames {p.geonameid}, {p.country or '?'}), "
                     f"from \u201c{esc(p.text)}\u201d")
    if mention.attributed_to:
        lines.append(f"according to: {esc(mention.attributed_to)}")
    return "\n".join(lines)
