"""What every command shares: settings and the runtime built once at the entry point, output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import click
from tqdm import tqdm

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.runtime import Runtime, invalid_setting, load_settings
from birlik.settings import Settings
from birlik.store.repository import Store

__all__ = ["AppContext", "emit_json", "invalid_setting", "parse_day", "pass_app"]


@dataclass
class AppContext:
    database_url: str | None = None
    quiet: bool = False
    _runtime: Runtime | None = field(default=None, repr=False)

    @property
    def runtime(self) -> Runtime:
        """The command's runtime: settings from BIRLIK_* (and --database-url), parts built on
        first use."""
        if self._runtime is None:
            overrides: dict[str, Any] = {}
            if self.database_url:
                overrides["database_url"] = self.database_url
            self._runtime = Runtime(load_settings(**overrides))
        return self._runtime

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def store(self, *, create: bool = False) -> Store:
        return self.runtime.store(create=create)

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
        raise ConfigError(f"{option} {value!r} is not a date — write it as 2026-03-21",
                          code=codes.E004) from exc
