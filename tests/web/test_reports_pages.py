"""The quarterly report, target indicators, survey waves and monitoring visits in the web app and
the API: each language, each role, each user's regions, real report files, coded errors."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from birlik.store.repository import Store
from birlik.surveys.estimates import STATUSES
from birlik.web.i18n import LANG_COOKIE, catalogue
from web.conftest import PAVLODAR, ZHAMBYL
from web.seed_pages import QUARTER, surveyed

Client = Callable[[str], tuple[TestClient, str]]
__all__ = ["surveyed"]  # the fixture, imported for pytest
PAGES = ("/reports", "/targets", "/surveys", "/visits")
READERS = ("administrator", "analyst", "coordinator")
ZHAMBYL_RU, PAVLODAR_RU = "Жамбыл", "Павлодар"


def _get(client: TestClient, url: str, lang: str = "en") -> str:
    client.cookies.set(LANG_COOKIE, lang)
    response = client.get(url)
    assert response.status_code == 200, (url, lang, response.text[:300])
    return response.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_each_page_in_each_language_for_the_roles_that_read_it(
    as_user: Client, surveyed: dict[str, int], lang: str
) -> None:
    strings = catalogue(lang)
    titles = {
        "/reports": strings["reports.title"],
        "/targets": strings["targets.title"],
        "/surveys": strings["surveys.title"],
        "/visits": strings["visits.title"],
    }
    for username in READERS:
        client, _ = as_user(username)
        home = _get(client, "/reports", lang)
        for page in PAGES:
            html = _get(client, page, lang)
            assert f"<h1>{titles[page]}</h1>" in html, (username, page)
            assert f'<html lang="{lang}">' in html
        for link in ("/reports", "/targets", "/visits"):
            assert f'href="{link}"' in home  # in the navigation
    mediator, _ = as_user("mediator")
    assert strings["visits.title"] in _get(mediator, "/visits", lang)
    assert 'href="/reports"' not in _get(mediator, "/visits", lang)


def test_wrong_roles_are_refused_with_a_code(as_user: Client, surveyed: dict[str, int]) -> None:
    mediator, _ = as_user("mediator")
    for url in (
        "/reports",
        "/targets",
        "/surveys",
        f"/reports/download?quarter={QUARTER}",
        "/api/v1/reports",
        "/api/v1/targets",
        "/api/v1/surveys",
        f"/api/v1/reports/download?quarter={QUARTER}",
    ):
        response = mediator.get(url)
        assert response.status_code == 403, url
        if url.startswith("/api/"):
            assert response.json()["error"]["code"] == "W403"
        else:
            assert "[W403]" in response.text
    viewer, _ = as_user("viewer")
    assert viewer.get("/visits").status_code == 403
    assert viewer.get("/api/v1/visits").json()["error"]["code"] == "W403"
    assert viewer.get("/targets").status_code == 200  # reads the public picture of their region


def test_a_coordinators_report_holds_their_regions_only(as_user: Client, surveyed: dict[str, int]) -> None:
    url = f"/api/v1/reports/download?quarter={QUARTER}&lang=ru&format=html"
    analyst, _ = as_user("analyst")
    national = analyst.get(url)
    assert national.status_code == 200
    assert "doc_p2" in national.text and PAVLODAR_RU in national.text and "Visit P" in national.text
    for username in ("coordinator", "viewer"):
        client, _ = as_user(username)
        scoped = client.get(url)
        assert scoped.status_code == 200
        body = scoped.text
        assert "Отчёт только по регионам: Жамбыл" in body
        assert "Visit Z" in body and "doc_z" in body
        # not even the Russian title (doc_p, Pavlodar's) of the story that crosses both regions
        assert "doc_p" not in body and "Visit P" not in body and PAVLODAR_RU not in body, username
    # an analyst may narrow the report to one region; a coordinator may not reach outside theirs
    narrowed = analyst.get(url + f"&region={ZHAMBYL}")
    assert "doc_p2" not in narrowed.text and "Visit Z" in narrowed.text
    coordinator, _ = as_user("coordinator")
    outside = coordinator.get(url + f"&region={PAVLODAR}")
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "W403"
    other, _ = as_user("coordinator_p")
    assert "Visit Z" not in other.get(url).text


def test_downloads_have_their_type_name_and_real_content(as_user: Client, surveyed: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    name = f"birlik-{QUARTER.year}-Q{QUARTER.number}"
    pdf = client.get(f"/reports/download?quarter={QUARTER}&lang=kk&format=pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000
    assert f'filename="{name}-kk.pdf"' in pdf.headers["content-disposition"]
    docx = client.get(f"/reports/download?quarter={QUARTER}&lang=ru&format=docx")
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert f'filename="{name}-ru.docx"' in docx.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    assert ZHAMBYL_RU in document and PAVLODAR_RU not in document
    issuer = "Жамбыл облысы әкімдігінің ішкі саясат басқармасы"
    html = client.get(f"/api/v1/reports/download?quarter={QUARTER}&lang=en&format=html&issuer={issuer}")
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.lstrip().lower().startswith("<!doctype html") and "Visit Z" in html.text
    assert issuer in html.text  # the sending body heads the report, as `birlik report --issuer`


def test_bad_report_parameters_are_coded_4xx(as_user: Client, surveyed: dict[str, int]) -> None:
    client, _ = as_user("analyst")
    base = "/api/v1/reports/download"
    for query, status, code in (
        ("quarter=2026Q5", 400, "G001"),
        ("quarter=9999Q4", 400, "G001"),
        ("quarter=soon", 400, "G001"),
        (f"quarter={QUARTER}&lang=de", 400, "G002"),
        (f"quarter={QUARTER}&format=exe", 400, "G003"),
        (f"quarter={QUARTER}&region=123", 422, "W113"),
        (f"quarter={QUARTER}&generated_on=yesterday", 422, "W102"),
        ("quarter=" + "9" * 40, 422, "W422"),
        ("", 422, "W422"),
    ):
        response = client.get(f"{base}?{query}")
        assert response.status_code == status, (query, response.text)
        assert response.json()["error"]["code"] == code, query
    page = client.get("/reports/download?quarter=2026Q7")  # the form again, with the coded error
    assert page.status_code == 400 and 'role="alert" id="report-error">[G001]' in page.text
    assert 'id="report-form"' in page.text


def test_a_failing_store_stops_the_report_with_d004(
    as_user: Client, surveyed: dict[str, int], store: Store
) -> None:
    client, _ = as_user("analyst")
    with store.engine.begin() as connection:
        if store.dialect == "sqlite":
            connection.execute(text("PRAGMA foreign_keys = OFF"))
        connection.execute(
            text(
                "DROP TABLE visit_recommendations CASCADE"
                if store.dialect != "sqlite"
                else "DROP TABLE visit_recommendations"
            )
        )
    response = client.get(f"/api/v1/reports/download?quarter={QUARTER}&format=html")
    assert response.status_code == 503 and response.json()["error"]["code"] == "D004"


def test_visits_show_overdue_recommendations_within_the_users_regions(
    as_user: Client, surveyed: dict[str, int]
) -> None:
    for username in ("coordinator", "mediator"):
        client, _ = as_user(username)
        page = _get(client, "/visits", "ru")
        assert "Visit Z" in page and "Visit P" not in page, username
        assert f'id="recommendation-{surveyed["Visit Z late"]}" class="overdue"' in page
        assert page.count('class="overdue"') == 1  # not the future one, not the one done late
        assert "Просроченных рекомендаций: 1" in page and "Просрочено" in page
        api = client.get("/api/v1/visits").json()
        assert [v["region_kato"] for v in api] == [ZHAMBYL]
        assert [r["overdue"] for r in api[0]["recommendations"]] == [True, False, False]
    analyst, _ = as_user("analyst")
    everything = analyst.get("/api/v1/visits").json()
    assert {v["region_kato"] for v in everything} == {ZHAMBYL, PAVLODAR}
    assert sum(v["overdue_recommendations"] for v in everything) == 2
    assert "Overdue recommendations: 2" in _get(analyst, "/visits?overdue=true")


def test_targets_and_surveys_count_the_users_regions_only(as_user: Client, surveyed: dict[str, int]) -> None:
    analyst, _ = as_user("analyst")
    coordinator, _ = as_user("coordinator")
    national = {t["id"]: t for t in analyst.get("/api/v1/targets?lang=ru").json()}
    regional = {t["id"]: t for t in coordinator.get("/api/v1/targets?lang=ru").json()}
    assert set(national) == set(regional) == {"social_mood", "tolerance"}
    mood, mood_z = national["social_mood"], regional["social_mood"]
    assert mood["name"] == "Уровень социального самочувствия населения"
    assert mood["regions"] is None and mood_z["regions"] == [ZHAMBYL]
    assert mood["year"] == 2026 and mood["target"] == 77.5 and mood["status"] in STATUSES
    assert mood["estimate"]["ci_low"] < mood["estimate"]["value"] < mood["estimate"]["ci_high"]
    assert 0 < mood_z["estimate"]["n"] <= 53 < mood["estimate"]["n"]  # Zhambyl has 53 respondents
    assert [p["survey"] for p in mood["trend"]] == ["Demo ethno-social monitoring survey 2026"]
    waves = analyst.get("/api/v1/surveys").json()
    assert waves[0]["respondents"] == 1200 and waves[0]["file_name"] == "survey_2026.csv"
    assert coordinator.get("/api/v1/surveys").json()[0]["respondents"] == 53
    page = _get(coordinator, "/targets", "kk")
    assert 'role="img"' in page and '<title id="chart-social_mood-title">' in page
    assert "Жамбыл" in page and 'id="data-social_mood"' in page  # the chart's data table
    surveys_page = _get(coordinator, "/surveys", "ru")
    assert "Респонденты в ваших регионах" in surveys_page and "(время Алматы, UTC+5)" in surveys_page
    assert "/work/" not in surveys_page and "/tmp/" not in surveys_page  # no server paths


def test_the_report_options_and_the_openapi_schema(as_user: Client, surveyed: dict[str, int]) -> None:
    coordinator, _ = as_user("coordinator")
    options = coordinator.get("/api/v1/reports").json()
    assert options["default_quarter"] == str(QUARTER) and options["regions"] == [ZHAMBYL]
    assert options["formats"] == ["html", "docx", "pdf"] and options["languages"] == ["kk", "ru", "en"]
    schema = coordinator.get("/api/v1/openapi.json").json()
    for model in (
        "TargetPublic",
        "SurveyWavePublic",
        "VisitPublic",
        "RecommendationPublic",
        "ReportOptionsPublic",
    ):
        assert model in schema["components"]["schemas"], model
    targets = schema["paths"]["/api/v1/targets"]["get"]["responses"]["200"]["content"]["application/json"]
    assert targets["schema"]["items"]["$ref"].endswith("/TargetPublic")
    download = schema["paths"]["/api/v1/reports/download"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "text/html"} <= set(download)
