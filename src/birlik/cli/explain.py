"""``birlik explain ID``: every signal of a stored document with the evidence behind it (the
explanation itself is ``birlik.signals.explain``, which the document page shows too)."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.errors import NotFound
from birlik.signals.explain import SignalExplanation, document_record, explain_signal, explain_signals
from birlik.store.models import DocumentRow


@click.command()
@click.argument("document_id")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def explain(app: AppContext, document_id: str, as_json: bool) -> None:
    """Explain the scores of a stored document (its number, or the id it came with)."""
    with app.store().transaction() as session:
        row = _find(session, document_id)
        record = document_record(row)
        text = row.text
    if as_json:
        emit_json(record)
        return
    click.echo(f"#{record['id']} ({record['ext_id']}) [{record['lang']}] {record['title'] or ''}")
    if not record["signals"]:
        click.echo("  no signals stored for this document (ingested before signals existed?)")
    for signal in explain_signals(text, record["signals"]):
        click.echo(f"  {signal.name}: {signal.headline()}   {' '.join(signal.reasons)}")
        if signal.name == "tension":
            _print_components(signal)
            continue
        for evidence in signal.evidence:
            click.echo(f"      [{evidence.reason}] …{evidence.in_context()}…")


def _components(text: str, signal: dict[str, Any]) -> None:
    """Each tension component: its value, reason code and evidence spans (strongest first)."""
    _print_components(explain_signal(text, "tension", signal))


def _print_components(signal: SignalExplanation) -> None:
    for component in signal.components:
        moved = "*" if component.moved else " "
        click.echo(f"    {moved} {component.name:16} {component.value:.2f}  {component.code}")
        for evidence in component.evidence:
            click.echo(f"          [{evidence.reason}] …{evidence.in_context()}…")


def _find(session: Session, document_id: str) -> DocumentRow:
    row = session.get(DocumentRow, int(document_id)) if document_id.isdigit() else None
    if row is None:
        row = session.scalars(select(DocumentRow).where(DocumentRow.ext_id == document_id)).first()
    if row is None:
        raise NotFound(f"no document {document_id!r} — `birlik search` shows the ids", code=codes.N004)
    return row
