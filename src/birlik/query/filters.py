"""What a reader asks of a document list: the filters, the search mode and the order. One type
for the web's pages and API, the CLI's ``birlik search`` and the exports."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from birlik.store.search import query_terms

SORTS: tuple[str, ...] = ("newest", "oldest", "tension", "relevance")
"""Orders of a document list; ``relevance`` only with a text query (a semantic search is always
ordered by meaning)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentFilters:
    q: str = ""
    mode: str = "text"
    """``text`` (full-text, each backend's engine) or ``semantic`` (embedding similarity)."""
    langs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    ethnic: tuple[str, ...] = ()
    incident: str | None = None
    min_tension: float | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "newest"
    """One of ``SORTS``; see ``order`` for the one applied."""

    def narrowed(self) -> bool:
        """Whether any filter or query is set (the search mode and the order are not)."""
        return any(value for key, value in self.as_params().items() if key not in ("mode", "sort"))

    @property
    def semantic(self) -> bool:
        """A search by meaning: the semantic mode with a query."""
        return self.mode == "semantic" and bool(self.q.strip())

    @property
    def order(self) -> str:
        """The order applied: by meaning for a semantic search, relevance only with a text query
        (else the newest first), the newest first for an unknown order."""
        if self.semantic:
            return "relevance"
        if self.sort == "relevance":
            return "relevance" if query_terms(self.q) else "newest"
        return self.sort if self.sort in SORTS else "newest"

    def as_params(self) -> dict[str, Any]:
        return {
            key: (list(v) if isinstance(v, tuple) else v)
            for key, v in asdict(self).items()
            if v and not (key == "sort" and v == "newest")
        }
