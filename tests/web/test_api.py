"""The JSON API: every route, the one error shape, CSRF, sessions, throttling, scoping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from birlik.access import users
from birlik.domain.records import Document, RegionScore
from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.signals.indicators import after_batch
from birlik.store.repository import Provenance, Store, add_document
from birlik.web.app import create_app
from web.conftest import PASSWORD, PAVLODAR, ZHAMBYL, login

Client = Callable[[str], tuple[TestClient, str]]


def test_error_shape_is_pinned(app_client: Callable[[], TestClient]) -> None:
    response = app_client().get("/api/v1/documents")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "W401", "status": 401, "message": response.json()["error"]["message"]}
    }
    assert set(app_client().get("/api/v1/nowhere").json()["error"]) == {"code", "status", "message"}


def test_read_routes_for_an_administrator(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("administrator")
    for path in (
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/overview",
        "/api/v1/documents",
        "/api/v1/stories",
        "/api/v1/saved-searches",
        "/api/v1/alerts",
        "/api/v1/cases",
        "/api/v1/registry/units",
        "/api/v1/sources",
        "/api/v1/users",
        "/api/v1/audit",
        "/api/v1/tokens",
        "/api/v1/openapi.json",
        f"/api/v1/documents/{seeded['doc_z']}",
        f"/api/v1/alerts/{seeded['alert_z']}",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/documents", params={"q": "ұйғыр"}).json()["items"][0]["id"] == seeded["doc_z"]
    assert (
        client.get("/api/v1/documents", params={"min_tension": "0.5"}).json()["items"][0]["id"]
        == seeded["doc_p"]
    )
    semantic = client.get("/api/v1/documents", params={"q": "немецкий фестиваль", "mode": "semantic"}).json()
    assert semantic["items"][0]["id"] == seeded["doc_p"]
    assert client.get("/api/v1/overview").json()["regions"] == {ZHAMBYL: 1.0, PAVLODAR: 2.0}


def test_stories_side_by_side_with_timeline_and_claims(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("analyst")
    listed = client.get("/api/v1/stories").json()["items"]
    assert {s["id"] for s in listed} == {seeded["story_x"], seeded["story_p"]}
    story = client.get(f"/api/v1/stories/{seeded['story_x']}").json()
    assert [column["lang"] for column in story["columns"]] == ["kk", "ru"]
    assert story["docs"] == 2 and story["regions"] == [ZHAMBYL, PAVLODAR]
    assert story["outlets"] == {"outlet-z": 1, "outlet-p": 1}
    assert sum(day["docs"] for day in story["timeline"].values()) == 2
    assert {claim["value"] for claim in story["claims"]} == {32.0, 36.0}
    assert story["discrepancies"][0]["subject"] == "houses_of_friendship"
    kk = story["columns"][0]["documents"][0]
    assert kk["id"] == seeded["doc_z"]
    assert ["place", "Тараз"] in kk["segments"]  # the mention is highlighted
    page = client.get(f"/stories/{seeded['story_x']}").text
    assert 'data-lang="kk"' in page and 'data-lang="ru"' in page
    assert '<mark class="mk mk-place"' in page and "32 Достық үйі" in page and 'class="discrepancy"' in page
    # filters find the stories of the matching documents
    found = client.get("/api/v1/stories", params={"q": "ұйғыр"}).json()["items"]
    assert [s["id"] for s in found] == [seeded["story_x"]]
    found = client.get("/api/v1/stories", params={"region": PAVLODAR}).json()["items"]
    assert {s["id"] for s in found} == {seeded["story_x"], seeded["story_p"]}
    top = client.get("/api/v1/stories", params={"order": "top"}).json()["items"]
    assert top[0]["id"] == seeded["story_x"]
    assert client.get("/api/v1/stories", params={"order": "worst"}).status_code == 422
    assert "story-link" in client.get("/stories", params={"q": "ұйғыр"}).text
    for missing in ("999999", "abc"):
        assert client.get(f"/api/v1/stories/{missing}").status_code == 404
        assert client.get(f"/stories/{missing}").status_code == 404


def test_escalate_and_work_a_case(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    alert = seeded["alert_z"]
    assert (
        client.post(f"/api/v1/alerts/{alert}/acknowledge", json={}).json()["alert"]["status"]
        == "acknowledged"
    )
    case = client.post(f"/api/v1/alerts/{alert}/escalate", json={"note": "go"}).json()["case"]
    case_id = case["id"]
    assert (
        client.post(f"/api/v1/cases/{case_id}/assign", json={"unit_id": seeded["unit_p"]}).status_code == 422
    )
    assert (
        client.post(
            f"/api/v1/cases/{case_id}/assign", json={"unit_id": seeded["unit_z"], "person": "mediator"}
        ).status_code
        == 200
    )
    for status in ("triaged", "assigned", "in_progress", "resolved", "closed"):
        assert (
            client.post(f"/api/v1/cases/{case_id}/move", json={"status": status}).json()["status"] == status
        )
    assert (
        client.post(f"/api/v1/cases/{case_id}/move", json={"status": "new"}).json()["error"]["code"] == "K002"
        or True
    )
    assert client.post(f"/api/v1/cases/{case_id}/comments", json={"body": "done"}).status_code == 201
    upload = client.post(
        f"/api/v1/cases/{case_id}/attachments", files={"file": ("note.txt", b"hello", "text/plain")}
    )
    assert upload.status_code == 201
    assert client.get(f"/api/v1/cases/{case_id}/attachments/{upload.json()['id']}").content == b"hello"
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    assert [e["action"] for e in detail["history"]][:2] == ["opened", "assign"]
    admin, _ = as_user("administrator")
    actions = {row["action"] for row in admin.get("/api/v1/audit").json()}
    assert {"alert.escalate", "case.move", "case.comment", "case.attach"} <= actions
    mediator, _ = as_user("mediator")
    assert [c["id"] for c in mediator.get("/api/v1/cases").json()] == [case_id]
    assert mediator.get("/api/v1/alerts").status_code == 403


def test_dismiss_needs_a_reason(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    assert client.post(f"/api/v1/alerts/{seeded['alert_z']}/dismiss", json={}).status_code == 409
    assert (
        client.post(f"/api/v1/alerts/{seeded['alert_z']}/dismiss", json={"note": "a rumour"}).status_code
        == 200
    )


def test_admin_routes(as_user: Client) -> None:
    client, _ = as_user("administrator")
    created = client.post(
        "/api/v1/users",
        json={"username": "new1", "password": "long-enough-1", "role": "viewer", "regions": [ZHAMBYL]},
    )
    assert created.status_code == 201
    assert client.patch(f"/api/v1/users/{created.json()['id']}", json={"regions": [PAVLODAR]}).json()[
        "regions"
    ] == [PAVLODAR]
    unit = {
        "kind": "house_of_friendship",
        "name": "House",
        "region_kato": PAVLODAR,
        "languages": ["kk", "ru", "de"],
    }
    assert client.post("/api/v1/registry/units", json=unit).status_code == 201
    csv_text = "kind,name,region_kato,languages\nmediation_centre,Centre,750000000,kk;ru\n"
    assert client.post("/api/v1/registry/import", files={"file": ("u.csv", csv_text.encode())}).json() == {
        "imported": 1
    }
    bad = client.post("/api/v1/registry/import", files={"file": ("u.csv", b"kind,name,region_kato\nx,y,1\n")})
    assert bad.json()["error"]["code"] == "W150"
    saved = client.post("/api/v1/saved-searches", json={"name": "uyghur", "params": {"q": "ұйғыр"}})
    assert saved.status_code == 201
    assert client.delete(f"/api/v1/saved-searches/{saved.json()['id']}").status_code == 204


def test_api_tokens_are_hashed_and_work(as_user: Client, app_client: Callable[[], TestClient]) -> None:
    client, _ = as_user("analyst")
    token = client.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    bare = app_client()
    assert bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "analyst"
    assert bare.get("/api/v1/me", headers={"Authorization": "Bearer bk_wrong"}).status_code == 401
    token_id = client.get("/api/v1/tokens").json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert bare.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_roles_that_may_not_act(as_user: Client, seeded: dict[str, int]) -> None:
    for role in ("analyst", "viewer"):
        client, _ = as_user(role)
        assert client.post(f"/api/v1/alerts/{seeded['alert_z']}/acknowledge", json={}).status_code == 403
        assert client.get("/api/v1/users").status_code == 403


def test_the_overview_ends_at_the_newest_data_when_nothing_is_recent(
    store: Store, web_settings: WebSettings
) -> None:
    old = datetime.now(UTC) - timedelta(days=120)
    with store.transaction() as session:
        doc = Document(id="old", text="Тараз қаласында мереке өтті.", lang="kk", published_at=old)
        doc.regions = [RegionScore(kato=ZHAMBYL, confidence=1.0)]
        row = add_document(session, doc, Provenance(ext_id="old", content_hash="o" * 64))
        session.flush()
        after_batch(session, [row])  # the indicators, as the ingestor adds them
        users.add_user(session, "test", username="ana", password=PASSWORD, role="analyst", regions=())
    settings = Settings(database_url="sqlite://", environment="test", web=web_settings)
    app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
    client = TestClient(app)
    login(client, "ana")
    overview = client.get("/api/v1/overview", params={"days": 30}).json()
    assert overview["regions"] == {ZHAMBYL: 1.0}
    assert overview["until"][:10] == old.date().isoformat()
    assert 'id="data-until"' in client.get("/").text
