"""How a document is recognised when it comes again: canonical URL and content hash."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|_openstat|from|ref|share)$")
_SPACE = re.compile(r"\s+")


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no ``www.``/``m.``, no default port, fragment or
    tracking parameters, sorted query, no trailing slash. Non-web URLs pass as they are."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(key.lower())
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))


def content_hash(text: str) -> str:
    """Hash of the text with case and spacing folded: a reprint with other line breaks
    is the same item."""
    folded = _SPACE.sub(" ", text).strip().lower()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
