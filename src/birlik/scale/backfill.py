"""``birlik backfill`` and ``birlik reprocess`` on Dask distributed: the client side.

The client plans the partitions into the ledger (``scale.ledger``), submits them to the
cluster (an existing scheduler, or a ``LocalCluster`` of single-threaded worker processes),
retries a failed partition up to ``max_attempts`` times (a worker killed mid-partition counts
as a failure: the scheduler is told to allow none, so the ledger alone counts attempts), then
runs the passes after the documents: stories (by time window in parallel, ``scale.windows``),
then the indicators (clear; tally by ranges of ids and normalise by ranges of days, in
parallel).

PostgreSQL only: SQLite has one writer at a time, so workers would queue on its lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from birlik.domain import codes
from birlik.domain.errors import BirlikError, ConfigError
from birlik.ingest.service import ensure_source
from birlik.runtime import Runtime
from birlik.scale import ledger, passes, tasks, windows
from birlik.scale.partitions import split, targets
from birlik.store.models_backfill import DONE, FAILED
from birlik.store.repository import Store

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger(__name__)

DOCUMENTS, STORIES, INDICATORS, REPROCESS = "documents", "stories", "indicators", "reprocess"
POLL_SECONDS = 0.5


@dataclass(slots=True)
class Status:
    """What the progress bar shows: partitions of the current phase and documents so far."""

    phase: str
    partitions: int
    done: int
    failed: int
    items: int
    started: float

    @property
    def rate(self) -> float:
        return self.items / max(time.monotonic() - self.started, 1e-9)


@dataclass(slots=True)
class RunReport:
    partitions: int = 0
    done: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    """Partition key → why its last attempt failed (after its bounded retries)."""
    linked: int = 0
    story_windows: int = 0
    story_windows_relinked: int = 0
    """Windows whose lead-in did not reach the stored state: linked again after the others."""
    indicator_days: int = 0
    seconds: float = 0.0
    document_seconds: float = 0.0
    """Of ``seconds``, the documents (the rest: stories and indicators)."""
    story_seconds: float = 0.0


Progress = Callable[[Status], None]


def require_postgres(runtime: Runtime) -> None:
    url = runtime.settings.database_url
    if not url.startswith(("postgresql", "postgres")):
        raise ConfigError(
            "backfill and reprocess write from many worker processes at once and need "
            f"PostgreSQL; {url.split(':', 1)[0]} has one writer at a time, so the workers would "
            "queue on its lock — set BIRLIK_DATABASE_URL (or --db) to a postgresql+psycopg:// URL",
            code=codes.X100,
        )


LEAN_WORKERS: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "500ms",
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1,
    },
}
"""Dask settings of the ``LocalCluster``'s workers: a task runs for seconds, so the statistical
profiler (a stack sample every 10 ms), the GIL monitor (every 1 ms), the event loop's 20 ms
tick and the 64 KB ``MALLOC_TRIM_THRESHOLD_`` (memory given back to the system at once, then
asked for again by the next batch) cost the analysis time and tell nothing needed; one BLAS
thread per worker process stays (the workers share the cores)."""


def connect(scheduler: str | None, workers: int) -> Client:
    """A client of the scheduler at ``scheduler``, or of a new ``LocalCluster`` of ``workers``
    processes with one thread each (no memory limit: each loads the models once)."""
    import dask
    from distributed import Client, LocalCluster

    # a worker that dies with a partition fails it at once: the ledger counts the attempts
    dask.config.set({"distributed.scheduler.allowed-failures": 0, **LEAN_WORKERS})
    logging.getLogger("distributed").setLevel(logging.ERROR)  # its own handler; our errors are coded
    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0, dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    return Client(cluster)


def dashboard(client: Client) -> str | None:
    """The Dask dashboard's address, when the scheduler serves one (it needs ``bokeh``)."""
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return None
    link = client.dashboard_link
    return str(link) if link else None


