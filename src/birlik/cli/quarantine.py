"""``birlik quarantine list/retry``."""

from __future__ import annotations

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.connectors.base import SourceConfig
from birlik.ingest.service import IngestReport
from birlik.store import repository as repo


@click.group()
def quarantine() -> None:
    """Items that could not be processed, with their coded reasons."""


@quarantine.command("list")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved entries.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
@pass_app
def quarantine_list(app: AppContext, include_resolved: bool, as_json: bool) -> None:
    """List quarantined items."""
    with app.store().transaction() as session:
        rows = repo.list_quarantine(session, include_resolved=include_resolved)
        for row in rows:
            record = {
                "id": row.id,
                "source": row.source_name,
                "item": row.item_key,
                "code": row.code,
                "reason": row.reason,
                "attempts": row.attempts,
                "updated_at": row.updated_at,
                "resolved_at": row.resolved_at,
            }
            if as_json:
                emit_json(record)
            else:
                click.echo(f"{row.id:5} [{row.code}] {row.item_key}\n      {row.reason}")
    if not rows and not as_json:
        click.echo("quarantine is empty", err=True)


@quarantine.command("retry")
@click.argument("ids", nargs=-1, type=int)
@pass_app
def quarantine_retry(app: AppContext, ids: tuple[int, ...]) -> None:
    """Fetch and process quarantined items again (all open ones, or the IDS given)."""
    store = app.store()
    with store.transaction() as session:
        rows = repo.list_quarantine(session, ids=ids)
        locations = {(r.source_name, r.source_kind, r.location): dict(r.options) for r in rows}
    total = IngestReport()
    for (name, kind, location), options in locations.items():
        config = SourceConfig(name=name, kind=kind, location=location, options=options)
        total.add(app.runtime.ingestor().ingest(config, None))
    with store.transaction() as session:
        still_open = len(repo.list_quarantine(session, ids=ids))
    emit_json({"retried": len(rows), "stored": total.stored, "still_quarantined": still_open})
