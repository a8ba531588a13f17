"""Times as the reader sees them: Kazakhstan time (Asia/Almaty, UTC+5) with the zone shown."""

from __future__ import annotations

from datetime import date, datetime

from birlik.ingest.dates import ALMATY, as_aware

ZONE_LABEL = "Asia/Almaty (UTC+5)"


def local_time(value: datetime | date | str | None, *, seconds: bool = False) -> str:
    """``2026-03-21 19:05 Asia/Almaty (UTC+5)``; a stored moment (aware, naive UTC+5 or ISO text);
    ``—`` for none; a bare date stays a date."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return local_time(parsed, seconds=seconds)
    if not isinstance(value, datetime):
        return value.isoformat()
    moment = as_aware(value).astimezone(ALMATY)
    return f"{moment.strftime('%Y-%m-%d %H:%M:%S' if seconds else '%Y-%m-%d %H:%M')} {ZONE_LABEL}"
