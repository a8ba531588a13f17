"""Pages: the alerts inbox and the cases (board, list, one case)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from birlik.access.users import assignable_users
from birlik.cases import CASE_STATUSES
from birlik.cases import services as case_services
from birlik.signals.alerts import STATUSES as ALERT_STATUSES
from birlik.web import views
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
    rows = views.alert_list(session, scope, t, None if status == "all" else status)
    return render(request, state, t, "alerts.html", who, alerts=rows, status=status, statuses=ALERT_STATUSES)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert(
    alert_id: RowId, request: Request, state: State, session: Db, scope: Scope, who: AlertReader, t: Tr
) -> Response:
    """One alert (``views.alert_detail``, as the API gives it): why it fired, its documents and
    story, its case and its history."""
    row = scope.alert(session, alert_id)
    view = views.alert_detail(session, scope, who, row, t, state.settings.rules_file)
    return render(request, state, t, "alert.html", who, alert=view)


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
    rows = views.case_list(session, scope, t)
    columns = {status: [c for c in rows if c.status == status] for status in CASE_STATUSES}
    return render(
        request, state, t, "cases.html", who, cases=rows, columns=columns, view=view, statuses=CASE_STATUSES
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case(
    case_id: RowId, request: Request, state: State, session: Db, scope: Scope, who: CaseReader, t: Tr
) -> Response:
    """One case (``views.case_detail``, as the API gives it): its alert, story and documents, who
    works on it, its history in the reader's language; a mediator sees only the steps they may
    take. The page adds the people the case can be assigned to."""
    row = scope.case(session, case_id)
    detail = views.case_detail(session, scope, who, row, t)
    return render(
        request,
        state,
        t,
        "case.html",
        who,
        case=detail,
        people=assignable_users(session, row.region_kato),
        can_assign=who.can("act_cases") and who.role != "mediator" and row.status != "closed",
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
