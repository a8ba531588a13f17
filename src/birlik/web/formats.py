"""Numbers and dates in the style of each interface language (kk, ru: ``1 234,5`` and
``07.12.2026``; en: ``1,234.5`` and ``7 Dec 2026``)."""

from __future__ import annotations

from datetime import date

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NBSP = "\u00a0"


class Formats:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def number(self, value: float | None, digits: int = 1) -> str:
        """A number with at most ``digits`` decimals (none for whole numbers); "—" for None."""
        if value is None:
            return "—"
        rounded = round(float(value), digits)
        text = f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.{digits}f}".rstrip("0")
        if self.lang == "en":
            return text
        return text.replace(",", _NBSP).replace(".", ",")

    def day(self, day: date) -> str:
        if self.lang == "en":
            return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"
        return f"{day.day:02d}.{day.month:02d}.{day.year}"

    def day_short(self, day: date) -> str:
        """A day on an axis, without its year."""
        if self.lang == "en":
            return f"{day.day} {_EN_MONTHS[day.month - 1]}"
        return f"{day.day:02d}.{day.month:02d}"
