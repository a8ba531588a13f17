"""Kind ``posts``: JSONL or CSV exports of social-media posts, read as a stream.

A file of any size is read line by line (row by row for CSV); only one post is in memory at a
time. Which column holds what is set in ``source.options["fields"]`` (``text``, ``author``,
``time``, ``url``, ``platform``, ``id``, ``title``; dotted paths reach into JSON objects, e.g.
``"user.screen_name"``); without it the usual names are tried. Other fields go to ``extra``.

Authors are pseudonymised at the edge with a keyed hash (``pseudonymise``): the clear name
never appears in the ``RawItem`` — it is also scrubbed from ``extra`` and a URL that
contains it is dropped (``extra["url_withheld"]``). The text of the post is left as written.

Options: ``fields``, ``format`` (``jsonl``/``csv``, else from the extension), ``delimiter``
(CSV; sniffed by default), ``encoding`` (CSV; sniffed by default), ``timezone`` (for times
without an offset; default UTC), ``platform`` (when the file has none), ``lang``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from birlik.connectors.base import FetchResult, Rejected, SourceConfig, register
from birlik.connectors.decode import sniff_encoding
from birlik.domain import codes
from birlik.domain.codes import Code
from birlik.domain.errors import BadInput, ConfigError
from birlik.domain.records import RawItem
from birlik.domain.safejson import bounded_lines, loads_bounded
from birlik.domain.text import clean_input
from birlik.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "body", "content", "full_text"),
    "author": ("author", "user", "username", "screen_name", "from", "author_name"),
    "time": ("created_at", "date", "time", "timestamp", "published_at"),
    "url": ("url", "link", "permalink"),
    "platform": ("platform", "network"),
    "id": ("id", "post_id", "message_id"),
    "title": ("title",),
}
# Fields that identify a person even when another field is mapped to the author.
_IDENTITY_FIELDS = frozenset({
    "author", "user", "username", "screen_name", "from", "from_id", "author_id", "user_id",
    "author_name", "user_name", "name", "handle", "nickname", "profile", "profile_url",
    "author_url", "user_url", "email", "phone",
})
_DOTTED_DATE = re.compile(
    r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$"
)
_TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"
_PSEUDONYM_HEX = 16
_SNIFF_BYTES = 64 * 1024
_PAYLOAD_BYTES = 64 * 1024  # of a bad line, kept in quarantine to look at
_MIN_SUBSTRING = 3  # shorter author names are scrubbed only where they are the whole value


def pseudonymise(author: str, key: str) -> str:
    """``anon:`` + 16 hex chars of HMAC-SHA256 over the normalised author (case, ``@``)."""
    normal = author.strip().lstrip("@").casefold()
    digest = hmac.new(key.encode("utf-8"), normal.encode("utf-8"), hashlib.sha256).hexdigest()
    return "anon:" + digest[:_PSEUDONYM_HEX]


def parse_post_time(value: Any, zone: tzinfo = UTC) -> datetime | None:
    """ISO 8601, unix seconds (or milliseconds), ``DD.MM.YYYY[ HH:MM[:SS]]`` or the Twitter
    format, as an aware UTC datetime; times without an offset are read in ``zone``."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int | float):
        return _from_unix(float(value))
    text = str(value).strip()
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        return _from_unix(float(text))
    parsed = _parse_text_time(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def resolve_zone(name: str | None) -> tzinfo:
    """An IANA zone name (``Asia/Almaty``) or a fixed offset (``+05:00``); ``None`` is UTC."""
    if not name or name.upper() == "UTC":
        return UTC
    offset = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"unknown timezone {name!r} — use an IANA name such as Asia/Almaty or an offset "
            "such as +05:00",
            code=codes.C031,
        ) from exc


