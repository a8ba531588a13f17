"""The JSONL interface of ``birlik analyze``: dict in, Document, dict out.

Input fields: ``id``, ``text`` and optionally ``title``, ``lang``, ``published_at``,
``source``, ``url``. Every other field passes through untouched.

Input is read as bytes, line by line, and every line is judged on its own: a line that is
not UTF-8 (``A007``), not JSON (``A001``), nested too deep (``I030``) or longer than the
limit (``A009``) becomes a coded error in its place and the next line is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from birlik.domain import codes
from birlik.domain.errors import BadInput
from birlik.domain.records import Document
from birlik.domain.safejson import bounded_lines, loads_bounded

Parsed = tuple[int, dict[str, Any], Document | BadInput]
"""(line number, the object as read or ``{}``, the document or why there is none)."""

KNOWN_FIELDS = frozenset({"id", "text", "title", "lang", "published_at", "source", "url"})
OUTPUT_FIELDS = frozenset(
    {"lang", "langs", "entities", "regions", "region_scores", "flags", "tokens", "signals", "claims"}
)


def read_documents(stream: IO[bytes], *, max_line_bytes: int, max_depth: int) -> Iterator[Parsed]:
    """One result per non-blank line of ``stream``, in order; never raises on bad content."""
    for line_no, line in enumerate(bounded_lines(stream, max_line_bytes), start=1):
        if line is None:
            yield line_no, {}, BadInput(
                f"line {line_no} is longer than {max_line_bytes} bytes — split the document, or "
                "raise BIRLIK_MAX_FILE_BYTES",
                code=codes.A009,
            )
            continue
        if line_no == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if line.strip():
            yield line_no, *_parse_line(line, line_no, max_depth)


def _parse_line(line: bytes, line_no: int, max_depth: int) -> tuple[dict[str, Any], Document | BadInput]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {}, BadInput(
            f"line {line_no} is not UTF-8 text (byte 0x{line[exc.start]:02x} at byte {exc.start + 1}) "
            "— save the input as UTF-8",
            code=codes.A007,
        )
    try:
        obj = loads_bounded(text, max_depth=max_depth, where=f"line {line_no}")
    except BadInput as exc:  # nested too deep
        return {}, exc
    except ValueError as exc:  # JSONDecodeError, or a number of more than 4,300 digits
        problem = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
        return {}, BadInput(f"line {line_no} is not JSON: {problem} — one object per line",
                            code=codes.A001)
    try:
        return (obj if isinstance(obj, dict) else {}), document_from_json(obj, line_no)
    except BadInput as exc:
        return (obj if isinstance(obj, dict) else {}), exc


def document_from_json(obj: object, line_no: int) -> Document:
    if not isinstance(obj, dict):
        raise BadInput(f'line {line_no} is not a JSON object — each line needs {{"id", "text"}}',
                       code=codes.A002)
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadInput(f"line {line_no} has no string field 'text' — add the document's text",
                       code=codes.A003)
    doc_id = obj.get("id", line_no)
    if not isinstance(doc_id, (str, int)):
        raise BadInput(f"line {line_no}: 'id' must be a string or a number", code=codes.A004)
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
    raise BadInput(f"line {line_no}: {key!r} must be a string", code=codes.A005)


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
        code=codes.A006,
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
    if doc.claims is not None:
        out["claims"] = [claim.as_json() for claim in doc.claims]
    if doc.flags:
        out["flags"] = doc.flags
    if with_tokens:
        out["tokens"] = [
            {"start": t.start, "end": t.end, "text": doc.text[t.start : t.end], "lemma": t.lemma}
            for t in doc.tokens
        ]
    return out
