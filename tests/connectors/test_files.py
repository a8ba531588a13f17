from __future__ import annotations

import io
import os
import shutil
import subprocess
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.connectors.files import FilesConnector
from birlik.domain.errors import BadInput
from birlik.domain.records import RawItem
from birlik.settings import Settings


def _source(location: Path) -> SourceConfig:
    return SourceConfig(name="test-files", kind="files", location=str(location))


def _fetch(
    settings: Settings, location: Path, since: datetime | None = None
) -> list[RawItem | Rejected]:
    return list(FilesConnector(settings).fetch(_source(location), since))


def _one(settings: Settings, path: Path) -> RawItem | Rejected:
    (result,) = _fetch(settings, path)
    return result


def _item(settings: Settings, path: Path) -> RawItem:
    result = _one(settings, path)
    assert isinstance(result, RawItem), result
    return result


def _rejection_code(settings: Settings, path: Path) -> str:
    result = _one(settings, path)
    assert isinstance(result, Rejected), result
    return result.error.code


def text_pdf(lines: list[str], size: int = 12) -> bytes:
    """A minimal one-page PDF with a text layer, written by hand (Helvetica, ASCII text)."""
    text = " ".join(f"({line}) '" for line in lines)
    commands = f"BT /F1 {size} Tf 72 720 Td {size + 6} TL {text} ET".encode("latin-1")
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(b"", commands),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b"/Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def _pdf(objects: list[bytes]) -> bytes:
    """Numbered objects, cross-reference table and trailer around ``objects``."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, xref))
    return out.getvalue()


def blank_pdf(pages: int = 1) -> bytes:
    """A PDF whose pages have no text layer, like a scan."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_registered_under_its_kind(settings: Settings) -> None:
    assert isinstance(get_connector("files", settings), FilesConnector)


def test_cp1251_russian_text(settings: Settings, data_dir: Path) -> None:
    item = _item(settings, data_dir / "russian_cp1251.txt")
    assert item.text.startswith("Межнациональное согласие")
    assert item.key == str((data_dir / "russian_cp1251.txt").absolute())
    assert item.published_at is None
    assert datetime.fromisoformat(item.extra["file_mtime"]).tzinfo is not None
    assert item.content_type == "text/plain"


def test_binary_garbage_named_txt_is_rejected(settings: Settings, data_dir: Path) -> None:
    assert _rejection_code(settings, data_dir / "garbage.txt") == "I010"


def test_html_file_never_keeps_script_or_style(settings: Settings, data_dir: Path) -> None:
    item = _item(settings, data_dir / "page_with_scripts.html")
    assert "Павлодаре" in item.text and "резолюция" in item.text
    for marker in (
        "SCRIPT_SHOULD_NOT_APPEAR",
        "STYLE_SHOULD_NOT_APPEAR",
        "dataLayer",
        "NOSCRIPT_SHOULD_NOT_APPEAR",
        "font-family",
    ):
        assert marker not in item.text
    assert item.title == "Форум этнокультурных объединений прошёл в Павлодаре"
    assert item.published_at is None


def test_cp1251_html_with_declared_charset(settings: Settings, tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head><body>'
        "<p>Дом дружбы в Уральске провёл вечер татарской и башкирской культуры.</p></body></html>"
    )
    path = tmp_path / "old.htm"
    path.write_bytes(html.encode("cp1251"))
    item = _item(settings, path)
    assert "Дом дружбы в Уральске" in item.text
    assert item.title == "Новости"


def test_html_without_text_is_rejected(settings: Settings, data_dir: Path) -> None:
    assert _rejection_code(settings, data_dir / "page_empty.html") == "I023"


