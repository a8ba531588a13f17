"""The styles of ``web.formatting`` (one per language) bound to a reader's language, for the
charts and the indicator tables: numbers without trailing zeros, days with and without year."""

from __future__ import annotations

from datetime import date

from birlik.web import formatting

_SHORT = {"kk": "%d.%m", "ru": "%d.%m", "en": "%m-%d"}


class Formats:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number with at most ``digits`` decimals (none for whole numbers); "—" for None."""
        if value is None:
            return "—"
        rounded = round(float(value), digits)
        if rounded == int(rounded):
            return formatting.number(int(rounded), self.lang)
        return formatting.number(rounded, self.lang, digits).rstrip("0")

    def day(self, day: date) -> str:
        return formatting.local_day(day, self.lang)

    def day_short(self, day: date) -> str:
        """A day on an axis, without its year."""
        return day.strftime(_SHORT.get(self.lang, _SHORT["en"]))
