"""Alerts, cases and documents joined up: an alert says why it fired and lists its documents and
story; a case links all three; assignees are the eligible users of the region; assigning makes a
case assigned; a mediator works their case but cannot reassign it, and lands on their cases; the
Kazakh and Russian pages say the stored codes in their own language."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from birlik.domain.records import Document, Mention, RegionScore, Signal
from birlik.store.models_signals import AlertRow
from birlik.store.repository import Provenance, Store, add_document
from web.conftest import PASSWORD, ZHAMBYL

Client = Callable[[str], tuple[TestClient, str]]
DAY = date(2026, 3, 10)
ENGLISH_WORDS = re.compile(
    r"\b(opened|assign|assigned|status|Surge in|Opened from|story_growth|surge|documents|expected|"
    r"Story|grows fast|outlets|Case opened)\b"
)


def _surge(store: Store) -> dict[str, int]:
    """A surge alert in Zhambyl on DAY with its metrics, one document that counts in them and
    one of the same day that does not."""
    ids = {}
    with store.transaction() as session:
        for name, text, groups in (
            ("uy", "Таразда ұйғыр мен қазақ жастары төбелесті.", [(8, 13, "uyghur")]),
            ("plain", "Таразда жаңа саябақ ашылды.", []),
        ):
            doc = Document(
                id=name,
                text=text,
                title=name,
                lang="kk",
                published_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
                regions=[RegionScore(kato=ZHAMBYL, confidence=1.0)],
                entities=[
                    Mention(start=s, end=e, text=text[s:e], type="ETHNIC_GROUP", id=g) for s, e, g in groups
                ],
                signals={"tension": Signal(name="tension", score=0.5)},
            )
            row = add_document(session, doc, Provenance(ext_id=name, content_hash=name.ljust(64, "1")))
            session.flush()
            ids[name] = row.id
        alert = AlertRow(
            key="surge-z",
            kind="surge",
            subject=ZHAMBYL,
            region_kato=ZHAMBYL,
            metric="ethnic_docs",
            first_day=DAY,
            last_day=DAY,
            severity="high",
            status="new",
            title="Surge in Zhambyl Region: ethnic_docs ×6.0 (12)",
            details={
                "metrics": [
                    {
                        "metric": "ethnic_docs",
                        "count": 12.0,
                        "volume": 40.0,
                        "rate": 0.3,
                        "expected": 0.05,
                        "z": 7.5,
                        "ratio": 6.0,
                        "severity": "high",
                        "cold_start": False,
                        "rule": {"z": 4.0, "min_ratio": 2.0, "min_count": 5.0},
                    }
                ]
            },
        )
        session.add(alert)
        session.flush()
        ids["alert"] = alert.id
    return ids


def _story_alert(store: Store, story_id: int) -> int:
    with store.transaction() as session:
        alert = AlertRow(
            key="story-x",
            kind="story_growth",
            subject=str(story_id),
            region_kato=ZHAMBYL,
            story_id=str(story_id),
            first_day=DAY,
            last_day=DAY,
            severity="medium",
            status="new",
            title=f"Story {story_id} grows fast (Zhambyl Region): +4 outlets, +2 regions",
            details={
                "documents": 2,
                "outlets": ["a", "b", "c", "d"],
                "new_outlets": ["a", "b", "c", "d"],
                "languages": ["kk", "ru"],
                "new_languages": [],
                "regions": [ZHAMBYL, "550000000"],
                "new_regions": [ZHAMBYL, "550000000"],
            },  # no "fired" nor "rule": an alert stored before they were
        )
        session.add(alert)
        session.flush()
        return alert.id


def _text(html: str) -> str:
    """What a reader sees: the page without tags, attributes and scripts."""
    return re.sub(r"<[^>]+>", " ", html)


def test_an_alert_says_why_it_fired_and_lists_its_documents(as_user: Client, store: Store) -> None:
    ids = _surge(store)
    client, _ = as_user("coordinator")
    client.cookies.set("birlik_lang", "en")
    page = client.get(f"/alerts/{ids['alert']}").text
    why = _text(page[page.index('id="why"') : page.index('id="documents"')])
    assert "documents mentioning ethnic groups: 12 observed against 2 expected" in why
    assert "z = 7.5, ×6" in why and "z ≥ 4" in why and "at least ×2 the expected" in why
    assert "at least 5 documents" in why
    documents = page[page.index('id="documents"') :]
    assert f'href="/documents/{ids["uy"]}"' in documents  # counts in ethnic_docs
    assert f'href="/documents/{ids["plain"]}"' not in documents  # same day and region, no ethnic group
    assert "2026-03-10 11:00 (Almaty time, UTC+5)" in documents
    client.cookies.set("birlik_lang", "kk")
    kk = client.get(f"/alerts/{ids['alert']}").text
    assert "күрт өсу" in _text(kk) and "байқалғаны 12, күтілгені 2" in _text(kk)
    other, _ = as_user("coordinator_p")
    assert other.get(f"/alerts/{ids['alert']}").status_code == 404
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', kk)
    assert csrf is not None
    acted = client.post(
        f"/alerts/{ids['alert']}/acknowledge",
        data={"csrf_token": csrf.group(1), "back_to": "alert"},
        follow_redirects=False,
    )
    assert acted.headers["location"] == f"/alerts/{ids['alert']}"  # stays on the alert's page


def test_a_story_alert_links_its_story_and_its_documents_in_scope(
    as_user: Client, store: Store, seeded: dict[str, int]
) -> None:
    alert_id = _story_alert(store, seeded["story_x"])
    client, _ = as_user("coordinator")
    client.cookies.set("birlik_lang", "ru")
    page = client.get(f"/alerts/{alert_id}").text
    assert f'href="/stories/{seeded["story_x"]}"' in page
    assert f'href="/documents/{seeded["doc_z"]}"' in page
    assert f'href="/documents/{seeded["doc_p"]}"' not in page  # Pavlodar: outside the coordinator's region
    text = _text(page)
    assert f"Сюжет №{seeded['story_x']} быстро растёт" in text and "+4 СМИ" in text
    assert "Новых СМИ: 4 (правило: не меньше 4 за 24 ч)" in text  # thresholds of the current rules
    assert "текущих правил" in text


def test_the_overview_names_alerts_in_the_readers_language(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("analyst")
    client.cookies.set("birlik_lang", "ru")
    page = client.get("/").text
    assert f'<a href="/alerts/{seeded["alert_z"]}">Жамбыл: всплеск</a>' in page
    assert "Surge in" not in page


def test_open_alerts_are_the_default_view(as_user: Client, seeded: dict[str, int]) -> None:
    client, csrf = as_user("coordinator")
    assert f"alert-{seeded['alert_z']}" in client.get("/alerts").text
    client.post(f"/alerts/{seeded['alert_z']}/dismiss", data={"csrf_token": csrf, "note": "слух"})
    assert f"alert-{seeded['alert_z']}" not in client.get("/alerts").text
    assert f"alert-{seeded['alert_z']}" in client.get("/alerts?status=all").text
    assert f"alert-{seeded['alert_z']}" in client.get("/alerts?status=dismissed").text


def _escalated_case(client: TestClient, csrf: str, alert_id: int) -> int:
    response = client.post(
        f"/alerts/{alert_id}/escalate", data={"csrf_token": csrf, "note": "go"}, follow_redirects=False
    )
    location = response.headers["location"]
    match = re.fullmatch(r"/cases/(\d+)", location)
    assert match, location
    return int(match.group(1))


def test_case_links_alert_story_documents_and_offers_only_eligible_assignees(
    as_user: Client, store: Store, seeded: dict[str, int]
) -> None:
    ids = _surge(store)
    client, csrf = as_user("coordinator")
    case_id = _escalated_case(client, csrf, ids["alert"])
    page = client.get(f"/cases/{case_id}").text
    assert f'href="/alerts/{ids["alert"]}"' in page and f'href="/documents/{ids["uy"]}"' in page
    select = page[
        page.index('<select name="person"') : page.index("</select>", page.index('<select name="person"'))
    ]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "mediator", "coordinator"]
    story_case = _escalated_case(client, csrf, _story_alert(store, seeded["story_x"]))
    assert f'href="/stories/{seeded["story_x"]}"' in client.get(f"/cases/{story_case}").text


def test_assigning_makes_the_case_assigned_and_the_mediator_cannot_reassign(
    as_user: Client, app_client: Callable[[], TestClient], store: Store
) -> None:
    ids = _surge(store)
    client, csrf = as_user("coordinator")
    case_id = _escalated_case(client, csrf, ids["alert"])
    refused = client.post(f"/cases/{case_id}/assign", data={"csrf_token": csrf, "person": "viewer"})
    assert refused.status_code == 422 and "K008" in refused.text
    client.post(f"/cases/{case_id}/assign", data={"csrf_token": csrf, "person": "mediator"})
    assert 'data-status="assigned"' in client.get(f"/cases/{case_id}").text

    mediator = app_client()
    form = mediator.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    landed = mediator.post(
        "/login",
        data={"username": "mediator", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert landed.headers["location"] == "/cases"  # not the overview they may not read
    cases = mediator.get("/cases?view=list").text
    assert f'href="/cases/{case_id}"' in cases
    assert mediator.get("/", follow_redirects=False).headers["location"] == "/cases"
    mine = re.search(r'"X-CSRF-Token": "([^"]+)"', cases)
    assert mine is not None
    page = mediator.get(f"/cases/{case_id}").text
    assert 'id="assign"' not in page and 'data-to="triaged"' not in page and 'data-to="in_progress"' in page
    again = mediator.post(
        f"/cases/{case_id}/assign", data={"csrf_token": mine.group(1), "person": "coordinator"}
    )
    assert again.status_code == 403 and "K007" in again.text
    api = mediator.post(
        f"/api/v1/cases/{case_id}/assign",
        json={"person": "coordinator"},
        headers={"X-CSRF-Token": mine.group(1)},
    )
    assert api.status_code == 403 and api.json()["error"]["code"] == "K007"
    moved = mediator.post(
        f"/cases/{case_id}/move", data={"csrf_token": mine.group(1), "status": "in_progress"}
    )
    assert moved.status_code == 200 and 'data-status="in_progress"' in moved.text


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_case_and_alert_pages_have_no_english_in_kk_and_ru(as_user: Client, store: Store, lang: str) -> None:
    ids = _surge(store)
    client, csrf = as_user("coordinator")
    case_id = _escalated_case(client, csrf, ids["alert"])
    client.post(f"/cases/{case_id}/assign", data={"csrf_token": csrf, "person": "mediator"})
    client.cookies.set("birlik_lang", "en")  # the check can fail: in English these words are there
    assert {"Case opened", "Opened from", "Surge in"} <= set(
        ENGLISH_WORDS.findall(_text(client.get(f"/cases/{case_id}").text))
    )
    client.cookies.set("birlik_lang", lang)
    for path in (
        f"/cases/{case_id}",
        "/cases",
        "/cases?view=list",
        "/alerts?status=all",
        f"/alerts/{ids['alert']}",
    ):
        text = _text(client.get(path).text).replace("coordinator", "").replace("mediator", "")
        assert ENGLISH_WORDS.findall(text) == [], (path, ENGLISH_WORDS.findall(text))
    history = _text(client.get(f"/cases/{case_id}").text)
    opened = {"kk": "Іс ашылды", "ru": "Дело открыто"}[lang]
    assert opened in history and {"kk": "Жауапты: mediator", "ru": "Ответственный: mediator"}[lang] in history
    assert {"kk": "ескертуден ашылды", "ru": "Открыто по оповещению"}[lang] in history


def test_an_old_english_case_still_reads_in_the_readers_language(as_user: Client, store: Store) -> None:
    """A case opened before codes were stored: title and description in English."""
    from birlik.cases.models import CaseRow

    ids = _surge(store)
    with store.transaction() as session:
        alert = session.get_one(AlertRow, ids["alert"])
        case = CaseRow(
            title=alert.title,
            region_kato=ZHAMBYL,
            status="new",
            alert_id=alert.id,
            description=f"Opened from alert {alert.id} (surge, high) about Zhambyl Region, "
            "2026-03-10–2026-03-10.\n- ethnic_docs: 12 documents, ×6.0 the expected\n"
            "Отбасылармен кездесу керек.",
            due_at=datetime.now(UTC) + timedelta(days=1),
        )
        session.add(case)
        session.flush()
        alert.case_id, alert.status = case.id, "escalated"
        case_id = case.id
    client, _ = as_user("coordinator")
    client.cookies.set("birlik_lang", "ru")
    text = _text(client.get(f"/cases/{case_id}").text)
    assert "всплеск" in text and "Отбасылармен кездесу керек." in text
    assert "Opened from" not in text and "Surge in" not in text


@pytest.mark.parametrize("role", ["coordinator", "mediator"])
def test_the_alert_and_case_pages_show_what_the_api_gives(
    as_user: Client, store: Store, role: str
) -> None:
    """One function assembles each view (``web.views``): the API's alert and case, in the same
    language, say on their pages the same title, reasons, documents, history and next steps."""
    ids = _surge(store)
    client, csrf = as_user("coordinator")
    client.cookies.set("birlik_lang", "ru")
    api = client.get(f"/api/v1/alerts/{ids['alert']}", params={"lang": "ru"}).json()
    page = html.unescape(client.get(f"/alerts/{ids['alert']}").text)
    assert api["why"] and all(line["text"] in page for line in api["why"])
    assert [d["id"] for d in api["documents"]] == [int(i) for i in re.findall(r'/documents/(\d+)"', page)]
    assert f'<span id="alert-title">{api["title"]}</span>' in page
    case_id = _escalated_case(client, csrf, ids["alert"])
    client.post(f"/cases/{case_id}/assign", data={"csrf_token": csrf, "person": "mediator"})
    reader, _ = as_user(role)
    reader.cookies.set("birlik_lang", "ru")
    case = reader.get(f"/api/v1/cases/{case_id}", params={"lang": "ru"}).json()
    page = html.unescape(reader.get(f"/cases/{case_id}").text)
    assert f'<span id="case-title">{case["title"]}</span>' in page and case["title"] == api["title"]
    assert case["alert"]["id"] == ids["alert"] and case["opened_from"] in page
    said = [event["said"] for event in case["history"]]
    assert len(said) == 2 and all(line in page for line in said)  # opened, then assigned
    assert all(change in page for event in case["history"] for change in event["changes"])
    assert case["next_statuses"] == re.findall(r'data-to="([^"]+)"', page)
    assert case["next_statuses"] == (["in_progress"] if role == "mediator" else ["in_progress", "triaged"])
    shown = [int(i) for i in re.findall(r'/documents/(\d+)"', page)]
    assert [d["id"] for d in case["documents"]] == shown
    assert shown == ([] if role == "mediator" else [d["id"] for d in api["documents"]])  # reads no documents
