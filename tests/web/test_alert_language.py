"""The API says an alert's title in the request's language (``?lang=``, else the language
cookie or Accept-Language), with the words the pages use (``web.messages.alert_title``)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from birlik.web.i18n import Translator

Client = Callable[[str], tuple[TestClient, str]]
# the seeded alerts: surges in Zhambyl and Pavlodar without metrics
TITLES = {lang: Translator(lang)("alerts.title.surge_plain", region="{region}") for lang in ("kk", "ru")}
TITLES["en"] = Translator("en")("alerts.title.surge_plain", region="{region}")


def _expected(lang: str, region: str) -> str:
    return TITLES[lang].format(region=region)


def test_alert_titles_follow_the_requests_language(as_user: Client, seeded: dict[str, int]) -> None:
    client, _ = as_user("coordinator")
    alert = seeded["alert_z"]
    ru = client.get(f"/api/v1/alerts/{alert}", params={"lang": "ru"}).json()
    assert ru["title"] == _expected("ru", "Жамбыл") and ru["title"] != "Surge in 310000000"
    kk = client.get(f"/api/v1/alerts/{alert}", headers={"Accept-Language": "kk-KZ,kk;q=0.9"}).json()
    assert kk["title"] == _expected("kk", "Жамбыл")
    en = client.get("/api/v1/alerts", params={"lang": "en"}).json()
    assert [a["title"] for a in en] == [_expected("en", "Zhambyl")]  # the coordinator's region only
    # ?lang wins over Accept-Language; an unknown one falls back to it
    both = client.get(f"/api/v1/alerts/{alert}", params={"lang": "ru"}, headers={"Accept-Language": "en"})
    assert both.json()["title"] == ru["title"]
    odd = client.get(f"/api/v1/alerts/{alert}", params={"lang": "xx"}, headers={"Accept-Language": "en"})
    assert odd.json()["title"] == _expected("en", "Zhambyl")
    overview = client.get("/api/v1/overview", params={"lang": "kk"}).json()
    assert [a["title"] for a in overview["alerts"]] == [kk["title"]]
    acted = client.post(f"/api/v1/alerts/{alert}/acknowledge", params={"lang": "ru"}, json={}).json()
    assert acted["alert"]["title"] == ru["title"]
