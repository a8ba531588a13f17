"""Kind ``telegram``: a channel or group exported by Telegram Desktop (``result.json``).

``location`` is the ``result.json`` file or the export folder holding it. Service messages
(joins, pins) and messages without text (photo only) are skipped. The sender is pseudonymised
like the authors of ``posts``; ``from``/``from_id`` never reach the item. The message URL is
``https://t.me/<channel_username>/<id>`` when ``options["channel_username"]`` is set (exports
do not record it). ``date_unixtime`` is preferred to ``date``, which is the exporting machine's
local time (read in ``options["timezone"]``, default UTC). The export is read as a stream
(``_ExportReader``): messages before a damaged or cut-off spot are yielded, then ``C014``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from birlik.connectors.base import FetchResult, Rejected, SourceConfig, register
from birlik.connectors.posts import parse_post_time, pseudonymise, resolve_zone
from birlik.domain import codes
from birlik.domain.errors import BadInput
from birlik.domain.records import RawItem
from birlik.domain.safejson import depth_exceeds, loads_bounded, too_deep, without_surrogates
from birlik.domain.text import clean_input
from birlik.settings import Settings

log = logging.getLogger(__name__)

_MESSAGES_KEY = re.compile(r'(?<!\\)"messages"\s*:\s*\[')
_CHANNEL_TYPES = frozenset({"public_channel", "private_channel", "public_supergroup"})


@register("telegram")
class TelegramConnector:
    kind = "telegram"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, source: SourceConfig, since: datetime | None) -> Iterator[FetchResult]:
        path = _export_file(Path(source.location).expanduser().absolute())
        username = str(source.options.get("channel_username") or "").lstrip("@") or None
        zone = resolve_zone(source.options.get("timezone"))
        with path.open("r", encoding="utf-8", errors="strict") as stream:
            max_depth = self.settings.max_json_depth
            reader = _ExportReader(stream, path, max_depth)
            chat = _chat_info(reader.header())
            for index, message in enumerate(reader.messages()):
                if not isinstance(message, dict):
                    yield _rejected(path, f"message {index}", "is not a JSON object")
                    continue
                if depth_exceeds(message, max_depth):
                    yield Rejected(key=f"{path}#message {index}",
                                   error=too_deep(f"{path.name}: message {index}", max_depth))
                    continue
                message = without_surrogates(message)
                if message.get("type", "message") != "message":
                    continue
                result = self._to_item(message, path, username, zone, chat, source)
                if result is not None and not _older(result, since):
                    yield result

    def _to_item(
        self, message: dict[str, Any], path: Path, username: str | None, zone: tzinfo,
        chat: dict[str, Any], source: SourceConfig,
    ) -> FetchResult | None:
        message_id = message.get("id")
        if not isinstance(message_id, int | str) or isinstance(message_id, bool):
            return _rejected(path, "a message", "has no id")
        text = clean_input(flatten_text(message.get("text"))).strip()
        if not text:
            return None
        sender = message.get("from_id") or message.get("from")
        published = parse_post_time(message.get("date_unixtime"), zone) or parse_post_time(
            message.get("date"), zone
        )
        return RawItem(
            key=f"{path}#{message_id}",
            text=text,
            url=f"https://t.me/{username}/{message_id}" if username else None,
            published_at=published,
            author=pseudonymise(str(sender), self.settings.pseudonym_key) if sender else None,
            platform="telegram",
            lang_hint=source.options.get("lang"),
            content_type="text/plain",
            extra={**chat, **self._message_extra(message)},
        )

    def _message_extra(self, message: dict[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {"message_id": message.get("id")}
        for name in ("reply_to_message_id", "edited", "media_type"):
            if message.get(name) is not None:
                extra[name] = message[name]
        forwarded = message.get("forwarded_from")
        if forwarded:
            extra["forwarded_from"] = pseudonymise(str(forwarded), self.settings.pseudonym_key)
        links = _links(message.get("text"))
        if links:
            extra["links"] = links
        return extra


class _ExportReader:
    """Reads ``result.json`` as a stream: the header, then one message at a time, so an
    export of any size needs memory for one message only. Telegram Desktop writes the
    ``messages`` array last, after ``name``, ``type`` and ``id``."""

    _CHUNK = 1024 * 1024

    def __init__(self, stream: TextIO, path: Path, max_depth: int) -> None:
        self._stream, self._path, self._max_depth = stream, path, max_depth
        self._buffer, self._pos, self._eof = "", 0, False
        self._decoder = json.JSONDecoder()

    def header(self) -> dict[str, Any]:
        while (match := _MESSAGES_KEY.search(self._buffer)) is None:  # _pos stays 0 here
            if not self._read_more():
                raise _malformed(self._path, "has no list of messages")
        head = self._buffer[: match.start()].rstrip()
        if not head.lstrip().startswith("{"):
            raise _malformed(self._path, "is not a JSON object")
        try:
            parsed = loads_bounded(head + ' "messages": []}', max_depth=self._max_depth,
                                   where=f"{self._path} header")
        except ValueError as exc:  # JSONDecodeError, or a number of more than 4,300 digits
            raise _malformed(self._path, f"has a damaged header ({exc})") from exc
        self._pos = match.end()
        return dict(parsed)

    def messages(self) -> Iterator[Any]:
        while True:
            self._skip(" \t\r\n,")
            if self._pos < len(self._buffer) and self._buffer[self._pos] == "]":
                return
            try:
                message, end = self._decoder.raw_decode(self._buffer, self._pos)
            except RecursionError:  # where the message ends is unknown: the rest is lost
                raise too_deep(f"{self._path}: a message", self._max_depth) from None
            except ValueError as exc:  # JSONDecodeError, or a number of more than 4,300 digits
                if isinstance(exc, json.JSONDecodeError) and self._read_more():
                    continue
                raise _malformed(self._path, f"is cut short or damaged ({exc})") from exc
            self._pos = end
            yield message

    def _skip(self, characters: str) -> None:
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in characters:
                self._pos += 1
            if self._pos < len(self._buffer) or not self._read_more():
                return

    def _read_more(self) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._stream.read(self._CHUNK)
        except UnicodeDecodeError as exc:
            raise _malformed(self._path, f"is not UTF-8 JSON ({exc.reason})") from exc
        self._eof = not chunk
        self._buffer = self._buffer[self._pos :] + chunk  # drop what was already read
        self._pos = 0
        return bool(chunk)


def _older(result: FetchResult, since: datetime | None) -> bool:
    return (
        since is not None
        and isinstance(result, RawItem)
        and result.published_at is not None
        and result.published_at < since
    )


def flatten_text(value: Any) -> str:
    """Telegram's ``text``: a string, or a list of strings and ``{"type", "text"}`` entities."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(flatten_text(part) for part in value)
    if isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _links(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(part["href"]) for part in value if isinstance(part, dict) and part.get("href")]


def _chat_info(export: dict[str, Any]) -> dict[str, Any]:
    """Name and id of the chat, kept only for channels (a private chat's name is a person's)."""
    if export.get("type") not in _CHANNEL_TYPES:
        return {"chat_type": export.get("type")}
    return {
        "chat_type": export.get("type"),
        "chat_name": export.get("name"),
        "chat_id": export.get("id"),
    }


def _export_file(location: Path) -> Path:
    path = location / "result.json" if location.is_dir() else location
    if not path.is_file():
        raise BadInput(
            f"{path} does not exist — point the source at a Telegram Desktop export "
            "(result.json, exported as 'Machine-readable JSON')",
            code=codes.C020,
        )
    return path


def _malformed(path: Path, problem: str) -> BadInput:
    return BadInput(
        f"{path} {problem} — it is not a Telegram Desktop export; export the channel again "
        "with the format 'Machine-readable JSON'",
        code=codes.C014,
    )


def _rejected(path: Path, where: str, problem: str) -> Rejected:
    return Rejected(
        key=f"{path}#{where}",
        error=BadInput(f"{path.name}: {where} {problem} — check the export", code=codes.I022),
    )
