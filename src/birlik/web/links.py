"""Stored URLs as links: only ``http`` and ``https`` become an ``href``.

A document's URL comes from whatever a source published; rendered as a link, a
``javascript:`` or ``data:`` URL runs in the user's session when clicked. Every template that
turns a stored URL into a link goes through the ``safe_url`` filter (registered in ``app``);
anything else is shown as plain text. Browsers ignore leading and trailing control characters
and spaces and drop tabs and newlines anywhere in a URL ("\\x01 JaVa\\tScript:…"), so those are
removed before the scheme is read, and a URL that still holds a control character is refused.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https"})
_EDGES = "".join(chr(c) for c in range(0x21))  # C0 controls and the space
_DROPPED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(value: object) -> str | None:
    """``value`` as an ``href`` when it is an absolute http(s) URL; otherwise ``None``."""
    if not isinstance(value, str):
        return None
    url = _DROPPED.sub("", value.strip(_EDGES))
    if _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return url
