"""One call from the store to the bytes of a report in the chosen language and format."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.reports.document import ReportDocument, compose
from birlik.reports.quarterly import Quarter, build_report

FORMATS = ("html", "docx", "pdf")


def quarterly_document(
    session: Session,
    quarter: Quarter,
    lang: str,
    *,
    generated_at: datetime,
    geojson: Path | None = None,
    issuer: str | None = None,
) -> ReportDocument:
    report = build_report(session, quarter, lang, generated_at=generated_at)
    return compose(report, geojson=geojson, issuer=issuer)


def render(doc: ReportDocument, fmt: str) -> bytes:
    if fmt == "html":
        from birlik.reports.render_html import render_html

        return render_html(doc)
    if fmt == "docx":
        from birlik.reports.render_docx import render_docx

        return render_docx(doc)
    if fmt == "pdf":
        from birlik.reports.render_pdf import render_pdf

        return render_pdf(doc)
    raise ConfigError(f"report format {fmt!r} is not one of {list(FORMATS)}", code=codes.G003)
