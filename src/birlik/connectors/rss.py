"""Kind ``rss``: an RSS or Atom feed, by URL or local file path.

Polling is polite: a conditional GET sends the ETag and Last-Modified saved in
``source.state``; ``304 Not Modified`` yields nothing. ``is_due`` tells the scheduler whether
``options["poll_interval"]`` seconds have passed since ``state["last_polled_at"]``.

Broken feeds: a body feedparser cannot read as a feed at all is ``BadInput`` (C012). A feed
cut short in transfer (no closing ``</rss>``/``</feed>``) still yields the entries parsed before
the cut, except the last one, which may itself be cut; its validators are not saved, so the
next poll downloads it whole instead of getting a 304. Other XML faults (a stray ``&``) keep
every entry feedparser's lenient parser recovered, each marked ``extra["feed_error"]``.

``options["fetch_full"]`` downloads each entry's page and uses its main text (through
``web.extract_html``) instead of the summary; if that fails the summary is kept and the
reason is in ``extra["full_text_error"]``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser

from birlik.connectors.base import FetchResult, Rejected, SourceConfig, register
from birlik.connectors.web import (
    HttpResponse,
    conditional_headers,
    decode_html,
    extract_html,
    html_to_text,
    http_get,
    remember_validators,
)
from birlik.domain import codes
from birlik.domain.errors import BadInput, BirlikError
from birlik.domain.records import RawItem
from birlik.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 900
_FEED_END = re.compile(rb"</(?:\w+:)?(?:rss|feed|RDF)>\s*$")


def is_due(
    source: SourceConfig, now: datetime, default_interval: float = DEFAULT_POLL_INTERVAL
) -> bool:
    """Whether the feed should be polled at ``now`` (aware datetime): never polled, or
    ``options["poll_interval"]`` (else ``default_interval``, e.g. the setting
    ``default_poll_interval``) seconds have passed since ``state["last_polled_at"]``."""
    last = _as_datetime(source.state.get("last_polled_at"))
    if last is None:
        return True
    interval = float(source.options.get("poll_interval") or default_interval)
    return now - last >= timedelta(seconds=interval)


@register("rss")
class RssConnector:
    kind = "rss"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]:
        body = self._download(source)
        if body is None:
            return
        feed = _parse_feed(body, source.location)
        entries = list(feed.entries)
        truncated = bool(feed.bozo) and not _FEED_END.search(body.rstrip()[-200:])
        if truncated:
            log.warning("%s is truncated: %d entries before the cut, the last one dropped",
                        source.location, len(entries))
            entries = entries[:-1]
            source.state.pop("etag", None)
            source.state.pop("last_modified", None)
            if not entries:
                raise _not_a_feed(source.location, "cut short before its first whole entry")
        notes = {"feed_error": str(feed.get("bozo_exception"))} if feed.bozo else {}
        lang = source.options.get("lang") or _short_lang(feed.feed.get("language"))
        for index, entry in enumerate(entries):
            result = self._to_item(entry, index, source, lang, notes)
            if isinstance(result, RawItem) and since and result.published_at and (
                result.published_at < since
            ):
                continue
            yield result

    def _download(self, source: SourceConfig) -> bytes | None:
        """The feed's bytes, or ``None`` when the server says it has not changed."""
        location = source.location
        if not location.startswith(("http://", "https://")):
            body = _read_local(Path(location.removeprefix("file://")), self.settings.max_file_bytes)
            source.state["last_polled_at"] = datetime.now(UTC).isoformat()
            return body
        headers = conditional_headers(source.state, self.settings)
        response = _http_get(location, headers, self.settings)
        source.state["last_polled_at"] = datetime.now(UTC).isoformat()
        if response.not_modified:
            log.info("%s not modified since the last poll", location)
            return None
        remember_validators(source.state, response)
        return response.content

    def _to_item(
        self, entry: Any, index: int, source: SourceConfig, lang: str | None,
        notes: dict[str, Any],
    ) -> FetchResult:
        url = entry.get("link") or None
        title = html_to_text(entry.get("title") or "") or None
        key = entry.get("id") or url or _fallback_key(source.location, title, index)
        text = _entry_text(entry) or title or ""
        extra: dict[str, Any] = dict(notes)
        if source.options.get("fetch_full") and url:
            text, title = self._full_text(url, text, title, extra)
        if not text:
            return Rejected(key=key, error=BadInput(
                f"entry {index} of {source.location} has neither title nor text — nothing to "
                "analyse; check the feed",
                code=codes.I024,
            ))
        if entry.get("tags"):
            extra["categories"] = [tag.get("term") for tag in entry["tags"] if tag.get("term")]
        return RawItem(
            key=key,
            text=text,
            title=title,
            url=url,
            published_at=_entry_time(entry),
            author=entry.get("author") or None,
            lang_hint=lang,
            content_type="text/html",
            extra=extra,
        )

    def _full_text(
        self, url: str, summary: str, title: str | None, extra: dict[str, Any]
    ) -> tuple[str, str | None]:
        try:
            response = _http_get(url, {"User-Agent": self.settings.user_agent}, self.settings)
            page = extract_html(decode_html(response.content, name=url, declared=response.charset),
                                response.url)
        except BirlikError as exc:
            log.warning("full text of %s not fetched: %s", url, exc)
            extra["full_text_error"] = str(exc)
            return summary, title
        extra["summary"] = summary
        return page.text, title or page.title


def _parse_feed(body: bytes, location: str) -> Any:
    try:
        feed = feedparser.parse(body)
    except (ValueError, OverflowError, RecursionError, LookupError) as exc:
        # feedparser lets some errors of hostile markup through: &#x110000; is chr() out of range
        raise _not_a_feed(location, f"{exc.__class__.__name__}: {exc}") from exc
    if not feed.entries and (feed.bozo or not feed.get("version")):
        raise _not_a_feed(location, feed.get("bozo_exception") or "no RSS or Atom elements found")
    return feed


def _not_a_feed(location: str, reason: object) -> BadInput:
    return BadInput(
        f"{location} is not RSS/Atom: {reason} — check the URL (it may point to a web page; "
        "use a 'web' source for that)",
        code=codes.C012,
    )


def _read_local(path: Path, limit: int) -> bytes:
    if not path.is_file():
        raise BadInput(f"{path} does not exist — check the feed's location", code=codes.C020)
    if path.stat().st_size > limit:
        raise BadInput(
            f"{path} is larger than {limit // 1048576} MB — raise BIRLIK_MAX_FILE_BYTES",
            code=codes.C017,
        )
    return path.read_bytes()


def _entry_text(entry: Any) -> str:
    """The richest body an entry has: full content, else summary, as plain text."""
    contents = entry.get("content") or []
    candidates = [part.get("value", "") for part in contents] + [entry.get("summary") or ""]
    texts = [html_to_text(candidate) for candidate in candidates]
    return max(texts, key=len, default="")


def _entry_time(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(name)
        if parsed:
            year, month, day, hour, minute, second = parsed[:6]  # feedparser normalises to UTC
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return None


def _fallback_key(location: str, title: str | None, index: int) -> str:
    digest = hashlib.sha1((title or str(index)).encode("utf-8")).hexdigest()[:16]
    return f"{location}#{digest}"


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    else:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _short_lang(lang: Any) -> str | None:
    if not isinstance(lang, str) or not lang:
        return None
    return lang.split("-")[0].split("_")[0].lower()


def _http_get(url: str, headers: dict[str, str], settings: Settings) -> HttpResponse:
    """The connector's only network access (feeds and, with ``fetch_full``, their pages)."""
    return http_get(url, headers, settings)
