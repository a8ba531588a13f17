"""One module per source kind; all network access through one function per connector."""

from birlik.connectors.base import (
    Connector,
    FetchResult,
    Rejected,
    SourceConfig,
    connector_kinds,
    get_connector,
    register,
)

__all__ = [
    "Connector",
    "FetchResult",
    "Rejected",
    "SourceConfig",
    "connector_kinds",
    "get_connector",
    "register",
]
