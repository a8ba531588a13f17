"""Ingestion end to end on both backends: dedupe, quarantine, dates, unavailable sources."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor, ensure_source
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.store import repository as repo
from birlik.store.models import DocumentRow, MentionRow, SourceRow
from birlik.store.repository import Store

NEWS = [
    {
        "id": "n1",
        "title": "Тараздағы мереке",
        "text": "Тараз қаласында ұйғыр және дүнген жастары бірге Наурызды тойлады.",
        "published_at": "2026-03-22T10:00:00+05:00",
        "url": "https://dala.example/n1?utm_source=tg",
    },
    {
        "id": "n2",
        "title": "Дом дружбы",
        "text": "В Павлодаре Дом дружбы провёл вечер немецкой культуры.",
        "published_at": "2026-03-23T10:00:00+05:00",
        "url": "https://dala.example/n2",
    },
    {
        "id": "n3",
        "text": "Seminar on languages in Shymkent gathered Uzbek and Kazakh teachers.",
        "published_at": "2026-03-24T10:00:00+05:00",
    },
]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _count(store: Store) -> int:
    with store.transaction() as session:
        return session.scalar(select(func.count()).select_from(DocumentRow)) or 0


def _posts(path: Path) -> SourceConfig:
    return SourceConfig(name="news", kind="posts", location=str(path))


def test_ingest_stores_analysed_documents_once(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    ingestor = Ingestor(Settings(batch_size=2), store, pipeline)
    first = ingestor.ingest(_posts(_jsonl(tmp_path / "a.jsonl", NEWS)))
    assert (first.stored, first.duplicates, first.quarantined) == (3, 0, 0)
    # the same items again, one with another tracking parameter and new line breaks
    again = [dict(NEWS[0], url="https://www.dala.example/n1/?fbclid=x"), dict(NEWS[1], id="other")]
    second = ingestor.ingest(_posts(_jsonl(tmp_path / "b.jsonl", again)))
    assert (second.stored, second.duplicates) == (0, 2)
    assert _count(store) == 3
    with store.transaction() as session:
        kinds = set(session.scalars(select(MentionRow.type)))
        langs = set(session.scalars(select(DocumentRow.lang)))
    assert {"ETHNIC_GROUP", "PLACE"} <= kinds
    assert langs == {"kk", "ru", "en"}


def test_bad_items_are_quarantined_and_retried(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Семейде этномәдени орталықтардың форумы өтті.", encoding="utf-8")
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "table.xlsx").write_bytes(b"PK\x03\x04 not supported")
    ingestor = Ingestor(Settings(), store, pipeline)
    config, source_id = ensure_source(
        store, kind="files", location=str(folder), name="docs", options={}, poll_interval=900
    )
    report = ingestor.ingest(config, source_id)
    assert (report.stored, report.quarantined) == (1, 3)
    with store.transaction() as session:
        codes = {Path(row.item_key).name: row.code for row in repo.list_quarantine(session)}
    assert set(codes) == {"garbage.txt", "empty.txt", "table.xlsx"}
    assert all(code[0] == "I" for code in codes.values())
    (folder / "empty.txt").write_text("Жетісу облысында корей мәдениеті күндері басталды.", encoding="utf-8")
    retry = ingestor.ingest(config, source_id)
    assert retry.stored == 1
    with store.transaction() as session:
        left = {Path(row.item_key).name for row in repo.list_quarantine(session)}
    assert left == {"garbage.txt", "table.xlsx"}
    assert _count(store) == 2


def test_implausible_dates_are_flagged_not_trusted(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    rows = [dict(NEWS[0], published_at=future), dict(NEWS[1], published_at="1985-05-01T00:00:00")]
    Ingestor(Settings(), store, pipeline).ingest(_posts(_jsonl(tmp_path / "d.jsonl", rows)))
    with store.transaction() as session:
        stored = {row.ext_id: row for row in session.scalars(select(DocumentRow))}
    assert stored["n1"].date_flag == "future" and stored["n1"].published_at is None
    assert stored["n2"].date_flag == "before_1991" and stored["n2"].published_at is None
    assert stored["n1"].extra["claimed_published_at"].startswith(future[:10])


def test_a_source_that_is_down_is_retried_later_not_quarantined(store: Store, pipeline: Pipeline) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config, source_id = ensure_source(
        store,
        kind="rss",
        location=f"http://127.0.0.1:{port}/rss.xml",
        name="down",
        options={},
        poll_interval=900,
    )
    report = Ingestor(Settings(http_timeout=2), store, pipeline).ingest(config, source_id)
    assert report.unavailable == ["down"] and report.quarantined == 0
    with store.transaction() as session:
        row = session.get(SourceRow, source_id)
        assert row is not None and row.last_error and row.last_ok_at is None
        assert repo.list_quarantine(session) == []


def test_a_deeply_nested_line_is_quarantined_and_the_rest_stored(
    store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    """Issue 18, item 3: one line nested 5,000 levels deep ended ingest with a RecursionError
    and stored nothing of the file; a rerun hit the same line again."""
    path = tmp_path / "deep.jsonl"
    deep = '{"id": "deep", "text": "x", "n": ' + "[" * 5000 + "]" * 5000 + "}"
    lines = [json.dumps(NEWS[0], ensure_ascii=False), deep, json.dumps(NEWS[1], ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config, source_id = ensure_source(
        store, kind="posts", location=str(path), name="deep", options={}, poll_interval=900
    )
    ingestor = Ingestor(Settings(), store, pipeline)
    first = ingestor.ingest(config, source_id)
    assert (first.stored, first.quarantined) == (2, 1)
    with store.transaction() as session:
        [entry] = repo.list_quarantine(session)
        assert entry.code == "I030" and entry.item_key.endswith("#2")
    rerun = ingestor.ingest(config, source_id)
    assert (rerun.stored, rerun.duplicates, rerun.quarantined) == (0, 2, 1)
    assert _count(store) == 2
