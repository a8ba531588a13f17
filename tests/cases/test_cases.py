"""Cases: opened from an escalated alert, moved along their workflow, every change recorded."""

from __future__ import annotations

from datetime import date

import pytest

from birlik.cases import CaseError, assign_case, get_case, list_cases, move_case, open_case_from_alert
from birlik.cases.workflow import case_history
from birlik.domain.errors import NotFound
from birlik.signals import alerts as alerting
from birlik.signals.rules import Finding
from birlik.store.repository import Store

ZHAMBYL = "310000000"


def _acknowledged_alert_id(store: Store, severity: str = "high") -> int:
    finding = Finding(
        kind="surge",
        subject=ZHAMBYL,
        day=date(2026, 3, 10),
        severity="high" if severity == "high" else "low",
        title="Surge in Zhambyl",
        window_days=3,
        region_kato=ZHAMBYL,
        metric="ethnic_docs",
        details={
            "metrics": [{"metric": "ethnic_docs", "count": 30.0, "ratio": 6.0, "z": 11.0, "severity": "high"}]
        },
    )
    with store.transaction() as session:
        alert = alerting.record_findings(session, [finding]).created[0]
        alerting.acknowledge(session, alert, actor="analyst")
        return alert.id


def test_the_whole_workflow_with_history(store: Store) -> None:
    alert_id = _acknowledged_alert_id(store)
    with store.transaction() as session:
        case = open_case_from_alert(session, alerting.get_alert(session, alert_id), "analyst")
        assert case.due_at is not None and (case.due_at - case.created_at).days == 1  # high: one day
        assert case.description == ""  # the summary is said from the alert at display time (cases.text)
        move_case(session, case, "triaged", "coordinator")
        assign_case(session, case, "coordinator", unit="Zhambyl mediation council")
        assert case.status == "assigned"  # assigning is the step to assigned
        move_case(session, case, "in_progress", "mediator", note="met both families")
        move_case(session, case, "resolved", "mediator")
        move_case(session, case, "closed", "coordinator")
        case_id = case.id
    with store.transaction() as session:
        events = case_history(session, case_id)
        assert [e.action for e in events] == [
            "opened",
            "status",
            "assign",
            "status",
            "status",
            "status",
        ]
        assign = events[2]
        assert assign.before == {"assignee_unit": None, "status": "triaged"} and assign.after == {
            "assignee_unit": "Zhambyl mediation council",
            "status": "assigned",
        }
        assert events[3].before == {"status": "assigned"} and events[3].after == {"status": "in_progress"}
        assert events[3].note == "met both families" and events[3].actor == "mediator"
        assert get_case(session, case_id).status == "closed"
        assert [c.id for c in list_cases(session, region=ZHAMBYL, status="closed")] == [case_id]


@pytest.mark.parametrize(
    ("path", "target", "code"),
    [
        ((), "in_progress", "K001"),
        ((), "assigned", "K001"),
        (("triaged",), "assigned", "K003"),  # no assignee
        (("closed",), "triaged", "K001"),
        ((), "done", "K002"),
    ],
)
def test_transitions_the_workflow_does_not_allow(
    store: Store, path: tuple[str, ...], target: str, code: str
) -> None:
    alert_id = _acknowledged_alert_id(store)
    with store.transaction() as session:
        case = open_case_from_alert(session, alerting.get_alert(session, alert_id), "analyst")
        for status in path:
            move_case(session, case, status, "coordinator")
        with pytest.raises(CaseError) as caught:
            move_case(session, case, target, "coordinator")
        assert caught.value.code == code


def test_an_alert_opens_one_case_only(store: Store) -> None:
    alert_id = _acknowledged_alert_id(store)
    with store.transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        open_case_from_alert(session, alert, "analyst")
        with pytest.raises(CaseError, match=r"\[K004\]"):
            open_case_from_alert(session, alert, "analyst")


def test_a_new_alert_cannot_be_escalated_and_no_case_is_left_behind(store: Store) -> None:
    alert_id = _acknowledged_alert_id(store)
    with store.transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        alert.status = "new"
    with pytest.raises(alerting.AlertError, match=r"\[W010\]"), store.transaction() as session:
        open_case_from_alert(session, alerting.get_alert(session, alert_id), "analyst")
    with store.transaction() as session:
        assert list_cases(session) == []
        with pytest.raises(NotFound, match=r"\[K006\]"):
            get_case(session, 1)
