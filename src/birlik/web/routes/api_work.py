"""JSON API: alerts and cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from birlik.access.errors import not_found
from birlik.cases import services as case_services
from birlik.cases.models import CaseAttachmentRow
from birlik.store.models import MAX_ID
from birlik.web import views
from birlik.web.deps import AlertActor, AlertReader, ApiTr, CaseActor, CaseReader, Db, Scope, State
from birlik.web.public import (
    AlertActionPublic,
    AlertDetailPublic,
    AlertPublic,
    AttachmentCreatedPublic,
    CaseDetailPublic,
    CasePublic,
    CommentCreatedPublic,
)
from birlik.web.routes.common import RowId
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["alerts and cases"], route_class=UnitOfWorkRoute)


class AlertActionBody(BaseModel):
    note: str | None = Field(None, max_length=4000)


class CaseMoveBody(BaseModel):
    status: str
    note: str | None = Field(None, max_length=4000)


class CaseAssignBody(BaseModel):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    person: str | None = Field(None, max_length=200)
    due_at: datetime | None = None


class CommentBody(BaseModel):
    body: str = Field(min_length=1, max_length=20000)


@router.get("/alerts")
def alerts(
    session: Db, scope: Scope, _: AlertReader, t: ApiTr, status: str | None = None
) -> list[AlertPublic]:
    return views.alert_list(session, scope, t, status)


@router.get("/alerts/{alert_id}")
def alert(
    alert_id: RowId, state: State, session: Db, scope: Scope, who: AlertReader, t: ApiTr
) -> AlertDetailPublic:
    """One alert, as its page shows it: why it fired, its documents (for a role that reads
    documents) and its history."""
    row = scope.alert(session, alert_id)
    return views.alert_detail(session, scope, who, row, t, state.settings.rules_file)


@router.post("/alerts/{alert_id}/{action}")
def act_on_alert(
    alert_id: RowId, action: str, body: AlertActionBody, session: Db, scope: Scope, who: AlertActor, t: ApiTr
) -> AlertActionPublic:
    """``acknowledge``, ``dismiss`` (``note`` is the reason) or ``escalate`` (opens a case)."""
    row = scope.alert(session, alert_id)
    case = case_services.act_on_alert(session, who, row, action, body.note)
    return AlertActionPublic(
        alert=views.alert_public(row, t), case=views.case_public(case, row, t) if case else None
    )


@router.get("/cases")
def cases(session: Db, scope: Scope, _: CaseReader, t: ApiTr, status: str | None = None) -> list[CasePublic]:
    return views.case_list(session, scope, t, status)


@router.get("/cases/{case_id}")
def case(case_id: RowId, session: Db, scope: Scope, who: CaseReader, t: ApiTr) -> CaseDetailPublic:
    """One case, as its page shows it."""
    return views.case_detail(session, scope, who, scope.case(session, case_id), t)


@router.post("/cases/{case_id}/move")
def move(
    case_id: RowId, body: CaseMoveBody, session: Db, scope: Scope, who: CaseActor, t: ApiTr
) -> CasePublic:
    row = case_services.move(session, who, scope.case(session, case_id), body.status, body.note)
    return views.case_of(session, row, t)


@router.post("/cases/{case_id}/assign")
def assign(
    case_id: RowId, body: CaseAssignBody, session: Db, scope: Scope, who: CaseActor, t: ApiTr
) -> CasePublic:
    row = case_services.route(
        session, who, scope.case(session, case_id), unit_id=body.unit_id, person=body.person, due=body.due_at
    )
    return views.case_of(session, row, t)


@router.post("/cases/{case_id}/comments", status_code=201)
def comment(
    case_id: RowId, body: CommentBody, session: Db, scope: Scope, who: CaseActor
) -> CommentCreatedPublic:
    row = case_services.comment(session, who, scope.case(session, case_id), body.body)
    return CommentCreatedPublic(id=row.id, author=row.author, body=row.body)


@router.post("/cases/{case_id}/attachments", status_code=201)
def attach(
    case_id: RowId,
    file: Annotated[UploadFile, File()],
    state: State,
    session: Db,
    scope: Scope,
    who: CaseActor,
    csrf_token: Annotated[str | None, Form()] = None,
) -> AttachmentCreatedPublic:
    data = file.file.read(state.web.max_attachment_bytes + 1)
    row = case_services.attach(
        session,
        who,
        scope.case(session, case_id),
        file.filename or "file",
        file.content_type or "",
        data,
        state.web.max_attachment_bytes,
    )
    return AttachmentCreatedPublic(id=row.id, filename=row.filename, size=row.size)


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={200: {"description": "The file as uploaded.", "content": {"application/octet-stream": {}}}},
)
def attachment(case_id: RowId, attachment_id: RowId, session: Db, scope: Scope, _: CaseReader) -> Response:
    row = scope.case(session, case_id)
    file = session.get(CaseAttachmentRow, attachment_id)
    if file is None or file.case_id != row.id:
        raise not_found(f"attachment {attachment_id}")
    return Response(
        file.data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": content_disposition(file.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with the name in full as UTF-8 (RFC 6266 / RFC 5987 ``filename*``) and an
    ASCII stand-in for old clients: a header is Latin-1, so "тест файл.pdf" cannot go in as is."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_" for ch in filename)
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{fallback.strip() or 'file'}\"; filename*=UTF-8''{encoded}"
