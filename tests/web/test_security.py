"""A coordinator of one region reaches nothing of another region, by any route or page;
forms need their CSRF token; expired sessions and repeated failed logins are refused."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from birlik.access.models import UserRow
from birlik.store.models import DocumentRow, SourceRow
from birlik.store.repository import Store
from web.conftest import PASSWORD

Client = Callable[[str], tuple[TestClient, str]]

# (method, path template, body) over Pavlodar's records: a Zhambyl coordinator must get 404/403/empty
FOREIGN_ROUTES = [
    ("GET", "/api/v1/documents/{doc_p}", None),
    ("GET", "/documents/{doc_p}", None),
    ("GET", "/api/v1/stories/{story_p}", None),
    ("GET", "/stories/{story_p}", None),
    ("GET", "/api/v1/alerts/{alert_p}", None),
    ("POST", "/api/v1/alerts/{alert_p}/acknowledge", {}),
    ("POST", "/api/v1/alerts/{alert_p}/escalate", {}),
    ("POST", "/api/v1/alerts/{alert_p}/dismiss", {"note": "x"}),
    ("POST", "/alerts/{alert_p}/acknowledge", "form"),
    ("POST", "/alerts/{alert_p}/escalate", "form"),
    ("GET", "/api/v1/cases/{case_p}", None),
    ("GET", "/cases/{case_p}", None),
    ("POST", "/api/v1/cases/{case_p}/move", {"status": "triaged"}),
    ("POST", "/api/v1/cases/{case_p}/assign", {"person": "x"}),
    ("POST", "/api/v1/cases/{case_p}/comments", {"body": "x"}),
    ("POST", "/cases/{case_p}/move", "form"),
    ("POST", "/cases/{case_p}/comments", "form"),
]


# (method, path template, body) that only administrators may use: everyone else gets 403
ADMIN_ROUTES = [
    ("POST", "/api/v1/users/{user}/password", {"password": "taken-over-1"}),
    ("PATCH", "/api/v1/users/{user}", {"active": False}),
    ("POST", "/admin/users/{user}/password", "form"),
    ("POST", "/admin/users/{user}/active", "form"),
    ("POST", "/admin/users/{user}", "form"),
]


@pytest.fixture
def foreign_case(as_user: Client, seeded: dict[str, int]) -> dict[str, int]:
    client, _ = as_user("coordinator_p")
    case = client.post(f"/api/v1/alerts/{seeded['alert_p']}/escalate", json={}).json()["case"]
    return {**seeded, "case_p": case["id"], "alert_p": seeded["alert_p"]}


@pytest.mark.parametrize(("method", "path", "body"), FOREIGN_ROUTES)
def test_coordinator_cannot_reach_another_region(
    as_user: Client, foreign_case: dict[str, int], method: str, path: str, body: object
) -> None:
    client, csrf = as_user("coordinator")
    url = path.format(**foreign_case)
    if body == "form":
        response = client.request(
            method, url, data={"csrf_token": csrf, "status": "triaged", "body": "x", "note": "x"}
        )
    else:
        response = client.request(method, url, json=body)
    assert response.status_code in (403, 404), (url, response.status_code)


def test_lists_hold_only_the_coordinators_region(as_user: Client, foreign_case: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    assert [d["id"] for d in client.get("/api/v1/documents").json()["items"]] == [foreign_case["doc_z"]]
    assert [a["id"] for a in client.get("/api/v1/alerts").json()] == [foreign_case["alert_z"]]
    assert client.get("/api/v1/cases").json() == []
    assert list(client.get("/api/v1/overview").json()["regions"]) == ["310000000"]
    assert client.get("/api/v1/documents", params={"region": "550000000"}).json()["items"] == []
    page = client.get("/stories").text
    assert "doc_p" not in page and "doc_z" in page
    assert "Surge in 550000000" not in client.get("/alerts").text


def test_a_story_across_regions_shows_only_the_coordinators_documents(
    as_user: Client, seeded: dict[str, int]
) -> None:
    client, _ = as_user("coordinator")
    assert [s["id"] for s in client.get("/api/v1/stories").json()["items"]] == [seeded["story_x"]]
    summary = client.get("/api/v1/stories").json()["items"][0]
    assert summary["docs"] == 1 and summary["regions"] == ["310000000"] and summary["langs"] == ["kk"]
    story = client.get(f"/api/v1/stories/{seeded['story_x']}").json()
    assert [d["id"] for d in story["documents"]] == [seeded["doc_z"]]
    assert story["outlets"] == {"outlet-z": 1}
    assert [c["value"] for c in story["claims"]] == [32.0] and story["discrepancies"] == []
    page = client.get(f"/stories/{seeded['story_x']}").text
    assert "outlet-p" not in page and "36 Домов" not in page and "Павлодар" not in page
    mediator, _ = as_user("mediator")
    assert mediator.get("/api/v1/stories").status_code == 403  # mediators see their cases only
    assert mediator.get(f"/api/v1/stories/{seeded['story_x']}").status_code == 403


def test_forms_without_csrf_are_refused(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    del client.headers["X-CSRF-Token"]
    response = client.post(f"/alerts/{seeded['alert_z']}/acknowledge", data={})
    assert response.status_code == 403
    assert (
        client.post(f"/api/v1/alerts/{seeded['alert_z']}/acknowledge", json={}).json()["error"]["code"]
        == "W419"
    )
    assert (
        client.post(f"/alerts/{seeded['alert_z']}/acknowledge", data={"csrf_token": "forged"}).status_code
        == 403
    )
    bare = TestClient(client.app)
    assert bare.post("/login", data={"username": "coordinator", "password": PASSWORD}).status_code == 403


class _SignedLongAgo(TimestampSigner):
    """Signs with a timestamp of 2001: a cookie issued long ago (a subclass, so that the
    library's own signer stays untouched for the other tests)."""

    def get_timestamp(self) -> int:
        return 1_000_000_000


def test_expired_session_is_refused(as_user: Client, web_settings: object) -> None:
    client, _ = as_user("coordinator")
    assert client.get("/api/v1/me").status_code == 200
    cookie = client.cookies["birlik_session"]
    payload = URLSafeTimedSerializer("x" * 40, salt="birlik-session").loads(cookie)
    old = URLSafeTimedSerializer("x" * 40, salt="birlik-session", signer=_SignedLongAgo)
    client.cookies.clear()
    client.cookies.set("birlik_session", old.dumps(payload))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(as_user: Client) -> None:
    client, csrf = as_user("analyst")
    cookie = client.cookies["birlik_session"]
    client.post("/logout", data={"csrf_token": csrf})
    client.cookies.set("birlik_session", cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_login_throttling(app_client: Callable[[], TestClient]) -> None:
    client = app_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    for _ in range(3):
        wrong = client.post(
            "/login", data={"username": "viewer", "password": "wrong-one", "csrf_token": token.group(1)}
        )
        assert wrong.status_code == 401
    locked = client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert locked.status_code == 429
    assert "Retry-After" in locked.headers


def test_production_refuses_placeholder_secret() -> None:
    from birlik.domain.errors import ConfigError
    from birlik.settings import Settings

    settings = Settings(environment="production", pseudonym_key="k" * 40)  # what every process needs
    with pytest.raises(ConfigError, match="W100"):
        settings.refuse_placeholders(serving=True)


def test_sources_count_within_the_region_and_hide_server_paths(
    as_user: Client, store: Store, seeded: dict[str, int]
) -> None:
    """Before: a Zhambyl coordinator saw the national count (3) and /srv/… paths."""
    with store.transaction() as session:
        source = SourceRow(
            name="feeds",
            kind="jsonl",
            location="/srv/birlik/secret-feeds.jsonl",
            last_error="[C001] /srv/birlik/secret-feeds.jsonl is unreadable",
        )
        session.add(source)
        session.flush()
        for name in ("doc_z", "doc_p", "doc_p2"):
            session.get_one(DocumentRow, seeded[name]).source_id = source.id
    coordinator, _ = as_user("coordinator")
    [row] = coordinator.get("/api/v1/sources").json()
    assert row["documents"] == 1 and row["location"] is None and row["last_error"] is None
    assert row["health"] == "error"
    assert "/srv/birlik" not in coordinator.get("/sources").text
    analyst, _ = as_user("analyst")
    [row] = analyst.get("/api/v1/sources").json()
    assert row["documents"] == 3 and row["location"] is None
    admin, _ = as_user("administrator")
    [row] = admin.get("/api/v1/sources").json()
    assert row["documents"] == 3 and row["location"] == "/srv/birlik/secret-feeds.jsonl"
    assert "/srv/birlik/secret-feeds.jsonl" in admin.get("/sources").text


def test_only_administrators_manage_accounts(as_user: Client, store: Store) -> None:
    with store.transaction() as session:
        target = session.scalars(select(UserRow.id).where(UserRow.username == "viewer")).one()
    form = {"password": "taken-over-1", "active": "false", "role": "administrator"}
    for role in ("coordinator", "analyst"):
        client, csrf = as_user(role)
        for method, path, body in ADMIN_ROUTES:
            url = path.format(user=target)
            if body == "form":
                response = client.request(method, url, data={**form, "csrf_token": csrf})
            else:
                response = client.request(method, url, json=body)
            assert response.status_code == 403, (role, url, response.status_code)
    viewer, _ = as_user("viewer")  # nothing above happened
    assert viewer.get("/api/v1/me").json()["role"] == "viewer"
