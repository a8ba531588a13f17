"""One call from the store to the bytes of a report in the chosen language and format."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.reports.document import ReportDocument, compose
from birlik.reports.quarterly import Quarter, build_report

FORMATS = ("html", "docx", "pdf")
_DRAWING = threading.Lock()
"""matplotlib's pyplot keeps global state: one report is drawn at a time in a process (the web
app renders reports in its worker threads)."""


def quarterly_document(
    session: Session,
    quarter: Quarter,
    lang: str,
    *,
    generated_at: datetime,
    geojson: Path | None = None,
    issuer: str | None = None,
    regions: Sequence[str] | None = None,
) -> ReportDocument:
    """The report worded in ``lang``; ``regions`` limits it to those regions (None: national)."""
    report = build_report(session, quarter, lang, generated_at=generated_at, regions=regions)
    return compose(report, geojson=geojson, issuer=issuer)


def quarterly_file(
    session: Session,
    quarter: Quarter,
    lang: str,
    fmt: str,
    *,
    generated_at: datetime,
    regions: Sequence[str] | None = None,
    geojson: Path | None = None,
    issuer: str | None = None,
) -> bytes:
    """The report's bytes in one format: gathered from the store, then worded, drawn and rendered
    under the drawing lock (safe from several threads at once)."""
    if fmt not in FORMATS:
        raise ConfigError(f"report format {fmt!r} is not one of {list(FORMATS)}", code=codes.G003)
    report = build_report(session, quarter, lang, generated_at=generated_at, regions=regions)
    with _DRAWING:
        return render(compose(report, geojson=geojson, issuer=issuer), fmt)


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
