"""``birlik user``: a password changed with the current one, reset without it, and the last
active administrator kept (issue 18, item 10) — a real process on a real database file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from birlik.access.models import AuditRow, UserRow
from birlik.access.passwords import verify_password
from birlik.access.users import add_user
from birlik.store.db import make_engine, migrate
from birlik.store.repository import Store
from cli.test_cli import run


def test_passwd_reset_password_and_the_last_administrator(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'users.db'}"
    store = Store(make_engine(db))
    migrate(store.engine)
    with store.transaction() as session:
        add_user(session, "cli", username="aigul", password="first-pass-1", role="administrator", regions=())
    wrong = run(["user", "passwd", "aigul"], db, stdin="not-it\nsecond-pass-2\nsecond-pass-2\n")
    assert wrong.returncode != 0 and "[W171]" in wrong.stderr
    changed = run(["user", "passwd", "aigul"], db, stdin="first-pass-1\nsecond-pass-2\nsecond-pass-2\n")
    assert changed.returncode == 0, changed.stderr
    reset = run(["user", "reset-password", "aigul"], db)
    assert reset.returncode == 0, reset.stderr
    new_password = json.loads(reset.stdout)["password"]
    demoted = run(["user", "grant", "aigul", "--role", "viewer"], db)
    assert demoted.returncode != 0 and "[W170]" in demoted.stderr
    with store.transaction() as session:
        user = session.scalars(select(UserRow).where(UserRow.username == "aigul")).one()
        assert user.role == "administrator" and user.session_epoch == 2
        assert verify_password(user.password_hash, new_password)
        actions = session.scalars(select(AuditRow.action).where(AuditRow.actor == "cli")).all()
        assert actions == ["user.add", "user.password", "user.reset_password"]
    store.engine.dispose()
