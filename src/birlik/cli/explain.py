"""``birlik explain ID``: every signal of a stored document with the evidence behind it."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.errors import NotFound
from birlik.store.models import DocumentRow

CONTEXT = 40


@click.command()
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def explain(app: AppContext, document_id: str, as_json: bool) -> None:
    """Explain the scores of a stored document (its number, or the id it came with)."""
    with app.store().transaction() as session:
        row = _find(session, document_id)
        signals = {
            s.name: _signal_json(s.score, s.label, s.labels, s.evidence, s.reasons) for s in row.signals
        }
        record = {
            "id": row.id,
            "ext_id": row.ext_id,
            "title": row.title,
            "lang": row.lang,
            "signals": signals,
        }
        text = row.text
    if as_json:
        emit_json(record)
        return
    click.echo(f"#{record['id']} ({record['ext_id']}) [{record['lang']}] {record['title'] or ''}")
    if not signals:
        click.echo("  no signals stored for this document (ingested before signals existed?)")
    for name, signal in sorted(signals.items()):
        click.echo(f"  {name}: {_headline(signal)}   {' '.join(signal['reasons'])}")
        if name == "tension":
            _components(text, signal)
            continue
        for evidence in signal["evidence"]:
            click.echo(f"      [{evidence['reason']}] …{_in_context(text, evidence)}…")


def _components(text: str, signal: dict[str, Any]) -> None:
    """Each tension component: its value, reason code and evidence spans (strongest first)."""
    reasons = list(signal["reasons"])
    values = signal["labels"] or {}
    ordered = [r.removeprefix("tension.") for r in reasons]
    ordered += sorted(set(values) - set(ordered))
    for component in ordered:
        code = f"tension.{component}"
        moved = "*" if code in reasons else " "
        click.echo(f"    {moved} {component:16} {float(values.get(component, 0.0)):.2f}  {code}")
        for evidence in signal["evidence"]:
            if str(evidence["reason"]).split(":", 1)[0] == code:
                click.echo(f"          [{evidence['reason']}] …{_in_context(text, evidence)}…")


def _find(session: Session, document_id: str) -> DocumentRow:
    row = session.get(DocumentRow, int(document_id)) if document_id.isdigit() else None
    if row is None:
        row = session.scalars(select(DocumentRow).where(DocumentRow.ext_id == document_id)).first()
    if row is None:
        raise NotFound(f"no document {document_id!r} — `birlik search` shows the ids", code=codes.N004)
    return row


def _signal_json(
    score: float | None, label: str | None, labels: dict[str, Any], evidence: list[Any], reasons: list[str]
) -> dict[str, Any]:
    return {"score": score, "label": label, "labels": labels, "evidence": evidence, "reasons": reasons}


def _headline(signal: dict[str, Any]) -> str:
    parts = []
    if signal["score"] is not None:
        parts.append(f"{signal['score']:.2f}")
    if signal["label"] is not None:
        parts.append(str(signal["label"]))
    if signal["labels"] and signal["score"] is None:
        top = sorted(signal["labels"].items(), key=lambda kv: -kv[1])[:3]
        parts.append(", ".join(f"{k} {v:.2f}" for k, v in top))
    return " ".join(parts) or "—"


def _in_context(text: str, evidence: dict[str, Any]) -> str:
    start, end = int(evidence["start"]), int(evidence["end"])
    before = text[max(0, start - CONTEXT) : start].replace("\n", " ")
    after = text[end : end + CONTEXT].replace("\n", " ")
    return f"{before}«{text[start:end]}»{after}"
