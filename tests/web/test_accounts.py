"""Accounts (issue 18, item 10): administrators cannot leave the system without one, people
change and administrators reset passwords, API tokens expire, carry a scope and die with
their user's deactivation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from birlik.access import users
from birlik.access.errors import RequestError
from birlik.access.models import ApiTokenRow, AuditRow, UserRow
from birlik.store.repository import Store
from web.conftest import PASSWORD, login

Client = Callable[[str], tuple[TestClient, str]]


def user_id(store: Store, username: str) -> int:
    with store.transaction() as session:
        return session.scalars(select(UserRow.id).where(UserRow.username == username)).one()


def audited(store: Store, action: str) -> list[AuditRow]:
    with store.transaction() as session:
        rows = list(session.scalars(select(AuditRow).where(AuditRow.action == action)))
        session.expunge_all()
        return rows


def test_an_administrator_cannot_demote_themselves_through_the_page(as_user: Client, store: Store) -> None:
    """Before: the page form took the role away (the API refused); now one rule serves both."""
    client, csrf = as_user("administrator")
    me = user_id(store, "administrator")
    page = client.post(f"/admin/users/{me}", data={"csrf_token": csrf, "role": "viewer"})
    assert page.status_code == 409 and "W114" in page.text
    deactivate = client.post(f"/admin/users/{me}/active", data={"csrf_token": csrf, "active": "false"})
    assert deactivate.status_code == 409
    api = client.patch(f"/api/v1/users/{me}", json={"role": "analyst"})
    assert api.status_code == 409 and api.json()["error"]["code"] == "W114"
    assert client.get("/api/v1/me").json()["role"] == "administrator"


def test_the_last_active_administrator_stays_one(store: Store, seeded: dict[str, int]) -> None:
    admin = user_id(store, "administrator")
    for change in ({"role": "viewer", "active": None}, {"role": None, "active": False}):
        with store.transaction() as session, pytest.raises(RequestError, match="last active administrator"):
            users.set_user_access(session, "cli", admin, regions=None, **change)  # type: ignore[arg-type]
    with store.transaction() as session:
        users.set_user_access(session, "cli", user_id(store, "analyst"), role="administrator", regions=None)
    with store.transaction() as session:  # with a second administrator it may go
        users.set_user_access(session, "cli", admin, role="viewer", regions=None)
        assert session.get_one(UserRow, admin).role == "viewer"


def test_deactivating_and_reactivating_through_the_page(as_user: Client, store: Store) -> None:
    client, csrf = as_user("administrator")
    viewer_client, _ = as_user("viewer")
    url = f"/admin/users/{user_id(store, 'viewer')}/active"
    assert client.post(url, data={"csrf_token": csrf, "active": "false"}).is_success
    assert viewer_client.get("/api/v1/me").status_code == 401
    assert "Reactivate" in client.get("/admin", headers={"Accept-Language": "en"}).text
    assert client.post(url, data={"csrf_token": csrf, "active": "true"}).is_success
    [*_, change] = audited(store, "user.access")
    assert change.before is not None and change.after is not None
    assert change.before["active"] is False and change.after["active"] is True


def test_changing_your_password_ends_your_other_sessions(
    as_user: Client, app_client: Callable[[], TestClient], store: Store
) -> None:
    """Before: no way to change a password at all."""
    here, csrf = as_user("coordinator")
    elsewhere, _ = as_user("coordinator")
    form = {"csrf_token": csrf, "current_password": "wrong-one", "new_password": "new-secret-9"}
    wrong = here.post("/account/password", data={**form, "new_password_again": "new-secret-9"})
    assert wrong.status_code == 403 and "Қазіргі құпиясөз қате" in wrong.text  # kk: the default
    form["current_password"] = PASSWORD
    mismatch = here.post("/account/password", data={**form, "new_password_again": "other-secret-9"})
    assert mismatch.status_code == 422
    done = here.post("/account/password", data={**form, "new_password_again": "new-secret-9"})
    assert done.status_code == 200 and done.url.path == "/account"
    assert here.get("/api/v1/me").status_code == 200  # this browser got a new cookie
    assert elsewhere.get("/api/v1/me").status_code == 401  # every other session ended
    fresh = app_client()
    login(fresh, "coordinator", "new-secret-9")
    [change] = audited(store, "user.password")
    assert change.actor == "coordinator" and "password_hash" not in (change.after or {})


def test_api_password_change_and_administrator_reset(
    as_user: Client, app_client: Callable[[], TestClient], store: Store
) -> None:
    client, _ = as_user("viewer")
    short = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    changed = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "viewer-pass-2"}
    )
    assert changed.status_code == 204 and client.get("/api/v1/me").status_code == 200
    admin, csrf = as_user("administrator")
    viewer = user_id(store, "viewer")
    reset = admin.post(f"/api/v1/users/{viewer}/password", json={"password": "reset-by-admin-3"})
    assert reset.status_code == 204
    assert client.get("/api/v1/me").status_code == 401  # the viewer's sessions ended
    login(app_client(), "viewer", "reset-by-admin-3")
    page = admin.post(
        f"/admin/users/{viewer}/password", data={"csrf_token": csrf, "password": "page-reset-4"}
    )
    assert page.status_code == 200
    login(app_client(), "viewer", "page-reset-4")
    me = user_id(store, "administrator")
    own = admin.post(f"/api/v1/users/{me}/password", json={"password": "not-this-way-5"})
    assert own.status_code == 409 and own.json()["error"]["code"] == "W172"
    assert [row.actor for row in audited(store, "user.reset_password")] == ["administrator"] * 2
    coordinator, _ = as_user("coordinator")
    assert coordinator.post(f"/api/v1/users/{viewer}/password", json={"password": "x" * 9}).status_code == 403


def test_wrong_current_passwords_count_as_failed_logins(as_user: Client) -> None:
    """The change form is no free password oracle for someone holding a stolen session."""
    client, _ = as_user("analyst")
    body = {"current_password": "guess-0", "new_password": "whatever-1"}
    answers = [client.post("/api/v1/me/password", json=body).status_code for _ in range(4)]
    assert answers == [403, 403, 403, 429]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_expire_and_lists_show_expiry_and_scope(
    as_user: Client, app_client: Callable[[], TestClient], store: Store
) -> None:
    """Before: tokens never expired."""
    client, _ = as_user("analyst")
    made = client.post("/api/v1/tokens", json={"name": "nightly", "expires_in_days": 7}).json()
    assert made["scope"] == "read" and made["expired"] is False
    default = client.post("/api/v1/tokens", json={"name": "default", "scope": "write"}).json()
    days = (datetime.fromisoformat(default["expires_at"]) - datetime.now(UTC)).days
    assert 89 <= days <= 90
    assert client.post("/api/v1/tokens", json={"name": "x", "expires_in_days": 9999}).status_code == 422
    bare = app_client()
    assert bare.get("/api/v1/me", headers=bearer(made["token"])).status_code == 200
    with store.transaction() as session:
        session.get_one(ApiTokenRow, made["id"]).expires_at = datetime.now(UTC) - timedelta(minutes=1)
    refused = bare.get("/api/v1/me", headers=bearer(made["token"]))
    assert refused.status_code == 401 and "expired" in refused.json()["error"]["message"]
    listed = {t["name"]: t for t in client.get("/api/v1/tokens").json()}
    assert listed["nightly"]["expired"] is True and listed["default"]["scope"] == "write"
    assert "token" not in listed["nightly"] and listed["nightly"]["last_used_at"] is not None
    page = client.get("/account", headers={"Accept-Language": "ru"})
    assert "nightly" in page.text and "истёк" in page.text and "чтение и изменение" in page.text


def all_routes(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x wraps routers
        yield from all_routes(included.routes) if included is not None else (route,)


def unsafe_routes(app: Any) -> list[tuple[str, str]]:
    """Every POST/PUT/PATCH/DELETE route of the app but the login form, ids filled in."""
    found = []
    for route in all_routes(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method in {"POST", "PUT", "PATCH", "DELETE"} and route.path != "/login":
                found.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return found


def test_a_read_only_token_is_refused_on_every_write_route(
    as_user: Client, app_client: Callable[[], TestClient], seeded: dict[str, int]
) -> None:
    """Before: a token carried its user's full role."""
    client, _ = as_user("administrator")
    read = client.post("/api/v1/tokens", json={"name": "read"}).json()["token"]
    write = client.post("/api/v1/tokens", json={"name": "write", "scope": "write"}).json()["token"]
    bare = app_client()
    routes = unsafe_routes(bare.app)
    assert len(routes) > 20 and ("POST", "/api/v1/me/password") in routes
    for method, path in routes:
        response = bare.request(method, path, headers=bearer(read), json={})
        assert response.status_code == 403 and "W174" in response.text, (method, path, response.text)
    assert bare.get("/api/v1/alerts", headers=bearer(read)).status_code == 200
    acknowledge = f"/api/v1/alerts/{seeded['alert_z']}/acknowledge"
    assert bare.post(acknowledge, headers=bearer(write), json={}).status_code == 200
    # a token cannot mint a successor, nor change the password
    minted = bare.post("/api/v1/tokens", headers=bearer(write), json={"name": "more", "scope": "write"})
    assert minted.status_code == 403 and minted.json()["error"]["code"] == "W175"
    body = {"current_password": PASSWORD, "new_password": "via-token-1"}
    assert bare.post("/api/v1/me/password", headers=bearer(write), json=body).status_code == 403


def test_deactivation_revokes_tokens_for_good(
    as_user: Client, app_client: Callable[[], TestClient], store: Store
) -> None:
    """Before: reactivating a user brought their old tokens back to life."""
    viewer, _ = as_user("viewer")
    token = viewer.post("/api/v1/tokens", json={"name": "script"}).json()["token"]
    bare = app_client()
    assert bare.get("/api/v1/me", headers=bearer(token)).status_code == 200
    admin, _ = as_user("administrator")
    target = user_id(store, "viewer")
    assert admin.patch(f"/api/v1/users/{target}", json={"active": False}).status_code == 200
    assert admin.patch(f"/api/v1/users/{target}", json={"active": True}).status_code == 200
    assert bare.get("/api/v1/me", headers=bearer(token)).status_code == 401
    deactivation = next(a for a in audited(store, "user.access") if a.after and a.after["active"] is False)
    assert deactivation.after is not None and len(deactivation.after["tokens_revoked"]) == 1
