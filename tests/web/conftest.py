"""A seeded store and a logged-in client per role; two regions so that scoping can be tested."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from birlik.access import units, users
from birlik.domain.records import Document, Mention, RegionScore, Signal
from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.signals.indicators import after_batch
from birlik.store.models_signals import AlertRow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.repository import Provenance, Store, add_document
from birlik.web.app import create_app

ZHAMBYL, PAVLODAR = "310000000", "550000000"
PASSWORD = "correct-horse-1"


def seed(store: Store) -> dict[str, int]:
    ids: dict[str, int] = {}
    embedder = CharNgramEmbedder()
    now = datetime.now(UTC)
    with store.transaction() as session:
        rows = []
        for name, region, text in (
            ("doc_z", ZHAMBYL, "Тараз қаласында ұйғыр мәдени орталығы мерекені өткізді."),
            ("doc_p", PAVLODAR, "В Павлодаре немецкий культурный центр провёл фестиваль."),
            ("doc_p2", PAVLODAR, "Павлодарский совет матерей собрался на заседание."),
        ):
            doc = Document(
                id=name,
                text=text,
                title=name,
                lang="kk" if region == ZHAMBYL else "ru",
                published_at=now - timedelta(days=1),
                regions=[RegionScore(kato=region, confidence=1.0)],
                entities=[Mention(start=0, end=5, text=text[:5], type="PLACE", id=region)],
                signals={
                    "tension": Signal(name="tension", score={"doc_z": 0.4, "doc_p": 0.7, "doc_p2": 0.2}[name])
                },
            )
            doc.embedding = embedder.embed([text])[0]
            row = add_document(
                session,
                doc,
                Provenance(
                    ext_id=name,
                    content_hash=name.ljust(64, "0"),
                    author="h:ab12cd",
                    outlet="outlet-z" if region == ZHAMBYL else "outlet-p",
                ),
            )
            session.flush()
            ids[name] = row.id
            rows.append(row)
        after_batch(session, rows)  # the indicators, as the ingestor adds them in each batch
        ids.update(seed_stories(session, ids, now))
        for name, region in (("alert_z", ZHAMBYL), ("alert_p", PAVLODAR)):
            alert = AlertRow(
                key=name,
                kind="surge",
                subject=region,
                region_kato=region,
                first_day=date.today(),
                last_day=date.today(),
                severity="high",
                status="new",
                title=f"Surge in {region}",
                details={},
            )
            session.add(alert)
            session.flush()
            ids[name] = alert.id
        for role, regions in (
            ("administrator", ()),
            ("analyst", ()),
            ("coordinator", (ZHAMBYL,)),
            ("mediator", (ZHAMBYL,)),
            ("viewer", (ZHAMBYL,)),
            ("coordinator_p", (PAVLODAR,)),
        ):
            users.add_user(
                session,
                "test",
                username=role,
                password=PASSWORD,
                role=role.removesuffix("_p"),
                regions=regions,
            )
        unit = units.add_unit(
            session, "test", {"kind": "mediation_council", "name": "Council Z", "region_kato": ZHAMBYL}
        )
        ids["unit_z"] = unit.id
        unit = units.add_unit(
            session, "test", {"kind": "mediation_council", "name": "Council P", "region_kato": PAVLODAR}
        )
        ids["unit_p"] = unit.id
    return ids


def seed_stories(session: Session, ids: dict[str, int], now: datetime) -> dict[str, int]:
    """story_x crosses regions and languages (doc_z in Zhambyl, doc_p in Pavlodar), with claims
    that disagree; story_p lies wholly in Pavlodar."""
    out = {}
    for name, members in (("story_x", ("doc_z", "doc_p")), ("story_p", ("doc_p2",))):
        story = StoryRow(
            title=members[0], first_seen=now - timedelta(days=1), last_seen=now, doc_count=len(members)
        )
        session.add(story)
        session.flush()
        out[name] = story.id
        for offset, member in enumerate(members):
            session.add(
                StoryMemberRow(
                    document_id=ids[member],
                    story_id=story.id,
                    dup_group=ids[member],
                    seen_at=now - timedelta(days=1) + timedelta(hours=offset),
                )
            )
    for member, value, text in (("doc_z", 32.0, "32 Достық үйі"), ("doc_p", 36.0, "36 Домов дружбы")):
        session.add(
            ClaimRow(
                document_id=ids[member],
                subject="houses_of_friendship",
                subject_text=text.split(" ", 1)[1],
                unit="count",
                value=value,
                qualifier="exact",
                text=text,
                start=0,
                end=len(text),
                sentence=text,
                lang="kk" if member == "doc_z" else "ru",
            )
        )
    return out


@pytest.fixture
def web_settings() -> WebSettings:
    return WebSettings(
        secret_key="x" * 40,
        login_max_failures=3,
        login_lock_seconds=60,
        login_first_delay_seconds=30,
        login_slow_down_max_seconds=0.05,
        cache_seconds=0,
    )


@pytest.fixture
def seeded(store: Store) -> dict[str, int]:
    return seed(store)


@pytest.fixture
def app_client(store: Store, web_settings: WebSettings, seeded: dict[str, int]) -> Callable[[], TestClient]:
    settings = Settings(database_url="sqlite://", environment="test", web=web_settings)
    app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
    return lambda: TestClient(app)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/registry")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    assert csrf is not None
    return csrf.group(1)


@pytest.fixture
def as_user(app_client: Callable[[], TestClient]) -> Callable[[str], tuple[TestClient, str]]:
    def make(username: str) -> tuple[TestClient, str]:
        client = app_client()
        csrf = login(client, username)
        client.headers["X-CSRF-Token"] = csrf
        return client, csrf

    return make


@pytest.fixture
def server(store: Store, web_settings: WebSettings, seeded: dict[str, int]) -> Iterator[str]:
    """A live server for the browser tests (tests/web/browser.py)."""
    from web.browser import live_server

    yield from live_server(store, web_settings)
