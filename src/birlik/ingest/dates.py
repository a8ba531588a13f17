"""Date sanity: a publication date the system cannot believe is flagged, not trusted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

ALMATY = timezone(timedelta(hours=5), "Asia/Almaty")


def as_aware(moment: datetime) -> datetime:
    """A date without a zone is taken as Kazakhstan time (UTC+5)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ALMATY)


def check_published_at(
    published_at: datetime | None, *, now: datetime, earliest: date, future_tolerance: timedelta
) -> tuple[datetime | None, str | None]:
    """The date to trust (or None) and a flag saying why a date was not trusted."""
    if published_at is None:
        return None, None
    moment = as_aware(published_at)
    if moment > now + future_tolerance:
        return None, "future"
    if moment.astimezone(UTC).date() < earliest:
        return None, "before_1991"
    return moment, None
