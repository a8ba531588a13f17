"""Stage contract and the pipeline that checks it.

A stage has a versioned ``name`` (``entities.v1``), the annotations it ``requires`` and
the ones it ``provides``, and maps a batch of documents to the same batch, annotated.
The pipeline refuses, when built, a stage whose requirements no earlier stage provides,
and, when run, a stage that returns anything but the same number of ``Document``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from birlik.domain.errors import PipelineError
from birlik.domain.records import Document

#: What every document has before any stage runs.
INPUT_FIELDS: frozenset[str] = frozenset({"text", "title", "published_at", "source", "url"})


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: frozenset[str]
    provides: frozenset[str]

    def __call__(self, docs: list[Document]) -> list[Document]: ...


@dataclass(slots=True)
class StageTiming:
    seconds: float = 0.0
    docs: int = 0
    chars: int = 0


@dataclass
class Pipeline:
    """An ordered list of stages whose contracts were checked when it was built."""

    stages: list[Stage]
    timings: dict[str, StageTiming] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_contracts(self.stages)
        self.timings = {stage.name: StageTiming() for stage in self.stages}

    @property
    def provides(self) -> frozenset[str]:
        out = set(INPUT_FIELDS)
        for stage in self.stages:
            out |= stage.provides
        return frozenset(out)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for stage in self.stages:
            started = time.perf_counter()
            result = stage(docs)
            check_result(stage, docs, result)
            timing = self.timings[stage.name]
            timing.seconds += time.perf_counter() - started
            timing.docs += len(result)
            timing.chars += sum(len(doc.text) for doc in result)
            docs = result
        return docs

    def run_batches(
        self,
        docs: Iterable[Document],
        batch_size: int = 64,
        on_batch: Callable[[list[Document]], None] | None = None,
    ) -> Iterable[Document]:
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._finish(batch, on_batch)
                batch = []
        if batch:
            yield from self._finish(batch, on_batch)

    def _finish(
        self, batch: list[Document], on_batch: Callable[[list[Document]], None] | None
    ) -> list[Document]:
        done = self(batch)
        if on_batch is not None:
            on_batch(done)
        return done


def check_contracts(stages: Sequence[Stage]) -> None:
    available = set(INPUT_FIELDS)
    seen: set[str] = set()
    for stage in stages:
        if not isinstance(stage, Stage):
            raise PipelineError(
                f"{stage!r} is not a stage: it needs name, requires, provides and __call__",
                code="P002",
            )
        if stage.name in seen:
            raise PipelineError(f"stage {stage.name!r} is listed twice", code="P003")
        missing = stage.requires - available
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} requires {sorted(missing)} but no earlier stage provides "
                "it — add the providing stage before it",
                code="P004",
            )
        seen.add(stage.name)
        available |= stage.provides


def check_result(stage: Stage, docs: list[Document], result: object) -> None:
    if not isinstance(result, list) or len(result) != len(docs):
        raise PipelineError(
            f"stage {stage.name!r} must return a list of {len(docs)} documents, got {type(result).__name__}",
            code="P005",
        )
    for item in result:
        if not isinstance(item, Document):
            raise PipelineError(
                f"stage {stage.name!r} returned {type(item).__name__} instead of Document",
                code="P006",
            )
