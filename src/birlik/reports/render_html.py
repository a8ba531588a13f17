"""The report as one self-contained HTML page (Jinja2 templates, charts inlined as PNG data URIs)."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from birlik.reports.document import Image, ReportDocument


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("birlik.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(doc: ReportDocument) -> bytes:
    images = {
        block.name: "data:image/png;base64," + base64.b64encode(block.png).decode("ascii")
        for block in doc.blocks
        if isinstance(block, Image)
    }
    template = _environment().get_template("report.html.j2")
    return template.render(doc=doc, images=images).encode("utf-8")
