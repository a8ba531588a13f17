"""Source health: a silent source, a drop in volume, a spike of parse failures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from birlik.signals.health import evaluate_health
from birlik.signals.rules import load_rules
from birlik.store import repository as repo
from birlik.store.models import SourceRow
from birlik.store.repository import QuarantineEntry, Store

NOW = datetime.now(UTC).replace(microsecond=0)


def _source(store: Store, name: str, kind: str = "rss", **fields: Any) -> int:
    with store.transaction() as session:
        row = repo.add_source(
            session,
            name=name,
            kind=kind,
            location=f"https://{name}.example/rss",
            options={},
            poll_interval=600,
        )
        row.created_at = NOW - timedelta(days=30)
        for key, value in fields.items():
            setattr(row, key, value)
        return row.id


def _kinds(store: Store) -> dict[str, set[str]]:
    with store.transaction() as session:
        findings = evaluate_health(session, NOW, load_rules().health)
    out: dict[str, set[str]] = {}
    for finding in findings:
        out.setdefault(finding.kind, set()).add(finding.subject)
    return out


def _daily(add_docs: Callable[..., Any], source_id: int, per_day: list[int]) -> None:
    """``per_day[k]`` documents fetched k days ago (k = 0: the last 24 hours)."""
    for days_ago, count in enumerate(per_day):
        if count:
            moment = NOW - timedelta(days=days_ago, hours=1)
            add_docs(count, published_at=moment, fetched_at=moment, source_id=source_id, regions=())


def test_silent_source_and_failing_polls(store: Store, add_docs: Callable[..., Any]) -> None:
    healthy = _source(store, "healthy", last_polled_at=NOW, last_ok_at=NOW)
    quiet = _source(store, "quiet", last_polled_at=NOW, last_ok_at=NOW)
    failing = _source(
        store,
        "failing",
        last_polled_at=NOW,
        last_ok_at=NOW - timedelta(days=3),
        last_error="[S001] connection refused",
    )
    once = _source(store, "folder", kind="files")  # ingested once: never silent
    _daily(add_docs, healthy, [5] * 15)
    _daily(add_docs, quiet, [0, 0, 0, 5, 5])
    _daily(add_docs, failing, [0, 0, 0, 0, 5])
    _daily(add_docs, once, [0, 0, 0, 0, 0, 0, 10])
    kinds = _kinds(store)
    assert kinds.get("source_silent") == {"quiet", "failing"}
    with store.transaction() as session:
        (finding,) = [f for f in evaluate_health(session, NOW, load_rules().health) if f.subject == "failing"]
        assert "connection refused" in finding.title and finding.severity == "medium"


def test_volume_drop(store: Store, add_docs: Callable[..., Any]) -> None:
    dropped = _source(store, "dropped", last_polled_at=NOW, last_ok_at=NOW)
    steady = _source(store, "steady", last_polled_at=NOW, last_ok_at=NOW)
    _daily(add_docs, dropped, [2] + [20] * 14)
    _daily(add_docs, steady, [18] + [20] * 14)
    assert _kinds(store).get("source_volume_drop") == {"dropped"}


def test_parse_failure_spike_from_the_quarantine(store: Store, add_docs: Callable[..., Any]) -> None:
    broken = _source(store, "broken", last_polled_at=NOW, last_ok_at=NOW)
    fine = _source(store, "fine", last_polled_at=NOW, last_ok_at=NOW)
    _daily(add_docs, broken, [4] * 15)
    _daily(add_docs, fine, [40] * 15)
    with store.transaction() as session:
        for name, failures in (("broken", 8), ("fine", 3)):
            for k in range(failures):
                repo.quarantine(
                    session,
                    QuarantineEntry(
                        source_name=name,
                        source_kind="rss",
                        location="x",
                        item_key=f"{name}-{k}",
                        code="C012",
                        reason="not a feed",
                        options={},
                    ),
                )
        session.get(SourceRow, fine)
    assert _kinds(store).get("parse_failures") == {"broken"}
