"""What the model embeds when the story linker confirms a static candidate: the title and lead
cut to ``ConfirmSettings.text_chars`` (its cost grows with the length), in the closed-set linker
and in the stored one, and the vector it makes is the document's stored model vector."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select

from birlik.connectors.base import SourceConfig
from birlik.domain.records import Document
from birlik.ingest.service import Ingestor
from birlik.nlp.embed import CharNgramEmbedder, CountingEmbedder
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.store.models import DocumentRow
from birlik.store.repository import Store
from birlik.stories.linking import ConfirmSettings, link_documents
from birlik.stories.service import StoryLinker
from birlik.stories.text import LEAD_CHARS, lead_text

#: Two reports of one event in one language, each well over the lead's 600 characters.
BODY = (
    "В Костанае открыли новый сквер с фонтаном и детской площадкой у городской библиотеки. "
    "На открытии выступили представители акимата и жители соседних домов. "
) * 6


class StaticTable(CharNgramEmbedder):
    """A stand-in for the static table: another embedder's name, the same cheap vectors."""

    name = "static-test"


def _docs() -> list[Document]:
    when = datetime(2026, 9, 2, 9, tzinfo=UTC)
    return [
        Document(id="a", title="Новый сквер", text=BODY, lang="ru", published_at=when),
        Document(id="b", title="Новый сквер в Костанае", text=BODY + " Фото: акимат.", lang="ru",
                 published_at=when),
    ]


def test_the_confirmation_embeds_title_and_lead_cut_to_text_chars() -> None:
    model = CountingEmbedder(CharNgramEmbedder())
    docs = _docs()
    link_documents(docs, model, static=StaticTable(), confirm=ConfirmSettings(text_chars=150))
    expected = {lead_text(doc, 150) for doc in _docs()}
    assert set(model.per_text) == expected and model.texts == 2
    assert all(len(text) <= 150 for text in model.per_text)
    for doc in docs:  # the confirmed vector is the document's model vector
        assert doc.embedding_model == model.name
        vector = CharNgramEmbedder().embed([lead_text(doc, 150)])[0]
        assert float(np.asarray(doc.embedding) @ vector) > 0.999


def test_by_default_the_confirmation_embeds_the_600_character_lead() -> None:
    assert ConfirmSettings().text_chars == LEAD_CHARS == 600
    model = CountingEmbedder(CharNgramEmbedder())
    link_documents(_docs(), model, static=StaticTable())
    assert set(model.per_text) == {lead_text(doc) for doc in _docs()}
    assert all(450 < len(text) <= 600 for text in model.per_text)


def test_the_stored_linker_confirms_with_text_chars_and_stores_that_vector(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "posts.jsonl"
    items = [
        {"id": doc.id, "title": doc.title, "text": doc.text, "published_at": "2026-09-02T09:00:00+05:00"}
        for doc in _docs()
    ]
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    source = SourceConfig(name="posts", kind="posts", location=str(path),
                          options={"fields": {"time": "published_at"}})
    model = CountingEmbedder(CharNgramEmbedder())
    linker = StoryLinker(model, static=StaticTable(), confirm=ConfirmSettings(text_chars=200))
    Ingestor(Settings(batch_size=2), store, Pipeline([]), after_batch=[linker.after_batch]).ingest(source)
    assert model.texts == 2 and all(len(text) <= 200 for text in model.per_text)
    with store.transaction() as session:
        rows = list(session.scalars(select(DocumentRow)))
        assert len(rows) == 2
        for row in rows:
            assert row.embedding_model == model.name
            lead = lead_text(Document(id=str(row.id), text=row.text, title=row.title), 200)
            assert lead in model.per_text
            vector = CharNgramEmbedder().embed([lead])[0]
            assert float(np.asarray(row.embedding, dtype=np.float32) @ vector) > 0.99
