"""Issue 18, item 3: a bad source must not stop the healthy ones, nor end ``monitor``.

``birlik monitor --once`` crashed on one deeply nested JSONL line and stored nothing of the
healthy sources; ``--interval`` exited. The failing connector here is a real plug-in
registered like the built-in ones: it yields one post, then breaks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from birlik.connectors.base import FetchResult, SourceConfig, register
from birlik.domain.records import RawItem
from birlik.ingest.service import Ingestor
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.signals.monitor import Monitor, PassReport
from birlik.store import repository as repo
from birlik.store.models import DocumentRow, SourceRow, utcnow
from birlik.store.repository import Store


@register("test-breaks")
class BreakingConnector:
    """Yields one item, then fails the way a parser bug on hostile content does."""

    kind = "test-breaks"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]:
        yield RawItem(key="first", text="Павлодарда неміс мәдениеті күні өтті.", url=None,
                      published_at=None, content_type="text/plain")
        raise RecursionError("maximum recursion depth exceeded while decoding a JSON array")


def _sources(store: Store, tmp_path: Path) -> None:
    healthy = tmp_path / "healthy.jsonl"
    healthy.write_text(
        json.dumps({"id": "h1", "text": "Семейде этномәдени орталықтардың форумы өтті."}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"id": "d", "text": "x", "n": ' + "[" * 5000 + "]" * 5000 + "}\n", encoding="utf-8")
    with store.transaction() as session:
        for name, kind, location in (
            ("broken", "test-breaks", "nowhere"),
            ("deep", "posts", str(deep)),
            ("healthy", "posts", str(healthy)),
        ):
            repo.add_source(session, name=name, kind=kind, location=location, options={}, poll_interval=3600)


def _monitor(store: Store, pipeline: Pipeline) -> Monitor:
    return Monitor(Settings(), store, ingestor_factory=lambda: Ingestor(Settings(), store, pipeline))


def test_bad_sources_are_isolated_from_healthy_ones(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    _sources(store, tmp_path)
    report = _monitor(store, pipeline).run_once()
    assert report.polled == ["broken", "deep", "healthy"]
    assert report.stored == 2  # the broken source's first item and the healthy post
    with store.transaction() as session:
        stored = set(session.scalars(select(DocumentRow.ext_id)))
        codes = {row.source_name: row.code for row in repo.list_quarantine(session)}
        errors = {row.name: row.last_error for row in session.scalars(select(SourceRow))}
    assert stored == {"first", "h1"}
    assert codes == {"broken": "C090", "deep": "I030"}
    assert errors["healthy"] is None and "[C090]" in str(errors["broken"])
    again = _monitor(store, pipeline).run_once()  # nothing due: the rerun does not crash
    assert again.polled == [] and again.failed == []


def test_a_source_whose_storing_fails_does_not_stop_the_others(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    _sources(store, tmp_path)

    def refuse_broken(session: object, rows: list[DocumentRow]) -> None:
        if any(row.ext_id == "first" for row in rows):
            raise RuntimeError("a hook failed on this batch")

    monitor = Monitor(
        Settings(), store,
        ingestor_factory=lambda: Ingestor(Settings(), store, pipeline, after_batch=[refuse_broken]),
    )
    report = monitor.run_once()
    assert report.failed == ["broken"] and report.stored == 1
    with store.transaction() as session:
        row = session.scalar(select(SourceRow).where(SourceRow.name == "broken"))
        assert row is not None and "[C091] RuntimeError" in str(row.last_error)
        assert set(session.scalars(select(DocumentRow.ext_id))) == {"h1"}


def test_monitor_keeps_running_after_a_failed_pass(store: Store, pipeline: Pipeline) -> None:
    calls = {"n": 0}

    def clock() -> datetime:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the first pass fails")
        return utcnow()

    settings = Settings().model_copy(update={"monitor_interval": 0})
    monitor = Monitor(
        settings, store, ingestor_factory=lambda: Ingestor(settings, store, pipeline), clock=clock
    )
    stop = threading.Event()
    passes: list[PassReport] = []
    monitor.run_forever(stop, on_pass=lambda report: (passes.append(report), stop.set()))
    assert len(passes) == 1 and calls["n"] >= 2
