"""``birlik analyze``: the JSONL interface of DESIGN.md, no database needed.

One output line per non-blank input line, in order, written as each batch is done: a
document, or ``{"id", "line", "error": {"code", "message"}}`` for a line that cannot be read
or analysed. Exit code 0 when every line was analysed, 2 when any was not.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.errors import BadInput
from birlik.domain.records import Document
from birlik.nlp.jsonl import document_to_json, read_documents
from birlik.nlp.pipeline import Pipeline

log = logging.getLogger(__name__)

BATCH = 64
EXIT_BAD_LINES = 2

Item = tuple[int, dict[str, Any], Document | BadInput]


@click.command()
@click.argument("source", type=click.File("rb"), default="-")
@click.option("--tokens", is_flag=True, help="Add tokens with offsets and lemmas to each line.")
@click.option("--strict", is_flag=True, help="Stop at the first bad line instead of reporting it.")
@click.option("--stages", "stage_names", metavar="NAMES",
              help="Comma-separated registered stages to run instead of the default pipeline "
                   "(see `birlik stages`).")
@click.option("--config", "configs", multiple=True, metavar="STAGE:KEY=VALUE",
              help="Override a stage's config, e.g. passages.v1:max_salient=6 (repeat).")
@pass_app
def analyze(
    app: AppContext, source: IO[bytes], tokens: bool, strict: bool, stage_names: str | None,
    configs: tuple[str, ...],
) -> None:
    """Analyse JSONL documents from FILE (or stdin): one output line per input line.

    A bad line gives a coded error object in its place; the exit code is then 2.
    """
    from birlik.nlp.factory import build_pipeline, default_names
    from birlik.nlp.registry import parse_overrides
    from birlik.nlp.system import warn_reduced_quality

    settings = app.settings
    warn_reduced_quality(settings)
    names = [name.strip() for name in (stage_names or "").split(",") if name.strip()]
    if names or configs:
        pipeline = build_pipeline(names or default_names(), settings, embedder=app.runtime.embedder(),
                                  overrides=parse_overrides(configs))
    else:
        pipeline = app.runtime.pipeline()
    failures = 0
    batch: list[Item] = []
    lines = read_documents(source, max_line_bytes=settings.max_file_bytes, max_depth=settings.max_json_depth)
    with app.progress(None, "doc", "analyze") as bar:
        for item in lines:
            batch.append(item)
            if strict and isinstance(item[2], BadInput):
                _flush(pipeline, batch[:-1], tokens)
                raise item[2]
            if len(batch) >= BATCH:
                failures += _flush(pipeline, batch, tokens)
                bar.update(len(batch))
                batch = []
        failures += _flush(pipeline, batch, tokens)
    if failures:
        sys.exit(EXIT_BAD_LINES)


def _flush(pipeline: Pipeline, batch: list[Item], tokens: bool) -> int:
    """Analyse and write one batch; the number of lines that became errors."""
    analysed = iter(_analyse(pipeline, [parsed for _, _, parsed in batch if isinstance(parsed, Document)]))
    failures = 0
    for line_no, original, parsed in batch:
        outcome = next(analysed) if isinstance(parsed, Document) else parsed
        if isinstance(outcome, BadInput):
            failures += 1
            click.echo(f"birlik: [{outcome.code}] {outcome.detail}", err=True)
            emit_json({"id": _plain_id(original.get("id")), "line": line_no,
                       "error": {"code": outcome.code, "message": outcome.detail}})
        else:
            emit_json(document_to_json(outcome, original, with_tokens=tokens))
    sys.stdout.flush()
    return failures


def _analyse(pipeline: Pipeline, docs: list[Document]) -> list[Document | BadInput]:
    """The analysed documents in order; if the batch fails, each document alone, so one
    document that breaks a stage becomes an ``A008`` error and the others are kept."""
    if not docs:
        return []
    try:
        return list(pipeline(docs))
    except Exception:  # a stage failing on one document must not lose the batch
        log.exception("batch analysis failed; analysing document by document")
    results: list[Document | BadInput] = []
    for doc in docs:
        try:
            results.append(pipeline([doc])[0])
        except Exception as exc:  # reported in the document's place
            results.append(BadInput(
                f"document {doc.id!r} could not be analysed ({exc.__class__.__name__}: {exc}) — "
                "please report it with the line",
                code=codes.A008,
            ))
    return results


def _plain_id(value: object) -> object:
    return value if isinstance(value, str | int | float) or value is None else str(value)[:200]
