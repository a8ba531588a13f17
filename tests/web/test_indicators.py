"""The indicators page, its JSON and its CSV: every day present, the chosen indicator, band,
threshold and alerts drawn, the reader's regions only, coded errors for bad parameters."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from birlik.signals.indicators import rebuild_indicators
from birlik.store.repository import Store
from birlik.web.charts import nice_scale
from birlik.web.formats import Formats
from indicator_data import PAVLODAR, SILENT, SURGE, SURGE_COUNT, ZHAMBYL, add_alert, store_indicators

AsUser = Callable[[str], tuple[TestClient, str]]
PERIOD = {"since": "2026-02-01", "until": "2026-02-28"}


@pytest.fixture
def alerts(store: Store, seeded: dict[str, int]) -> dict[str, int]:
    with store.transaction() as session:
        store_indicators(session)
        return {
            "z": add_alert(session, ZHAMBYL, SURGE, "ethnic_docs", "i-z"),
            "p": add_alert(session, PAVLODAR, date(2026, 2, 21), "ethnic_docs", "i-p"),
        }


def _user(as_user: AsUser, name: str, lang: str = "en") -> TestClient:
    client, _ = as_user(name)
    client.cookies.set("birlik_lang", lang)
    return client


def _api(client: TestClient, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/indicators", params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _csv(client: TestClient, **params: str) -> list[dict[str, str]]:
    response = client.get("/indicators.csv", params={**PERIOD, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))


def test_every_day_is_present_and_silent_days_are_zero(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    body = _api(client, region=ZHAMBYL)
    days = body["focus"]["days"]
    assert [d["day"] for d in days] == [(date(2026, 2, 1) + timedelta(days=i)).isoformat() for i in range(28)]
    silent = [d for d in days if date.fromisoformat(d["day"]) in SILENT]
    assert len(silent) == 3 and all(d["count"] == 0 and d["threshold"] is None for d in silent)
    assert body["scope"] == {"all_regions": True, "regions": body["scope"]["regions"]}
    assert len(body["scope"]["regions"]) == 20
    # every region in scope has a small multiple, each with all 28 days, the largest first
    assert len(body["series"]) == 20 and all(len(s["days"]) == 28 for s in body["series"])
    assert [s["region"] for s in body["series"][:2]] == [ZHAMBYL, PAVLODAR]
    page = client.get("/indicators", params={**PERIOD, "region": ZHAMBYL})
    assert page.status_code == 200
    assert len(re.findall(r"<tr><td>", page.text)) == 28  # the data table: one row a day


def test_the_chosen_indicator_is_drawn(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    ethnic = _api(client, region=ZHAMBYL, metric="ethnic_docs")["focus"]
    docs = _api(client, region=ZHAMBYL, metric="docs")["focus"]
    uyghur = _api(client, region=ZHAMBYL, metric="ethnic:uyghur")["focus"]
    assert (ethnic["metric"], docs["metric"]) == ("ethnic_docs", "docs")
    assert docs["total"] == ethnic["total"] + 5 * 25 and uyghur["total"] == ethnic["total"]
    surge = next(d for d in ethnic["days"] if d["day"] == SURGE.isoformat())
    assert surge["count"] == SURGE_COUNT
    page = client.get("/indicators", params={**PERIOD, "region": ZHAMBYL, "metric": "docs"})
    assert 'value="docs" selected' in page.text and "All documents" in page.text
    groups = _api(client, region=ZHAMBYL, by="ethnic")["series"]
    assert [s["metric"] for s in groups] == ["ethnic:uyghur"]
    overview = client.get("/", params={"indicator": "hate"})
    assert "Documents with hate speech: per day" in overview.text


def test_band_threshold_and_alert_are_on_the_chart(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    focus = _api(client, region=ZHAMBYL)["focus"]
    assert focus["watched"]
    judged = [d for d in focus["days"] if d["volume"] > 0]
    assert all(d["low"] <= d["expected"] <= d["high"] < d["threshold"] for d in judged)
    surge = next(d for d in judged if d["day"] == SURGE.isoformat())
    assert surge["count"] >= surge["threshold"]
    assert [(a["id"], a["first_day"], a["matches"]) for a in focus["alerts"]] == [
        (alerts["z"], SURGE.isoformat(), True)
    ]
    page = client.get("/indicators", params={**PERIOD, "region": ZHAMBYL}).text
    focus_svg = page[page.index('id="focus-chart"') : page.index("</svg>", page.index('id="focus-chart"'))]
    assert 'class="band"' in focus_svg and 'class="threshold"' in focus_svg and 'class="zero"' in focus_svg
    assert f'data-alert="{alerts["z"]}"' in focus_svg and "<title" in focus_svg and 'role="img"' in page
    assert focus_svg.count('class="ytick"') >= 3 and focus_svg.count('class="xtick"') >= 4
    assert "2026-02-20" in page and "20.02.2026" not in page  # dates in the reader's style
    assert "a robust estimate from the past 56 days" in page  # the rule's history_days
    ru = _user(as_user, "analyst", "ru")
    assert "20.02.2026" in ru.get("/indicators", params={**PERIOD, "region": ZHAMBYL}).text


def test_share_of_the_source_volume(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    page = client.get("/indicators", params={**PERIOD, "region": ZHAMBYL, "measure": "share"}).text
    focus_svg = page[page.index('id="focus-chart"') : page.index("</svg>", page.index('id="focus-chart"'))]
    assert "100%</text>" in focus_svg and "2026-02-20: 88.89%" in focus_svg  # 40 of 45 documents
    assert 'value="share" selected' in page and "percent of all the documents" in page
    assert "measure=share" in page  # the links keep it


def test_csv_holds_every_day_of_every_series(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    rows = _csv(client, region=ZHAMBYL)
    assert list(rows[0]) == [
        "region", "region_name", "metric", "day", "count", "volume", "value",
        "expected", "low", "high", "threshold", "alerts",
    ]  # fmt: skip
    assert len(rows) == 20 * 28 and {r["metric"] for r in rows} == {"ethnic_docs"}
    zhambyl = {r["day"]: r for r in rows if r["region"] == ZHAMBYL}
    assert len(zhambyl) == 28 and zhambyl[SURGE.isoformat()]["alerts"] == str(alerts["z"])
    assert float(zhambyl[SURGE.isoformat()]["count"]) == SURGE_COUNT
    assert all(zhambyl[d.isoformat()]["count"] == "0" for d in SILENT)
    assert float(zhambyl["2026-02-15"]["threshold"]) > float(zhambyl["2026-02-15"]["expected"])
    country = _csv(client)  # the analyst's default focus is the country, then the regions
    assert len(country) == 21 * 28 and country[0]["region"] == "KZ"
    assert _csv(client, region=ZHAMBYL) == [
        dict(r) for r in csv.DictReader(io.StringIO(client.get(
            "/indicators", params={**PERIOD, "region": ZHAMBYL, "format": "csv"}
        ).text.lstrip("\ufeff")))
    ]  # fmt: skip


def test_a_coordinator_sees_only_their_regions(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "coordinator")
    body = _api(client)
    assert body["region"] == ZHAMBYL and body["scope"] == {"all_regions": False, "regions": [ZHAMBYL]}
    assert [s["region"] for s in body["series"]] == [ZHAMBYL]
    assert [a["id"] for a in body["focus"]["alerts"]] == [alerts["z"]]
    rows = _csv(client)
    assert {r["region"] for r in rows} == {ZHAMBYL} and len(rows) == 28
    page = client.get("/indicators", params=PERIOD)
    assert page.status_code == 200 and PAVLODAR not in page.text and 'value="KZ"' not in page.text
    assert "Only your regions are shown: Zhambyl" in page.text
    assert "There are no national figures here" in page.text
    for wanted in (PAVLODAR, "KZ"):
        for path in ("/api/v1/indicators", "/indicators.csv", "/indicators"):
            response = client.get(path, params={**PERIOD, "region": wanted})
            assert response.status_code == 404, (path, wanted)
            assert "W404" in response.text
    # by ethnic group, too, only within scope
    by_group = {**PERIOD, "region": PAVLODAR, "by": "ethnic"}
    assert client.get("/api/v1/indicators", params=by_group).status_code == 404
    other = _user(as_user, "coordinator_p")
    assert [s["region"] for s in _api(other)["series"]] == [PAVLODAR]


def test_a_viewer_sees_no_alerts_a_mediator_no_indicators(as_user: AsUser, alerts: dict[str, int]) -> None:
    viewer = _user(as_user, "viewer")
    body = _api(viewer)
    assert body["focus"]["alerts"] == [] and all(s["alerts"] == [] for s in body["series"])
    assert "data-alert" not in viewer.get("/indicators", params=PERIOD).text
    mediator = _user(as_user, "mediator")
    assert mediator.get("/api/v1/indicators", params=PERIOD).status_code == 403


BAD = [
    ({"metric": "nonsense"}, "W190"),
    ({"metric": "volume"}, "W190"),
    ({"since": "2026-03-01", "until": "2026-02-01"}, "W191"),
    ({"since": "2024-01-01", "until": "2026-02-01"}, "W191"),
    ({"since": "yesterday"}, "W102"),
    ({"region": "123"}, "W151"),
    ({"by": "colour"}, "W422"),
]


def test_bad_parameters_are_coded_errors(as_user: AsUser, alerts: dict[str, int]) -> None:
    client = _user(as_user, "analyst")
    for params, code in BAD:
        response = client.get("/api/v1/indicators", params={**PERIOD, **params})
        assert response.status_code == 422 and response.json()["error"]["code"] == code, response.text
        page = client.get("/indicators", params={**PERIOD, **params})
        assert page.status_code == 422 and code in page.text
        assert client.get("/indicators.csv", params={**PERIOD, **params}).status_code == 422


def test_overview_chart_follows_the_indicator(as_user: AsUser, store: Store, seeded: dict[str, int]) -> None:
    with store.transaction() as session:  # the seeded documents of yesterday, as the ingestor counts them
        rebuild_indicators(session)
    client = _user(as_user, "analyst")
    page = client.get("/", params={"indicator": "documents", "days": 30}).text
    chart = page[page.index('id="overview-chart"') : page.index("</svg>", page.index('id="overview-chart"'))]
    assert "All documents: per day" in page and "<title" in chart
    assert chart.count('class="ytick"') == 4 and 'class="zero"' in chart and chart.count('class="xtick"') >= 4
    documents = client.get("/api/v1/overview", params={"indicator": "documents", "days": 30}).json()
    assert documents["series_metric"] == "docs" and len(documents["series"]) == 30
    assert sum(d["count"] for d in documents["series"]) == 3  # the country: all three
    assert sum(1 for d in documents["series"] if d["count"] == 0) == 29  # zero-filled
    hate = client.get("/api/v1/overview", params={"indicator": "hate", "days": 7}).json()
    assert hate["series_metric"] == "hate_docs" and len(hate["series"]) == 7
    assert sum(d["count"] for d in hate["series"]) == 0
    coordinator = _user(as_user, "coordinator")
    own = coordinator.get("/api/v1/overview", params={"indicator": "documents", "days": 30}).json()
    assert sum(d["count"] for d in own["series"]) == 1  # Zhambyl's one, not the country's three
    assert "region=KZ" not in coordinator.get("/").text


def test_numbers_dates_and_scales_in_each_language() -> None:
    assert Formats("en").number(1234.5) == "1,234.5" and Formats("en").number(3.0) == "3"
    assert Formats("ru").number(1234.5) == "1\u00a0234,5" == Formats("kk").number(1234.5)
    assert Formats("ru").number(None) == "—" and Formats("kk").number(0.25, 2) == "0,25"
    day = date(2026, 2, 5)
    assert (Formats("en").day(day), Formats("ru").day(day), Formats("kk").day_short(day)) == (
        "2026-02-05", "05.02.2026", "05.02"
    )  # fmt: skip
    assert nice_scale(0) == (1.0, 1.0) and nice_scale(3) == (3.0, 1.0) and nice_scale(38) == (40.0, 10.0)
    assert nice_scale(0.8, whole=False) == (0.8, 0.2) and nice_scale(1234) == (1500.0, 500.0)
