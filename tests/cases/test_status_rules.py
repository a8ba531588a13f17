"""The rules of who moves a case where: assigning makes a case ``assigned``; assignees are the
active mediators and coordinators of the case's region; a mediator works a case (in progress,
resolved) but cannot reassign it or take other steps; old English descriptions keep their note."""

from __future__ import annotations

import pytest

from birlik.access import users
from birlik.access.models import RegionGrantRow, UserRow
from birlik.access.principal import Principal
from birlik.cases import services
from birlik.cases.models import CaseRow
from birlik.cases.text import history, opening_note
from birlik.cases.workflow import case_history
from birlik.domain.errors import CaseError
from birlik.store.repository import Store

ZHAMBYL, PAVLODAR = "310000000", "550000000"


def _principal(username: str, role: str) -> Principal:
    return Principal(
        user_id=1, username=username, display_name="", role=role, regions=frozenset({ZHAMBYL}), via="session"
    )


COORDINATOR = _principal("coord", "coordinator")
MEDIATOR = _principal("med_z", "mediator")


def _setup(store: Store, status: str = "new") -> int:
    with store.transaction() as session:
        for name, role, region in (
            ("med_z", "mediator", ZHAMBYL),
            ("med_z2", "mediator", ZHAMBYL),
            ("coord", "coordinator", ZHAMBYL),
            ("med_p", "mediator", PAVLODAR),
            ("viewer_z", "viewer", ZHAMBYL),
            ("gone_z", "mediator", ZHAMBYL),
        ):
            session.add(  # no password: nobody logs in here, and hashing is slow on purpose
                UserRow(
                    username=name,
                    password_hash="-",
                    role=role,
                    active=name != "gone_z",
                    grants=[RegionGrantRow(region_kato=region)],
                )
            )
        case = CaseRow(title="Дау", region_kato=ZHAMBYL, status=status)
        session.add(case)
        session.flush()
        return case.id


def test_assignees_are_the_active_mediators_and_coordinators_of_the_region(store: Store) -> None:
    _setup(store)
    with store.transaction() as session:
        names = [u.username for u in users.assignable_users(session, ZHAMBYL)]
        assert names == ["med_z", "med_z2", "coord"]
        assert [u.username for u in users.assignable_users(session, PAVLODAR)] == ["med_p"]
        assert users.assignable_users(session, None) == []


@pytest.mark.parametrize("person", ["med_p", "viewer_z", "gone_z", "nobody"])
def test_only_an_eligible_user_can_be_assigned(store: Store, person: str) -> None:
    case_id = _setup(store)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        with pytest.raises(CaseError) as caught:
            services.route(session, COORDINATOR, case, unit_id=None, person=person)
        assert caught.value.code == "K008" and caught.value.status == 422
        assert case.assignee_user is None and case.status == "new"


@pytest.mark.parametrize("status", ["new", "triaged", "in_progress", "resolved"])
def test_assigning_makes_the_case_assigned(store: Store, status: str) -> None:
    case_id = _setup(store, status)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        services.route(session, COORDINATOR, case, unit_id=None, person="med_z")
        assert case.status == "assigned"
        lines = history(case_history(session, case_id))
        assert [line.action.key for line in lines] == ["cases.event.assign"]
        assert {change.key for change in lines[0].changes} == {
            "cases.field.status",
            "cases.field.assignee_user",
        }


def test_the_same_assignee_again_keeps_a_worked_case_where_it_is(store: Store) -> None:
    case_id = _setup(store)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        services.route(session, COORDINATOR, case, unit_id=None, person="med_z")
        services.move(session, MEDIATOR, case, "in_progress", None)
        services.route(session, COORDINATOR, case, unit_id=None, person="med_z")  # e.g. a new due date
        assert case.status == "in_progress"


def test_a_mediator_works_the_case_but_cannot_reassign_it(store: Store) -> None:
    case_id = _setup(store)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        services.route(session, COORDINATOR, case, unit_id=None, person="med_z")
        with pytest.raises(CaseError) as caught:
            services.route(session, MEDIATOR, case, unit_id=None, person="med_z2")
        assert caught.value.code == "K007" and caught.value.status == 403
        assert case.assignee_user == "med_z"
        services.move(session, MEDIATOR, case, "in_progress", "met both families")
        for step in ("triaged", "assigned"):  # the coordinator's steps
            with pytest.raises(CaseError) as refused:
                services.move(session, MEDIATOR, case, step, None)
            assert refused.value.code == "K009" and refused.value.status == 403
        services.move(session, MEDIATOR, case, "resolved", None)
        with pytest.raises(CaseError, match="K009"):
            services.move(session, MEDIATOR, case, "closed", None)
        services.move(session, COORDINATOR, case, "closed", None)
        assert case.status == "closed"


def test_an_old_english_description_keeps_only_the_note() -> None:
    old = CaseRow(
        description="Opened from alert 4 (surge, high) about Zhambyl Region, 2026-03-01–2026-03-02.\n"
        "- ethnic_docs: 30 documents, ×6.0 the expected\nКездесу сәрсенбіде."
    )
    assert opening_note(old) == "Кездесу сәрсенбіде."
    assert opening_note(CaseRow(description="Жай жазба")) == "Жай жазба"
