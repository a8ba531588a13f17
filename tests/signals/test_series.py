"""Indicator series: every day of the period (zero-filled), the chosen metric, the band and the
threshold the surge rule really uses, and the alerts of the region marked."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session

from birlik.signals import series as S
from birlik.signals.indicators import COUNTRY, load_history
from birlik.signals.rules import country_prior, load_rules, metric_surge
from birlik.store.models_signals import AlertRow
from birlik.store.repository import Store
from indicator_data import FIRST, PAVLODAR, SILENT, SURGE, SURGE_COUNT, ZHAMBYL, add_alert, store_indicators

SINCE, UNTIL = date(2026, 2, 1), date(2026, 2, 28)


@pytest.fixture
def stored(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        store_indicators(session)
        return {
            "z": add_alert(session, ZHAMBYL, SURGE, "ethnic_docs", "a-z"),
            "p": add_alert(session, PAVLODAR, date(2026, 2, 21), "derogatory_docs", "a-p"),
            "old": add_alert(session, ZHAMBYL, date(2025, 6, 1), "ethnic_docs", "a-old"),
            "story": _story_alert(session),
        }


def _story_alert(session: Session) -> int:
    alert = AlertRow(
        key="a-story", kind="story_growth", subject="7", region_kato=ZHAMBYL, story_id="7",
        first_day=date(2026, 2, 3), last_day=date(2026, 2, 4), severity="low", status="new",
        title="A story grows", details={},
    )  # fmt: skip
    session.add(alert)
    session.flush()
    return alert.id


def _series(store: Store, metric: str, regions: tuple[str, ...] = (ZHAMBYL,)) -> list[S.IndicatorSeries]:
    with store.transaction() as session:
        return S.region_series(
            session, regions=regions, metric=metric, start=SINCE, end=UNTIL, rules=load_rules()
        )


def test_every_day_of_the_period_is_there_and_silent_days_are_zero(
    store: Store, stored: dict[str, int]
) -> None:
    (zhambyl,) = _series(store, "ethnic_docs")
    days = [d.day for d in zhambyl.days]
    assert days == [SINCE + timedelta(days=i) for i in range(28)]
    by_day = {d.day: d for d in zhambyl.days}
    assert all(by_day[day].count == 0 and by_day[day].volume == 0 for day in SILENT)
    assert by_day[SURGE].count == SURGE_COUNT
    assert by_day[date(2026, 2, 2)].count == 2 + (date(2026, 2, 2) - FIRST).days % 3


def test_the_chosen_metric_is_the_one_drawn(store: Store, stored: dict[str, int]) -> None:
    ethnic, docs, incidents, protest, uyghur = (
        _series(store, metric)[0]
        for metric in ("ethnic_docs", "docs", S.INCIDENTS, "incident:protest_rally", "ethnic:uyghur")
    )
    assert docs.total == ethnic.total + 5 * (28 - len(SILENT))
    assert uyghur.total == ethnic.total
    assert incidents.total == protest.total == 3  # one a week: 5, (12: silent), 19 and 26 February
    (pavlodar,) = _series(store, "derogatory_docs", (PAVLODAR,))
    assert pavlodar.total == sum(1 for i in range(31, 59) if i % 3 == 0)


def test_band_and_threshold_are_the_surge_rules(store: Store, stored: dict[str, int]) -> None:
    """A count at the threshold is a surge for ``metric_surge``, a whole count less is not."""
    rules = load_rules()
    (zhambyl,) = _series(store, "ethnic_docs")
    assert zhambyl.watched
    with store.transaction() as session:
        history = load_history(session, SINCE - timedelta(days=56), UNTIL)
    rule = rules.surge(ZHAMBYL, "ethnic_docs")
    assert rule is not None
    weekdays = (history.start.weekday() + np.arange(history.length, dtype=np.int64)) % 7
    judged = 0
    for day in zhambyl.days:
        if day.volume == 0:
            assert day.threshold is None and day.expected is None  # no volume: no judgement
            continue
        assert day.expected is not None and day.low is not None and day.high is not None
        assert day.threshold is not None
        assert day.low <= day.expected <= day.high and day.threshold > day.expected
        index = history.index(day.day)
        prior = country_prior(history, "ethnic_docs", index, rule)
        counts = history.counts[(ZHAMBYL, "ethnic_docs")].copy()
        at = math.ceil(day.threshold)  # the threshold holds for the day's volume: keep it
        for count in (day.count, at, at - 1):
            counts[index] = count
            found = metric_surge(history, ZHAMBYL, "ethnic_docs", counts, index, weekdays, rule, prior)
            assert (found is not None) is (count >= day.threshold), (day.day, count, day.threshold)
        judged += 1
    assert judged >= 20
    assert next(d for d in zhambyl.days if d.day == SURGE).count >= next(
        d.threshold or 0 for d in zhambyl.days if d.day == SURGE
    )


def test_a_metric_no_rule_watches_has_a_band_but_no_threshold(store: Store, stored: dict[str, int]) -> None:
    (docs,) = _series(store, "docs")
    (incidents,) = _series(store, S.INCIDENTS)
    assert not docs.watched and not incidents.watched
    assert any(d.expected is not None for d in docs.days)
    assert all(d.threshold is None for d in docs.days)
    assert all(d.expected is None and d.threshold is None for d in incidents.days)


def test_alerts_of_the_region_in_the_period_are_marked(store: Store, stored: dict[str, int]) -> None:
    zhambyl, pavlodar = _series(store, "ethnic_docs", (ZHAMBYL, PAVLODAR))
    assert [(a.id, a.kind, a.first_day, a.matches) for a in zhambyl.alerts] == [
        (stored["story"], "story_growth", date(2026, 2, 3), False),  # about the region, not this metric
        (stored["z"], "surge", SURGE, True),
    ]
    assert [(a.id, a.matches) for a in pavlodar.alerts] == [(stored["p"], False)]  # another metric
    with store.transaction() as session:
        quiet = S.region_series(
            session,
            regions=(ZHAMBYL,),
            metric="ethnic_docs",
            start=SINCE,
            end=UNTIL,
            rules=load_rules(),
            alerts=False,
        )
    assert quiet[0].alerts == ()


def test_comparison_order_and_ethnic_groups(store: Store, stored: dict[str, int]) -> None:
    series = _series(store, "docs", (PAVLODAR, ZHAMBYL, COUNTRY))
    assert [s.region for s in S.for_comparison(series)] == [COUNTRY, ZHAMBYL, PAVLODAR]
    with store.transaction() as session:
        groups = S.ethnic_series(session, region=ZHAMBYL, start=SINCE, end=UNTIL, rules=load_rules())
        assert S.latest_day(session) == min(S.kz_today(), date(2026, 2, 28))
    assert [s.metric for s in groups] == ["ethnic:uyghur"]
    assert S.known_metric("ethnic:uyghur") and S.known_metric("incident:killing")
    assert not S.known_metric("ethnic:nobody") and not S.known_metric("volume")


def test_a_share_divides_by_the_days_volume(store: Store, stored: dict[str, int]) -> None:
    (zhambyl,) = _series(store, "ethnic_docs")
    share = S.as_share(zhambyl)
    for raw, pct in zip(zhambyl.days, share.days, strict=True):
        if raw.volume == 0:
            assert pct.count == 0 and pct.threshold is None
            continue
        assert pct.count == pytest.approx(100 * raw.count / raw.volume)
        assert pct.threshold == pytest.approx(100 * (raw.threshold or 0) / raw.volume)
    assert share.alerts == zhambyl.alerts
