"""Alerts: findings become one alert per subject and episode, with a lifecycle.

An *episode* is a run of findings of one kind about one subject (a region, a story, a
source) with gaps no longer than the rule's ``window_days``: later findings update the alert
of the episode (its last day, occurrences, the metrics seen, a higher severity) instead of
raising a new one. The alert's ``key`` (kind, subject, first day) is unique, so evaluating
the same day again never raises it twice.

Lifecycle: new → acknowledged → escalated (opens a case, see ``birlik.cases``) or
dismissed (with a reason) → closed. A new alert and a raised severity put notifications in
the outbox in the same transaction (``notify.deliver_pending`` sends them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import AlertError, NotFound
from birlik.signals.rules import SEVERITY_RANK, Finding, Targets, region_name
from birlik.store.models import utcnow
from birlik.store.models_signals import AlertEventRow, AlertRow, OutboxRow

STATUSES: tuple[str, ...] = ("new", "acknowledged", "escalated", "dismissed", "closed")
TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "new": ("acknowledged", "dismissed"),
    "acknowledged": ("escalated", "dismissed"),
    "escalated": ("closed",),
    "dismissed": ("closed",),
    "closed": (),
}
OPEN_STATUSES: tuple[str, ...] = ("new", "acknowledged", "escalated")
"""Alerts still being worked: the inbox shows these unless asked for others."""
SYSTEM_ACTOR = "birlik"

Recipients = Callable[[str | None], Targets]
"""The notification targets of an alert about a region (None: not about a region)."""


@dataclass(slots=True)
class RecordReport:
    created: list[AlertRow] = field(default_factory=list)
    raised: list[AlertRow] = field(default_factory=list)
    """Alerts whose severity went up."""
    continued: int = 0
    notifications: int = 0


# --- episodes ---------------------------------------------------------------------------


def continues(first_day: date, last_day: date, day: date, window_days: int) -> bool:
    """Whether a finding on ``day`` belongs to the episode ``first_day``–``last_day``."""
    return first_day <= day and (day - last_day).days <= window_days


def merge_details(kind: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Details of an episode after one more finding: surges keep the strongest day per metric."""
    if kind != "surge":
        return {**old, **new}
    metrics = {m["metric"]: m for m in old.get("metrics", [])}
    for metric in new.get("metrics", []):
        seen = metrics.get(metric["metric"])
        if seen is None or metric["z"] > seen["z"]:
            metrics[metric["metric"]] = metric
    ordered = sorted(metrics.values(), key=lambda m: (-SEVERITY_RANK[m["severity"]], -m["z"], m["metric"]))
    return {**old, **new, "metrics": ordered}


def alert_key(finding: Finding) -> str:
    subject = finding.subject if len(finding.subject) <= 200 else _digest(finding.subject)
    return f"{finding.kind}:{subject}:{finding.day.isoformat()}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


# --- recording findings -------------------------------------------------------------------


def record_findings(
    session: Session, findings: Iterable[Finding], recipients: Recipients | None = None
) -> RecordReport:
    """Turn findings into alerts (new or continued) and queue their notifications."""
    report = RecordReport()
    for finding in findings:
        alert = _episode(session, finding)
        if alert is None:
            alert = _create(session, finding)
            report.created.append(alert)
            report.notifications += _notify(session, alert, "new", recipients)
            continue
        report.continued += 1
        if _continue(alert, finding):
            report.raised.append(alert)
            report.notifications += _notify(session, alert, f"severity-{alert.severity}", recipients)
    return report


def _episode(session: Session, finding: Finding) -> AlertRow | None:
    candidate = session.scalar(
        select(AlertRow)
        .where(
            AlertRow.kind == finding.kind,
            AlertRow.subject == finding.subject,
            AlertRow.first_day <= finding.day,
            AlertRow.last_day >= finding.day - timedelta(days=finding.window_days),
        )
        .order_by(AlertRow.last_day.desc(), AlertRow.id.desc())
        .limit(1)
    )
    return candidate


def _create(session: Session, finding: Finding) -> AlertRow:
    alert = AlertRow(
        key=alert_key(finding),
        kind=finding.kind,
        subject=finding.subject,
        region_kato=finding.region_kato,
        metric=finding.metric,
        story_id=finding.story_id,
        source_name=finding.source_name,
        first_day=finding.day,
        last_day=finding.day,
        severity=finding.severity,
        status="new",
        title=finding.title,
        details=dict(finding.details),
        occurrences=1,
    )
    session.add(alert)
    session.flush()
    session.add(AlertEventRow(alert_id=alert.id, actor=SYSTEM_ACTOR, from_status=None, to_status="new"))
    return alert


def _continue(alert: AlertRow, finding: Finding) -> bool:
    """Update an alert with a finding of its episode; True when its severity went up."""
    if finding.day > alert.last_day:
        alert.last_day = finding.day
        alert.occurrences += 1
    alert.details = merge_details(alert.kind, alert.details, finding.details)
    alert.updated_at = utcnow()
    if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]:
        alert.severity = finding.severity
        alert.title = finding.title
        return alert.status in ("new", "acknowledged")
    return False


