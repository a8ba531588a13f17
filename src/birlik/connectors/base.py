"""Connector contract and registry.

A connector has a ``kind`` and ``fetch(source, since)`` that yields ``RawItem`` for
every item it could read and ``Rejected`` for every item that can never be processed
as it is. It raises ``SourceUnavailable`` when the whole source cannot be reached now
(retry later) and ``BadInput`` when the whole source is unusable (quarantine).
All network access of a connector goes through one private function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from birlik.domain import codes
from birlik.domain.errors import BadInput, ConfigError
from birlik.domain.records import RawItem
from birlik.settings import Settings


@dataclass(slots=True, kw_only=True)
class SourceConfig:
    """What a connector needs to know about one source."""

    name: str
    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    """Mutable memory between polls (ETag, Last-Modified…); saved after a successful fetch."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """An item that cannot be processed: goes to quarantine with the error's code."""

    key: str
    error: BadInput
    payload: bytes | None = None


FetchResult = RawItem | Rejected


class Connector(Protocol):
    kind: str

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]: ...


ConnectorFactory = Callable[[Settings], Connector]
_REGISTRY: dict[str, ConnectorFactory] = {}


def register(kind: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    def add(factory: ConnectorFactory) -> ConnectorFactory:
        _REGISTRY[kind] = factory
        return factory

    return add


def connector_kinds() -> list[str]:
    _load_builtin()
    return sorted(_REGISTRY)


def get_connector(kind: str, settings: Settings) -> Connector:
    _load_builtin()
    factory = _REGISTRY.get(kind)
    if factory is None:
        raise ConfigError(
            f"unknown source kind {kind!r} — use one of: {', '.join(sorted(_REGISTRY))}",
            code=codes.C001,
        )
    return factory(settings)


def _load_builtin() -> None:
    # Built-in connectors register exactly like plug-ins: importing the module registers it.
    from birlik.connectors import builtin  # noqa: F401