@register("posts")
class PostsConnector:
    kind = "posts"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, source: SourceConfig, since: datetime | None, *, skip: int = 0) -> Iterator[FetchResult]:
        """The records of the export; ``skip`` (with ``since`` None: one record per row) passes
        over the first rows without converting them — a backfill partition starts at its
        range, not at the file's first record (JSONL lines are counted, not parsed)."""
        if since is not None and skip:  # records are filtered by date: not one per row
            yield from itertools.islice(self.fetch(source, since), skip, None)
            return
        path = Path(source.location).expanduser().absolute()
        if not path.is_file():
            raise BadInput(f"{path} is not a file — check the source's location", code=codes.C020)
        mapping = _field_mapping(source.options.get("fields"))
        zone = resolve_zone(source.options.get("timezone"))
        rows = self._rows(path, source.options, skip)
        for line_no, row in rows:
            if isinstance(row, _BadRow):
                log.warning("rejected %s line %d: %s", path, line_no, row.error)
                yield Rejected(key=f"{path}#{line_no}", error=row.error, payload=row.payload)
                continue
            result = self._to_item(row, path, line_no, mapping, zone, source)
            if isinstance(result, Rejected) or _not_older(result.published_at, since):
                yield result

    def _pseudonym(self, clear_author: str | None) -> str | None:
        return pseudonymise(clear_author, self.settings.pseudonym_key) if clear_author else None

    def _rows(self, path: Path, options: dict[str, Any], skip: int = 0) -> Iterator[tuple[int, Any]]:
        fmt = str(options.get("format") or path.suffix.lstrip(".")).lower()
        if fmt in ("jsonl", "ndjson", "json"):
            return _jsonl_rows(path, self.settings.max_file_bytes, self.settings.max_json_depth, skip)
        if fmt in ("csv", "tsv"):
            return itertools.islice(_csv_rows(path, options, tab=fmt == "tsv"), skip, None)
        raise BadInput(
            f"{path.name}: posts must be JSONL or CSV, not {fmt or 'no extension'} — rename the "
            "file or set the source option format to jsonl or csv",
            code=codes.C021,
        )

    def _to_item(
        self, row: Any, path: Path, line_no: int, mapping: dict[str, tuple[str, ...]],
        zone: tzinfo, source: SourceConfig,
    ) -> FetchResult:
        if not isinstance(row, dict):
            return _rejected(path, line_no, "is not a JSON object")
        found = {role: _pick(row, names) for role, names in mapping.items()}
        text = clean_input(_as_text(found["text"][1])).strip()
        if not text:
            return _rejected(path, line_no, f"has no text (looked in {', '.join(mapping['text'])})",
                             code=codes.I021, fix="set options.fields.text to the column of the text")
        clear_author = _author_name(found["author"][1])
        used = {name.split(".")[0] for name, _ in found.values() if name}
        extra = _scrub({k: v for k, v in row.items() if k not in used}, clear_author)
        url = _as_text(found["url"][1]) or None
        if url and clear_author and _is_author(url, clear_author.casefold().lstrip("@")):
            url, extra["url_withheld"] = None, "the address contained the author's name"
        raw_time = found["time"][1]
        published = parse_post_time(raw_time, zone)
        if raw_time not in (None, "") and published is None:
            extra["unparsed_time"] = str(raw_time)
        post_id = _as_text(found["id"][1])
        return RawItem(
            key=f"{path}#{post_id or line_no}",
            text=text,
            title=_as_text(found["title"][1]) or None,
            url=url,
            published_at=published,
            author=self._pseudonym(clear_author),
            platform=_as_text(found["platform"][1]) or source.options.get("platform"),
            lang_hint=source.options.get("lang"),
            content_type="text/plain",
            extra={**extra, "line": line_no, **({"id": post_id} if post_id else {})},
        )


@dataclass(frozen=True, slots=True)
class _BadRow:
    error: BadInput
    payload: bytes | None = None


def _not_older(published: datetime | None, since: datetime | None) -> bool:
    return since is None or published is None or published >= since


