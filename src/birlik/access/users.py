"""Users and their access: adding them, their role, regions and activity, their passwords.
One set of rules for the pages, the API and the CLI; every change is audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import audit
from birlik.access.errors import RequestError, not_found
from birlik.access.models import ROLES, RegionGrantRow, UserRow
from birlik.access.passwords import check_new_password, hash_password, verify_password
from birlik.access.principal import Principal
from birlik.access.throttle import LoginAttempt, LoginThrottle
from birlik.access.tokens import revoke_tokens_of
from birlik.domain import codes
from birlik.resources.gazetteer import load_gazetteer
from birlik.store.repository import Store


def find_user(session: Session, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username))


ASSIGNABLE_ROLES: tuple[str, ...] = ("mediator", "coordinator")
"""Who a case can be assigned to: the people who work cases in a region."""


def assignable_users(session: Session, region_kato: str | None) -> list[UserRow]:
    """The active mediators and coordinators granted ``region_kato``, mediators first."""
    if region_kato is None:
        return []
    statement = (
        select(UserRow)
        .join(RegionGrantRow, RegionGrantRow.user_id == UserRow.id)
        .where(
            UserRow.active.is_(True),
            UserRow.role.in_(ASSIGNABLE_ROLES),
            RegionGrantRow.region_kato == region_kato,
        )
    )
    users = list(session.scalars(statement))
    return sorted(users, key=lambda u: (ASSIGNABLE_ROLES.index(u.role), u.display_name, u.username))


def all_users(session: Session) -> list[UserRow]:
    return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    regions: tuple[str, ...] = (),
    display_name: str = "",
) -> UserRow:
    if role not in ROLES:
        raise RequestError(
            f"role {role!r} is unknown — use one of {', '.join(ROLES)}", code=codes.W110,
        )
    check_new_password(password)
    if find_user(session, username) is not None:
        raise RequestError(f"user {username!r} already exists — choose another name", code=codes.W112,)
    user = UserRow(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        active=True,
        session_epoch=0,
    )
    user.grants = [RegionGrantRow(region_kato=kato) for kato in sorted(set(regions))]
    session.add(user)
    session.flush()
    return user


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
        raise RequestError(
            f"role {role!r} is unknown — use one of {', '.join(ROLES)}", code=codes.W110,
        )
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
        raise RequestError("the current password is wrong — type it again", code=codes.W171,)
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
    except RequestError as exc:
        if exc.entry is codes.W171:
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
        raise RequestError(
            "change your own password with your current one — on /account", code=codes.W172,
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
        raise RequestError(
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
        raise RequestError(
            f"{user.username!r} is the last active administrator — make another user an administrator first",
            code=codes.W170,
        )


def _check_regions(regions: tuple[str, ...]) -> None:
    known = {place.kato for place in load_gazetteer().regions()}
    unknown = [kato for kato in regions if kato not in known]
    if unknown:
        raise RequestError(
            f"{', '.join(unknown)} are not KATO codes of regions — e.g. 310000000", code=codes.W113,
        )
