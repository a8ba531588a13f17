"""Kind ``web``: one web page by URL, its main text extracted with trafilatura.

Also home of the HTML helpers the other connectors reuse: ``extract_html`` (a whole page:
main text, title, date) and ``html_to_text`` (a fragment such as a feed summary), and of
the HTTP vocabulary (``HttpResponse``, ``read_capped``, ``status_error``) shared with ``rss``.
Script, style and template contents never reach the text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import trafilatura
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs in the venv
from lxml import html as lxml_html

from birlik.connectors.base import FetchResult, SourceConfig, register
from birlik.connectors.decode import declared_html_charset, decode_bytes
from birlik.domain import codes
from birlik.domain.errors import BadInput, BirlikError, SourceUnavailable
from birlik.domain.records import RawItem
from birlik.domain.text import clean_input
from birlik.settings import Settings

log = logging.getLogger(__name__)

_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "section", "article", "header", "footer", "figure", "figcaption",
    "dd", "dt",
})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractedPage:
    """What the main-text extraction found in one HTML page."""

    text: str
    title: str | None = None
    published_at: datetime | None = None
    lang: str | None = None
    site_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpResponse:
    """One HTTP answer, body already read (at most the size limit)."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip('"')
        return None


def extract_html(html: str, url: str | None) -> ExtractedPage:
    """Main text, title and date of a whole HTML page; raises ``BadInput`` (I023) if no text."""
    where = url or "the HTML page"
    meta = _trafilatura_extract(html, url, where)
    root = _parse_document(html)
    text = clean_input(meta.get("text") or "").strip()
    if not text and root is not None:
        # Pages too short for trafilatura's thresholds: all visible text of the body.
        text = _visible_text(root)
    if not text:
        raise BadInput(
            f"{where} has no extractable text (empty page, only scripts or images) — check the "
            "address, or that the page does not need JavaScript to show its content",
            code=codes.I023,
        )
    return ExtractedPage(
        text=text,
        title=_clean_title(meta.get("title")) or _title_from_html(root),
        published_at=_parse_page_date(meta.get("date")),
        lang=meta.get("language") or _declared_lang(root),
        site_name=meta.get("sitename"),
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed summary, content block): tags stripped,
    scripts and styles dropped, block elements on their own lines, entities resolved."""
    if not fragment.strip():
        return ""
    # control characters first: lxml parses some of them but refuses them when text is moved
    fragment = clean_input(fragment)
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for bad in root.iter(*_INVISIBLE_TAGS):
            bad.drop_tree()
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
                element.tail = "\n" + (element.tail or "")
    except (etree.ParserError, ValueError, AssertionError):  # lxml asserts "too many bodies"
        return fragment.strip()
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return clean_input("\n".join(line for line in lines if line)).strip()


def status_error(status: int, url: str) -> BirlikError | None:
    """The error an HTTP status means for a source: retry (5xx, 429) or quarantine (4xx)."""
    if status >= 500 or status in (408, 429):
        return SourceUnavailable(
            f"{url} answered HTTP {status} — the server is failing or busy; it will be retried",
            code=codes.S011,
        )
    if status >= 400:
        return BadInput(
            f"{url} answered HTTP {status} — check the address (moved, removed or private?)",
            code=codes.C011,
        )
    return None


def read_capped(response: httpx.Response, *, limit: int, url: str) -> bytes:
    """The body of a streamed response, refusing bodies larger than ``limit`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(url, limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise _too_large(url, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def transport_failure(url: str, exc: Exception) -> SourceUnavailable:
    """Connection refused, DNS failure, timeout: the source is down now, retry later."""
    return SourceUnavailable(
        f"cannot reach {url}: {exc.__class__.__name__} {exc} — the server is down or the "
        "network is unavailable; it will be retried",
        code=codes.S010,
    )


def bad_url(url: str, exc: Exception) -> BadInput:
    return BadInput(
        f"{url!r} is not a usable http(s) address ({exc}) — fix the source's URL", code=codes.C010
    )


def conditional_headers(state: dict[str, Any], settings: Settings) -> dict[str, str]:
    """Request headers for a conditional GET from what the last poll saved."""
    headers = {"User-Agent": settings.user_agent}
    if state.get("etag"):
        headers["If-None-Match"] = str(state["etag"])
    if state.get("last_modified"):
        headers["If-Modified-Since"] = str(state["last_modified"])
    return headers


def remember_validators(state: dict[str, Any], response: HttpResponse) -> None:
    for header, key in (("etag", "etag"), ("last-modified", "last_modified")):
        if header in response.headers:
            state[key] = response.headers[header]


def decode_html(data: bytes, *, name: str, declared: str | None = None) -> str:
    """HTML bytes to text, trusting a declared charset (header, then meta) before detection."""
    return decode_bytes(data, name=name, declared=declared or declared_html_charset(data))


@register("web")
class WebConnector:
    """One page per source: ``location`` is its URL. Conditional GET like ``rss``."""

    kind = "web"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]:
        url = source.location
        response = _http_get(url, conditional_headers(source.state, self.settings), self.settings)
        if response.not_modified:
            log.info("%s not modified since last poll", url)
            return
        if response.media_type not in _HTML_TYPES:
            raise BadInput(
                f"{url} is {response.media_type}, not an HTML page — use a 'files' source for "
                "documents, or an 'rss' source for feeds",
                code=codes.C015,
            )
        html = decode_html(response.content, name=url, declared=response.charset)
        page = extract_html(html, response.url)
        remember_validators(source.state, response)
        yield RawItem(
            key=url,
            text=page.text,
            title=page.title,
            url=response.url,
            published_at=page.published_at,
            lang_hint=source.options.get("lang") or _short_lang(page.lang),
            content_type="text/html",
            extra={"site_name": page.site_name} if page.site_name else {},
        )


def _http_get(url: str, headers: dict[str, str], settings: Settings) -> HttpResponse:
    """The connector's only network access."""
    return http_get(url, headers, settings)


def http_get(url: str, headers: dict[str, str], settings: Settings) -> HttpResponse:
    """GET ``url`` with a timeout and a size cap; statuses and transport failures become
    ``SourceUnavailable`` (retry) or ``BadInput`` (quarantine). 304 comes back as a response.
    Connectors call it only from their own private ``_http_get``."""
    try:
        with (
            httpx.Client(timeout=settings.http_timeout, follow_redirects=True) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            error = status_error(response.status_code, url)
            if error is not None:
                raise error
            body = b"" if response.status_code == 304 else read_capped(
                response, limit=settings.max_file_bytes, url=url
            )
            return HttpResponse(
                url=str(response.url), status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()}, content=body,
            )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise bad_url(url, exc) from exc
    except httpx.TransportError as exc:
        raise transport_failure(url, exc) from exc


def _too_large(url: str, limit: int) -> BadInput:
    return BadInput(
        f"{url} is larger than {limit // (1024 * 1024)} MB — raise BIRLIK_MAX_FILE_BYTES if this "
        "page is really wanted",
        code=codes.C017,
    )


def _trafilatura_extract(html: str, url: str | None, where: str) -> dict[str, Any]:
    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except (ValueError, etree.LxmlError) as exc:
        # trafilatura lets lxml's errors through on badly broken markup: the caller falls back.
        log.debug("trafilatura failed on %s: %s", where, exc)
        return {}
    if found is None:
        return {}
    return found if isinstance(found, dict) else dict(found.as_dict())


def _parse_document(html: str) -> Any:
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _visible_text(root: Any) -> str:
    body = root.find("body")
    target = body if body is not None else root
    return html_to_text(str(lxml_html.tostring(target, encoding="unicode")))


def _title_from_html(root: Any) -> str | None:
    if root is None:
        return None
    for xpath in ('//meta[@property="og:title"]/@content', "//title/text()"):
        found = root.xpath(xpath)
        if isinstance(found, list) and found:
            title = _clean_title(str(found[0]))
            if title:
                return title
    return None


def _declared_lang(root: Any) -> str | None:
    if root is None:
        return None
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    return str(lang) if lang else None


def _clean_title(title: object) -> str | None:
    if not isinstance(title, str):
        return None
    cleaned = " ".join(clean_input(title).split())
    return cleaned or None


def _parse_page_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _short_lang(lang: object) -> str | None:
    if not isinstance(lang, str) or not lang:
        return None
    return lang.split("-")[0].split("_")[0].lower()
