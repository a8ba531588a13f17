"""What people do to alerts and cases — acknowledge, dismiss or escalate an alert; move, route,
comment on and attach files to a case — each audited. The caller (a page, the API, the CLI)
finds the alert or case within its scope and passes the row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import audit
from birlik.access.errors import RequestError
from birlik.access.models import RegistryUnitRow
from birlik.access.principal import Principal
from birlik.access.users import assignable_users
from birlik.cases.models import CaseAttachmentRow, CaseCommentRow, CaseRow
from birlik.cases.workflow import MEDIATOR_STATUSES, assign_case, move_case, open_case_from_alert
from birlik.domain import codes
from birlik.domain.errors import CaseError
from birlik.signals.alerts import transition
from birlik.store.models_signals import AlertRow

_ALERT_FIELDS = ("status", "dismiss_reason", "case_id")


def act_on_alert(
    session: Session, who: Principal, alert: AlertRow, action: str, note: str | None = None
) -> CaseRow | None:
    """``acknowledge``, ``dismiss`` (a reason is required) or ``escalate`` (opens a case, returned)."""
    before = audit.snapshot(alert, _ALERT_FIELDS)
    case = None
    if action == "acknowledge":
        transition(session, alert, "acknowledged", actor=who.username, note=note)
    elif action == "dismiss":
        transition(session, alert, "dismissed", actor=who.username, note=note)
    elif action == "escalate":
        if alert.status == "new":
            transition(session, alert, "acknowledged", actor=who.username, note=note)
        case = open_case_from_alert(session, alert, who.username, note=note)
        audit.record(
            session,
            who,
            "case.open",
            "case",
            case.id,
            region_kato=case.region_kato,
            after=audit.snapshot(case),
        )
    else:
        raise RequestError(
            f"{action!r} is not an alert action — acknowledge, dismiss or escalate", code=codes.W140,
        )
    audit.record(
        session,
        who,
        f"alert.{action}",
        "alert",
        alert.id,
        region_kato=alert.region_kato,
        before=before,
        after=audit.snapshot(alert, _ALERT_FIELDS),
    )
    return case


def move(session: Session, who: Principal, case: CaseRow, status: str, note: str | None) -> CaseRow:
    """Move a case along its workflow; a mediator only works it (in progress, resolved)."""
    if who.role == "mediator" and status not in MEDIATOR_STATUSES:
        raise CaseError(
            f"a mediator cannot move case {case.id} to {status} — move it to in progress or resolved; "
            "the coordinator does the rest",
            code=codes.K009,
        )
    before = audit.snapshot(case)
    move_case(session, case, status, who.username, note=note)
    audit.record(
        session,
        who,
        "case.move",
        "case",
        case.id,
        region_kato=case.region_kato,
        before=before,
        after=audit.snapshot(case),
    )
    return case


def route(
    session: Session,
    who: Principal,
    case: CaseRow,
    *,
    unit_id: int | None,
    person: str | None,
    due: datetime | None = None,
) -> CaseRow:
    """Route a case to a unit of the case's own region and, optionally, a person: an active
    mediator or coordinator of the region (``access.users.assignable_users``). A mediator
    works the case they were given but cannot give it away."""
    if who.role == "mediator":
        raise CaseError(
            f"a mediator cannot reassign case {case.id} — ask the region's coordinator", code=codes.K007
        )
    if person and person not in {u.username for u in assignable_users(session, case.region_kato)}:
        raise CaseError(
            f"{person!r} cannot be assigned case {case.id} — choose an active mediator or coordinator "
            "of the case's region",
            code=codes.K008,
        )
    before = audit.snapshot(case)
    unit_name = None
    if unit_id is not None:
        unit = session.get(RegistryUnitRow, unit_id)
        if unit is None or unit.region_kato != case.region_kato:
            raise RequestError(
                f"unit {unit_id} is not a unit of the case's region — choose one of the region's units",
                code=codes.W141,
            )
        unit_name = unit.name
    assign_case(session, case, who.username, unit=unit_name, user=person or None)
    if due is not None:
        case.due_at = due
    audit.record(
        session,
        who,
        "case.assign",
        "case",
        case.id,
        region_kato=case.region_kato,
        before=before,
        after=audit.snapshot(case),
    )
    return case


def comment(session: Session, who: Principal, case: CaseRow, body: str) -> CaseCommentRow:
    if not body.strip():
        raise RequestError("the comment is empty — write something", code=codes.W142,)
    row = CaseCommentRow(case_id=case.id, author=who.username, body=body.strip())
    session.add(row)
    session.flush()
    audit.record(
        session,
        who,
        "case.comment",
        "case",
        case.id,
        region_kato=case.region_kato,
        after={"comment": row.body},
    )
    return row


def attach(
    session: Session,
    who: Principal,
    case: CaseRow,
    filename: str,
    content_type: str,
    data: bytes,
    limit: int,
) -> CaseAttachmentRow:
    if len(data) > limit:
        raise RequestError(
            f"the file is larger than {limit} bytes — attach a smaller one", code=codes.W143,
        )
    row = CaseAttachmentRow(
        case_id=case.id,
        filename=filename[:255] or "file",
        content_type=content_type or "application/octet-stream",
        size=len(data),
        data=data,
        uploaded_by=who.username,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        who,
        "case.attach",
        "case",
        case.id,
        region_kato=case.region_kato,
        after={"attachment": row.filename, "size": row.size},
    )
    return row


def comments(session: Session, case: CaseRow) -> list[CaseCommentRow]:
    statement = select(CaseCommentRow).where(CaseCommentRow.case_id == case.id)
    return list(session.scalars(statement.order_by(CaseCommentRow.id)))


def attachments(session: Session, case: CaseRow) -> list[CaseAttachmentRow]:
    statement = select(CaseAttachmentRow).where(CaseAttachmentRow.case_id == case.id)
    return list(session.scalars(statement.order_by(CaseAttachmentRow.id)))


def units_for(session: Session, case: CaseRow) -> list[RegistryUnitRow]:
    """The units a case can be routed to: those of its region."""
    statement = select(RegistryUnitRow).where(RegistryUnitRow.region_kato == case.region_kato)
    return list(session.scalars(statement.order_by(RegistryUnitRow.kind, RegistryUnitRow.name)))
