"""The session secret: never the old public development placeholder; outside production one
random secret per installation, kept in a 0600 file next to the database (or in the data
directory); cookies marked Secure whenever the request came over HTTPS."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from tests.web.conftest import PASSWORD

from birlik.access.models import UserRow
from birlik.cli.web import _announce_environment
from birlik.domain.errors import ConfigError
from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import DEV_SECRET_KEY, Settings, WebSettings
from birlik.store.repository import Store
from birlik.web.app import create_app
from birlik.web.session_secret import SECRET_FILE, SessionSecret, session_secret


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """One backend is enough here: nothing below depends on it."""
    return sqlite_url


def forged_cookie(secret: str, user_id: int) -> str:
    """A session cookie as ``SessionCodec`` makes them, signed with ``secret``."""
    return URLSafeTimedSerializer(secret, salt="birlik-session").dumps({"u": user_id, "e": 0, "c": "x"})


def test_a_cookie_signed_with_the_old_public_secret_is_refused(
    store: Store, seeded: dict[str, int], sqlite_url: str, tmp_path: Path
) -> None:
    with store.transaction() as session:
        admin = session.scalar(select(UserRow.id).where(UserRow.username == "administrator"))
    assert admin is not None
    for configured in ("", DEV_SECRET_KEY):  # unset, or the placeholder set explicitly
        web = WebSettings(secret_key=configured, data_dir=tmp_path / "data")
        settings = Settings(database_url=sqlite_url, environment="development", web=web)
        app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
        client = TestClient(app)
        client.cookies.set("birlik_session", forged_cookie(DEV_SECRET_KEY, admin))
        forged = client.get("/api/v1/me")
        assert forged.status_code == 401, forged.text
        # the same cookie signed with this installation's own secret is accepted: the forgery
        # above failed for its signature, nothing else
        own = (Path(sqlite_url.removeprefix("sqlite:///")).parent / SECRET_FILE).read_text().strip()
        client.cookies.set("birlik_session", forged_cookie(own, admin))
        genuine = client.get("/api/v1/me")
        assert genuine.status_code == 200 and genuine.json()["role"] == "administrator"


def _secret(web: WebSettings, database_url: str) -> SessionSecret:
    return session_secret(Settings(database_url=database_url, environment="development", web=web))


def test_each_installation_generates_its_own_private_secret(tmp_path: Path) -> None:
    web = WebSettings(secret_key="", data_dir=tmp_path / "data")
    first = _secret(web, f"sqlite:///{tmp_path / 'one' / 'birlik.db'}")
    again = _secret(web, f"sqlite:///{tmp_path / 'one' / 'birlik.db'}")
    other = _secret(web, f"sqlite:///{tmp_path / 'two' / 'birlik.db'}")
    assert first.generated and not again.generated
    assert first.value == again.value != other.value != DEV_SECRET_KEY
    assert len(first.value) >= 32
    assert first.path == tmp_path / "one" / SECRET_FILE
    assert first.path is not None and stat.S_IMODE(first.path.stat().st_mode) == 0o600
    # a database that is not a file: the data directory
    for url in ("postgresql+psycopg://u:p@db/birlik", "sqlite://", "sqlite:///:memory:"):
        assert _secret(web, url).path == tmp_path / "data" / SECRET_FILE


def test_a_secret_file_others_can_read_is_refused(tmp_path: Path) -> None:
    web = WebSettings(secret_key="", data_dir=tmp_path)
    secret = _secret(web, "sqlite://")
    assert secret.path is not None
    secret.path.chmod(0o644)
    with pytest.raises(ConfigError, match="W177"):
        _secret(web, "sqlite://")


def test_a_configured_secret_is_used_as_it_is(tmp_path: Path) -> None:
    web = WebSettings(secret_key="k" * 40, data_dir=tmp_path)
    assert _secret(web, "sqlite://").value == "k" * 40
    assert not (tmp_path / SECRET_FILE).exists()


@pytest.mark.parametrize("secret", ["", DEV_SECRET_KEY, "short"])
def test_production_refuses_an_unset_or_placeholder_secret(secret: str) -> None:
    settings = Settings(
        environment="production",
        pseudonym_key="p" * 40,
        web=WebSettings(secret_key=secret, cookie_secure=True),
    )
    with pytest.raises(ConfigError, match="W100"):
        settings.refuse_placeholders(serving=True)
    settings.refuse_placeholders(serving=False)  # a process that does not serve needs no session secret


def test_production_serves_cookies_over_https_only() -> None:
    web = WebSettings(secret_key="s" * 40, cookie_secure=False)
    settings = Settings(environment="production", pseudonym_key="p" * 40, web=web)
    with pytest.raises(ConfigError, match="W101"):
        settings.refuse_placeholders(serving=True)


def test_serve_says_it_runs_in_development_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    web = WebSettings(secret_key="", data_dir=tmp_path)
    _announce_environment(Settings(database_url=f"sqlite:///{tmp_path / 'birlik.db'}", web=web))
    err = capsys.readouterr().err
    assert "development mode" in err and str(tmp_path / SECRET_FILE) in err and "generated" in err
    web = WebSettings(secret_key="s" * 40, cookie_secure=True)
    _announce_environment(Settings(environment="production", pseudonym_key="p" * 40, web=web))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("base", "secure"), [("https://birlik.test", True), ("http://birlik.test", False)])
def test_cookies_are_secure_over_https(
    store: Store, seeded: dict[str, int], tmp_path: Path, base: str, secure: bool
) -> None:
    web = WebSettings(secret_key="x" * 40, cookie_secure=False)
    settings = Settings(database_url="sqlite://", environment="test", web=web)
    app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
    client = TestClient(app, base_url=base)
    page = client.get("/login")
    assert ("secure" in page.headers["set-cookie"].lower()) is secure
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session_cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("birlik_session="))
    assert ("; secure" in session_cookie.lower()) is secure
