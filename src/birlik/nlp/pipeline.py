"""Stage contract and the pipeline that checks it.

A stage has a versioned ``name`` (``entities.v1``), the annotations it ``requires`` and
the ones it ``provides``, and maps a batch of documents to the same batch, annotated.
The pipeline refuses, when built, a stage whose requirements no earlier stage provides,
and, when run, a stage that returns anything but the same number of ``Document``.

Every document a pipeline returns records, in ``Document.stages``, the versioned names of the
stages that produced it (``["normalise.v1", …, "tension.v2"]``), so a stored document whose
list differs from the current pipeline's is known to be stale.

A document longer than ``max_chars`` is analysed on its first ``max_chars`` characters (cut
at a space); its text is given back whole afterwards and flagged ``analysed_chars:N``, so
the rest is stored and shown, never silently dropped, and every offset stays valid.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from birlik.domain import codes
from birlik.domain.errors import PipelineError
from birlik.domain.records import Document

#: What every document has before any stage runs.
INPUT_FIELDS: frozenset[str] = frozenset({"text", "title", "published_at", "source", "url"})
ANALYSED_CHARS_FLAG = "analysed_chars:"
_CUT_LOOKBACK = 200


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
    max_chars: int | None = None

    def __post_init__(self) -> None:
        check_contracts(self.stages)
        self.timings = {stage.name: StageTiming() for stage in self.stages}

    @property
    def versions(self) -> list[str]:
        """The versioned names of the stages, in order: what each document records."""
        return [stage.name for stage in self.stages]

    @property
    def provides(self) -> frozenset[str]:
        out = set(INPUT_FIELDS)
        for stage in self.stages:
            out |= stage.provides
        return frozenset(out)

    def __call__(self, docs: list[Document]) -> list[Document]:
        whole = {index: doc.text for index, doc in enumerate(docs) if self._too_long(doc)}
        for index, text in whole.items():
            docs[index].text = text[: analysed_length(text, self.max_chars or len(text))]
        result = docs
        try:
            result = self._run(docs)
            versions = self.versions
            for doc in result:
                doc.stages = list(versions)
        finally:
            for index, text in whole.items():
                doc = result[index]
                doc.flags.append(f"{ANALYSED_CHARS_FLAG}{len(doc.text)}")
                doc.text = text
        return result

    def _too_long(self, doc: Document) -> bool:
        return self.max_chars is not None and len(doc.text) > self.max_chars

    def _run(self, docs: list[Document]) -> list[Document]:
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


def analysed_length(text: str, max_chars: int) -> int:
    """Where to cut ``text`` to at most ``max_chars`` characters: after the last space of the
    last ``_CUT_LOOKBACK`` characters, so no word is cut in half."""
    if len(text) <= max_chars:
        return len(text)
    window = max(0, max_chars - _CUT_LOOKBACK)
    space = max(text.rfind(" ", window, max_chars), text.rfind("\n", window, max_chars))
    return space + 1 if space > 0 else max_chars


def check_contracts(stages: Sequence[Stage]) -> None:
    available = set(INPUT_FIELDS)
    seen: set[str] = set()
    for stage in stages:
        if not isinstance(stage, Stage):
            raise PipelineError(
                f"{stage!r} is not a stage: it needs name, requires, provides and __call__",
                code=codes.P002,
            )
        if stage.name in seen:
            raise PipelineError(f"stage {stage.name!r} is listed twice", code=codes.P003)
        missing = stage.requires - available
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} requires {sorted(missing)} but no earlier stage provides "
                "it — add the providing stage before it",
                code=codes.P004,
            )
        seen.add(stage.name)
        available |= stage.provides


def check_result(stage: Stage, docs: list[Document], result: object) -> None:
    if not isinstance(result, list) or len(result) != len(docs):
        raise PipelineError(
            f"stage {stage.name!r} must return a list of {len(docs)} documents, got {type(result).__name__}",
            code=codes.P005,
        )
    for item in result:
        if not isinstance(item, Document):
            raise PipelineError(
                f"stage {stage.name!r} returned {type(item).__name__} instead of Document",
                code=codes.P006,
            )
