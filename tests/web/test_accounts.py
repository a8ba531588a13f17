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
