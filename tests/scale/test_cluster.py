"""`birlik backfill` on a real LocalCluster of two worker processes into the real PostgreSQL:
one worker process killed with SIGKILL mid-partition, then the whole run (client, scheduler,
workers) killed, then `--resume`: every document stored once, the corrupt export failed alone
and reported, stories and indicators equal to a single-process ingest of the same corpus."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor
from birlik.nlp.factory import build_pipeline
from birlik.runtime import Runtime
from birlik.settings import Settings
from birlik.store.models import DocumentRow, QuarantineRow
from birlik.store.models_backfill import DONE, FAILED, RUNNING, PartitionRow
from birlik.store.repository import Store
from scale_support import LIGHT, another_database, corpus, distinct_texts, snapshot, write

DOCS = 2000
BATCH = 100


def _partitions(store: Store) -> list[PartitionRow]:
    with store.transaction() as session:
        return list(session.scalars(select(PartitionRow).where(PartitionRow.phase == "documents")))


def _wait_for(condition: object, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if callable(condition) and condition():
            return
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.postgres
def test_backfill_survives_a_killed_worker_and_client_and_equals_a_single_process_ingest(
    postgres_url: str, tmp_path: Path
) -> None:
    items = corpus(DOCS, seed=21)
    assert distinct_texts(items) == DOCS
    folder = tmp_path / "in"
    exports = [
        write(folder / "a.jsonl", items[: DOCS // 2]),
        write(folder / "b.jsonl", items[DOCS // 2 :]),
        write(folder / "c.jsonl", items[600:800]),  # the same documents in a second export
    ]
    broken = folder / "broken" / "result.json"
    broken.parent.mkdir()
    broken.write_text('{"name": "x", "type": "public_channel", "messages": [{"id": 1, "te', encoding="utf-8")
    settings = Settings(database_url=postgres_url, embedder="ngram", batch_size=BATCH)
    runtime = Runtime(settings)
    runtime.store(create=True)
    store = runtime.store()
    env = dict(
        os.environ, BIRLIK_DATABASE_URL=postgres_url, BIRLIK_EMBEDDER="ngram", BIRLIK_BATCH_SIZE=str(BATCH)
    )
    command = [
        sys.executable, "-m", "birlik.cli.main", "--quiet", "backfill", str(folder), "--workers", "2",
        "--records", "200", "--pipeline", ",".join(LIGHT), "--run", "t",
    ]
    print(time.strftime("%X"), "backfill starts", file=sys.stderr)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        victim: list[PartitionRow] = []

        def one_running_with_documents() -> bool:
            rows = _partitions(store)
            victim[:] = [r for r in rows if r.state == RUNNING and r.items > 0 and "pid" in (r.worker or "")]
            return bool(victim) and sum(r.state == DONE for r in rows) >= 1

        _wait_for(one_running_with_documents, process, 240)
        assert victim, "the run must be caught with a partition in progress"
        os.kill(int(victim[0].worker.rsplit(" ", 1)[1]), signal.SIGKILL)  # one worker process
        _wait_for(lambda: any(r.attempts > 1 for r in _partitions(store)), process, 60)
        os.killpg(process.pid, signal.SIGKILL)  # then the client, its scheduler and workers
        process.wait(30)
        after_kill = _partitions(store)
        assert any(r.state != DONE for r in after_kill), "the crash must leave work to resume"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    print(time.strftime("%X"), "resume starts", file=sys.stderr)
    resume = subprocess.run(
        [*command[:5], "--resume", *command[6:]], env=env, capture_output=True, text=True, timeout=600
    )
    assert resume.returncode == 4, resume.stderr[-2000:]
    windows = re.search(r"stories linked 2000 in (\d+) time windows", resume.stdout)
    assert windows and int(windows.group(1)) >= 2, resume.stdout  # the stories pass ran in parallel
    assert "[X108]" in resume.stderr and "broken" in resume.stderr and "[C014]" in resume.stderr
    rows = {row.key: row for row in _partitions(store)}
    failed = [row for row in rows.values() if row.state == FAILED]
    assert [row.key for row in failed] == [f"telegram:{broken}#0-"]
    assert all(row.state == DONE for row in rows.values() if row not in failed)
    assert rows[victim[0].key].attempts >= 2
    with store.transaction() as session:
        hashes = list(session.scalars(select(DocumentRow.content_hash)))
        assert list(session.scalars(select(QuarantineRow.code))) == ["C014"]
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == DOCS
    assert len(set(hashes)) == len(hashes) == DOCS

    print(time.strftime("%X"), "reference starts", file=sys.stderr)
    with another_database(postgres_url) as url:  # the same corpus, ingested in one process
        reference = Runtime(Settings(database_url=url, embedder="ngram", batch_size=BATCH))
        reference.store(create=True)
        pipeline = build_pipeline(list(LIGHT), reference.settings, embedder=reference.embedder())
        consumers = reference.consumers()
        ingestor = Ingestor(reference.settings, reference.store(), pipeline, after_batch=consumers)
        for path in exports:
            ingestor.ingest(SourceConfig(name=path.name, kind="posts", location=str(path)))
        expected = snapshot(reference.store())
    print(time.strftime("%X"), "reference done", file=sys.stderr)
    backfilled = snapshot(store)
    for part in ("documents", "stories", "groups", "indicators", "volumes"):
        assert backfilled[part] == expected[part], part
