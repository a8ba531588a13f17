"""Analysis in worker processes: each builds its own pipeline once, from a picklable recipe.

The ingesting process never loads the models when workers analyse for it: it sends batches of
prepared documents and gets them back analysed, with the reasons of the documents whose
analysis failed. A worker that dies (killed, out of memory, a crash in native code) breaks its
pool; ``AnalysisPool`` then starts a new one, and the caller sends the batches again.

Workers are started by a fork server (``forkserver``): a clean process that imports the
analysis code once and forks each worker from it, so no worker inherits the ingesting
process's database connections, threads or locks, and starting one costs a fork, not an
interpreter. A worker whose ingesting process dies (SIGKILL) exits too: nothing is left
running, holding the models' memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import wait

from birlik.domain import codes
from birlik.domain.errors import BadInput, PipelineError
from birlik.domain.records import Document
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings

log = logging.getLogger(__name__)

START_METHOD = "forkserver"
"""How worker processes start (``spawn`` works too; ``fork`` would copy this process's
connections and threads)."""

PipelineFactory = Callable[[Settings], Pipeline]
Analysed = tuple[list[Document], dict[str, BadInput]]
"""The documents analysed, in the order given, and why each that failed did, by id."""


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(settings: Settings) -> int:
    """How many analysis processes `birlik ingest` runs (0: analyse in the ingesting process).

    ``BIRLIK_INGEST_WORKERS`` when set (1: one process analyses beside the writer, which then
    has a core for the story linker's model confirmations); by default one per core, and on
    one core the ingesting process analyses itself. (One per core but one was measured on two
    cores: 1.1–1.3× the documents per CPU-second on the realistic corpus, whose writer does
    two thirds of the work, but the worst case's writer does a quarter of it, so one worker
    would leave a core idle there: not the default.)"""
    if settings.ingest_workers is not None:
        return settings.ingest_workers
    cores = available_cores()
    return cores if cores > 1 else 0


@dataclass(frozen=True, slots=True)
class PipelineRecipe:
    """How to build a pipeline in another process: a module-level function and the settings.

    Pickled to each worker (the function by its name), so it must not hold models itself."""

    settings: Settings
    factory: PipelineFactory
    """``settings -> Pipeline`` (the runtime's ``worker_pipeline``: a runtime of the worker's own)."""

    def build(self) -> Pipeline:
        return self.factory(self.settings)


def analyse(pipeline: Pipeline, docs: list[Document]) -> Analysed:
    """Analyse a batch; if the batch fails, isolate the documents that fail alone."""
    try:
        return pipeline(docs), {}
    except Exception:  # a stage failing on one document must not lose the batch
        log.exception("batch analysis failed; retrying document by document")
    done: list[Document] = []
    failed: dict[str, BadInput] = {}
    for doc in docs:
        try:
            done.extend(pipeline([doc]))
        except Exception as exc:  # quarantined with the stage's message
            failed[doc.id] = BadInput(f"analysis failed: {exc}", code=codes.P010)
    return done, failed


# --- inside a worker process ----------------------------------------------------------

_worker_recipe: PipelineRecipe | None = None
_worker_pipeline: Pipeline | None = None
"""This worker process's own pipeline, built on its first batch (so that a failure to build
it reaches the ingesting process as an exception with its message, not a broken pool)."""


def _start_worker(recipe: PipelineRecipe) -> None:
    global _worker_recipe
    _worker_recipe = recipe
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    """Exit as soon as the ingesting process is gone (its end of the pipe closes)."""
    wait([sentinel])
    os._exit(0)


def _analyse_in_worker(docs: list[Document]) -> Analysed:
    global _worker_pipeline
    if _worker_pipeline is None:
        assert _worker_recipe is not None, "worker started without its recipe"
        _worker_pipeline = _worker_recipe.build()
    return analyse(_worker_pipeline, docs)


# --- in the ingesting process ---------------------------------------------------------


class AnalysisPool:
    """``size`` worker processes; a pool broken by a dead worker is replaced by a new one (a
    new ``generation``): what was sent to the old one must be sent again."""

    def __init__(self, recipe: PipelineRecipe, size: int) -> None:
        self.recipe = recipe
        self.size = size
        self.generation = 0
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, docs: list[Document]) -> Future[Analysed]:
        """Send a batch to the current pool (a new one if a worker of this one died idle)."""
        try:
            return self._pool().submit(_analyse_in_worker, docs)
        except BrokenProcessPool:
            self.restart()
            return self._pool().submit(_analyse_in_worker, docs)

    def restart(self) -> None:
        log.warning("an analysis worker died; starting a new pool of %d", self.size)
        self.close()
        self.generation += 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context(START_METHOD)
            if START_METHOD == "forkserver":
                context.set_forkserver_preload(["birlik.ingest.workers", "birlik.nlp.factory"])
            self._executor = ProcessPoolExecutor(
                self.size, mp_context=context, initializer=_start_worker, initargs=(self.recipe,)
            )
        return self._executor


def isolate(recipe: PipelineRecipe, docs: list[Document]) -> Analysed:
    """Analyse ``docs`` one at a time in a process of their own (a batch whose worker died
    twice): a document whose analysis kills the process is quarantined (``P013``), the others
    are analysed. A process that dies before its first document (loading the models) is no
    document's fault: that stops the ingest (``P014``)."""
    pool = AnalysisPool(recipe, 1)
    done: list[Document] = []
    failed: dict[str, BadInput] = {}
    try:
        try:
            pool.submit([]).result()
        except BrokenProcessPool as exc:
            raise PipelineError(
                "an analysis worker process died while loading the pipeline — check the free "
                "memory (each worker loads the models) or set BIRLIK_INGEST_WORKERS=0",
                code=codes.P014,
            ) from exc
        for doc in docs:
            try:
                analysed, reasons = pool.submit([doc]).result()
            except BrokenProcessPool:
                pool.restart()
                failed[doc.id] = BadInput(
                    "analysis failed: its worker process died on this document (killed, out of "
                    "memory or a crash in a model) — retry with `birlik quarantine retry`",
                    code=codes.P013,
                )
                continue
            done.extend(analysed)
            failed.update(reasons)
    finally:
        pool.close()
    return done, failed
