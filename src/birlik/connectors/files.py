"""Kind ``files``: one document or a folder of them (recursive).

Formats: ``.txt``, ``.md``, ``.html``/``.htm``, ``.docx``, ``.pdf``. A PDF page without a text
layer is read by OCR (``tesseract -l kaz+rus`` on a ``pdftoppm`` rendering) when both tools
and the language data are installed; ``options["ocr_languages"]`` changes the languages
(``kaz+rus+eng``). Without OCR, a PDF with no text at all is refused (I018) and a PDF with
some scanned pages keeps its text pages (``extra["pages_without_text"]``).
Every file is judged on its own: an unreadable, empty, binary, oversized or unsupported file
becomes a ``Rejected`` and the folder goes on. ``since`` skips files whose
modification time is older. Hidden files and folders (``.git``, ``.DS_Store``) are skipped.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from birlik.connectors.base import FetchResult, Rejected, SourceConfig, register
from birlik.connectors.decode import decode_bytes
from birlik.connectors.web import decode_html, extract_html
from birlik.domain import codes
from birlik.domain.errors import BadInput
from birlik.domain.records import RawItem
from birlik.domain.text import clean_input
from birlik.nlp.system import installed_ocr_languages
from birlik.settings import Settings

log = logging.getLogger(__name__)

OCR_LANGUAGES = "kaz+rus"
_OCR_TIMEOUT_SECONDS = 300
_UNPACK_CHUNK = 1024 * 1024
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True, kw_only=True)
class _Parsed:
    text: str
    title: str | None = None
    extra: dict[str, Any] | None = None


@register("files")
class FilesConnector:
    kind = "files"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ocr_languages: set[str] | None = None
        self._readers: dict[str, tuple[str, Callable[[bytes, Path, dict[str, Any]], _Parsed]]] = {
            ".txt": ("text/plain", self._read_text),
            ".md": ("text/markdown", self._read_markdown),
            ".html": ("text/html", self._read_html),
            ".htm": ("text/html", self._read_html),
            ".docx": (_DOCX_TYPE, self._read_docx),
            ".pdf": ("application/pdf", self._read_pdf),
        }

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]:
        root = Path(source.location).expanduser().absolute()
        if not root.exists():
            raise BadInput(
                f"{root} does not exist — check the source's location (a file or a folder)",
                code=codes.C020,
            )
        for path in _walk(root):
            yield from self._fetch_file(path, source, since)

    def _fetch_file(
        self, path: Path, source: SourceConfig, since: datetime | None
    ) -> Iterator[FetchResult]:
        key = str(path)
        try:
            stat = path.stat()
            mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
            if since is not None and mtime < since:
                return
            content_type, reader = self._reader_for(path)
            self._check_size(path, stat.st_size)
            parsed = reader(path.read_bytes(), path, source.options)
        except BadInput as error:
            log.warning("rejected %s: %s", key, error)
            yield Rejected(key=key, error=error)
            return
        except OSError as exc:
            log.warning("cannot read %s: %s", key, exc)
            yield Rejected(key=key, error=BadInput(
                f"{path} cannot be read ({exc.strerror or exc}) — check its permissions",
                code=codes.I015,
            ))
            return
        yield RawItem(
            key=key,
            text=parsed.text,
            title=parsed.title,
            url=None,
            published_at=None,
            lang_hint=source.options.get("lang"),
            content_type=content_type,
            extra={"file_mtime": mtime.isoformat(), "file_name": path.name, **(parsed.extra or {})},
        )

    def _reader_for(self, path: Path) -> tuple[str, Callable[[bytes, Path, dict[str, Any]], _Parsed]]:
        found = self._readers.get(path.suffix.lower())
        if found is None:
            raise BadInput(
                f"{path.name}: {path.suffix or 'no extension'} is not a supported format — "
                f"convert it to one of {', '.join(sorted(self._readers))}",
                code=codes.I013,
            )
        return found

    def _check_size(self, path: Path, size: int) -> None:
        if size == 0:
            raise BadInput(
                f"{path} is empty — nothing to read; remove it or export it again", code=codes.I011
            )
        limit = self.settings.max_file_bytes
        if size > limit:
            raise BadInput(
                f"{path} is {size / 1048576:.1f} MB, more than the limit of {limit / 1048576:.1f} "
                "MB — split it, or raise BIRLIK_MAX_FILE_BYTES",
                code=codes.I014,
            )

    def _read_text(self, data: bytes, path: Path, options: dict[str, Any]) -> _Parsed:
        return _Parsed(text=_non_empty(clean_input(decode_bytes(data, name=str(path))), path))

    def _read_markdown(self, data: bytes, path: Path, options: dict[str, Any]) -> _Parsed:
        text = _non_empty(clean_input(decode_bytes(data, name=str(path))), path)
        first = text.lstrip().split("\n", 1)[0]
        title = first.lstrip("#").strip() if first.startswith("#") else None
        return _Parsed(text=text, title=title or None)

    def _read_html(self, data: bytes, path: Path, options: dict[str, Any]) -> _Parsed:
        page = extract_html(decode_html(data, name=str(path)), None)
        extra = {"page_date": page.published_at.isoformat()} if page.published_at else None
        return _Parsed(text=page.text, title=page.title, extra=extra)

    def _read_docx(self, data: bytes, path: Path, options: dict[str, Any]) -> _Parsed:
        check_unpacked_size(data, path, total=self.settings.max_unpacked_bytes,
                            xml=self.settings.max_unpacked_xml_bytes)
        try:
            document = docx.Document(io.BytesIO(data))
            blocks = list(_docx_blocks(document))
            title = clean_input(document.core_properties.title or "").strip()
        except Exception as exc:  # python-docx raises many kinds (zip, XML, KeyError) on damage
            raise BadInput(
                f"{path} is not a readable .docx ({exc.__class__.__name__}: {exc}) — open and "
                "save it again in a word processor",
                code=codes.I016,
            ) from exc
        text = _non_empty(clean_input("\n".join(blocks)), path)
        return _Parsed(text=text, title=title or _first_heading(document))

    def _read_pdf(self, data: bytes, path: Path, options: dict[str, Any]) -> _Parsed:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise BadInput(
                    f"{path} is a password-protected PDF — save an unprotected copy", code=codes.I017
                )
            pages = [(page.extract_text() or "").strip() for page in reader.pages]
            title = reader.metadata.title if reader.metadata else None
            title = title if isinstance(title, str) else None  # a damaged /Title can be a number
        except BadInput:
            raise
        except Exception as exc:  # pypdf raises PyPdfError, ValueError, KeyError… on damage
            kind = "damaged" if isinstance(exc, PyPdfError) else "unreadable"
            raise BadInput(
                f"{path} is a {kind} PDF ({exc.__class__.__name__}: {exc}) — export it again",
                code=codes.I017,
            ) from exc
        languages = str(options.get("ocr_languages") or OCR_LANGUAGES)
        pages, extra = self._fill_scanned_pages(pages, path, languages)
        text = _non_empty(clean_input("\n\n".join(p for p in pages if p)), path)
        clean_title = clean_input(title or "").strip() or None
        return _Parsed(text=text, title=clean_title, extra=extra)

    def _fill_scanned_pages(
        self, pages: list[str], path: Path, languages: str
    ) -> tuple[list[str], dict[str, Any]]:
        blank = [number for number, text in enumerate(pages, start=1) if not text]
        if not blank:
            return pages, {}
        if not self._ocr_available(languages):
            if len(blank) == len(pages):
                raise BadInput(
                    f"{path} is a scanned PDF without a text layer — install tesseract-ocr with "
                    f"the language data {languages} (Debian: tesseract-ocr-kaz, tesseract-ocr-rus) "
                    "and poppler-utils (pdftoppm), then retry the file",
                    code=codes.I018,
                )
            log.warning("%s: pages %s have no text layer and OCR (%s) is not installed",
                        path, blank, languages)
            return pages, {"pages_without_text": blank}
        filled = list(pages)
        for number in blank:
            filled[number - 1] = _ocr_page(path, number, languages)
        return filled, {"ocr_pages": blank}

    def _ocr_available(self, languages: str) -> bool:
        if self._ocr_languages is None:
            self._ocr_languages = installed_ocr_languages()
        return set(languages.split("+")) <= self._ocr_languages


def check_unpacked_size(data: bytes, path: Path, *, total: int, xml: int) -> None:
    """Refuse a zip (a .docx) that unpacks to more than ``total`` bytes, or whose XML parts
    unpack to more than ``xml``: first by the sizes it declares, then by really unpacking it
    in chunks (declared sizes can lie) — before anything is parsed (``I031``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_sizes(path, [(m.filename, m.file_size) for m in members], total, xml)
            unpacked: list[tuple[str, int]] = []
            for member in members:
                unpacked.append((member.filename, 0))
                with archive.open(member) as stream:
                    while chunk := stream.read(_UNPACK_CHUNK):
                        unpacked[-1] = (member.filename, unpacked[-1][1] + len(chunk))
                        _check_sizes(path, unpacked, total, xml)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError, zlib.error) as exc:
        raise BadInput(
            f"{path} is not a readable .docx ({exc.__class__.__name__}: {exc}) — open and "
            "save it again in a word processor",
            code=codes.I016,
        ) from exc


