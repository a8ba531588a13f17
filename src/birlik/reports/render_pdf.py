"""The report as PDF (reportlab, pure Python) with an embedded font that covers Kazakh Cyrillic.

The font is DejaVu Sans as matplotlib ships it (``matplotlib/mpl-data/fonts/ttf``), found at run
time: Birlik does not carry a copy.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import ListFlowable, ListItem, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.reports.document import Block, Bullets, Heading, Image, Paragraph, ReportDocument, Table

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_WIDTH = A4[0] - 4 * cm


def font_dir() -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@lru_cache(maxsize=1)
def register_fonts() -> None:
    folder = font_dir()
    for name in (FONT, FONT_BOLD):
        path = folder / f"{name}.ttf"
        if not path.is_file():
            raise ConfigError(f"font {path} is missing — reinstall matplotlib, which ships it",
                              code=codes.G020)
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=4)
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=8
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=colors.HexColor("#555555")),
        "official": ParagraphStyle("official", parent=base, alignment=TA_RIGHT),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=13.5,
            leading=17,
            spaceBefore=12,
            spaceAfter=6,
            textColor=colors.HexColor("#1f618d"),
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, keepWithNext=1
        ),
        "body": base,
        "small": ParagraphStyle(
            "small",
            parent=base,
            fontSize=8.5,
            leading=11,
            textColor=colors.HexColor("#444444"),
            keepWithNext=1,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell_num": ParagraphStyle(
            "cell_num", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0, alignment=TA_RIGHT
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5, spaceAfter=0
        ),
    }


def render_pdf(doc: ReportDocument) -> bytes:
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.8 * cm,
        bottomMargin=1.8 * cm,
        title=doc.title,
        author="Birlik",
        lang=doc.lang,
        invariant=1,
    )
    official = PdfTable(
        [
            [
                PdfParagraph(f"<b>{escape(doc.issuer)}</b>", styles["subtitle"]),
                PdfParagraph(f"{escape(doc.reference)}<br/><b>{escape(doc.marking)}</b>", styles["official"]),
            ]
        ],
        colWidths=[9 * cm, 8 * cm],
    )
    story: list[Any] = [official, PdfParagraph(escape(doc.title), styles["title"])]
    story += [PdfParagraph(escape(line), styles["subtitle"]) for line in doc.subtitle]
    for block in doc.blocks:
        story.extend(_flowables(block, styles))

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawRightString(A4[0] - 2 * cm, 1.1 * cm, f"{doc.title} · {document.page}")
        canvas.restoreState()

    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _flowables(block: Block, styles: dict[str, ParagraphStyle]) -> list[Any]:
    if isinstance(block, Heading):
        return [PdfParagraph(escape(block.text), styles["h1" if block.level == 1 else "h2"])]
    if isinstance(block, Paragraph):
        return [PdfParagraph(escape(block.text), styles["small" if block.small else "body"])]
    if isinstance(block, Bullets):
        items: list[Any] = [
            ListItem(PdfParagraph(escape(item), styles["body"]), leftIndent=12) for item in block.items
        ]
        return [ListFlowable(items, bulletType="bullet", bulletFontName=FONT, start="•", leftIndent=12)]
    if isinstance(block, Table):
        return [_table(block, styles), Spacer(1, 6)]
    if isinstance(block, Image):
        return [_image(block), PdfParagraph(escape(block.caption), styles["caption"])]
    return []


def _table(block: Table, styles: dict[str, ParagraphStyle]) -> PdfTable:
    header = [PdfParagraph(escape(cell), styles["head"]) for cell in block.header]
    rows = [
        [
            PdfParagraph(escape(cell), styles["cell_num" if i in block.numeric else "cell"])
            for i, cell in enumerate(row)
        ]
        for row in block.rows
    ]
    table = PdfTable([header, *rows], colWidths=_widths(block), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef3f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


TABLE_FONT_SIZE = 7.5
CELL_PADDING = 12.0
LONG_TEXT = 30


def _widths(block: Table) -> list[float]:
    """Short columns get the width of their longest word; columns of running text share the rest."""
    needs, texts = [], []
    for index, title in enumerate(block.header):
        cells = [title, *(row[index] for row in block.rows)]
        words = [word for cell in cells for word in cell.split()]
        widest_word = max((pdfmetrics.stringWidth(w, FONT_BOLD, TABLE_FONT_SIZE) for w in words), default=10)
        needs.append(widest_word + CELL_PADDING)
        texts.append(max(len(cell) for cell in cells[1:]) if block.rows else 0)
    long_columns = [i for i, length in enumerate(texts) if length > LONG_TEXT]
    fixed = sum(need for i, need in enumerate(needs) if i not in long_columns)
    if not long_columns or fixed >= PAGE_WIDTH * 0.8:
        total = sum(needs)
        return [PAGE_WIDTH * need / total for need in needs]
    shares = sum(min(texts[i], 80) for i in long_columns)
    rest = PAGE_WIDTH - fixed
    return [rest * min(texts[i], 80) / shares if i in long_columns else needs[i] for i in range(len(needs))]


def _image(block: Image) -> PdfImage:
    image = PdfImage(io.BytesIO(block.png))
    width = min(block.width_cm * cm, PAGE_WIDTH)
    image.drawHeight = image.imageHeight * width / image.imageWidth
    image.drawWidth = width
    return image
