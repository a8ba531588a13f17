"""The JSONL interface of ``birlik analyze``: dict in, Document, dict out.

Input fields: ``id``, ``text`` and optionally ``title``, ``lang``, ``published_at``,
``source``, ``url``. Every other field passes through untouched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from birlik.domain.errors import BadInput
from birlik.domain.records import Document

KNOWN_FIELDS = frozenset({"id", "text", "title", "lang", "published_at", "source", "url"})
OUTPUT_FIELDS = frozenset(
    {"lang", "langs", "entities", "regions", "region_scores", "flags", "tokens", "signals"}
)


def document_from_json(obj: object, line_no: int) -> Document:
    if not isinstance(obj, dict):
        raise BadInput(f'line {line_no} is not a JSON object — each line needs {{"id", "text"}}', code="A002")
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadInput(f"line {line_no} has no string field 'text' — add the document's text", code="A003")
    doc_id = obj.get("id", line_no)
    if not isinstance(doc_id, (str, int)):
        raise BadInput(f"line {line_no}: 'id' must be a string or a number", code="A004")
    return Document(
        id=str(doc_id),
        text=text,
        title=_optional_str(obj, "title", line_no),
        lang=_optional_str(obj, "lang", line_no),
        published_at=_parse_date(obj.get("published_at"), line_no),
        source=_optional_str(obj, "source", line_no),
        url=_optional_str(obj, "url", line_no),
        extra={key: value for key, value in obj.items() if key not in KNOWN_FIELDS},
    )


def _optional_str(obj: dict[str, Any], key: str, line_no: int) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadInput(f"line {line_no}: {key!r} must be a string", code="A005")


def _parse_date(value: object, line_no: int) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    raise BadInput(
        f"line {line_no}: published_at {value!r} is not an ISO 8601 date — "
        "write it as 2026-03-21T10:00:00+05:00",
        code="A006",
    )


def document_to_json(doc: Document, original: dict[str, Any], *, with_tokens: bool = False) -> dict[str, Any]:
    out = {key: value for key, value in original.items() if key not in OUTPUT_FIELDS}
    out["id"] = original.get("id", doc.id)
    out["lang"] = doc.lang or "und"
    out["langs"] = doc.langs
    out["entities"] = [m.as_json() for m in sorted(doc.entities, key=lambda m: (m.start, m.end))]
    out["regions"] = [r.kato for r in doc.regions]
    out["region_scores"] = [{"kato": r.kato, "confidence": round(r.confidence, 3)} for r in doc.regions]
    if doc.signals:
        out["signals"] = {name: signal.as_json() for name, signal in doc.signals.items()}
    if doc.flags:
        out["flags"] = doc.flags
    if with_tokens:
        out["tokens"] = [
            {"start": t.start, "end": t.end, "text": doc.text[t.start : t.end], "lemma": t.lemma}
            for t in doc.tokens
        ]
    return out
