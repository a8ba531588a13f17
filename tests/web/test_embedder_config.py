"""The web app embeds queries with the embedder BIRLIK_EMBEDDER names; a query vector of
another size than the stored ones is the coded error M114, never an empty result."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from fastapi.testclient import TestClient

from birlik.domain.records import Document, RegionScore
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.store.repository import Provenance, Store, add_document
from birlik.web.app import create_app
from web.conftest import PAVLODAR, login


def _client(store: Store, web_settings: WebSettings, settings: Settings) -> TestClient:
    app = create_app(Runtime(settings.model_copy(update={"web": web_settings}), store=store))
    client = TestClient(app)
    login(client, "analyst")
    return client


def test_queries_use_the_configured_embedder(
    store: Store, web_settings: WebSettings, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIRLIK_EMBEDDER", "ngram")
    client = _client(store, web_settings, Settings(database_url="sqlite://"))
    found = client.get("/api/v1/documents", params={"q": "немецкий фестиваль", "mode": "semantic"})
    assert found.status_code == 200, found.text
    assert found.json()["items"][0]["id"] == seeded["doc_p"]


def test_a_stored_vector_of_another_size_is_a_coded_error(
    store: Store, web_settings: WebSettings, seeded: dict[str, int]
) -> None:
    with store.transaction() as session:
        doc = Document(id="short", text="Павлодар: фестиваль.", lang="ru", published_at=datetime.now(UTC))
        doc.regions = [RegionScore(kato=PAVLODAR, confidence=1.0)]
        doc.embedding = np.ones(128, dtype=np.float32) / np.sqrt(128)
        add_document(session, doc, Provenance(ext_id="short", content_hash="s" * 64))
    response = _client(store, web_settings, Settings(database_url="sqlite://", embedder="ngram")).get(
        "/api/v1/documents", params={"q": "фестиваль", "mode": "semantic"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "M114"
    assert "128" in response.json()["error"]["message"]



def test_a_query_embedder_of_another_size_is_a_coded_error(
    store: Store, web_settings: WebSettings, seeded: dict[str, int]
) -> None:
    """The seeded documents carry 384-dimensional n-gram vectors; the static table has fewer."""
    response = _client(store, web_settings, Settings(database_url="sqlite://", embedder="static")).get(
        "/api/v1/documents", params={"q": "фестиваль", "mode": "semantic"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "M114"
