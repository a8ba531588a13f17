"""``birlik analyze``: the JSONL interface of DESIGN.md, no database needed."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain.errors import BadInput
from birlik.domain.records import Document
from birlik.nlp.jsonl import document_from_json, document_to_json

BATCH = 64


@click.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--tokens", is_flag=True, help="Add tokens with offsets and lemmas to each line.")
@click.option("--strict", is_flag=True, help="Stop at the first bad line instead of reporting it.")
@pass_app
def analyze(app: AppContext, source: IO[str], tokens: bool, strict: bool) -> None:
    """Analyse JSONL documents from FILE (or stdin): one output line per input line."""
    from birlik.nlp.factory import default_pipeline
    from birlik.nlp.system import warn_reduced_quality

    warn_reduced_quality(app.settings)
    pipeline = default_pipeline(app.settings)
    failures = 0
    batch: list[tuple[dict[str, Any], Document | BadInput]] = []
    with app.progress(None, "doc", "analyze") as bar:
        for original, parsed in _read(source):
            if isinstance(parsed, BadInput):
                failures += 1
                click.echo(f"birlik: {parsed}", err=True)
                if strict:
                    raise parsed
            batch.append((original, parsed))
            if len(batch) >= BATCH:
                _flush(pipeline, batch, tokens)
                bar.update(len(batch))
                batch = []
        _flush(pipeline, batch, tokens)
    if failures:
        sys.exit(2)


def _read(source: IO[str]) -> Iterator[tuple[dict[str, Any], Document | BadInput]]:
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {}, BadInput(f"line {line_no} is not JSON: {exc.msg} — one object per line", code="A001")
            continue
        try:
            yield obj, document_from_json(obj, line_no)
        except BadInput as exc:
            yield (obj if isinstance(obj, dict) else {}), exc


def _flush(pipeline: Any, batch: list[tuple[dict[str, Any], Document | BadInput]], tokens: bool) -> None:
    docs = [parsed for _, parsed in batch if isinstance(parsed, Document)]
    pipeline(docs)
    for original, parsed in batch:
        if isinstance(parsed, BadInput):
            emit_json({"id": original.get("id"), "error": {"code": parsed.code, "message": parsed.detail}})
        else:
            emit_json(document_to_json(parsed, original, with_tokens=tokens))