def _notify(session: Session, alert: AlertRow, event: str, recipients: Recipients | None) -> int:
    if recipients is None:
        return 0
    targets = recipients(alert.region_kato)
    payload = alert_payload(alert, event)
    queued = 0
    for channel, addresses in (("webhook", targets.webhook), ("email", targets.email)):
        for target in addresses:
            key = f"{alert.key}:{event}:{channel}:{_digest(target)}"
            exists = session.scalar(select(OutboxRow.id).where(OutboxRow.key == key))
            if exists is None:
                session.add(
                    OutboxRow(key=key, alert_id=alert.id, channel=channel, target=target, payload=payload)
                )
                queued += 1
    return queued


def alert_payload(alert: AlertRow, event: str) -> dict[str, Any]:
    return {
        "event": f"alert.{event}",
        "alert": {
            "id": alert.id,
            "key": alert.key,
            "kind": alert.kind,
            "subject": alert.subject,
            "severity": alert.severity,
            "status": alert.status,
            "title": alert.title,
            "region_kato": alert.region_kato,
            "region": region_name(alert.region_kato) if alert.region_kato else None,
            "metric": alert.metric,
            "story_id": alert.story_id,
            "source": alert.source_name,
            "first_day": alert.first_day.isoformat(),
            "last_day": alert.last_day.isoformat(),
            "details": alert.details,
        },
    }


# --- lifecycle --------------------------------------------------------------------------


def get_alert(session: Session, alert_id: int) -> AlertRow:
    alert = session.get(AlertRow, alert_id)
    if alert is None:
        raise NotFound(f"alert {alert_id} does not exist — `birlik alerts list` shows the ids",
                       code=codes.W014)
    return alert


def list_alerts(
    session: Session,
    *,
    statuses: Iterable[str] = (),
    region: str | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> list[AlertRow]:
    query = select(AlertRow).order_by(AlertRow.last_day.desc(), AlertRow.id.desc()).limit(limit)
    wanted = list(statuses)
    for status in wanted:
        _check_status(status)
    if wanted:
        query = query.where(AlertRow.status.in_(wanted))
    if region is not None:
        query = query.where(AlertRow.region_kato == region)
    if kind is not None:
        query = query.where(AlertRow.kind == kind)
    return list(session.scalars(query))


def transition(
    session: Session,
    alert: AlertRow,
    to_status: str,
    *,
    actor: str,
    note: str | None = None,
    case_id: int | None = None,
) -> AlertRow:
    """Move an alert along its lifecycle, recording who did it and why."""
    _check_status(to_status)
    allowed = TRANSITIONS[alert.status]
    if to_status not in allowed:
        raise AlertError(
            f"alert {alert.id} is {alert.status}; it can become {' or '.join(allowed) or 'nothing more'}, "
            f"not {to_status}" + (" — acknowledge it first" if alert.status == "new" else ""),
            code=codes.W010,
        )
    if to_status == "dismissed" and not (note and note.strip()):
        raise AlertError(
            f"dismissing alert {alert.id} needs a reason — say why it is not a concern", code=codes.W012
        )
    if to_status == "escalated" and case_id is None:
        raise AlertError(
            f"escalating alert {alert.id} opens a case — use birlik.cases.open_case_from_alert "
            "(`birlik alerts escalate`)",
            code=codes.W013,
        )
    before = alert.status
    alert.status = to_status
    alert.updated_at = utcnow()
    if to_status == "dismissed":
        alert.dismiss_reason = note
    if case_id is not None:
        alert.case_id = case_id
    session.add(
        AlertEventRow(alert_id=alert.id, actor=actor, from_status=before, to_status=to_status, note=note)
    )
    session.flush()
    return alert


def acknowledge(session: Session, alert: AlertRow, *, actor: str, note: str | None = None) -> AlertRow:
    return transition(session, alert, "acknowledged", actor=actor, note=note)


def dismiss(session: Session, alert: AlertRow, *, actor: str, reason: str) -> AlertRow:
    return transition(session, alert, "dismissed", actor=actor, note=reason)


def close(session: Session, alert: AlertRow, *, actor: str, note: str | None = None) -> AlertRow:
    return transition(session, alert, "closed", actor=actor, note=note)


def alert_history(session: Session, alert_id: int) -> list[AlertEventRow]:
    return list(
        session.scalars(
            select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.id)
        )
    )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise AlertError(f"{status!r} is not an alert status — use one of {', '.join(STATUSES)}",
                         code=codes.W011)


def alert_json(alert: AlertRow) -> dict[str, Any]:
    out: dict[str, Any] = dict(alert_payload(alert, "state")["alert"])
    out.update(
        occurrences=alert.occurrences,
        dismiss_reason=alert.dismiss_reason,
        case_id=alert.case_id,
        created_at=alert.created_at.isoformat(),
        updated_at=alert.updated_at.isoformat(),
    )
    return out