def test_markdown_title(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Келісім туралы\n\nМәтін осында.\n", encoding="utf-8")
    item = _item(settings, path)
    assert item.title == "Келісім туралы"
    assert "Мәтін осында." in item.text


def test_docx_paragraphs_and_tables_in_order(settings: Settings, tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Отчёт"
    document.add_heading("Мониторинг", level=1)
    document.add_paragraph("Первый абзац о межэтническом согласии.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Регион", "Событий"
    table.cell(1, 0).text, table.cell(1, 1).text = "Алматы", "3"
    document.add_paragraph("Последний абзац.")
    path = tmp_path / "report.docx"
    document.save(str(path))
    item = _item(settings, path)
    assert item.title == "Отчёт"
    assert (
        item.text.index("Первый абзац")
        < item.text.index("Алматы\t3")
        < item.text.index("Последний")
    )


def test_damaged_docx_is_rejected(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert _rejection_code(settings, path) == "I016"


def test_pdf_text_layer(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "statement.pdf"
    path.write_bytes(text_pdf(["Assembly of People of Kazakhstan", "Unity in diversity"]))
    item = _item(settings, path)
    assert "Assembly of People of Kazakhstan" in item.text and "Unity in diversity" in item.text
    assert item.content_type == "application/pdf"


def test_scanned_pdf_without_ocr_tools_says_what_to_install(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # as on a machine without tesseract
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(2))
    result = _one(settings, path)
    assert isinstance(result, Rejected)
    assert result.error.code == "I018"
    assert "tesseract" in str(result.error) and "kaz+rus" in str(result.error)


def scanned_pdf(lines: list[str], workdir: Path) -> bytes:
    """A PDF holding only a picture of text, like a scan: a text PDF rendered by pdftoppm to a
    grey bitmap, then wrapped in a new PDF as an image (no text layer left)."""
    source = workdir / "source.pdf"
    source.write_bytes(text_pdf(lines, size=24))
    command = ["pdftoppm", "-r", "150", "-gray", "-singlefile", str(source), str(workdir / "scan")]
    subprocess.run(command, check=True, capture_output=True)
    magic, width, height, _maxval, pixels = (workdir / "scan.pgm").read_bytes().split(maxsplit=4)
    assert magic == b"P5"
    page_w, page_h = int(width) * 72 / 150, int(height) * 72 / 150
    page_size = b"%.1f %.1f" % (page_w, page_h)
    content = b"q %.1f 0 0 %.1f 0 0 cm /Im1 Do Q" % (page_w, page_h)
    image_info = b"/Type /XObject /Subtype /Image /Width %s /Height %s " % (width, height)
    image_info += b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + page_size + b"] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        _stream(b"", content),
        _stream(image_info, zlib.compress(pixels)),
    ])


@pytest.mark.skipif(
    not (shutil.which("tesseract") and shutil.which("pdftoppm")),
    reason="tesseract-ocr (kaz+rus) and poppler-utils not installed",
)
def test_scanned_pdf_goes_through_ocr_when_installed(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(["ASSEMBLY OF PEOPLE", "OF KAZAKHSTAN"], tmp_path))
    item = _item(settings, path)  # kaz+rus by default: Latin capitals come out Cyrillic-ish
    assert len(item.text) > 10 and item.extra["ocr_pages"] == [1]
    if "eng" in subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout:
        source = SourceConfig(name="scans", kind="files", location=str(path),
                              options={"ocr_languages": "eng"})
        (english,) = FilesConnector(settings).fetch(source, None)
        assert isinstance(english, RawItem)
        assert "ASSEMBLY" in english.text and "KAZAKHSTAN" in english.text


def test_damaged_pdf_is_rejected(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref")
    assert _rejection_code(settings, path) in ("I017", "I011")


def test_unsupported_extension(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK\x03\x04 spreadsheet")
    result = _one(settings, path)
    assert isinstance(result, Rejected) and result.error.code == "I013"
    assert ".xlsx" in str(result.error) and ".docx" in str(result.error)


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.html"])
def test_empty_document(settings: Settings, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert _rejection_code(settings, path) == "I011"


def test_whitespace_only_text_is_empty(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\n \t ")
    assert _rejection_code(settings, path) == "I011"


def test_300_mb_file_is_refused_without_being_read(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as sparse:
        sparse.truncate(300 * 1024 * 1024)
    tracemalloc.start()
    try:
        result = _one(settings, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Rejected) and result.error.code == "I014"
    assert "300.0 MB" in str(result.error) and "BIRLIK_MAX_FILE_BYTES" in str(result.error)
    assert peak < 5 * 1024 * 1024


def test_folder_is_walked_and_one_bad_file_does_not_stop_it(
    settings: Settings, tmp_path: Path, data_dir: Path
) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    shutil.copy(data_dir / "russian_cp1251.txt", tmp_path / "a.txt")
    shutil.copy(data_dir / "garbage.txt", tmp_path / "sub" / "b.txt")
    (tmp_path / "sub" / "deeper" / "c.md").write_text("Ішкі папкадағы мәтін.", encoding="utf-8")
    (tmp_path / "sub" / "d.exe").write_bytes(b"MZ")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "e.txt").write_text("hidden", encoding="utf-8")
    results = _fetch(settings, tmp_path)
    by_name = {Path(result.key).name: result for result in results}
    assert set(by_name) == {"a.txt", "b.txt", "c.md", "d.exe"}
    assert isinstance(by_name["a.txt"], RawItem) and isinstance(by_name["c.md"], RawItem)
    assert isinstance(by_name["b.txt"], Rejected) and by_name["b.txt"].error.code == "I010"
    assert isinstance(by_name["d.exe"], Rejected) and by_name["d.exe"].error.code == "I013"


def test_since_skips_files_not_modified_since(settings: Settings, tmp_path: Path) -> None:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("old text", encoding="utf-8")
    new.write_text("new text", encoding="utf-8")
    week_ago = (datetime.now(UTC) - timedelta(days=7)).timestamp()
    os.utime(old, (week_ago, week_ago))
    results = _fetch(settings, tmp_path, since=datetime.now(UTC) - timedelta(days=1))
    assert [Path(result.key).name for result in results] == ["new.txt"]


def test_missing_location_is_a_bad_source(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, tmp_path / "nowhere")
    assert caught.value.code == "C020"


def test_partly_scanned_pdf_without_ocr_keeps_its_text_pages(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    writer = PdfWriter()
    writer.append(io.BytesIO(text_pdf(["Page with a text layer"])))
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / "mixed.pdf"
    path.write_bytes(out.getvalue())
    item = _item(settings, path)
    assert item.text == "Page with a text layer"
    assert item.extra["pages_without_text"] == [2]


def _docx_with_member(path: Path, name: str, content: bytes) -> Path:
    import zipfile

    document = docx.Document()
    document.add_paragraph("Қостанайда неміс мәдени орталығы концерт берді.")
    document.save(str(path))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return path


def test_a_docx_bomb_is_refused_before_it_is_parsed(settings: Settings, tmp_path: Path) -> None:
    """Issue 18, item 7: 266 KB of .docx unpacking to 210 MB of XML took 7–8 GB of memory;
    the size limit applied to the compressed file only."""
    xml_bomb = _docx_with_member(tmp_path / "xml.docx", "word/bomb.xml", b"<a>" + b" " * (40 << 20) + b"</a>")
    assert xml_bomb.stat().st_size < 200_000
    tracemalloc.start()
    try:
        assert _rejection_code(settings, xml_bomb) == "I031"
        assert tracemalloc.get_traced_memory()[1] < 20 << 20  # refused while unpacking, in chunks
    finally:
        tracemalloc.stop()
    small = settings.model_copy(update={"max_unpacked_bytes": 4 << 20})
    media_bomb = _docx_with_member(tmp_path / "media.docx", "word/media/x.png", b"\0" * (8 << 20))
    assert _rejection_code(small, media_bomb) == "I031"
    fine = _docx_with_member(tmp_path / "fine.docx", "word/media/y.png", b"\x89PNG" + bytes(1000))
    assert "неміс" in _item(settings, fine).text


def test_pdf_with_a_number_for_its_title_keeps_its_text(settings: Settings, tmp_path: Path) -> None:
    """Found by `make fuzz`: a damaged /Title that is a number raised AttributeError."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject

    source = PdfReader(io.BytesIO(text_pdf(["Unity in diversity"])))
    writer = PdfWriter()
    writer.append_pages_from_reader(source)
    writer.add_metadata({"/Author": "x"})
    assert writer._info is not None
    writer._info.get_object()[NameObject("/Title")] = NumberObject(42)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "numbered.pdf"
    path.write_bytes(buffer.getvalue())
    item = _item(settings, path)
    assert "Unity in diversity" in item.text and item.title != 42
