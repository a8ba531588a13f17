"""The session secret: the configured one, or outside production one generated per installation.

A secret shared by every installation (the old development placeholder) lets anyone sign a
session cookie for any user. When ``BIRLIK_SECRET_KEY`` is not set (development, test), the
first start generates a random secret and keeps it in ``birlik-secret.key`` next to the SQLite
database (or in ``BIRLIK_DATA_DIR`` for a database that is not a file), readable by its owner
only; every later start, and every worker process, reads the same file, so sessions survive a
restart and no two installations share a secret. Production refuses to start without a secret of
its own (``Settings.refuse_placeholders``, W001).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.settings import DEV_SECRET_KEY, Settings, WebSettings, default_data_dir

SECRET_FILE = "birlik-secret.key"
MIN_LENGTH = 32


@dataclass(frozen=True, slots=True)
class SessionSecret:
    value: str
    path: Path | None
    """The file it was read from or written to; ``None`` when it came from the settings."""
    generated: bool = False
    """Made just now, on this start."""


def session_secret(settings: Settings) -> SessionSecret:
    web = settings.web
    configured = web.secret_key
    if configured and configured != DEV_SECRET_KEY:
        return SessionSecret(configured, None)  # its length is checked in production
    if settings.environment == "production":
        raise ConfigError(
            "BIRLIK_SECRET_KEY is unset or the development placeholder — set a long random secret "
            "before running in production",
            code=codes.W100,
        )
    return _installation_secret(secret_path(web, settings.database_url))


def secret_path(web: WebSettings, database_url: str) -> Path:
    """Next to a SQLite database file; otherwise in the data directory."""
    url = make_url(database_url) if "://" in database_url else None
    in_memory = url is None or url.database in (None, "", ":memory:") or "mode=memory" in database_url
    if url is not None and url.get_backend_name() == "sqlite" and not in_memory:
        return Path(str(url.database)).expanduser().resolve().parent / SECRET_FILE
    return data_dir(web) / SECRET_FILE


def data_dir(web: WebSettings) -> Path:
    if web.data_dir is not None:
        return web.data_dir.expanduser()
    return default_data_dir()


def _installation_secret(path: Path) -> SessionSecret:
    existing = _read(path)
    if existing is not None:
        return SessionSecret(existing, path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole under a private name, then linked into place: a second process starting
        # at the same moment either links first or reads the complete file of the one that did
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temporary, path)
            generated = True
        except FileExistsError:
            generated = False
        finally:
            temporary.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the generated session secret in {path}: {exc.strerror or exc} — make the "
            "directory writable, set BIRLIK_DATA_DIR, or set BIRLIK_SECRET_KEY",
            code=codes.W176,
        ) from exc
    value = _read(path)
    if value is None:
        raise ConfigError(
            f"the session secret in {path} is too short or unreadable — delete the file", code=codes.W176
        )
    return SessionSecret(value, path, generated=generated)


def _read(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & 0o077:
        raise ConfigError(
            f"the session secret {path} can be read by others (mode {mode & 0o777:o}) — "
            f"run `chmod 600 {path}`",
            code=codes.W177,
        )
    value = path.read_text(encoding="ascii").strip()
    return value if len(value) >= MIN_LENGTH else None
