"""An error page speaks the reader's language, keeps the navigation of a logged-in user and
still shows the coded technical detail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

Client = Callable[[str], tuple[TestClient, str]]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.mark.parametrize(
    ("lang", "heading", "hint"),
    [
        ("kk", "Мұндай бет немесе жазба жоқ", "Мекенжайды тексеріңіз"),
        ("ru", "Такой страницы или записи нет", "Проверьте адрес"),
        ("en", "There is no such page or record", "Check the address"),
    ],
)
def test_a_missing_page_in_each_language_keeps_the_navigation(
    as_user: Client, lang: str, heading: str, hint: str
) -> None:
    client, _ = as_user("coordinator")
    client.cookies.set("birlik_lang", lang)
    page = client.get("/documents/987654")
    assert page.status_code == 404
    assert f'lang="{lang}"' in page.text[:200]
    assert heading in page.text and hint in page.text
    assert "[W404]" in page.text
    assert 'href="/stories"' in page.text and 'href="/account"' in page.text  # the user's navigation


def test_an_error_without_a_session_has_no_navigation_but_the_language(
    app_client: Callable[[], TestClient],
) -> None:
    client = app_client()
    client.cookies.set("birlik_lang", "ru")
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Такой страницы или записи нет" in page.text
    assert 'href="/account"' not in page.text


def test_the_api_keeps_its_json_errors(as_user: Client) -> None:
    client, _ = as_user("coordinator")
    response = client.get("/api/v1/documents/987654")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "W404"