def plan(
    runtime: Runtime,
    run: str,
    locations: Sequence[str],
    *,
    kind: str | None = None,
    options: dict[str, object] | None = None,
    records: int = 5000,
    files_per_partition: int = 200,
) -> int:
    """Register the sources and add their partitions to the run's ledger; returns how many
    partitions were new (planning again adds none). ``records`` is rounded up to whole
    batches: a partition's last batch would otherwise be a small one, a transaction and a
    pipeline call for a few documents."""
    store = runtime.store()
    batch = runtime.settings.batch_size
    records = -(-records // batch) * batch if records > batch else records
    entries: list[ledger.Entry] = []
    for location in locations:
        for target in targets(location, kind):
            source, source_id = ensure_source(
                store, kind=target.kind, location=target.location, name=None, options=dict(options or {}),
                poll_interval=runtime.settings.default_poll_interval,
            )
            for partition in split(
                target, source, source_id, records=records, files_per_partition=files_per_partition
            ):
                entries.append(ledger.Entry(partition.key, DOCUMENTS, partition.as_json()))
    return ledger.add(store, run, entries)


class Runner:
    """Runs a run's partitions on the cluster of ``client`` and the passes after them."""

    def __init__(
        self,
        runtime: Runtime,
        client: Client,
        run: str,
        *,
        stages: Sequence[str] | None = None,
        max_attempts: int = 3,
        progress: Progress | None = None,
    ) -> None:
        require_postgres(runtime)
        self.runtime = runtime
        self.settings = runtime.settings
        self.store: Store = runtime.store()
        self.client = client
        self.run = run
        self.stages = list(stages) if stages is not None else None
        self.max_attempts = max_attempts
        self.progress = progress

    def warm(self) -> int:
        """Build the runtime and pipeline on every worker now (each does on its first task
        anyway); returns the workers warmed."""
        return len(self.client.run(tasks.warm, self.settings, self.stages))

    # --- backfill ------------------------------------------------------------------------

    def backfill(self, *, retry_failed: bool = False, after: bool = True) -> RunReport:
        """The run's partitions, then (``after``) the stories and the indicators."""
        started = time.monotonic()
        report = RunReport()
        todo = [
            entry for entry in ledger.entries(self.store, self.run, DOCUMENTS)
            if entry.state != DONE and (retry_failed or entry.attempts < self.max_attempts)
        ]
        self._documents(todo, report)
        report.document_seconds = time.monotonic() - started
        for entry in ledger.entries(self.store, self.run, DOCUMENTS):
            report.partitions += 1
            if entry.state == DONE:
                report.done += 1
            elif entry.key not in report.failed:
                report.failed[entry.key] = entry.reason or f"{entry.state} after {entry.attempts} attempts"
        if after:
            linking = time.monotonic()
            report.linked = self.stories(report)
            report.story_seconds = time.monotonic() - linking
            report.indicator_days = self.indicators()
        report.seconds = time.monotonic() - started
        return report

    def _documents(self, todo: list[ledger.Entry], report: RunReport) -> None:
        def submit(entry: ledger.Entry) -> Future[Any]:
            return self.client.submit(
                tasks.ingest_partition, self.settings, self.run, entry.spec, self.stages, pure=False
            )

        def settle(entry: ledger.Entry, result: dict[str, Any]) -> None:
            report.stored += int(result["stored"])
            report.duplicates += int(result["duplicates"])
            report.quarantined += int(result["quarantined"])
            if result["failure"]:
                report.failed[entry.key] = str(result["failure"])

        self._run_tasks(DOCUMENTS, todo, submit, settle)

    def _run_tasks(
        self,
        phase: str,
        todo: list[ledger.Entry],
        submit: Callable[[ledger.Entry], Future[Any]],
        settle: Callable[[ledger.Entry, dict[str, Any]], None],
    ) -> None:
        """Submit every entry, wait, retry the failed ones within their attempts."""
        from distributed import wait

        started = time.monotonic()
        tries: dict[str, int] = {}
        running: dict[Future[Any], ledger.Entry] = {}
        for entry in todo:
            running[submit(entry)] = entry
            tries[entry.key] = entry.attempts
        total = len(todo)
        finished = failed = 0
        while running:
            try:
                done, _ = wait(list(running), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED")
            except TimeoutError:  # none finished yet
                done = set()
            for future in done:
                entry = running.pop(future)
                if future.status == "finished":
                    settle(entry, future.result())
                    finished += 1
                    continue
                tries[entry.key] += 1
                error = future.exception()
                reason = _reason(error)
                log.warning("partition %s failed (attempt %d): %s", entry.key, tries[entry.key], reason)
                ledger.fail(self.store, self.run, entry.key, reason)
                if tries[entry.key] < self.max_attempts:
                    running[submit(entry)] = entry
                else:
                    failed += 1
            if self.progress is not None:
                items = ledger.totals(self.store, self.run, phase)["items"] if phase != INDICATORS else 0
                self.progress(Status(phase, total, finished, failed, items, started))

    # --- the passes after the documents ----------------------------------------------------

    def stories(self, report: RunReport | None = None) -> int:
        """Stories of the documents without one, by time window in parallel, merged window
        after window (``scale.windows``: the same stories as one process linking in order)."""
        ledger.add(self.store, self.run, [ledger.Entry(STORIES, STORIES, {})])
        ledger.start(self.store, self.run, STORIES, "client")
        try:
            linked = self._link_windows(report or RunReport())
        except Exception as exc:
            ledger.fail(self.store, self.run, STORIES, _reason(exc))
            raise
        ledger.finish(self.store, self.run, STORIES, stored=linked)
        return linked

    def _link_windows(self, report: RunReport) -> int:
        started = time.monotonic()
        parts = 2 * max(1, len(self.client.scheduler_info()["workers"]))
        planned = windows.plan(self.store, self.settings.batch_size, parts)
        report.story_windows = len(planned)

        def submit(window: windows.Window) -> Future[Any]:
            return self.client.submit(tasks.link_window, self.settings, window, pure=False)

        def result(window: windows.Window, future: Future[Any]) -> windows.WindowResult:
            for attempt in range(1, self.max_attempts + 1):
                try:
                    found: windows.WindowResult = future.result()
                    return found
                except Exception as exc:
                    if attempt == self.max_attempts:
                        raise
                    log.warning(
                        "stories window %d failed (attempt %d): %s", window.index, attempt, _reason(exc)
                    )
                    future = submit(window)
            raise AssertionError("unreachable")

        futures = [submit(window) for window in planned]
        linked = 0
        for done, (window, future) in enumerate(zip(planned, futures, strict=True), start=1):
            merged = windows.merge(self.store, result(window, future))
            if merged is None:  # its lead-in did not reach the state the windows before it left
                report.story_windows_relinked += 1
                log.info("stories window %d linked again after the windows before it", window.index)
                again = windows.exact(window)
                merged = windows.merge(self.store, result(again, submit(again)))
            linked += int(merged or 0)
            if self.progress is not None:
                self.progress(Status(STORIES, len(planned), done, 0, linked, started))
        return linked

    def indicators(self) -> int:
        """The indicators recomputed from every stored document; returns the days normalised."""
        ledger.add(self.store, self.run, [ledger.Entry(INDICATORS, INDICATORS, {})])
        ledger.start(self.store, self.run, INDICATORS, "client")
        try:
            self.client.submit(tasks.clear_indicators, self.settings, pure=False).result()
            parts = 2 * max(1, len(self.client.scheduler_info()["workers"]))
            tallies = [
                self.client.submit(tasks.tally_indicators, self.settings, low, high, pure=False)
                for low, high in passes.id_ranges(self.store, parts)
            ]
            self.client.gather(tallies)
            days = passes.indicator_days(self.store)
            chunks = [days[first::parts] for first in range(parts)]
            normalised = self.client.gather(
                [self.client.submit(tasks.normalise_days, self.settings, chunk, pure=False)
                 for chunk in chunks if chunk]
            )
        except Exception as exc:
            ledger.fail(self.store, self.run, INDICATORS, _reason(exc))
            raise
        ledger.finish(self.store, self.run, INDICATORS, stored=len(days))
        return int(sum(normalised))

    # --- reprocess -----------------------------------------------------------------------------

    def reprocess(
        self, *, stale: bool, stages: Sequence[str] = (), since: datetime | None = None, chunk: int = 500
    ) -> RunReport:
        """Analyse again the selected documents in place, in chunks of ids, then the indicators."""
        started = time.monotonic()
        report = RunReport()
        if self.stages is not None:
            current = list(self.stages)
        else:
            from birlik.nlp.factory import default_names

            current = default_names()
        ids = passes.select_for_reprocess(self.store, current, stale=stale, stages=stages, since=since)
        entries = [
            ledger.Entry(f"{REPROCESS}:{part[0]}-{part[-1]}", REPROCESS, {"ids": part})
            for part in (ids[first : first + chunk] for first in range(0, len(ids), chunk))
        ]
        ledger.add(self.store, self.run, entries)
        ledger.reset(self.store, self.run, REPROCESS)
        keys = {entry.key for entry in entries}
        todo = [e for e in ledger.entries(self.store, self.run, REPROCESS) if e.key in keys]

        def submit(entry: ledger.Entry) -> Future[Any]:
            return self.client.submit(
                tasks.reanalyse, self.settings, self.run, entry.key, entry.spec["ids"], self.stages,
                pure=False,
            )

        def settle(entry: ledger.Entry, result: dict[str, Any]) -> None:
            report.stored += int(result["done"])
            report.quarantined += int(result["failed"])

        self._run_tasks(REPROCESS, todo, submit, settle)
        for entry in ledger.entries(self.store, self.run, REPROCESS):
            if entry.key not in keys:
                continue
            report.partitions += 1
            if entry.state == DONE:
                report.done += 1
            elif entry.state == FAILED:
                report.failed[entry.key] = entry.reason or "failed"
        report.indicator_days = self.indicators()
        report.seconds = time.monotonic() - started
        return report


def _reason(error: BaseException | None) -> str:
    if error is None:
        return "unknown failure"
    if isinstance(error, BirlikError):
        return str(error)
    name = error.__class__.__name__
    if name == "KilledWorker":
        return f"[{codes.X104.id}] its worker process died (killed, out of memory or a crash): {error}"
    return f"[{codes.X105.id}] {name}: {error}"


