"""JSON API: alerts and cases."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from birlik.access.errors import not_found
from birlik.cases import services as case_services
from birlik.cases.models import CaseAttachmentRow
from birlik.cases.workflow import case_history
from birlik.query import queries
from birlik.store.models import MAX_ID
from birlik.web.deps import AlertActor, AlertReader, ApiTr, CaseActor, CaseReader, Db, Scope, State
from birlik.web.public import (
    AlertActionPublic,
    AlertPublic,
    AttachmentCreatedPublic,
    AttachmentPublic,
    CaseDetailPublic,
    CaseEventPublic,
    CasePublic,
    CommentCreatedPublic,
    CommentPublic,
    UnitBriefPublic,
)
from birlik.web.routes.api_documents import alert_json
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


@router.get("/alerts", response_model=list[AlertPublic])
def alerts(
    session: Db, scope: Scope, _: AlertReader, t: ApiTr, status: str | None = None
) -> list[dict[str, Any]]:
    return [alert_json(a, t) for a in queries.list_alerts(session, scope, status)]


@router.get("/alerts/{alert_id}", response_model=AlertPublic)
def alert(alert_id: RowId, session: Db, scope: Scope, _: AlertReader, t: ApiTr) -> dict[str, Any]:
    return alert_json(scope.alert(session, alert_id), t)


@router.post("/alerts/{alert_id}/{action}", response_model=AlertActionPublic)
def act_on_alert(
    alert_id: RowId, action: str, body: AlertActionBody, session: Db, scope: Scope, who: AlertActor, t: ApiTr
) -> dict[str, Any]:
    """``acknowledge``, ``dismiss`` (``note`` is the reason) or ``escalate`` (opens a case)."""
    row = scope.alert(session, alert_id)
    case = case_services.act_on_alert(session, who, row, action, body.note)
    return {"alert": alert_json(row, t), "case": CasePublic.of(case) if case else None}


@router.get("/cases")
def cases(session: Db, scope: Scope, _: CaseReader, status: str | None = None) -> list[CasePublic]:
    return [CasePublic.of(c) for c in queries.list_cases(session, scope, status)]


@router.get("/cases/{case_id}")
def case(case_id: RowId, session: Db, scope: Scope, _: CaseReader) -> CaseDetailPublic:
    row = scope.case(session, case_id)
    return CaseDetailPublic(
        **dict(CasePublic.of(row)),
        history=[CaseEventPublic.of(e) for e in case_history(session, row.id)],
        comments=[CommentPublic.of(c) for c in case_services.comments(session, row)],
        attachments=[AttachmentPublic.of(a) for a in case_services.attachments(session, row)],
        units=[UnitBriefPublic.of(u) for u in case_services.units_for(session, row)],
    )


@router.post("/cases/{case_id}/move")
def move(case_id: RowId, body: CaseMoveBody, session: Db, scope: Scope, who: CaseActor) -> CasePublic:
    row = case_services.move(session, who, scope.case(session, case_id), body.status, body.note)
    return CasePublic.of(row)


@router.post("/cases/{case_id}/assign")
def assign(case_id: RowId, body: CaseAssignBody, session: Db, scope: Scope, who: CaseActor) -> CasePublic:
    row = case_services.route(
        session, who, scope.case(session, case_id), unit_id=body.unit_id, person=body.person, due=body.due_at
    )
    return CasePublic.of(row)


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
