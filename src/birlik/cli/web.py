"""``birlik serve``, ``birlik user add/list/grant/passwd/reset-password``, ``birlik registry import``."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from birlik.access.models import UserRow
    from birlik.settings import Settings


def default_workers() -> int:
    """One worker process per core, at most four (each holds its own caches and, once semantic
    search is used, its own copy of the embedding model)."""
    return max(1, min(4, os.cpu_count() or 1))


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core, at most 4; env BIRLIK_WEB_WORKERS).",
)
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int | None) -> None:
    """Serve the web application and its API (/api/v1, OpenAPI at /api/v1/docs)."""
    from birlik.web import serve as serving

    app.settings.refuse_placeholders(serving=True)  # checked here once, not in each worker process
    web = app.settings.web
    workers = workers or web.web_workers or default_workers()
    url = app.settings.database_url
    if url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:"):
        workers = 1  # an in-memory database lives in one process
    app.store()  # the schema is checked before any worker starts
    _announce_environment(app.settings)
    click.echo(f"birlik: serving on http://{host}:{port} ({workers} worker{'s' * (workers > 1)})", err=True)
    serving.run(app.runtime, host=host, port=port, workers=workers)


def _announce_environment(settings: Settings) -> None:
    """Say on stderr when this is not a production server, and where its session secret lives
    (made here, once, before any worker process starts)."""
    from birlik.web.session_secret import session_secret

    secret = session_secret(settings)
    if settings.environment == "production":
        return
    where = (
        f"{'generated' if secret.generated else 'read'} {secret.path}"
        if secret.path
        else "BIRLIK_SECRET_KEY"
    )
    click.echo(
        f"birlik: {settings.environment} mode, not for production (session secret: {where}) — set "
        "BIRLIK_ENVIRONMENT=production, BIRLIK_SECRET_KEY and BIRLIK_COOKIE_SECURE to deploy",
        err=True,
    )


@click.group()
def user() -> None:
    """People who log in to the web application."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["administrator", "analyst", "coordinator", "mediator", "viewer"]),
)
@click.option("--region", "regions", multiple=True, help="KATO code of a region the user may see (repeat).")
@click.option("--password", default=None, help="Default: a random one, printed once.")
@click.option("--if-missing", is_flag=True, help="Do nothing when the user exists.")
@pass_app
def user_add(
    app: AppContext,
    username: str,
    role: str,
    regions: tuple[str, ...],
    password: str | None,
    if_missing: bool,
) -> None:
    """Add a user; prints the user name and password as JSON."""
    from birlik.access import users

    password = password or secrets.token_urlsafe(12)
    with app.store().transaction() as session:
        if if_missing and users.find_user(session, username) is not None:
            emit_json({"username": username, "created": False})
            return
        users.add_user(session, "cli", username=username, password=password, role=role, regions=regions)
    emit_json(
        {"username": username, "password": password, "role": role, "regions": list(regions), "created": True}
    )


@user.command("list")
@pass_app
def user_list(app: AppContext) -> None:
    """One JSON line per user."""
    from birlik.access import users

    with app.store().transaction() as session:
        for row in users.all_users(session):
            emit_json(
                {
                    "username": row.username,
                    "role": row.role,
                    "active": row.active,
                    "regions": sorted(g.region_kato for g in row.grants),
                }
            )


@user.command("grant")
@click.argument("username")
@click.option(
    "--role",
    default=None,
    type=click.Choice(["administrator", "analyst", "coordinator", "mediator", "viewer"]),
)
@click.option(
    "--region", "regions", multiple=True, help="The regions (KATO) the user may see; replaces the old ones."
)
@pass_app
def user_grant(app: AppContext, username: str, role: str | None, regions: tuple[str, ...]) -> None:
    """Change a user's role or regions."""
    from birlik.access import users

    with app.store().transaction() as session:
        row = _user_named(session, username)
        users.set_user_access(session, "cli", row.id, role=role, regions=regions or None)
    emit_json({"username": username, "role": role, "regions": list(regions)})


@user.command("passwd")
@click.argument("username")
@click.option("--current-password", prompt=True, hide_input=True, help="Default: asked for.")
@click.option(
    "--new-password", prompt=True, hide_input=True, confirmation_prompt=True, help="Default: asked for twice."
)
@pass_app
def user_passwd(app: AppContext, username: str, current_password: str, new_password: str) -> None:
    """Change a user's password, knowing the current one; the user's sessions end."""
    from birlik.access import users

    with app.store().transaction() as session:
        row = _user_named(session, username)
        users.change_password(session, "cli", row, current=current_password, new=new_password)
    emit_json({"username": username, "changed": True, "sessions_ended": True})


@user.command("reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Default: a random one, printed once.")
@pass_app
def user_reset_password(app: AppContext, username: str, password: str | None) -> None:
    """Set a user's password without the current one (a forgotten one); their sessions end.
    Prints the user name and the new password as JSON."""
    from birlik.access import users

    password = password or secrets.token_urlsafe(12)
    with app.store().transaction() as session:
        users.reset_password(session, "cli", _user_named(session, username).id, password)
    emit_json({"username": username, "password": password, "sessions_ended": True})


def _user_named(session: Session, username: str) -> UserRow:
    from birlik.access import users

    row = users.find_user(session, username)
    if row is None:
        raise ConfigError(f"no user {username!r} — `birlik user list` shows them", code=codes.W115)
    return row


@click.group()
def registry() -> None:
    """The registry of the Assembly's units."""


@registry.command("import")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Import the fictional units bundled for the demo.")
@pass_app
def registry_import(app: AppContext, path: Path | None, demo: bool) -> None:
    """Add the units of a CSV (kind, name, region_kato, address, phone, email, contact_person, languages…)."""
    from importlib import resources

    from birlik.access import units

    if demo:
        data = resources.files("birlik.demo").joinpath("registry.csv").read_text("utf-8")
    elif path is not None:
        data = path.read_text("utf-8-sig")
    else:
        data = sys.stdin.read()
    with app.store().transaction() as session:
        count = units.import_units_csv(session, "cli", data)
    emit_json({"imported": count})


COMMANDS = (serve, user, registry)
