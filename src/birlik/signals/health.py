"""Source health: a source gone silent, a drop in its volume, a spike of parse failures.

Only sources that are polled (``rss``, ``web``, or any source with the option
``watch_health=true``) can go silent or drop; a folder ingested once is not expected to
keep producing. Volumes are counted by the time documents were *fetched*, over rolling
24-hour windows ending now, so a partly elapsed day never looks like a drop.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from birlik.signals.indicators import kz_day
from birlik.signals.rules import Finding, HealthRule, Severity
from birlik.store.models import DocumentRow, QuarantineRow, SourceRow
from birlik.store.types import as_utc

POLLED_KINDS = frozenset({"rss", "web"})
DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceVolume:
    source_id: int
    daily: list[int]
    """Documents fetched in each 24-hour window, the most recent first."""
    latest: datetime | None


def evaluate_health(session: Session, now: datetime, rule: HealthRule) -> list[Finding]:
    if not rule.enabled:
        return []
    sources = [row for row in session.scalars(select(SourceRow).where(SourceRow.enabled.is_(True)))]
    volumes = source_volumes(session, now, rule.volume_history_days + 1)
    findings: list[Finding] = []
    for source in sources:
        volume = volumes.get(source.id)
        if _watched(source):
            findings.extend(_silent(source, volume, now, rule))
            findings.extend(_volume_drop(source, volume, now, rule))
    findings.extend(_parse_failures(session, {s.name: volumes.get(s.id) for s in sources}, now, rule))
    return findings


def _watched(source: SourceRow) -> bool:
    return source.kind in POLLED_KINDS or bool(source.options.get("watch_health"))


def source_volumes(session: Session, now: datetime, windows: int) -> dict[int, SourceVolume]:
    """Documents fetched per source in each of ``windows`` 24-hour windows ending at ``now``."""
    since = now - windows * DAY
    columns = [
        func.sum(
            case(
                (
                    and_(
                        DocumentRow.fetched_at > now - (k + 1) * DAY, DocumentRow.fetched_at <= now - k * DAY
                    ),
                    1,
                ),
                else_=0,
            )
        )
        for k in range(windows)
    ]
    rows = session.execute(
        select(DocumentRow.source_id, func.max(DocumentRow.fetched_at), *columns)
        .where(DocumentRow.source_id.is_not(None), DocumentRow.fetched_at > since)
        .group_by(DocumentRow.source_id)
    )
    out = {
        int(row[0]): SourceVolume(source_id=int(row[0]), latest=row[1], daily=[int(v or 0) for v in row[2:]])
        for row in rows
    }
    missing = (
        select(DocumentRow.source_id, func.max(DocumentRow.fetched_at))
        .where(DocumentRow.source_id.is_not(None))
        .group_by(DocumentRow.source_id)
    )
    for source_id, latest in session.execute(missing):
        if source_id is not None and source_id not in out:
            out[int(source_id)] = SourceVolume(source_id=int(source_id), latest=latest, daily=[0] * windows)
    return out


def _silent(source: SourceRow, volume: SourceVolume | None, now: datetime, rule: HealthRule) -> list[Finding]:
    limit = timedelta(hours=rule.silent_hours)
    last_document = as_utc(volume.latest) if volume and volume.latest else None
    last_ok = as_utc(source.last_ok_at) if source.last_ok_at else None
    reference = last_document or as_utc(source.created_at)
    reasons: list[str] = []
    if source.last_polled_at is not None and (last_ok is None or now - last_ok > limit):
        reasons.append(
            f"no successful poll since {last_ok.isoformat() if last_ok else 'ever'}"
            + (f" ({source.last_error[:200]})" if source.last_error else "")
        )
    if now - reference > limit:
        reasons.append(f"no new document since {reference.isoformat()}")
    if not reasons:
        return []
    return [
        _finding(
            "source_silent",
            source.name,
            now,
            "medium",
            f"Source {source.name} is silent: " + "; ".join(reasons),
            rule,
            {"reasons": reasons},
        )
    ]


def _volume_drop(
    source: SourceRow, volume: SourceVolume | None, now: datetime, rule: HealthRule
) -> list[Finding]:
    if volume is None or len(volume.daily) < 4:
        return []
    usual = statistics.median(volume.daily[1:])
    last = volume.daily[0]
    if usual < rule.volume_min_baseline or last >= rule.volume_drop_ratio * usual or last == 0:
        # no documents at all is the silent rule's business, not a drop
        return []
    severity: Severity = "medium" if last < rule.volume_drop_ratio * usual / 2 else "low"
    title = f"Source {source.name} dropped to {last} documents in 24 h (usually {usual:g})"
    return [
        _finding(
            "source_volume_drop",
            source.name,
            now,
            severity,
            title,
            rule,
            {"last_24h": last, "usual": usual, "daily": volume.daily},
        )
    ]


def _parse_failures(
    session: Session, volumes: dict[str, SourceVolume | None], now: datetime, rule: HealthRule
) -> list[Finding]:
    rows = session.execute(
        select(QuarantineRow.source_name, func.count(), func.min(QuarantineRow.code))
        .where(QuarantineRow.updated_at > now - DAY, QuarantineRow.resolved_at.is_(None))
        .group_by(QuarantineRow.source_name)
    )
    findings: list[Finding] = []
    for name, failures, code in rows:
        volume = volumes.get(name)
        delivered = volume.daily[0] if volume else 0
        share = failures / (failures + delivered)
        if failures < rule.parse_failure_min or share < rule.parse_failure_ratio:
            continue
        severity: Severity = "medium" if share >= 0.75 else "low"
        title = f"Source {name}: {failures} items failed in 24 h ({share:.0%} of what it delivered)"
        findings.append(
            _finding(
                "parse_failures",
                name,
                now,
                severity,
                title,
                rule,
                {
                    "failures": failures,
                    "delivered": delivered,
                    "share": round(share, 3),
                    "example_code": code,
                },
            )
        )
    return findings


def _finding(
    kind: str,
    source: str,
    now: datetime,
    severity: Severity,
    title: str,
    rule: HealthRule,
    details: dict[str, object],
) -> Finding:
    return Finding(
        kind=kind,
        subject=source,
        day=kz_day(now),
        severity=severity,
        title=title,
        window_days=rule.window_days,
        source_name=source,
        details=dict(details),
    )
