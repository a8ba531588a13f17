"""Findings become one alert per subject and episode; the alert lifecycle refuses what its
status does not allow, with coded errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from birlik.cases import open_case_from_alert
from birlik.domain.errors import NotFound
from birlik.signals import alerts as alerting
from birlik.signals.alerts import AlertError, record_findings
from birlik.signals.rules import Finding, Severity, Targets
from birlik.store.models_signals import AlertRow, OutboxRow
from birlik.store.repository import Store

ZHAMBYL = "310000000"
DAY = date(2026, 3, 10)


def _finding(
    day: date = DAY, severity: Severity = "low", metric: str = "ethnic_docs", z: float = 5.0
) -> Finding:
    return Finding(
        kind="surge",
        subject=ZHAMBYL,
        day=day,
        severity=severity,
        title=f"Surge in Zhambyl: {metric}",
        window_days=3,
        region_kato=ZHAMBYL,
        metric=metric,
        details={"metrics": [{"metric": metric, "z": z, "severity": severity, "count": 9.0}]},
    )


def _everyone(_region: str | None) -> Targets:
    return Targets(webhook=("http://127.0.0.1:9/hook",), email=("desk@example.kz",))


def _count(store: Store, model: type[AlertRow] | type[OutboxRow]) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_one_alert_per_region_and_window(store: Store) -> None:
    with store.transaction() as session:
        first = record_findings(session, [_finding()], _everyone)
        assert len(first.created) == 1 and first.notifications == 2
    with store.transaction() as session:  # the same day evaluated again: nothing new
        again = record_findings(session, [_finding()], _everyone)
        assert again.created == [] and again.notifications == 0
    with store.transaction() as session:  # two days later, another metric: the same episode
        later = record_findings(
            session, [_finding(DAY + timedelta(days=2), metric="ethnic:uyghur")], _everyone
        )
        assert later.created == [] and later.continued == 1
    with store.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        assert (alert.first_day, alert.last_day, alert.occurrences) == (DAY, DAY + timedelta(days=2), 2)
        assert {m["metric"] for m in alert.details["metrics"]} == {"ethnic_docs", "ethnic:uyghur"}
    with store.transaction() as session:  # after a gap longer than the window: a new episode
        gap = record_findings(session, [_finding(DAY + timedelta(days=6))], _everyone)
        assert len(gap.created) == 1
    assert _count(store, AlertRow) == 2
    assert _count(store, OutboxRow) == 4


def test_a_higher_severity_notifies_again_once(store: Store) -> None:
    with store.transaction() as session:
        record_findings(session, [_finding()], _everyone)
    with store.transaction() as session:
        raised = record_findings(session, [_finding(DAY + timedelta(days=1), "high", z=12.0)], _everyone)
        assert [a.severity for a in raised.raised] == ["high"] and raised.notifications == 2
    with store.transaction() as session:
        again = record_findings(session, [_finding(DAY + timedelta(days=1), "high", z=12.0)], _everyone)
        assert again.raised == [] and again.notifications == 0


def _new_alert(store: Store) -> int:
    with store.transaction() as session:
        return record_findings(session, [_finding()]).created[0].id


def test_lifecycle_acknowledge_escalate_close(store: Store) -> None:
    alert_id = _new_alert(store)
    with store.transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        alerting.acknowledge(session, alert, actor="analyst")
        case = open_case_from_alert(session, alert, "analyst", note="mediators to visit")
        assert alert.status == "escalated" and alert.case_id == case.id
        assert case.alert_id == alert.id and case.region_kato == ZHAMBYL and case.status == "new"
        alerting.close(session, alert, actor="analyst")
        history = [(e.from_status, e.to_status, e.actor) for e in alerting.alert_history(session, alert_id)]
    assert history == [
        (None, "new", "birlik"),
        ("new", "acknowledged", "analyst"),
        ("acknowledged", "escalated", "analyst"),
        ("escalated", "closed", "analyst"),
    ]


def test_dismissal_needs_a_reason(store: Store) -> None:
    alert_id = _new_alert(store)
    with store.transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        with pytest.raises(AlertError) as caught:
            alerting.dismiss(session, alert, actor="analyst", reason="  ")
        assert caught.value.code == "W012"
        alerting.dismiss(session, alert, actor="analyst", reason="a football derby, not ethnic")
        assert alert.status == "dismissed" and alert.dismiss_reason == "a football derby, not ethnic"
        alerting.close(session, alert, actor="analyst")


@pytest.mark.parametrize(
    ("steps", "target", "code"),
    [
        ((), "escalated", "W010"),  # acknowledge first
        ((), "closed", "W010"),
        (("acknowledged",), "acknowledged", "W010"),
        (("acknowledged",), "escalated", "W013"),  # escalation needs a case
        (("dismissed",), "escalated", "W010"),
        (("dismissed", "closed"), "new", "W010"),
        ((), "archived", "W011"),
    ],
)
def test_invalid_transitions_are_refused_with_codes(
    store: Store, steps: tuple[str, ...], target: str, code: str
) -> None:
    alert_id = _new_alert(store)
    with store.transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        for step in steps:
            alerting.transition(session, alert, step, actor="a", note="reason")
        with pytest.raises(AlertError) as caught:
            alerting.transition(session, alert, target, actor="a", note="reason")
        assert caught.value.code == code
        assert caught.value.status == 409


def test_unknown_alert(store: Store) -> None:
    with store.transaction() as session, pytest.raises(NotFound, match=r"\[W014\]"):
        alerting.get_alert(session, 999)


def test_listing_by_status_and_region(store: Store) -> None:
    alert_id = _new_alert(store)
    with store.transaction() as session:
        assert [a.id for a in alerting.list_alerts(session, statuses=["new"], region=ZHAMBYL)] == [alert_id]
        assert alerting.list_alerts(session, statuses=["closed"]) == []
        with pytest.raises(AlertError, match=r"\[W011\]"):
            alerting.list_alerts(session, statuses=["nonsense"])
