"""Every size limit on input, in one place (docs/limits.md says what happens at each).

A limit protects memory and time, never the rest of a run: the unit over it (a file, a
line, a record, an article) is reported in one line naming it and skipped, and reading
goes on with the next one. Limits are in bytes of input unless the name says characters.
"""
from __future__ import annotations

MB = 1024 * 1024

# A document read whole (a text file, an HTML page, a feed, a JSON array file), counted
# after decompression, so a gzip bomb stops here too.
MAX_DOCUMENT_BYTES = 64 * MB

# One line of a JSON Lines file (one record). Longer lines are skipped without being held
# in memory; the lines after them are read.
MAX_JSON_LINE_BYTES = 32 * MB

# One WARC record's payload (an archived page). Larger records that are pages are reported;
# larger records of other types (images, video) are passed over without a word.
MAX_WARC_RECORD_BYTES = 16 * MB

# One WARC record's header block (a few hundred bytes in real archives).
MAX_WARC_HEADER_BYTES = 256 * 1024

# Broken records skipped in one WARC before the rest of the file is given up.
MAX_WARC_RESYNCS = 1000

# A compressed stream read line by line or record by record (.jsonl.gz, .warc.gz) may
# expand to any size while it stays plausible text; once past MAX_DOCUMENT_BYTES of output
# it may not expand more than this many times its compressed size (real news text
# compresses 3-20 times, repetitive dumps rarely 100 times, a compression bomb 1,000 times).
MAX_COMPRESSION_RATIO = 250

# One article's cleaned text. Texts longer than CHUNK_CHARS are annotated in paragraph
# chunks (offsets still point into the whole text); texts longer than this are refused.
MAX_ARTICLE_CHARS = 5_000_000

# The size of the pieces a long text is annotated in: below spaCy's own limit of
# 1,000,000 characters by far, so the parser's working memory stays small ...
CHUNK_CHARS = 50_000
# ... and the characters given to the parser at once (a batch of short articles, or a
# few chunks of a long one).
PARSE_BATCH_CHARS = 4 * CHUNK_CHARS


def megabytes(n: int) -> str:
    """A byte count as people read it in a message: '64 MB', '2.8 MB', '640 KB'."""
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{max(1, round(n / 1024))} KB"
