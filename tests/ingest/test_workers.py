"""Ingest with analysis in worker processes: the same rows as in process, in input order; a
failing document quarantined; a worker killed mid-batch (a real SIGKILL) loses nothing and
duplicates nothing; identities in flight or stored meanwhile are not stored twice."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.connectors.base import SourceConfig
from birlik.domain.records import Document
from birlik.ingest import workers as workers_module
from birlik.ingest.identity import content_hash
from birlik.ingest.service import Ingestor, IngestReport
from birlik.ingest.workers import PipelineFactory, PipelineRecipe
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.signals.indicators import after_batch as update_indicators
from birlik.store import repository as repo
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRow
from birlik.store.models_signals import IndicatorRow
from birlik.store.repository import Provenance, Store
from tests_support import marker_pipeline

TEMPLATES = [
    "Алматыда қазақ және ұйғыр жастары {n}-кездесуге жиналды.",
    "В Шымкенте узбекские и казахские учителя провели {n}-й семинар.",
    "Volunteers of the Kazakh and Russian communities met for meeting {n} in Pavlodar.",
]
COUNT = 40
BATCH = 8


def _rows(count: int = COUNT) -> list[dict[str, object]]:
    return [
        {
            "id": f"d{n}",
            "text": TEMPLATES[n % 3].format(n=n),
            "published_at": f"2026-03-{1 + n % 28:02d}T10:00:00+05:00",
            "url": f"https://news.example/{n}",
        }
        for n in range(count)
    ]


def _source(tmp_path: Path, rows: list[dict[str, object]]) -> SourceConfig:
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return SourceConfig(name="posts", kind="posts", location=str(path))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'workers.db'}")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _ingest(
    store: Store, source: SourceConfig, workers: int, factory: PipelineFactory = marker_pipeline
) -> tuple[IngestReport, list[list[str]]]:
    """Ingest ``source``; returns the report and the ext ids of each batch the hook saw."""
    seen: list[list[str]] = []

    def record(session: Session, rows: list[DocumentRow]) -> None:
        # what the consumers read: loaded mentions and moments as given (aware)
        assert all(row.fetched_at.tzinfo is not None for row in rows)
        assert all(row.mentions for row in rows), "every text names a group"
        seen.append([row.ext_id for row in rows])

    settings = Settings(batch_size=BATCH, ingest_workers=workers)
    with Ingestor(
        settings, store, PipelineRecipe(settings, factory), after_batch=[record, update_indicators]
    ) as ingestor:
        assert ingestor.workers == workers
        report = ingestor.ingest(source)
        # with workers, this process never built a pipeline (nor loaded a model)
        assert (ingestor._pipeline is None) == (workers > 0)
        return report, seen


def _stored(store: Store) -> list[tuple[object, ...]]:
    with store.transaction() as session:
        rows = session.scalars(select(DocumentRow).order_by(DocumentRow.id))
        return [
            (r.ext_id, r.content_hash, r.lang, sorted((m.type, m.entity_id, m.start) for m in r.mentions))
            for r in rows
        ]


def _indicators(store: Store) -> list[tuple[object, ...]]:
    with store.transaction() as session:
        rows = session.scalars(select(IndicatorRow))
        return sorted((r.region_kato, r.day, r.metric, r.count) for r in rows)


def test_workers_store_what_the_ingesting_process_stores_in_input_order(tmp_path: Path) -> None:
    results = []
    for workers in (0, 1, 2):  # 1: one process analyses beside the writer
        engine = make_engine(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        migrate(engine)
        store = Store(engine)
        report, seen = _ingest(store, _source(tmp_path, _rows()), workers)
        assert (report.fetched, report.stored, report.duplicates, report.quarantined) == (COUNT, COUNT, 0, 0)
        assert [ext for batch in seen for ext in batch] == [f"d{n}" for n in range(COUNT)]
        results.append((_stored(store), _indicators(store)))
        engine.dispose()
    in_process, with_one, with_workers = results
    assert [row[0] for row in with_workers[0]] == [f"d{n}" for n in range(COUNT)]
    assert with_workers == in_process == with_one


@pytest.mark.parametrize(
    ("cores", "setting", "expected"),
    [
        (2, None, 2),  # one per core
        (4, None, 4),
        (1, None, 0),  # one core: the ingesting process analyses itself
        (2, 1, 1),  # BIRLIK_INGEST_WORKERS decides when set: 1 is one process beside the writer
        (2, 0, 0),
        (2, 3, 3),
    ],
)
def test_worker_count_is_one_per_core_or_the_setting(
    monkeypatch: pytest.MonkeyPatch, cores: int, setting: int | None, expected: int
) -> None:
    monkeypatch.setattr(workers_module, "available_cores", lambda: cores)
    settings = Settings(ingest_workers=setting)
    assert workers_module.worker_count(settings) == expected
    recipe = PipelineRecipe(settings, marker_pipeline)
    with Ingestor(settings, Store(make_engine("sqlite://")), recipe) as ingestor:
        assert ingestor.workers == expected  # no pool starts before a batch is sent


def test_a_document_whose_analysis_fails_in_a_worker_is_quarantined_with_the_reason(
    sqlite_store: Store, tmp_path: Path
) -> None:
    rows = _rows()
    rows[11]["text"] = "Бұл мәтінде BROKEN-STAGE белгісі бар, қазақтар туралы."
    factory = partial(marker_pipeline, raise_on="BROKEN-STAGE")
    report, _ = _ingest(sqlite_store, _source(tmp_path, rows), 2, factory)
    assert (report.stored, report.quarantined) == (COUNT - 1, 1)
    with sqlite_store.transaction() as session:
        [entry] = repo.list_quarantine(session)
        assert entry.code == "P010" and "the marker BROKEN-STAGE is refused" in entry.reason
        assert entry.item_key.endswith("#d11")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[-1].startswith("Z"))


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    sqlite_store: Store, tmp_path: Path
) -> None:
    rows = _rows()
    rows[13]["text"] = "WAIT-HERE: В Костанае немецкие и казахские семьи открыли музей."
    pid_file = tmp_path / "worker.pid"
    factory = partial(marker_pipeline, wait_on="WAIT-HERE", pid_file=str(pid_file))
    killed: list[int] = []

    def kill_the_worker() -> None:
        deadline = time.monotonic() + 120
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(pid_file.read_text())
        os.kill(pid, 9)  # SIGKILL, mid-batch: the worker waits inside its batch
        killed.append(pid)

    killer = threading.Thread(target=kill_the_worker, daemon=True)
    killer.start()
    report, seen = _ingest(sqlite_store, _source(tmp_path, rows), 2, factory)
    killer.join(timeout=5)
    assert killed and not _alive(killed[0])
    assert (report.stored, report.duplicates, report.quarantined) == (COUNT, 0, 0)
    assert [ext for batch in seen for ext in batch] == [f"d{n}" for n in range(COUNT)]
    stored = _stored(sqlite_store)
    assert [row[0] for row in stored] == [f"d{n}" for n in range(COUNT)]


@pytest.mark.slow  # three pools of processes start, one after the other
def test_a_document_that_kills_its_worker_every_time_is_quarantined_alone(
    sqlite_store: Store, tmp_path: Path
) -> None:
    rows = _rows(24)
    rows[5]["text"] = "DIE-HERE: Атырауда қазақ және орыс жастары кездесті."
    factory = partial(marker_pipeline, die_on="DIE-HERE")
    report, _ = _ingest(sqlite_store, _source(tmp_path, rows), 2, factory)
    assert (report.stored, report.duplicates, report.quarantined) == (23, 0, 1)
    with sqlite_store.transaction() as session:
        [entry] = repo.list_quarantine(session)
        assert entry.code == "P013" and entry.item_key.endswith("#d5")
    assert "d5" not in [row[0] for row in _stored(sqlite_store)]


def test_the_same_content_or_url_in_two_batches_in_flight_is_stored_once(
    sqlite_store: Store, tmp_path: Path
) -> None:
    rows = _rows()
    rows[0]["text"] = "SLOW: " + str(rows[0]["text"])  # batch 1 stays in flight
    rows[12]["text"] = rows[2]["text"]  # batch 2 repeats a text of batch 1
    rows[20]["url"] = str(rows[4]["url"]) + "?utm_source=telegram"  # batch 3: the same canonical URL
    report, _ = _ingest(sqlite_store, _source(tmp_path, rows), 2, partial(marker_pipeline, slow_on="SLOW"))
    assert (report.stored, report.duplicates, report.quarantined) == (COUNT - 2, 2, 0)
    stored = [row[0] for row in _stored(sqlite_store)]
    assert "d12" not in stored and "d20" not in stored and len(stored) == len(set(stored))


class _ConcurrentWriter:
    """A stage that, on one document, stores that content first through another transaction:
    another `birlik ingest` winning the race between deduplication and storage."""

    name = "concurrent.v1"
    requires: frozenset[str] = frozenset({"text"})
    provides: frozenset[str] = frozenset()

    def __init__(self, store: Store, marker: str) -> None:
        self.store, self.marker = store, marker

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            if self.marker in doc.text:
                with self.store.transaction() as session:
                    other = Document(id="other", text=doc.text, lang="kk")
                    identity = Provenance(ext_id="other", content_hash=content_hash(doc.text))
                    repo.add_document(session, other, identity)
        return docs


def test_an_identity_stored_meanwhile_by_another_writer_is_a_duplicate(store: Store, tmp_path: Path) -> None:
    rows = _rows(10)
    rows[3]["text"] = "RACE: " + str(rows[3]["text"])
    settings = Settings(batch_size=4, ingest_workers=0)
    pipeline = Pipeline([_ConcurrentWriter(store, "RACE"), *marker_pipeline(settings).stages])
    with Ingestor(settings, store, pipeline, after_batch=[update_indicators]) as ingestor:
        report = ingestor.ingest(_source(tmp_path, rows))
    assert (report.stored, report.duplicates, report.quarantined) == (9, 1, 0)
    stored = [row[0] for row in _stored(store)]
    assert sorted(stored) == sorted(["other", *(f"d{n}" for n in range(10) if n != 3)])
