"""What of a document the story linker reads."""

from __future__ import annotations

from birlik.domain.records import Document
from birlik.nlp.embed import truncate_text

#: Title and lead: enough for e5 to place the story, short enough to embed fast.
LEAD_CHARS = 600


def lead_text(doc: Document, max_chars: int = LEAD_CHARS) -> str:
    """Title and the start of the text, cut at a word boundary near ``max_chars``."""
    text = doc.text.strip()
    if doc.title and not text.startswith(doc.title.strip()):
        text = f"{doc.title.strip()}\n{text}"
    return truncate_text(text, max_chars)
