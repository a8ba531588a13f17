"""Stories by time window (``scale.windows``) in this process, against the real PostgreSQL:
the windows linked out of order and merged in order give the stories, near-duplicate groups,
claims and story aggregates of one process linking the whole corpus in time order — with a
lead-in long enough (no window linked again) and with one too short to settle (windows linked
again against the stored state)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor
from birlik.nlp.factory import build_pipeline
from birlik.runtime import Runtime
from birlik.scale import passes, windows
from birlik.settings import Settings
from birlik.store.models import DocumentRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.repository import Store
from scale_support import LIGHT, another_database, corpus, snapshot, write

DOCS = 600
BATCH = 32


def _ingested(url: str, path: Path) -> Runtime:
    runtime = Runtime(Settings(database_url=url, embedder="ngram", batch_size=BATCH))
    runtime.store(create=True)
    pipeline = build_pipeline(list(LIGHT), runtime.settings, embedder=runtime.embedder())
    Ingestor(runtime.settings, runtime.store(), pipeline).ingest(
        SourceConfig(name=path.name, kind="posts", location=str(path))
    )
    return runtime


def _details(store: Store) -> dict[str, Any]:
    """Claims and story aggregates by document content (ids differ between databases)."""
    with store.transaction() as session:
        pairs = session.execute(select(DocumentRow.id, DocumentRow.content_hash))
        hashes = {int(i): str(h) for i, h in pairs}
        claims = sorted(
            (hashes[row.document_id], row.subject, row.value, row.start)
            for row in session.scalars(select(ClaimRow))
        )
        members = {m.document_id: m for m in session.scalars(select(StoryMemberRow))}
        stories = {}
        for story in session.scalars(select(StoryRow)):
            docs = frozenset(hashes[i] for i, m in members.items() if m.story_id == story.id)
            stories[docs] = (
                story.doc_count, story.duplicate_count, dict(story.outlets), list(story.langs),
                list(story.regions), dict(story.timeline), story.first_seen, story.last_seen,
                hashes.get(story.representative_id or -1), story.title,
            )
        links = {
            hashes[i]: (hashes.get(m.linked_to or -1), m.canonical, m.score, m.embedding)
            for i, m in members.items()
        }
    return {"claims": claims, "stories": stories, "links": links}


def _link_by_windows(runtime: Runtime, lead: timedelta) -> tuple[int, int, int]:
    store, linker = runtime.store(), runtime.linker()
    planned = windows.plan(store, BATCH, 4, lead)
    results = []
    for window in reversed(planned):  # out of order: each in a state of its own
        linker.forget()  # as the worker task does: what it read belonged to another state
        results.append(windows.link_window(store, linker, window))
    results.reverse()
    relinked = linked = 0
    for window, result in zip(planned, results, strict=True):
        merged = windows.merge(store, result)
        if merged is None:
            relinked += 1
            linker.forget()
            merged = windows.merge(store, windows.link_window(store, linker, windows.exact(window)))
        assert merged is not None
        linked += merged
    return len(planned), relinked, linked


@pytest.mark.postgres
@pytest.mark.parametrize("lead_hours", [96.0, 6.0])
def test_windows_merged_equal_one_process_linking_in_order(
    postgres_url: str, tmp_path: Path, lead_hours: float
) -> None:
    items = corpus(DOCS, seed=5)
    path = write(tmp_path / "feed.jsonl", items)
    with another_database(postgres_url) as url:
        reference = _ingested(url, path)
        assert passes.link_unlinked(reference.store(), reference.linker(), BATCH) == DOCS
        expected, expected_details = snapshot(reference.store()), _details(reference.store())
    runtime = _ingested(postgres_url, path)
    order = [i for _, i in windows.unlinked_seen(runtime.store())]
    capped = windows.plan(runtime.store(), BATCH, 1, timedelta(hours=6), most=200)
    assert len(capped) == 3 and [i for w in capped for b in w.core for i in b] == order
    assert all(len(batch) == BATCH for w in capped for batch in (*w.lead, *w.core)[:-1])
    count, relinked, linked = _link_by_windows(runtime, timedelta(hours=lead_hours))
    assert linked == DOCS
    assert count >= 2, "the corpus must make several windows"
    if lead_hours >= 96:
        assert relinked == 0, "a lead-in of a span and a day settles on this corpus"
    else:
        assert relinked >= 1, "a 6-hour lead-in cannot hold the 72 hours the linker sees"
    got = snapshot(runtime.store())
    for part in ("documents", "stories", "groups"):
        assert got[part] == expected[part], part
    details = _details(runtime.store())
    for part in ("claims", "links", "stories"):
        assert details[part] == expected_details[part], part
    assert passes.unlinked(runtime.store()) == []
