"""``birlik init`` and ``birlik source add/list``."""

from __future__ import annotations

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.store import repository as repo
from birlik.store.db import current_revision


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create or migrate the database (safe to run again)."""
    store = app.store(create=True)
    click.echo(f"database ready at {app.settings.database_url} (schema {current_revision(store.engine)})")


@click.group()
def source() -> None:
    """Register and list sources."""


def parse_options(pairs: tuple[str, ...]) -> dict[str, object]:
    """``key=value`` pairs; ``fields.text=message`` nests into ``{"fields": {"text": …}}``."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--option")
        target = options
        *parents, leaf = key.split(".")
        for parent in parents:
            nested = target.setdefault(parent, {})
            assert isinstance(nested, dict)
            target = nested
        target[leaf] = _scalar(value)
    return options


def _scalar(value: str) -> object:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return int(value) if value.isdigit() else value


@source.command("add")
@click.argument("name")
@click.argument("kind")
@click.argument("location")
@click.option("--option", "-o", "pairs", multiple=True, help="Connector option key=value (repeat).")
@click.option("--interval", type=int, default=None, help="Seconds between polls.")
@pass_app
def source_add(
    app: AppContext, name: str, kind: str, location: str, pairs: tuple[str, ...], interval: int | None
) -> None:
    """Register a source: NAME KIND LOCATION (a path or a URL).

    KIND is one of: files, posts, rss, web, telegram.
    """
    from birlik.connectors.base import connector_kinds

    if kind not in connector_kinds():
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(connector_kinds())}", param_hint="KIND")
    with app.store().transaction() as session:
        row = repo.add_source(
            session,
            name=name,
            kind=kind,
            location=location,
            options=parse_options(pairs),
            poll_interval=interval or app.settings.default_poll_interval,
        )
        click.echo(f"source {row.name!r} ({row.kind}) registered")


@source.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def source_list(app: AppContext, as_json: bool) -> None:
    """List sources with their document counts and health."""
    with app.store().transaction() as session:
        counts = repo.source_document_counts(session)
        for row in repo.list_sources(session):
            record = {
                "name": row.name,
                "kind": row.kind,
                "location": row.location,
                "documents": counts.get(row.id, 0),
                "poll_interval": row.poll_interval,
                "last_ok_at": row.last_ok_at,
                "last_error": row.last_error,
            }
            if as_json:
                emit_json(record)
            else:
                status = "ERROR " + (row.last_error or "")[:60] if row.last_error else "ok"
                click.echo(f"{row.name:30} {row.kind:9} {counts.get(row.id, 0):7} docs  {status}")