def _check_sizes(path: Path, sizes: list[tuple[str, int]], total: int, xml: int) -> None:
    whole = sum(size for _, size in sizes)
    text = sum(size for name, size in sizes if name.lower().endswith((".xml", ".rels")))
    if whole > total or text > xml:
        raise BadInput(
            f"{path} unpacks to at least {whole / 1048576:.0f} MB ({text / 1048576:.0f} MB of XML; "
            f"limits {total / 1048576:.0f} MB and {xml / 1048576:.0f} MB of XML) — a zip bomb, or "
            "a document to split; raise BIRLIK_MAX_UNPACKED_BYTES / BIRLIK_MAX_UNPACKED_XML_BYTES "
            "if it is genuine",
            code=codes.I031,
        )


def _walk(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(folder, name)


def _docx_blocks(document: DocxDocument) -> Iterator[str]:
    """Paragraphs and table rows in the order they appear in the body."""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            if block.text.strip():
                yield block.text
        elif isinstance(block, Table):
            yield from _table_rows(block)


def _table_rows(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            yield "\t".join(cells)


def _first_heading(document: DocxDocument) -> str | None:
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        if (style or "").startswith(("Title", "Heading")) and paragraph.text.strip():
            return clean_input(paragraph.text).strip()
    return None


def _non_empty(text: str, path: Path) -> str:
    stripped = text.strip()
    if not stripped:
        raise BadInput(
            f"{path} has no text — an empty document or only images; remove it or export it again",
            code=codes.I011,
        )
    return stripped


def _ocr_page(path: Path, number: int, languages: str) -> str:
    """Render one PDF page at 300 dpi and read it with tesseract in ``languages``."""
    pdftoppm, tesseract = shutil.which("pdftoppm"), shutil.which("tesseract")
    assert pdftoppm is not None and tesseract is not None  # checked by installed_ocr_languages
    with tempfile.TemporaryDirectory(prefix="birlik-ocr-") as workdir:
        prefix = Path(workdir, "page")
        try:
            subprocess.run(
                [pdftoppm, "-r", "300", "-gray", "-png", "-f", str(number), "-l", str(number),
                 "-singlefile", str(path), str(prefix)],
                capture_output=True, timeout=_OCR_TIMEOUT_SECONDS, check=True,
            )
            result = subprocess.run(
                [tesseract, f"{prefix}.png", "stdout", "-l", languages],
                capture_output=True, timeout=_OCR_TIMEOUT_SECONDS, check=True,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise BadInput(
                f"{path}: OCR of page {number} failed ({exc}) — check the tesseract and "
                "poppler-utils installation, or export the PDF with a text layer",
                code=codes.I019,
            ) from exc
    return result.stdout.decode("utf-8", errors="replace").strip()
