"""Bytes to text at the edge: byte-order marks and UTF-8 first, then legacy Cyrillic code pages.

Kazakhstan's files still come in windows-1251, KOI8-R, cp866 and KZ-1048; charset-normalizer
picks among them. Binary content (images, archives, random bytes named ``.txt``) is refused
with ``I010`` instead of being turned into a page of mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

from birlik.domain import codes
from birlik.domain.errors import BadInput

log = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CANDIDATES = [
    "cp1251", "koi8_r", "cp866", "kz1048", "iso8859_5", "mac_cyrillic",
    "cp1252", "iso8859_1", "utf_16",
]
_MAX_UNPRINTABLE_RATIO = 0.02
_SAMPLE_CHARS = 200_000
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_bytes(data: bytes, *, name: str, declared: str | None = None) -> str:
    """Decode ``data`` (the content of ``name``) to text or raise ``BadInput``.

    Order: byte-order mark, the ``declared`` charset (HTTP header, HTML meta), strict UTF-8,
    then detection among Cyrillic and Western code pages. Empty or whitespace-only content is
    ``I011``; binary content is ``I010``.
    """
    if not data.strip():
        raise _empty_error(name)
    text = _decode(data, name=name, declared=declared)
    _refuse_binary(text, name=name)
    if not text.strip():
        raise _empty_error(name)
    return text


def sniff_encoding(sample: bytes, *, name: str) -> str:
    """The codec of a file judged from its first bytes (for files read as a stream)."""
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec
    if _is_utf8(sample):
        return "utf-8"
    best = from_bytes(sample, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise _binary_error(name)
    return str(best.encoding)


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag near its top, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _decode(data: bytes, *, name: str, declared: str | None) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if b"\x00" in data:
        raise _binary_error(name)
    if declared:
        decoded = _try_declared(data, declared)
        if decoded is not None:
            return decoded
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            # A UTF-8 file cut in the middle of its last character: keep what is whole.
            return data[: exc.start].decode("utf-8")
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        raise _binary_error(name)
    log.debug("%s decoded as %s", name, best.encoding)
    return str(best)


def _try_declared(data: bytes, declared: str) -> str | None:
    try:
        info = codecs.lookup(declared.strip().lower())
    except LookupError:
        log.debug("unknown declared charset %r, detecting instead", declared)
        return None
    if not getattr(info, "_is_text_encoding", True):  # "uu", "zlib", "base64": bytes codecs
        log.debug("declared charset %r is not a text encoding, detecting instead", declared)
        return None
    try:
        return data.decode(info.name)
    except (UnicodeError, LookupError, ValueError):  # some text codecs raise their own errors
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of a sample is still UTF-8.
        return len(data) - exc.start < 4 and exc.reason == "unexpected end of data"
    return True


def _refuse_binary(text: str, *, name: str) -> None:
    sample = text[:_SAMPLE_CHARS]
    unprintable = sum(1 for ch in sample if _is_unprintable(ch))
    if sample and unprintable / len(sample) > _MAX_UNPRINTABLE_RATIO:
        raise _binary_error(name)


def _is_unprintable(ch: str) -> bool:
    if ch in "\n\r\t\f\v":
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")


def _empty_error(name: str) -> BadInput:
    return BadInput(f"{name} is empty — nothing to read; remove it or export it again", code=codes.I011)


def _binary_error(name: str) -> BadInput:
    return BadInput(
        f"{name} looks like binary data, not text (NUL bytes or unprintable characters) — "
        "check that the file really is a text document, or give it its proper extension",
        code=codes.I010,
    )
