"""The parsers of hostile input, each wrapped as ``target(data: bytes) -> outputs``.

Shared by the property tests of the normal suite (hypothesis, few examples) and by
``make fuzz`` (``scripts/fuzz.py``, a mutation fuzzer over real samples, ≥ 1M inputs).
Every target runs the real code on ``data`` and checks the contract of that parser:

- ``analyze_reader``: one result per non-blank line, a ``Document`` or a coded ``BadInput``;
- connectors (``posts_jsonl``, ``posts_csv``, ``telegram``, ``rss``, ``files_*``, ``web_page``):
  results are ``RawItem`` or ``Rejected`` with a code; the whole source may be refused with
  ``BadInput`` — nothing else may escape (no ``RecursionError``, ``UnicodeError``, …).

A target raises ``AssertionError`` when the contract is broken; any other exception is a crash.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from birlik.connectors.base import Connector, Rejected, SourceConfig, get_connector
from birlik.connectors.web import decode_html, extract_html
from birlik.domain.errors import BadInput
from birlik.domain.records import Document, RawItem
from birlik.nlp.jsonl import document_to_json, read_documents
from birlik.settings import Settings

DATA = Path(__file__).parent / "connectors" / "data"
DEMO = Path(__file__).resolve().parents[1] / "src" / "birlik" / "demo"
_CODE = re.compile(r"[A-Z]\d{3}")

SETTINGS = Settings(_env_file=None, environment="test", max_file_bytes=4 << 20)
_SHM = Path("/dev/shm")
_WORKDIR = Path(tempfile.mkdtemp(prefix="birlik-fuzz-", dir=_SHM if _SHM.is_dir() else None))


def _coded(error: BadInput) -> None:
    assert _CODE.fullmatch(error.code), f"uncoded error {error!r}"
    assert str(error).startswith(f"[{error.code}] ")


def analyze_reader(data: bytes) -> int:
    """``birlik analyze``'s reader: one result per non-blank line, each decodable as output."""
    lines = [line for line in io.BytesIO(data) if line.strip()]
    expected = len(lines) - (1 if lines and lines[0].strip() == b"\xef\xbb\xbf" else 0)
    depth = SETTINGS.max_json_depth
    results = list(read_documents(io.BytesIO(data), max_line_bytes=1 << 20, max_depth=depth))
    assert len(results) in (expected, len(lines)), (len(results), len(lines))
    for _, original, parsed in results:
        if isinstance(parsed, BadInput):
            _coded(parsed)
        else:
            assert isinstance(parsed, Document)
            json.dumps(document_to_json(parsed, original), ensure_ascii=False).encode("utf-8")
    return len(results)


_CONNECTORS: dict[str, Connector] = {}


def _run_connector(kind: str, path: Path, **options: object) -> int:
    source = SourceConfig(name="fuzz", kind=kind, location=str(path), options=dict(options))
    connector = _CONNECTORS.setdefault(kind, get_connector(kind, SETTINGS))
    count = 0
    try:
        for result in connector.fetch(source, None):
            count += 1
            if isinstance(result, Rejected):
                _coded(result.error)
            else:
                assert isinstance(result, RawItem) and result.text.strip()
                result.text.encode("utf-8")
                json.dumps(result.extra, ensure_ascii=False, default=str).encode("utf-8")
    except BadInput as error:  # the whole source refused, with its code
        _coded(error)
    return count


def _file(name: str, data: bytes) -> Path:
    path = _WORKDIR / name
    path.write_bytes(data)
    return path


def posts_jsonl(data: bytes) -> int:
    return _run_connector("posts", _file("posts.jsonl", data))


def posts_csv(data: bytes) -> int:
    return _run_connector("posts", _file("posts.csv", data))


def telegram(data: bytes) -> int:
    return _run_connector("telegram", _file("result.json", data))


def rss(data: bytes) -> int:
    return _run_connector("rss", _file("feed.xml", data))


def files_txt(data: bytes) -> int:
    return _run_connector("files", _file("doc.txt", data))


def files_md(data: bytes) -> int:
    return _run_connector("files", _file("doc.md", data))


def files_html(data: bytes) -> int:
    return _run_connector("files", _file("doc.html", data))


def files_docx(data: bytes) -> int:
    return _run_connector("files", _file("doc.docx", data))


def files_pdf(data: bytes) -> int:
    # no OCR: rendering and reading a page takes seconds, and it is the PDF reader we fuzz
    return _run_connector("files", _file("doc.pdf", data), ocr_languages="none")


def web_page(data: bytes) -> int:
    """What the web connector does with a downloaded page: decode, then extract."""
    try:
        page = extract_html(decode_html(data, name="fuzz.html"), "https://example.kz/a")
    except BadInput as error:
        _coded(error)
        return 0
    assert page.text.strip()
    page.text.encode("utf-8")
    return 1


TARGETS: dict[str, Callable[[bytes], int]] = {
    "analyze_reader": analyze_reader,
    "posts_jsonl": posts_jsonl,
    "posts_csv": posts_csv,
    "telegram": telegram,
    "rss": rss,
    "web_page": web_page,
    "files_txt": files_txt,
    "files_md": files_md,
    "files_html": files_html,
    "files_docx": files_docx,
    "files_pdf": files_pdf,
}


def seeds(target: str) -> list[bytes]:
    """Real samples to start from: the fixtures of the connector tests and the demo corpus."""
    def read(*paths: Path) -> list[bytes]:
        return [path.read_bytes() for path in paths if path.is_file()]

    jsonl = read(DATA / "posts.jsonl", DEMO / "news.jsonl", DEMO / "posts.jsonl")
    html = read(DATA / "article_1.html", DATA / "page_with_scripts.html", DATA / "page_empty.html")
    table = {
        "analyze_reader": [_with_text_field(sample) for sample in jsonl],
        "posts_jsonl": jsonl,
        "posts_csv": [b"".join(sample.splitlines(keepends=True)[:20]) for sample in
                      read(DATA / "posts.csv", DEMO / "registry.csv", DEMO / "survey_2026.csv")],
        "telegram": read(*sorted((DATA / "telegram_export").rglob("*.json"))),
        "rss": read(DATA / "feed_rss.xml", DATA / "feed_atom.xml", DATA / "feed_truncated.xml"),
        "web_page": html,
        "files_txt": read(DATA / "russian_cp1251.txt", DATA / "garbage.txt") + jsonl[:1],
        "files_md": read(DEMO / "README.md"),
        "files_html": html,
        "files_docx": [_small_docx()],
        "files_pdf": [_small_pdf()],
    }
    return [sample[:64 * 1024] for sample in table[target] if sample]


def _with_text_field(jsonl: bytes) -> bytes:
    """The demo posts keep their text in ``message``; ``analyze`` reads ``text``."""
    out = []
    for line in jsonl.splitlines():
        try:
            row = json.loads(line)
        except ValueError:  # the fixtures hold broken lines on purpose: keep them
            out.append(line)
            continue
        if isinstance(row, dict) and "text" not in row and "message" in row:
            row["text"] = row.pop("message")
        out.append(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return b"\n".join(out) + b"\n"


def _small_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Достық үйі", level=1)
    document.add_paragraph("Семейде этномәдени орталықтардың форумы өтті. В Павлодаре прошёл вечер.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Алматы", "Астана"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _small_pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.setTitle("Есеп")
    canvas.drawString(72, 720, "Almaty: festival of the Uyghur theatre.")
    canvas.showPage()
    canvas.drawString(72, 720, "Second page, Shymkent.")
    canvas.save()
    return out.getvalue()

