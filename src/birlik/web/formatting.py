"""How times and numbers read in each language of the interface: one style per language.

Times are shown in Asia/Almaty with the zone named, whatever zone they were stored in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from birlik.ingest.dates import ALMATY
from birlik.web.i18n import Translator

_DAY = {"kk": "%d.%m.%Y", "ru": "%d.%m.%Y", "en": "%Y-%m-%d"}


def local_time(moment: datetime | str | None, lang: str, *, zone: bool = True) -> str:
    """``07.12.2026 17:40 (время Алматы, UTC+5)``: the moment in Almaty's time; a naive moment
    (or ISO text without an offset) is UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment) if moment else None
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ALMATY)
    text = local.strftime(f"{_DAY.get(lang, _DAY['en'])} %H:%M")
    return f"{text} ({Translator(lang)('time.zone')})" if zone else text


def local_day(day: date | None, lang: str) -> str:
    return "—" if day is None else day.strftime(_DAY.get(lang, _DAY["en"]))


def number(value: float | int | None, lang: str, digits: int = 0) -> str:
    """Digits grouped and a decimal comma in kk and ru (``12 345,6``), a point in en (``12,345.6``)."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if lang in ("kk", "ru"):
        return text.replace(",", "\u00a0").replace(".", ",")
    return text
