"""Times read in Almaty with the zone named; numbers and days in each language's style; the
audit log's changes as plain text; stored codes named in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from birlik.access.audit import changes
from birlik.web.formatting import local_day, local_time, number
from birlik.web.i18n import Translator


def test_a_utc_moment_reads_in_almaty_with_the_zone() -> None:
    moment = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
    assert local_time(moment, "ru") == "07.12.2026 01:30 (время Алматы, UTC+5)"
    assert local_time(moment, "kk") == "07.12.2026 01:30 (Алматы уақыты, UTC+5)"
    assert local_time(moment, "en") == "2026-12-07 01:30 (Almaty time, UTC+5)"
    assert local_time(moment, "en", zone=False) == "2026-12-07 01:30"


def test_naive_moments_and_iso_text_are_utc_and_another_zone_is_converted() -> None:
    assert local_time(datetime(2026, 1, 1, 0, 0), "en", zone=False) == "2026-01-01 05:00"
    assert local_time("2026-01-01T00:00:00+00:00", "en", zone=False) == "2026-01-01 05:00"
    moscow = timezone(timedelta(hours=3))
    assert local_time(datetime(2026, 1, 1, 0, 0, tzinfo=moscow), "en", zone=False) == "2026-01-01 02:00"
    assert local_time(None, "kk") == local_time("", "kk") == "—"


def test_days_and_numbers_follow_the_language() -> None:
    assert local_day(date(2026, 3, 8), "kk") == "08.03.2026"
    assert local_day(date(2026, 3, 8), "en") == "2026-03-08"
    assert number(12345.678, "ru", 1) == "12\u00a0345,7"
    assert number(12345.678, "en", 1) == "12,345.7"
    assert number(None, "kk") == "—"


def test_changes_list_what_moved_in_plain_text() -> None:
    before = {"status": "new", "note": "—", "regions": ["310000000"]}
    after = {"status": "assigned", "note": "—", "regions": ["310000000", "550000000"]}
    assert changes(before, after) == [
        ("regions", "310000000", "310000000, 550000000"),
        ("status", "new", "assigned"),
    ]
    assert changes(None, {"name": "Кеңес"}) == [("name", "", "Кеңес")]


def test_stored_codes_are_named_or_shown_as_they_are() -> None:
    assert Translator("kk").label("language.", "ru") == "орыс тілі"
    assert Translator("ru").label("audit.action.", "case.open") == "Дело открыто"
    assert Translator("ru").label("audit.action.", "case.renamed_later") == "case.renamed_later"
