"""Claims are stored from the ``claims`` stage of the analysis that stored the document, and
they are exactly the claims extracted from the stored row (both backends)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor
from birlik.nlp.claims import extract_claims
from birlik.nlp.embed import CharNgramEmbedder
from birlik.nlp.pipeline import ANALYSED_CHARS_FLAG, Pipeline
from birlik.settings import Settings
from birlik.store.models import DocumentRow
from birlik.store.models_stories import ClaimRow
from birlik.store.repository import Store
from birlik.stories.service import StoryLinker, document_of

CUT = 1000
"""Analysed characters: the longer demo texts are analysed in part, so both ways are taken."""


def _stored(session: Session) -> list[tuple[Any, ...]]:
    rows = session.scalars(select(ClaimRow).order_by(ClaimRow.id))
    return [
        (c.document_id, c.subject, c.subject_text, c.unit, c.value, c.qualifier, c.text, c.start, c.end,
         c.sentence, c.period, c.region_kato, c.source, c.lang)
        for c in rows
    ]


def _from_rows(session: Session) -> list[tuple[Any, ...]]:
    """What the linker stored before the claims stage existed: extracted from each row."""
    rows = session.scalars(
        select(DocumentRow).order_by(DocumentRow.id)
        .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
    )
    return [
        (row.id, c.subject[:80], c.subject_text, c.unit, c.value, c.qualifier, c.text, c.start, c.end,
         c.sentence, c.period, c.region, (row.outlet or c.source or "")[:200] or None, c.lang)
        for row in rows
        for c in extract_claims(document_of(row))
    ]


def test_claims_stored_from_the_stage_are_those_of_the_stored_row(
    store: Store, pipeline: Pipeline, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    items = [{key: demo_news[n][key] for key in ("id", "title", "text", "published_at", "source")}
             for n in ("006", "007", "008", "010", "045", "003")]
    del items[-1]["source"]  # no outlet (and not cut): the claim's source is the stored row's id
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    source = SourceConfig(name="news", kind="posts", location=str(path),
                          options={"fields": {"time": "published_at"}})
    linker = StoryLinker(CharNgramEmbedder())
    seen: list[tuple[bool, bool]] = []

    def hook(session: Session, rows: list[DocumentRow]) -> None:
        for row in rows:
            assert row.analysed is not None and row.analysed.claims is not None
            cut = any(flag.startswith(ANALYSED_CHARS_FLAG) for flag in row.analysed.flags)
            seen.append((cut, bool(row.analysed.claims)))
        linker.assign(session, rows)

    cut_pipeline = Pipeline(pipeline.stages, max_chars=CUT)
    Ingestor(Settings(batch_size=2), store, cut_pipeline, after_batch=[hook]).ingest(source)
    assert {cut for cut, _ in seen} == {True, False}  # both ways were taken
    assert any(has_claims for cut, has_claims in seen if not cut)  # the stage's claims were stored
    with store.transaction() as session:
        stored = _stored(session)
        assert stored and stored == _from_rows(session)
        assert {claim[-2] for claim in stored} >= {"Түркістан үні"}


def test_a_claim_about_a_world_place_is_stored(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    """A claim's place may be a world place's id, longer than a KATO code: PostgreSQL refused the
    batch that held one (a 12-character column) until migration 0014."""
    text = "В Сан-Франциско на митинг вышли 5000 человек. В Нью-Йорке на митинг вышли 7000 человек."
    path = tmp_path / "world.jsonl"
    item = {"id": "sf", "lang": "ru", "text": text, "published_at": "2026-03-10T06:00:00+00:00"}
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    source = SourceConfig(name="world", kind="posts", location=str(path),
                          options={"fields": {"time": "published_at"}})
    linker = StoryLinker(CharNgramEmbedder())
    report = Ingestor(Settings(batch_size=2), store, pipeline,
                      after_batch=[lambda session, rows: linker.assign(session, rows)]).ingest(source)
    assert report.stored == 1 and report.quarantined == 0
    with store.transaction() as session:
        regions = {claim[11] for claim in _stored(session)}
    assert regions == {"city:us:san-francisco", "city:us:new-york"}
