"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.jsonl import document_from_json, document_to_json
from birlik.nlp.langid import LangIdStage
from birlik.nlp.pipeline import Pipeline
from birlik.resources.ethnic import load_ethnic_groups
from birlik.runtime import Runtime
from birlik.settings import Settings

_PIPELINE = None


def analyze_lines(lines: list[str]) -> list[dict[str, Any]]:
    """What `birlik analyze` prints for these JSONL lines, in process (fast)."""
    global _PIPELINE
    if _PIPELINE is None:
        _PIPELINE = Runtime(Settings()).pipeline()
    originals = [json.loads(line) for line in lines]
    docs = [document_from_json(obj, i) for i, obj in enumerate(originals, start=1)]
    _PIPELINE(docs)
    return [document_to_json(doc, obj) for doc, obj in zip(docs, originals, strict=True)]


class MarkerStage:
    """A stage for the tests of ingest workers: on a document whose text holds a marker it
    raises, kills its own process, or writes its process id to a file and waits to be killed
    (once: when the file exists it goes on). Built in the worker process from a recipe."""

    name = "marker.v1"
    requires: frozenset[str] = frozenset({"text"})
    provides: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        raise_on: str | None,
        die_on: str | None,
        wait_on: str | None,
        pid_file: str | None,
        slow_on: str | None = None,
    ) -> None:
        self.raise_on, self.die_on, self.wait_on, self.pid_file = raise_on, die_on, wait_on, pid_file
        self.slow_on = slow_on

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            if self.raise_on and self.raise_on in doc.text:
                raise ValueError(f"the marker {self.raise_on} is refused")
            if self.slow_on and self.slow_on in doc.text:
                time.sleep(2)  # its batch stays in flight while the next ones are sent
            if self.die_on and self.die_on in doc.text:
                os.kill(os.getpid(), signal.SIGKILL)
            waits = self.wait_on and self.wait_on in doc.text
            if waits and self.pid_file and not os.path.exists(self.pid_file):
                Path(self.pid_file + ".tmp").write_text(str(os.getpid()), encoding="utf-8")
                os.rename(self.pid_file + ".tmp", self.pid_file)
                time.sleep(120)
        return docs


def marker_pipeline(
    settings: Settings,
    *,
    raise_on: str | None = None,
    die_on: str | None = None,
    wait_on: str | None = None,
    pid_file: str | None = None,
    slow_on: str | None = None,
) -> Pipeline:
    """Text stages, the marker stage and the ethnic-group lexicon: a real, quick pipeline."""
    marker = MarkerStage(
        raise_on=raise_on, die_on=die_on, wait_on=wait_on, pid_file=pid_file, slow_on=slow_on
    )
    return Pipeline(
        [NormaliseStage(), LangIdStage(), SegmentStage(), marker, EthnicStage(load_ethnic_groups())],
        max_chars=settings.max_analysed_chars,
    )
