"""Accounts (issue 18, item 10): administrators cannot leave the system without one, people
change and administrators reset passwords, API tokens expire, carry a scope and die with
their user's deactivation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from birlik.store.repository import Store
from birlik.web import actions
from birlik.web.errors import WebError
from birlik.web.models import AuditRow, UserRow
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
        with store.transaction() as session, pytest.raises(WebError, match="last active administrator"):
            actions.set_user_access(session, "cli", admin, regions=None, **change)  # type: ignore[arg-type]
    with store.transaction() as session:
        actions.set_user_access(session, "cli", user_id(store, "analyst"), role="administrator", regions=None)
    with store.transaction() as session:  # with a second administrator it may go
        actions.set_user_access(session, "cli", admin, role="viewer", regions=None)
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
