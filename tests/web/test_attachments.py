"""Attachments keep their names in any script: the download names the file in full (RFC 6266 /
RFC 5987 ``filename*``) with an ASCII stand-in, instead of a 500 for a non-Latin-1 header."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from birlik.web.routes.api_work import content_disposition

Client = Callable[[str], tuple[TestClient, str]]

NAMES = [
    ("тест файл.pdf", "____ ____.pdf"),  # ru
    ("Қазақ құжаты.docx", "_____ ______.docx"),  # kk
    ("report 2026.pdf", "report 2026.pdf"),  # en
    ('a"b\r\nX-Evil: 1;.txt', "a_b__X-Evil_ 1_.txt"),  # a header injection attempt
    ("Ω", "_"),
    ("", "file"),
]


def parsed_name(header: str) -> str:
    """The name a browser takes from the header: ``filename*`` (RFC 6266 prefers it), decoded."""
    found = re.search(r"filename\*=UTF-8''([^;\s]*)", header)
    assert found is not None, header
    return unquote(found.group(1), errors="strict")


@pytest.mark.parametrize(("name", "fallback"), NAMES)
def test_content_disposition_names_the_file_in_full(name: str, fallback: str) -> None:
    header = content_disposition(name)
    header.encode("latin-1")  # a valid header value
    assert "\r" not in header and "\n" not in header
    assert f'filename="{fallback}"' in header
    assert parsed_name(header) == (name or "") or name == ""


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_download_of_a_non_ascii_name(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    case = client.post(f"/api/v1/alerts/{seeded['alert_z']}/escalate", json={}).json()["case"]["id"]
    for name, _ in NAMES[:4]:
        body = f"{name} — мазмұны".encode()
        made = client.post(
            f"/api/v1/cases/{case}/attachments", files={"file": (name, body, "application/pdf")}
        )
        assert made.status_code == 201, made.text
        download = client.get(f"/api/v1/cases/{case}/attachments/{made.json()['id']}")
        assert download.status_code == 200
        assert download.content == body
        stored = made.json()["filename"]
        assert parsed_name(download.headers["content-disposition"]) == stored
    page = client.get(f"/cases/{case}")
    assert "тест файл.pdf" in page.text and "Қазақ құжаты.docx" in page.text
