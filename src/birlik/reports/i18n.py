"""Every word of the quarterly report in Kazakh, Russian and English: the catalogue
``reports/locales/<lang>.json``, in the format of ``birlik.domain.i18n`` that the web interface
also uses. Keys: the report's templates (``title``, ``h_summary``, ``w_*`` for the written
analysis), and names of stored codes under a prefix (``status.``, ``breakdown.``, ``incident.``,
``language.``, ``severity.``, ``month.NN``, ``month_short.NN``)."""

from __future__ import annotations

from datetime import date

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.i18n import LANGUAGES, Catalogue

LANGS = LANGUAGES


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ConfigError(f"report language {lang!r} is not one of {list(LANGS)}", code=codes.G002)
    return lang


class Texts(Catalogue):
    """The report's strings of one language: ``texts("title", quarter=…)``."""

    package = "birlik.reports"
    missing = codes.G004

    def __init__(self, lang: str) -> None:
        super().__init__(check_lang(lang))

    def status(self, status: str) -> str:
        return self.label("status.", status)

    def breakdown(self, by: str) -> str:
        return self.label("breakdown.", by)

    def incident(self, incident_type: str) -> str:
        text = self.text(f"incident.{incident_type}")
        return text if text is not None else incident_type.replace("_", " ")

    def language(self, code: str | None) -> str:
        return "—" if code is None else self.label("language.", code)

    def severity(self, level: str) -> str:
        return self.label("severity.", level)

    def other_group(self) -> str:
        return self("other_group")

    def month(self, month_start: date) -> str:
        return f"{self(f'month_short.{month_start.month:02d}')} {month_start.year}"

    def month_name(self, month_start: date) -> str:
        """The whole name, for prose: ``тамыз 2026``, ``август 2026``, ``August 2026``."""
        return f"{self(f'month.{month_start.month:02d}')} {month_start.year}"

    def day(self, value: date) -> str:
        return value.strftime("%d.%m.%Y")

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return self("no_data")
        text = f"{value:,.{digits}f}".replace(",", "\u202f")
        return text if self.lang == "en" else text.replace(".", ",")