def _jsonl_rows(path: Path, max_line_bytes: int, max_depth: int, skip: int = 0) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or ``_BadRow``) of each line but blank ones; the first
    ``skip`` of these rows are counted, not parsed."""
    with path.open("rb") as stream:
        for line_no, line in enumerate(bounded_lines(stream, max_line_bytes), start=1):
            if skip:
                if line is None or (line.removeprefix(b"\xef\xbb\xbf") if line_no == 1 else line).strip():
                    skip -= 1
                continue
            if line is None:
                too_long = f"is longer than {max_line_bytes} bytes"
                yield line_no, _BadRow(_line_error(path, line_no, too_long))
                continue
            if line_no == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            try:
                yield line_no, loads_bounded(line.decode("utf-8"), max_depth=max_depth,
                                             where=f"{path.name} line {line_no}")
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                error = _line_error(path, line_no, f"is not valid JSON ({exc})")
                yield line_no, _BadRow(error, line[:_PAYLOAD_BYTES])
            except BadInput as exc:  # nested too deep
                yield line_no, _BadRow(exc, line[:_PAYLOAD_BYTES])


def _csv_rows(path: Path, options: dict[str, Any], *, tab: bool) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as raw:
        sample = raw.read(_SNIFF_BYTES)
    encoding = options.get("encoding") or sniff_encoding(sample, name=str(path))
    delimiter = options.get("delimiter") or ("\t" if tab else _sniff_delimiter(sample, encoding))
    with path.open("r", encoding=encoding, errors="replace", newline="") as stream:
        reader = csv.DictReader(stream, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                error = _line_error(path, reader.line_num, f"is not valid CSV ({exc})")
                yield reader.line_num, _BadRow(error)
                continue
            if None in row:  # more cells than header columns
                extra_cells = row.pop(None)
                row["_extra_cells"] = extra_cells
            yield reader.line_num, {k.lstrip("\ufeff"): v for k, v in row.items() if k}


def _sniff_delimiter(sample: bytes, encoding: str) -> str:
    head = sample.decode(encoding, errors="replace").split("\n", 1)[0]
    counts = {sep: head.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _field_mapping(configured: Any) -> dict[str, tuple[str, ...]]:
    if configured is None:
        return dict(DEFAULT_FIELDS)
    if not isinstance(configured, dict) or not all(isinstance(v, str) for v in configured.values()):
        raise ConfigError(
            'options.fields must map roles to field names, e.g. {"text": "message"} — fix the '
            "source's options",
            code=codes.C030,
        )
    unknown = set(configured) - set(DEFAULT_FIELDS)
    if unknown:
        raise ConfigError(
            f"options.fields has unknown roles {sorted(unknown)} — use {sorted(DEFAULT_FIELDS)}",
            code=codes.C030,
        )
    return {role: (configured[role],) if role in configured else names
            for role, names in DEFAULT_FIELDS.items()}


def _pick(row: dict[str, Any], names: Iterable[str]) -> tuple[str | None, Any]:
    """The first of ``names`` present in ``row`` (dotted names reach into objects)."""
    for name in names:
        value: Any = row
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value not in (None, ""):
            return name, value
    return None, None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(_as_text(part) for part in value)
    if isinstance(value, dict):
        return _as_text(value.get("text"))
    return str(value).strip()


def _author_name(value: Any) -> str | None:
    if isinstance(value, dict):
        for name in ("username", "screen_name", "login", "id", "name"):
            if value.get(name) not in (None, ""):
                return str(value[name]).strip() or None
        return None
    text = _as_text(value)
    return text or None


def _scrub(extra: dict[str, Any], clear_author: str | None) -> dict[str, Any]:
    """Drop identity fields and anything equal to the clear author, at any depth."""
    folded = clear_author.casefold().lstrip("@") if clear_author else None
    return {k: _scrub_value(v, folded) for k, v in extra.items()
            if k.lower() not in _IDENTITY_FIELDS and not _is_author(v, folded)}


def _scrub_value(value: Any, folded: str | None) -> Any:
    if isinstance(value, dict):
        return {k: _scrub_value(v, folded) for k, v in value.items()
                if str(k).lower() not in _IDENTITY_FIELDS and not _is_author(v, folded)}
    if isinstance(value, list):
        return [_scrub_value(v, folded) for v in value if not _is_author(v, folded)]
    return value


def _is_author(value: Any, folded: str | None) -> bool:
    if not folded or not isinstance(value, str | int) or isinstance(value, bool):
        return False
    text = str(value).casefold()
    return folded in text if len(folded) >= _MIN_SUBSTRING else folded == text


def _parse_text_time(text: str) -> datetime | None:
    dotted = _DOTTED_DATE.match(text)
    if dotted:
        day, month, year, hour, minute, second = dotted.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                            int(second or 0))
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace(" UTC", "+00:00"))
    except ValueError:
        pass
    try:
        return datetime.strptime(text, _TWITTER_TIME)
    except ValueError:
        return None


def _from_unix(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _line_error(path: Path, line_no: int, problem: str) -> BadInput:
    return BadInput(
        f"{path.name} line {line_no} {problem} — fix or remove that line; the others were read",
        code=codes.I020,
    )


def _rejected(path: Path, line_no: int, problem: str, *, code: Code[BadInput] = codes.I020,
              fix: str = "fix or remove that line") -> Rejected:
    error = BadInput(f"{path.name} line {line_no} {problem} — {fix}", code=code)
    log.warning("rejected %s line %d: %s", path, line_no, error)
    return Rejected(key=f"{path}#{line_no}", error=error)
