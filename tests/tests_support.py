"""Helpers shared by tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
from typing import Any

from birlik.nlp.jsonl import document_from_json, document_to_json
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
