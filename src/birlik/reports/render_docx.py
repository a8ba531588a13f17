"""The report as a Word document (python-docx): headings are real Heading styles.

python-docx has no type information, so its objects are ``Any`` here.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from birlik.reports.document import Block, Bullets, Heading, Image, Paragraph, ReportDocument, Table

#: ISO 216 A4, the paper of official documents in Kazakhstan, with 2 cm margins (3 cm left, for binding).
A4 = (Cm(21.0), Cm(29.7))


def render_docx(doc: ReportDocument) -> bytes:
    word = Document()
    word.core_properties.title = doc.title
    word.core_properties.language = doc.lang
    _page(word.sections[0], doc)
    _official(word, doc)
    word.add_heading(doc.title, level=0)
    for line in doc.subtitle:
        word.add_paragraph(line)
    for block in doc.blocks:
        _add(word, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _official(word: Any, doc: ReportDocument) -> None:
    """The header block: the issuer on the left, the reference and the handling mark on the right."""
    table = word.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(doc.issuer).bold = True
    right.paragraphs[0].text = doc.reference
    right.add_paragraph(doc.marking).runs[0].bold = True
    for paragraph in right.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _add(document: Any, block: Block) -> None:
    if isinstance(block, Heading):
        document.add_heading(block.text, level=block.level)
    elif isinstance(block, Paragraph):
        paragraph = document.add_paragraph(block.text)
        if block.small:
            for run in paragraph.runs:
                run.font.size = Pt(9)
                run.italic = True
    elif isinstance(block, Bullets):
        for item in block.items:
            document.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Image):
        document.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        caption = document.add_paragraph(block.caption, style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(document: Any, block: Table) -> None:
    table = document.add_table(rows=1, cols=len(block.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if index in block.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell in row.cells:
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(8)


def _page(section: Any, doc: ReportDocument) -> None:
    """A4 portrait, margins, the report's title in the header and «page N of M» centred below."""
    section.page_width, section.page_height = A4
    section.left_margin = Cm(3.0)
    section.right_margin = section.top_margin = section.bottom_margin = Cm(2.0)
    header = section.header.paragraphs[0]
    header.text = doc.title
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in header.runs:
        run.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out pages."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
