"""``birlik cluster`` (JSONL in, ``{id, story}`` out, no database), ``birlik stories`` and
``birlik claims`` (stored stories, the claim registry and discrepancies)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from birlik.cli.context import AppContext, emit_json, parse_day, pass_app
from birlik.domain import codes
from birlik.domain.errors import BadInput, NotFound
from birlik.domain.records import Document
from birlik.nlp.claims import Claim, Discrepancy
from birlik.nlp.embed import Embedder
from birlik.nlp.jsonl import document_from_json
from birlik.runtime import EMBEDDER_KINDS, make_embedder
from birlik.stories.clusterer import ClusterSettings

_EMBEDDER = click.option(
    "--embedder",
    type=click.Choice(EMBEDDER_KINDS),
    default=None,
    help="Sentence embedder (default: BIRLIK_EMBEDDER; ngram shares no space across languages: "
    "tests only).",
)
_WINDOW = click.option(
    "--window-hours",
    type=click.FloatRange(1, 24 * 90),
    default=72.0,
    show_default=True,
    help="Sliding window.",
)


@click.command()
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@_EMBEDDER
@_WINDOW
@click.option("--details", is_flag=True, help="Add duplicate_of, linked_to and score to each line.")
@pass_app
def cluster(
    app: AppContext, source: IO[str], embedder: str | None, window_hours: float, details: bool
) -> None:
    """Assign stories to JSONL documents from FILE (or stdin): one {id, story} line per input line.

    Documents of one story share `story` across languages and outlets; near-duplicates
    (reprints) always share it. No database is needed.
    """
    from birlik.nlp.static_embed import distilled_companion
    from birlik.stories.linking import link_documents

    lines = list(_read(source))
    docs = [parsed for _, parsed in lines if isinstance(parsed, Document)]
    with app.progress(len(docs), "doc", "cluster") as bar:
        pipeline = app.runtime.pipeline(signals=False)  # stories need entities, not signals
        for first in range(0, len(docs), 64):
            pipeline(docs[first : first + 64])
            bar.update(len(docs[first : first + 64]))
    settings = ClusterSettings(window_hours=window_hours)
    model = _embedder(app, embedder)  # the static table distilled from it finds the candidates
    assignments = iter(link_documents(docs, model, settings, static=distilled_companion(model)))
    failures = 0
    for original, parsed in lines:
        if isinstance(parsed, BadInput):
            failures += 1
            click.echo(f"birlik: {parsed}", err=True)
            emit_json({"id": original.get("id"), "error": {"code": parsed.code, "message": parsed.detail}})
            continue
        assignment = next(assignments)
        out: dict[str, Any] = {"id": original.get("id", parsed.id), "story": assignment.story}
        if details:
            out.update(
                duplicate_of=assignment.dup_of,
                linked_to=assignment.linked_to,
                score=round(assignment.score, 4),
            )
        emit_json(out)
    if failures:
        sys.exit(2)


def _embedder(app: AppContext, kind: str | None) -> Embedder:
    """The runtime's embedder, or the one ``--embedder`` names."""
    return app.runtime.embedder() if kind is None else make_embedder(kind)


def _read(source: IO[str]) -> Iterator[tuple[dict[str, Any], Document | BadInput]]:
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield {}, BadInput(f"line {line_no} is not JSON: {exc.msg} — one object per line",
                               code=codes.A001)
            continue
        try:
            yield obj, document_from_json(obj, line_no)
        except BadInput as exc:
            yield (obj if isinstance(obj, dict) else {}), exc


