"""What every command shares: settings built once at the entry point, the store, output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import click
from pydantic import ValidationError
from tqdm import tqdm

from birlik.domain.errors import ConfigError
from birlik.settings import Settings
from birlik.store.db import make_engine, migrate, require_schema
from birlik.store.repository import Store


def invalid_setting(exc: ValidationError) -> ConfigError:
    """The coded error for the first invalid BIRLIK_* setting."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return ConfigError(f"setting BIRLIK_{where.upper()} is invalid: {first['msg']}", code="E003")


@dataclass
class AppContext:
    database_url: str | None = None
    quiet: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            overrides: dict[str, Any] = {}
            if self.database_url:
                overrides["database_url"] = self.database_url
            try:
                self._settings = Settings(**overrides)
            except ValidationError as exc:
                raise invalid_setting(exc) from exc
        return self._settings

    def store(self, *, create: bool = False) -> Store:
        if self._store is None:
            engine = make_engine(self.settings.database_url)
            if create:
                migrate(engine)
            else:
                require_schema(engine)
            self._store = Store(engine)
        return self._store

    def progress(self, total: int | None, unit: str, desc: str) -> tqdm[Any]:
        return tqdm(
            total=total,
            unit=unit,
            desc=desc,
            file=sys.stderr,
            disable=self.quiet or None,
            dynamic_ncols=True,
            leave=False,
        )


pass_app = click.make_pass_decorator(AppContext)


def emit_json(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=_json_default))


def _json_default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def parse_day(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"{option} {value!r} is not a date — write it as 2026-03-21", code="E004") from exc
