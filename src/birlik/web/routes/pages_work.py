"""Pages: the alerts inbox and the cases (board, list, one case)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access.principal import Principal
from birlik.access.users import assignable_users
from birlik.cases import CASE_STATUSES, CASE_TRANSITIONS
from birlik.cases import services as case_services
from birlik.cases import text as case_text
from birlik.cases.models import CaseRow
from birlik.cases.workflow import MEDIATOR_STATUSES, case_history
from birlik.query import queries
from birlik.query.scope import RegionScope
from birlik.signals import alert_text
from birlik.signals.alert_documents import alert_documents
from birlik.signals.alerts import STATUSES as ALERT_STATUSES
from birlik.signals.alerts import alert_history
from birlik.signals.rules import load_rules
from birlik.store.models import DocumentRow
from birlik.store.models_signals import AlertRow
from birlik.web.deps import AlertActor, AlertReader, CaseActor, CaseReader, Db, Scope, State, Tr
from birlik.web.routes.common import RowId, parse_date, parse_id
from birlik.web.routes.pages_common import back, render
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
OptionalText = Annotated[str | None, Form()]


@router.get("/alerts", response_class=HTMLResponse)
def alerts(
    request: Request, state: State, session: Db, scope: Scope, who: AlertReader, t: Tr, status: str = "open"
) -> Response:
    """The inbox: open alerts unless another status (or ``all``) is asked for."""
    status = status if status in ("open", "all", *ALERT_STATUSES) else "open"
    rows = queries.list_alerts(session, scope, None if status == "all" else status)
    return render(
        request,
        state,
        t,
        "alerts.html",
        who,
        alerts=rows,
        titles={a.id: alert_text.alert_title(a) or a.title for a in rows},
        status=status,
        statuses=ALERT_STATUSES,
    )


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert(
    alert_id: RowId, request: Request, state: State, session: Db, scope: Scope, who: AlertReader, t: Tr
) -> Response:
    """One alert: why it fired, its documents and story, its case and its history."""
    row = scope.alert(session, alert_id)
    documents = _documents_of(session, scope, who, row)
    return render(
        request,
        state,
        t,
        "alert.html",
        who,
        alert=row,
        title=alert_text.alert_title(row) or row.title,
        why=alert_text.why_fired(
            row, load_rules(state.settings.rules_file) if alert_text.needs_rules(row) else None
        ),
        documents=documents,
        history=alert_history(session, row.id),
    )


def _documents_of(session: Session, scope: RegionScope, who: Principal, alert: AlertRow) -> list[DocumentRow]:
    """The alert's documents the reader may open (none for a role that reads no documents)."""
    if alert is None or not who.can("read"):
        return []
    return list(session.scalars(scope.documents(alert_documents(alert))))


@router.post("/alerts/{alert_id}/{action}")
def act_on_alert(
    alert_id: RowId,
    action: str,
    session: Db,
    scope: Scope,
    who: AlertActor,
    note: OptionalText = None,
    back_to: OptionalText = None,
) -> Response:
    """Act, then show the case an escalation opened, else the page the action came from (the
    alert's own page or the inbox)."""
    case = case_services.act_on_alert(session, who, scope.alert(session, alert_id), action, note)
    if case is not None:
        return back(f"/cases/{case.id}")
    return back(f"/alerts/{alert_id}" if back_to == "alert" else "/alerts")


@router.get("/cases", response_class=HTMLResponse)
def cases(
    request: Request, state: State, session: Db, scope: Scope, who: CaseReader, t: Tr, view: str = "board"
) -> Response:
    rows = queries.list_cases(session, scope)
    columns = {status: [c for c in rows if c.status == status] for status in CASE_STATUSES}
    alerts_of = _alerts_of(session, rows)
    return render(
        request,
        state,
        t,
        "cases.html",
        who,
        cases=rows,
        titles={c.id: case_text.case_title(c, alerts_of.get(c.alert_id or 0)) for c in rows},
        columns=columns,
        view=view,
        statuses=CASE_STATUSES,
    )


def _alerts_of(session: Session, rows: list[CaseRow]) -> dict[int, AlertRow]:
    ids = sorted({c.alert_id for c in rows if c.alert_id is not None})
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(AlertRow).where(AlertRow.id.in_(ids)))}


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case(
    case_id: RowId, request: Request, state: State, session: Db, scope: Scope, who: CaseReader, t: Tr
) -> Response:
    """One case: its alert, story and documents, who works on it, its history in the reader's
    language; a mediator sees only the steps they may take."""
    row = scope.case(session, case_id)
    linked = session.get(AlertRow, row.alert_id) if row.alert_id is not None else None
    mediator = who.role == "mediator"
    return render(
        request,
        state,
        t,
        "case.html",
        who,
        case=row,
        alert=linked,
        title=case_text.case_title(row, linked),
        opened_from=case_text.opened_from(linked),
        note=case_text.opening_note(row),
        documents=_documents_of(session, scope, who, linked) if linked is not None else [],
        history=case_text.history(case_history(session, row.id)),
        comments=case_services.comments(session, row),
        attachments=case_services.attachments(session, row),
        units=case_services.units_for(session, row),
        people=assignable_users(session, row.region_kato),
        can_assign=who.can("act_cases") and not mediator and row.status != "closed",
        next_statuses=[
            s for s in CASE_TRANSITIONS[row.status] if not mediator or s in MEDIATOR_STATUSES
        ],
        statuses=CASE_STATUSES,
    )


@router.post("/cases/{case_id}/move")
def move(
    case_id: RowId,
    session: Db,
    scope: Scope,
    who: CaseActor,
    status: Annotated[str, Form()],
    note: OptionalText = None,
) -> Response:
    case_services.move(session, who, scope.case(session, case_id), status, note or None)
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/assign")
def assign(
    case_id: RowId,
    session: Db,
    scope: Scope,
    who: CaseActor,
    unit_id: OptionalText = None,
    person: OptionalText = None,
    due: OptionalText = None,
) -> Response:
    due_day = parse_date(due, "due")
    case_services.route(
        session,
        who,
        scope.case(session, case_id),
        unit_id=parse_id(unit_id, "unit_id"),
        person=person,
        due=datetime(due_day.year, due_day.month, due_day.day, tzinfo=UTC) if due_day else None,
    )
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/comments")
def comment(
    case_id: RowId, session: Db, scope: Scope, who: CaseActor, body: Annotated[str, Form()]
) -> Response:
    case_services.comment(session, who, scope.case(session, case_id), body)
    return back(f"/cases/{case_id}")


@router.post("/cases/{case_id}/attachments")
def attach(
    case_id: RowId,
    state: State,
    session: Db,
    scope: Scope,
    who: CaseActor,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = file.file.read(state.web.max_attachment_bytes + 1)
    case_services.attach(
        session,
        who,
        scope.case(session, case_id),
        file.filename or "file",
        file.content_type or "",
        data,
        state.web.max_attachment_bytes,
    )
    return back(f"/cases/{case_id}")
