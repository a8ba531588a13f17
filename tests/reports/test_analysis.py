"""The written analysis says what the figures say, in the report's language; stories are named in
that language when one of their documents is written in it; a warning's own creation is not a
response to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from birlik.reports.analysis import write_analysis
from birlik.reports.document import compose, region_name
from birlik.reports.i18n import Texts
from birlik.reports.quarterly import (
    AlertsSummary,
    DataLimits,
    MonthLine,
    Quarter,
    QuarterlyReport,
    RegionLine,
    TopItem,
    Volume,
    build_report,
)
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRow
from birlik.store.models_signals import AlertEventRow, AlertRow
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.repository import Store

QUARTER = Quarter.parse("2026Q3")
GENERATED_AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
ZHAMBYL = "310000000"


def report(
    tension: tuple[float | None, float | None] = (0.46, 0.29),
    incidents: int = 30,
    alerts: AlertsSummary | None = None,
    top: list[TopItem] | None = None,
) -> QuarterlyReport:
    months = [
        MonthLine(month=date(2026, 7, 1), documents=20, mean_tension=0.3, incidents={"rumour": 3}),
        MonthLine(
            month=date(2026, 8, 1), documents=40, mean_tension=0.6, incidents={"rumour": 15, "clash": 2}
        ),
        MonthLine(month=date(2026, 9, 1), documents=14, mean_tension=0.4, incidents={}),
    ]
    return QuarterlyReport(
        quarter=QUARTER,
        lang="ru",
        generated_at=GENERATED_AT,
        volume=Volume(documents=74, mean_tension=tension[0], incidents=incidents),
        previous_volume=Volume(documents=24, mean_tension=tension[1], incidents=0),
        regions=[RegionLine(region_kato=ZHAMBYL, documents=30, mean_tension=0.7, incidents=incidents // 2)],
        months=months,
        indicators=[],
        top_kind="stories" if top else "documents",
        top_items=top or [],
        alerts=alerts,
        visits=[],
        open_recommendations=[],
        sources=[],
        limits=DataLimits(without_region=0, without_tension=0, dates_flagged=0, quarantined=0),
    )


@pytest.mark.parametrize(
    ("tension", "expected"),
    [((0.46, 0.29), "выросла"), ((0.20, 0.29), "снизилась"), ((0.30, 0.29), "почти не изменилась")],
)
def test_the_direction_of_tension_follows_the_figures(tension: tuple[float, float], expected: str) -> None:
    text = " ".join(write_analysis(report(tension), Texts("ru"), region_name))
    assert expected in text
    assert "август 2026" in text  # the month with the highest mean


def test_incidents_name_the_region_its_share_and_the_kinds() -> None:
    text = write_analysis(report(), Texts("kk"), region_name)[1]
    assert "Жамбыл — 15, барлығының 50,0%" in text
    assert text.index("(18)") < text.index("(2)")  # the most frequent kind first


def test_a_hateful_story_title_is_not_repeated_in_the_prose() -> None:
    slur = "эти чурки нам не соседи"
    top = [
        TopItem(
            title=slur, lang="ru", day=date(2026, 8, 14), tension=0.9, size=3, regions=(ZHAMBYL,), hate=0.9
        ),
        TopItem(title="Той в Кордае", lang="ru", day=date(2026, 8, 14), tension=0.5, size=2, regions=()),
    ]
    text = " ".join(write_analysis(report(top=top), Texts("ru"), region_name))
    assert slur not in text
    assert "языком вражды" in text and "«Той в Кордае»" in text and "регион не определён" in text


def test_warnings_and_their_response_are_told_or_their_absence_is() -> None:
    none = AlertsSummary(
        alerts=0, by_severity={}, median_alert_response_hours=None, cases_opened=0, cases_closed=0,
        median_case_response_hours=None, median_case_close_hours=None, cases_overdue=0,
    )
    told = write_analysis(report(alerts=none), Texts("ru"), region_name)
    assert "Ранних предупреждений за квартал не было." in told
    some = AlertsSummary(
        alerts=4, by_severity={"high": 1, "medium": 3}, median_alert_response_hours=5.5, cases_opened=2,
        cases_closed=1, median_case_response_hours=2.0, median_case_close_hours=30.0, cases_overdue=1,
    )
    text = " ".join(write_analysis(report(alerts=some), Texts("en"), region_name))
    assert "4 early warnings were raised (1 of high severity)" in text
    assert "5.5 hours" in text and "past their due date: 1" in text


def test_an_empty_quarter_says_so_in_one_sentence() -> None:
    empty = report()
    empty = QuarterlyReport(**{**{f: getattr(empty, f) for f in empty.__dataclass_fields__},
                               "volume": Volume(documents=0, mean_tension=None, incidents=0)})
    assert write_analysis(empty, Texts("kk"), region_name) == [Texts("kk")("w_empty")]


def test_the_header_block_names_issuer_reference_and_marking() -> None:
    doc = compose(report(), issuer="Қазақстан халқы Ассамблеясының хатшылығы")
    assert doc.issuer == "Қазақстан халқы Ассамблеясының хатшылығы"
    assert doc.reference == "Исх. № BRL-2026Q3-RU"
    assert doc.marking == "Для служебного пользования"
    assert compose(report()).issuer.startswith("Birlik")
    assert "Анализ квартала" in doc.headings(2) or "Анализ квартала" in doc.headings()


def test_a_story_is_named_in_the_reports_language_and_alerts_count_by_their_days(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    store = Store(engine)
    seen = datetime(2026, 8, 14, 10, tzinfo=UTC)
    with store.transaction() as session:
        ru = DocumentRow(ext_id="r", content_hash="a" * 64, title="Драка на свадьбе в Кордае", text="Драка.",
                         lang="ru", published_at=seen, tension=0.6)
        kk = DocumentRow(ext_id="k", content_hash="b" * 64, title="Қордайдағы тойда төбелес", text="Төбелес.",
                         lang="kk", published_at=seen + timedelta(hours=2), tension=0.6)
        session.add_all([ru, kk])
        session.flush()
        story = StoryRow(title=ru.title, first_seen=seen, last_seen=seen, doc_count=2, langs=["kk", "ru"],
                         regions=[ZHAMBYL], peak_tension=0.6, representative_id=ru.id)
        session.add(story)
        session.flush()
        for offset, doc in enumerate((ru, kk)):
            session.add(StoryMemberRow(document_id=doc.id, story_id=story.id, dup_group=doc.id,
                                       seen_at=seen + timedelta(hours=offset)))
        # raised in October by a look back over August: it belongs to the third quarter
        alert = AlertRow(key="a1", kind="surge", subject=ZHAMBYL, region_kato=ZHAMBYL,
                         first_day=date(2026, 8, 14), last_day=date(2026, 8, 15), severity="high",
                         status="new", title="surge", details={})
        session.add(alert)
        session.flush()
        created = datetime(2026, 10, 2, 8, tzinfo=UTC)
        alert.created_at = created
        session.add(
            AlertEventRow(alert_id=alert.id, actor="system", from_status=None, to_status="new", at=created)
        )
        session.add(AlertEventRow(alert_id=alert.id, actor="coordinator", from_status="new",
                                  to_status="acknowledged", at=created + timedelta(hours=3)))
    with store.transaction() as session:
        kk_report = build_report(session, QUARTER, "kk", generated_at=GENERATED_AT)
        ru_report = build_report(session, QUARTER, "ru", generated_at=GENERATED_AT)
        en_report = build_report(session, QUARTER, "en", generated_at=GENERATED_AT)
    assert [item.title for item in kk_report.top_items] == ["Қордайдағы тойда төбелес"]
    assert [item.title for item in ru_report.top_items] == ["Драка на свадьбе в Кордае"]
    assert [item.title for item in en_report.top_items] == ["Драка на свадьбе в Кордае"]  # none in English
    assert kk_report.alerts is not None and kk_report.alerts.alerts == 1
    assert kk_report.alerts.median_alert_response_hours == pytest.approx(3.0)
    engine.dispose()
