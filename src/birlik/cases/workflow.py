"""The case workflow: open a case from an alert, move it along, assign it; every change is
an event with the fields before and after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.cases.models import CaseEventRow, CaseRow
from birlik.domain import codes
from birlik.domain.errors import CaseError, NotFound
from birlik.signals.alerts import transition as transition_alert
from birlik.store.models import utcnow
from birlik.store.models_signals import AlertRow

CASE_STATUSES: tuple[str, ...] = ("new", "triaged", "assigned", "in_progress", "resolved", "closed")
CASE_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "new": ("triaged", "closed"),
    "triaged": ("assigned", "closed"),
    "assigned": ("in_progress", "triaged"),
    "in_progress": ("resolved", "assigned"),
    "resolved": ("closed", "in_progress"),
    "closed": (),
}
DUE_AFTER: Mapping[str, timedelta] = {
    "high": timedelta(days=1),
    "medium": timedelta(days=3),
    "low": timedelta(days=7),
}
MEDIATOR_STATUSES: tuple[str, ...] = ("in_progress", "resolved")
"""The statuses a mediator may move their case to; assigning, triage and closing are the
coordinator's."""
_TRACKED = ("status", "title", "region_kato", "assignee_unit", "assignee_user", "due_at", "description")


def open_case_from_alert(
    session: Session, alert: AlertRow, actor: str, *, note: str | None = None
) -> CaseRow:
    """Escalate an acknowledged alert: open its case and link the two."""
    if alert.case_id is not None:
        raise CaseError(f"alert {alert.id} already has case {alert.case_id} — work on that case",
                        code=codes.K004)
    now = utcnow()
    case = CaseRow(
        title=alert.title,
        region_kato=alert.region_kato,
        status="new",
        alert_id=alert.id,
        created_at=now,
        updated_at=now,
        due_at=now + DUE_AFTER.get(alert.severity, DUE_AFTER["low"]),
        description=note or "",  # the rest is said from the alert at display time (cases.text)
    )
    session.add(case)
    session.flush()
    transition_alert(session, alert, "escalated", actor=actor, note=note, case_id=case.id)
    _record(session, case, actor, "opened", {}, _snapshot(case), note)
    return case


def move_case(
    session: Session, case: CaseRow, new_status: str, actor: str, note: str | None = None
) -> CaseRow:
    """Move a case to ``new_status`` if its workflow allows it."""
    if new_status not in CASE_STATUSES:
        raise CaseError(
            f"{new_status!r} is not a case status — use one of {', '.join(CASE_STATUSES)}", code=codes.K002
        )
    allowed = CASE_TRANSITIONS[case.status]
    if new_status not in allowed:
        raise CaseError(
            f"case {case.id} is {case.status}; it can move to {' or '.join(allowed) or 'nothing more'}, "
            f"not {new_status}",
            code=codes.K001,
        )
    if new_status == "assigned" and not (case.assignee_unit or case.assignee_user):
        raise CaseError(f"case {case.id} has no assignee — assign a unit or a person first", code=codes.K003)
    before = _snapshot(case)
    case.status = new_status
    case.updated_at = utcnow()
    _record(session, case, actor, "status", before, _snapshot(case), note)
    return case


def assign_case(
    session: Session,
    case: CaseRow,
    actor: str,
    *,
    unit: str | None = None,
    user: str | None = None,
    note: str | None = None,
) -> CaseRow:
    """Set who works on a case (an Assembly unit, a person or both). A case that gets someone to
    work on it (new or triaged, or given to someone else) becomes ``assigned``."""
    if case.status == "closed":
        raise CaseError(f"case {case.id} is closed — it cannot be assigned", code=codes.K005)
    before = _snapshot(case)
    changed = (unit, user) != (case.assignee_unit, case.assignee_user)
    case.assignee_unit, case.assignee_user = unit, user
    if (unit or user) and (changed or case.status in ("new", "triaged")):
        case.status = "assigned"
    case.updated_at = utcnow()
    _record(session, case, actor, "assign", before, _snapshot(case), note)
    return case


def get_case(session: Session, case_id: int) -> CaseRow:
    case = session.get(CaseRow, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist — check the id", code=codes.K006)
    return case


def list_cases(
    session: Session, *, region: str | None = None, status: str | None = None, limit: int = 200
) -> list[CaseRow]:
    query = select(CaseRow).order_by(CaseRow.updated_at.desc(), CaseRow.id.desc()).limit(limit)
    if region is not None:
        query = query.where(CaseRow.region_kato == region)
    if status is not None:
        query = query.where(CaseRow.status == status)
    return list(session.scalars(query))


def case_history(session: Session, case_id: int) -> list[CaseEventRow]:
    return list(
        session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.id))
    )


def _record(
    session: Session,
    case: CaseRow,
    actor: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    note: str | None,
) -> None:
    changed = {key for key in after if before.get(key) != after[key]}
    session.add(
        CaseEventRow(
            case_id=case.id,
            actor=actor,
            action=action,
            before={key: before[key] for key in sorted(changed) if key in before},
            after={key: after[key] for key in sorted(changed)},
            note=note,
        )
    )
    session.flush()


def _snapshot(case: CaseRow) -> dict[str, Any]:
    return {key: _plain(getattr(case, key)) for key in _TRACKED}


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
