"""Changes the API and the pages share; each one is checked against the scope and audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.cases import assign_case, move_case, open_case_from_alert
from birlik.cases.models import CaseRow
from birlik.domain import codes
from birlik.resources.gazetteer import load_gazetteer
from birlik.signals.alerts import transition
from birlik.store.models_signals import AlertRow
from birlik.store.repository import Store
from birlik.web import audit
from birlik.web.auth import (
    LoginAttempt,
    LoginThrottle,
    Principal,
    check_new_password,
    create_user,
    hash_password,
    revoke_tokens_of,
    verify_password,
)
from birlik.web.errors import WebError, not_found
from birlik.web.models import (
    ROLES,
    UNIT_KINDS,
    CaseAttachmentRow,
    CaseCommentRow,
    RegionGrantRow,
    RegistryUnitRow,
    SavedSearchRow,
    UserRow,
)
from birlik.web.scoping import RegionScope

UNIT_FIELDS = (
    "kind",
    "name",
    "region_kato",
    "district_kato",
    "address",
    "phone",
    "email",
    "contact_person",
    "languages",
)


# --- alerts ------------------------------------------------------------------------------


def alert_action(
    session: Session, scope: RegionScope, who: Principal, alert_id: int, action: str, note: str | None = None
) -> tuple[AlertRow, CaseRow | None]:
    """``acknowledge``, ``dismiss`` (a reason is required) or ``escalate`` (opens a case)."""
    alert = scope.alert(session, alert_id)
    before = audit.snapshot(alert, ("status", "dismiss_reason", "case_id"))
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
        raise WebError(
            f"{action!r} is not an alert action — acknowledge, dismiss or escalate", code=codes.W140
        )
    audit.record(
        session,
        who,
        f"alert.{action}",
        "alert",
        alert.id,
        region_kato=alert.region_kato,
        before=before,
        after=audit.snapshot(alert, ("status", "dismiss_reason", "case_id")),
    )
    return alert, case


# --- cases ---------------------------------------------------------------------------------


def case_move(
    session: Session, scope: RegionScope, who: Principal, case_id: int, status: str, note: str | None
) -> CaseRow:
    case = scope.case(session, case_id)
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


def case_assign(
    session: Session,
    scope: RegionScope,
    who: Principal,
    case_id: int,
    *,
    unit_id: int | None,
    person: str | None,
    due: datetime | None = None,
) -> CaseRow:
    """Route a case to a unit of the case's own region and, optionally, a person."""
    case = scope.case(session, case_id)
    before = audit.snapshot(case)
    unit_name = None
    if unit_id is not None:
        unit = session.get(RegistryUnitRow, unit_id)
        if unit is None or unit.region_kato != case.region_kato:
            raise WebError(
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


def case_comment(
    session: Session, scope: RegionScope, who: Principal, case_id: int, body: str
) -> CaseCommentRow:
    case = scope.case(session, case_id)
    if not body.strip():
        raise WebError("the comment is empty — write something", code=codes.W142)
    comment = CaseCommentRow(case_id=case.id, author=who.username, body=body.strip())
    session.add(comment)
    session.flush()
    audit.record(
        session,
        who,
        "case.comment",
        "case",
        case.id,
        region_kato=case.region_kato,
        after={"comment": comment.body},
    )
    return comment


def case_attach(
    session: Session,
    scope: RegionScope,
    who: Principal,
    case_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    limit: int,
) -> CaseAttachmentRow:
    case = scope.case(session, case_id)
    if len(data) > limit:
        raise WebError(
            f"the file is larger than {limit} bytes — attach a smaller one", code=codes.W143
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


def case_units(session: Session, case: CaseRow) -> list[RegistryUnitRow]:
    """The units a case can be routed to: those of its region."""
    statement = select(RegistryUnitRow).where(RegistryUnitRow.region_kato == case.region_kato)
    return list(session.scalars(statement.order_by(RegistryUnitRow.kind, RegistryUnitRow.name)))


# --- registry ------------------------------------------------------------------------------


def add_unit(session: Session, actor: Principal | str, values: dict[str, Any]) -> RegistryUnitRow:
    unit = RegistryUnitRow(**_unit_values(values))
    session.add(unit)
    session.flush()
    audit.record(
        session, actor, "unit.add", "unit", unit.id, region_kato=unit.region_kato, after=audit.snapshot(unit)
    )
    return unit


def _unit_values(values: dict[str, Any]) -> dict[str, Any]:
    kind = str(values.get("kind", "")).strip()
    if kind not in UNIT_KINDS:
        raise WebError(
            f"unit kind {kind!r} is unknown — use one of {', '.join(UNIT_KINDS)}", code=codes.W150
        )
    region = str(values.get("region_kato", "")).strip()
    gazetteer = load_gazetteer()
    if region not in {place.kato for place in gazetteer.regions()}:
        raise WebError(
            f"region {region!r} is not the KATO code of a region — e.g. 310000000", code=codes.W151
        )
    name = str(values.get("name", "")).strip()
    if not name:
        raise WebError("a unit needs a name", code=codes.W152)
    languages = values.get("languages") or []
    if isinstance(languages, str):
        languages = [part.strip() for part in languages.replace(";", ",").split(",") if part.strip()]
    out: dict[str, Any] = {"kind": kind, "name": name, "region_kato": region, "languages": list(languages)}
    for key in ("district_kato", "address", "phone", "email", "contact_person"):
        value = str(values.get(key) or "").strip()
        out[key] = value or None
    return out


def import_units_csv(session: Session, actor: Principal | str, data: str) -> int:
    """Add the units of a CSV with a header naming the unit's fields; all or nothing."""
    reader = csv.DictReader(io.StringIO(data))
    missing = {"kind", "name", "region_kato"} - set(reader.fieldnames or ())
    if missing:
        raise WebError(
            f"the CSV lacks the columns {', '.join(sorted(missing))} — see demo/registry.csv",
            code=codes.W153,
        )
    count = 0
    for line, record in enumerate(reader, start=2):
        try:
            add_unit(session, actor, dict(record))
        except WebError as exc:
            raise WebError(f"line {line}: {exc.detail}", code=exc.entry) from exc
        count += 1
    return count


# --- saved searches, users -------------------------------------------------------------------


def save_search(session: Session, who: Principal, name: str, params: dict[str, Any]) -> SavedSearchRow:
    if not name.strip():
        raise WebError("a saved search needs a name", code=codes.W160)
    row = SavedSearchRow(user_id=who.user_id, name=name.strip()[:200], params=params)
    session.add(row)
    session.flush()
    audit.record(
        session, who, "search.save", "saved_search", row.id, after={"name": row.name, "params": params}
    )
    return row


def delete_search(session: Session, who: Principal, search_id: int) -> None:
    row = session.get(SavedSearchRow, search_id)
    if row is None or row.user_id != who.user_id:
        raise not_found(f"saved search {search_id}")
    audit.record(
        session, who, "search.delete", "saved_search", row.id, before={"name": row.name, "params": row.params}
    )
    session.delete(row)


def add_user(
    session: Session,
    actor: Principal | str,
    *,
    username: str,
    password: str,
    role: str,
    regions: tuple[str, ...],
    display_name: str = "",
) -> UserRow:
    _check_regions(regions)
    user = create_user(
        session, username=username, password=password, role=role, regions=regions, display_name=display_name
    )
    audit.record(
        session,
        actor,
        "user.add",
        "user",
        user.id,
        after={**audit.snapshot(user), "regions": sorted(regions)},
    )
    return user


def set_user_access(
    session: Session,
    actor: Principal | str,
    user_id: int,
    *,
    role: str | None,
    regions: tuple[str, ...] | None,
    active: bool | None = None,
) -> UserRow:
    user = session.get(UserRow, user_id)
    if user is None:
        raise not_found(f"user {user_id}")
    before = {**audit.snapshot(user), "regions": sorted(g.region_kato for g in user.grants)}
    if role is not None and role not in ROLES:
        raise WebError(f"role {role!r} is unknown — use one of {', '.join(ROLES)}", code=codes.W110)
    keep_administrators(session, actor, user, role=role, active=active)
    if role is not None:
        user.role = role
    if regions is not None:
        _check_regions(regions)
        user.grants = [RegionGrantRow(region_kato=kato) for kato in sorted(set(regions))]
    revoked: list[int] = []
    if active is not None:
        user.active = active
        user.session_epoch += 1
        if not active:  # for good: reactivating the user brings no token back
            revoked = revoke_tokens_of(session, user)
    session.flush()
    after = {**audit.snapshot(user), "regions": sorted(g.region_kato for g in user.grants)}
    if revoked:
        after["tokens_revoked"] = revoked
    audit.record(session, actor, "user.access", "user", user.id, before=before, after=after)
    return user


def set_password(
    session: Session, actor: Principal | str, user: UserRow, password: str, *, action: str
) -> None:
    """A new password; every session of the user ends (their API tokens stay)."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    session.flush()
    audit.record(
        session, actor, action, "user", user.id, after={"username": user.username, "sessions_ended": True}
    )


def change_password(
    session: Session, actor: Principal | str, user: UserRow, *, current: str, new: str
) -> None:
    """A user's own change: the current password is required."""
    check_new_password(new)
    if not verify_password(user.password_hash, current):
        raise WebError("the current password is wrong — type it again", code=codes.W171)
    set_password(session, actor, user, new, action="user.password")


def change_own_password(
    store: Store, throttle: LoginThrottle, who: Principal, address: str, *, current: str, new: str
) -> UserRow:
    """``change_password`` for a logged-in person: a wrong current password counts as a failed
    login of that user from that address (else a stolen session could guess it freely)."""
    check_new_password(new)
    attempt = LoginAttempt(who.username, address)
    with store.transaction() as session:
        throttle.admit(session, attempt)
    try:
        with store.transaction() as session:
            user = session.get_one(UserRow, who.user_id)
            change_password(session, who, user, current=current, new=new)
            session.expunge(user)
    except WebError as exc:
        if exc.code == codes.W171.id:
            with store.transaction() as session:
                throttle.failed(session, attempt)
        raise
    with store.transaction() as session:
        throttle.succeeded(session, attempt)
    return user


def reset_password(session: Session, actor: Principal | str, user_id: int, password: str) -> UserRow:
    """An administrator sets another user's password (e.g. a forgotten one)."""
    user = session.get(UserRow, user_id)
    if user is None:
        raise not_found(f"user {user_id}")
    if not isinstance(actor, str) and actor.user_id == user.id:
        raise WebError(
            "change your own password with your current one — on /account", code=codes.W172
        )
    set_password(session, actor, user, password, action="user.reset_password")
    return user


def keep_administrators(
    session: Session, actor: Principal | str, user: UserRow, *, role: str | None, active: bool | None
) -> None:
    """The one rule for the pages, the API and the CLI: nobody takes administration away from
    themselves, and the last active administrator stays one."""
    demoted = (role is not None and role != "administrator") or active is False
    if not (demoted and user.role == "administrator" and user.active):
        return
    if not isinstance(actor, str) and actor.user_id == user.id:
        raise WebError(
            "you cannot take administration away from yourself — ask another administrator",
            code=codes.W114,
        )
    # lock every active administrator's row (PostgreSQL), so that two administrators demoting
    # each other at once cannot both pass; SQLite serialises writers anyway
    administrators = session.scalars(
        select(UserRow.id)
        .where(UserRow.role == "administrator", UserRow.active.is_(True))
        .order_by(UserRow.id)
        .with_for_update()
    ).all()
    if not [other for other in administrators if other != user.id]:
        raise WebError(
            f"{user.username!r} is the last active administrator — make another user an administrator first",
            code=codes.W170,
        )


def _check_regions(regions: tuple[str, ...]) -> None:
    known = {place.kato for place in load_gazetteer().regions()}
    unknown = [kato for kato in regions if kato not in known]
    if unknown:
        raise WebError(
            f"{', '.join(unknown)} are not KATO codes of regions — e.g. 310000000", code=codes.W113
        )