@click.command()
@click.option("--since", help="Stories seen from this date, e.g. 2026-08-01.")
@click.option("--until", help="Stories that started before this date.")
@click.option("--min-docs", type=click.IntRange(1), default=1, show_default=True)
@click.option("--lang", help="Only stories with documents in this language.")
@click.option("--show", "story_id", type=int, help="List the documents of this story.")
@click.option(
    "--recluster", is_flag=True, help="Re-cluster stored documents from scratch (in --since/--until)."
)
@_EMBEDDER
@click.option("--limit", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story.")
@pass_app
def stories(
    app: AppContext,
    since: str | None,
    until: str | None,
    min_docs: int,
    lang: str | None,
    story_id: int | None,
    recluster: bool,
    embedder: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Stored stories: first/last seen, outlets, languages, regions, peak tension, growth."""
    from birlik.stories import service

    store = app.store()
    if recluster:
        linker = app.runtime.linker() if embedder is None else service.StoryLinker(make_embedder(embedder))
        with store.transaction() as session:
            count = service.recluster_stored(
                session, linker, since=parse_day(since, "--since"), until=parse_day(until, "--until")
            )
        click.echo(f"re-clustered {count} documents", err=True)
    with store.transaction() as session:
        if story_id is not None:
            members = service.story_documents(session, story_id)
            if not members:
                raise NotFound(f"no story {story_id} — `birlik stories` lists them", code=codes.N005)
            _show_story(members, as_json)
            return
        filters = service.StoryFilters(
            since=parse_day(since, "--since"), until=parse_day(until, "--until"), min_docs=min_docs, lang=lang
        )
        for row in service.list_stories(session, filters, limit):
            summary = service.story_summary(row)
            if as_json:
                emit_json(summary)
            else:
                click.echo(_story_line(summary))


def _story_line(summary: dict[str, Any]) -> str:
    tension = "  -  " if summary["peak_tension"] is None else f"{summary['peak_tension']:.2f}"
    days = f"{summary['first_seen'][:10]}…{summary['last_seen'][:10]}"
    return (
        f"{summary['id']:>6} {days} docs {summary['docs']:>3} (dup {summary['duplicates']}) "
        f"{','.join(summary['langs']):8} tension {tension} outlets {len(summary['outlets'])}  "
        f"{(summary['title'] or '')[:70]}"
    )


def _show_story(members: list[tuple[Any, Any]], as_json: bool) -> None:
    for member, row in members:
        item = {
            "document": row.id,
            "seen_at": member.seen_at,
            "lang": row.lang,
            "outlet": row.outlet,
            "canonical": member.canonical,
            "dup_group": member.dup_group,
            "title": row.title,
        }
        if as_json:
            emit_json(item)
        else:
            mark = " " if member.canonical else "≈"
            when = str(member.seen_at)[:16]
            click.echo(f"{mark}{row.id:>7} {when} {row.lang:3} {row.outlet or '-':24} {row.title or ''}")


@click.command()
@click.option("--subject", help="Only this subject, e.g. house_of_friendship.")
@click.option("--discrepancies", is_flag=True, help="Only discrepancies between sources.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def claims(app: AppContext, subject: str | None, discrepancies: bool, as_json: bool) -> None:
    """The claim registry (figure, what it counts, when, where, source) and discrepancies."""
    from birlik.stories import service

    with app.store().transaction() as session:
        if discrepancies:
            for found in service.stored_discrepancies(session, subject):
                emit_json(discrepancy_json(found)) if as_json else click.echo(_discrepancy_line(found))
            return
        for claim in service.stored_claims(session, subject):
            emit_json(claim_json(claim)) if as_json else click.echo(_claim_line(claim))


def claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "document": claim.document,
        "subject": claim.subject,
        "value": claim.value,
        "unit": claim.unit,
        "qualifier": claim.qualifier,
        "text": claim.text,
        "counts": claim.subject_text,
        "period": claim.period,
        "region": claim.region,
        "source": claim.source,
        "published_at": claim.published_at,
        "lang": claim.lang,
        "sentence": claim.sentence,
    }


def discrepancy_json(found: Discrepancy) -> dict[str, Any]:
    return {
        "subject": found.subject,
        "unit": found.unit,
        "kind": found.kind,
        "claims": [claim_json(found.first), claim_json(found.second)],
    }


def _claim_line(claim: Claim) -> str:
    day = claim.published_at.date().isoformat() if claim.published_at else "----------"
    return f"{claim.subject:28} {claim.describe():40} {day} {claim.source or '-':24} «{claim.text}»"


def _discrepancy_line(found: Discrepancy) -> str:
    parts = []
    for claim in (found.first, found.second):
        day = claim.published_at.date().isoformat() if claim.published_at else "undated"
        parts.append(f"{claim.describe()} ({claim.source or claim.document}, {day}: «{claim.text}»)")
    return f"[{found.kind}] {found.subject}: " + "  vs  ".join(parts)


COMMANDS = (cluster, stories, claims)
