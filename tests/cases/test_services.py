"""The case services the pages, the API and the CLI share: each change is audited, a case is
routed only to a unit of its own region, and comments and attachments belong to their case."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from birlik.access import units, users
from birlik.access.errors import RequestError
from birlik.access.models import AuditRow
from birlik.access.principal import Principal
from birlik.cases import services
from birlik.cases.models import CaseAttachmentRow, CaseCommentRow, CaseRow
from birlik.store.repository import Store

ZHAMBYL, PAVLODAR = "310000000", "550000000"
WHO = Principal(
    user_id=1, username="coordinator", display_name="", role="coordinator", regions=frozenset(), via="session"
)


def _case(store: Store) -> tuple[int, int, int]:
    with store.transaction() as session:
        case = CaseRow(title="Дау", region_kato=ZHAMBYL)
        session.add(case)
        users.create_user(
            session, username="mediator", password="long-enough-1", role="mediator", regions=(ZHAMBYL,)
        )
        here = units.add_unit(
            session, "test", {"kind": "house_of_friendship", "name": "Тараз", "region_kato": ZHAMBYL}
        )
        there = units.add_unit(
            session, "test", {"kind": "house_of_friendship", "name": "Павлодар", "region_kato": PAVLODAR}
        )
        session.flush()
        return case.id, here.id, there.id


def test_routing_comments_and_files_are_audited_and_stay_with_their_case(store: Store) -> None:
    case_id, here, there = _case(store)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        assert [unit.id for unit in services.units_for(session, case)] == [here]
        with pytest.raises(RequestError, match="W141"):
            services.route(session, WHO, case, unit_id=there, person=None)
        services.route(session, WHO, case, unit_id=here, person="mediator")
        services.comment(session, WHO, case, "  Кездесу сәрсенбіде.  ")
        services.attach(session, WHO, case, "хат.pdf", "application/pdf", b"%PDF", limit=1024)
        with pytest.raises(RequestError, match="W142"):
            services.comment(session, WHO, case, "   ")
        with pytest.raises(RequestError, match="W143"):
            services.attach(session, WHO, case, "big.bin", "", b"x" * 2048, limit=1024)
    with store.transaction() as session:
        case = session.get_one(CaseRow, case_id)
        assert (case.assignee_unit, case.assignee_user) == ("Тараз", "mediator")
        assert [c.body for c in services.comments(session, case)] == ["Кездесу сәрсенбіде."]
        assert [(a.filename, a.size) for a in services.attachments(session, case)] == [("хат.pdf", 4)]
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.entity == "case").order_by(AuditRow.id)
        ).all()
        assert actions == ["case.assign", "case.comment", "case.attach"]
    with store.transaction() as session:  # the foreign keys of migration 0012
        session.execute(delete(CaseRow).where(CaseRow.id == case_id))
    with store.transaction() as session:
        assert session.scalars(select(CaseCommentRow)).all() == []
        assert session.scalars(select(CaseAttachmentRow)).all() == []
