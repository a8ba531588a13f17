"""What an alert says is stored as codes and the numbers behind them: a surge keeps the
thresholds it passed, a story alert which of its rule's conditions fired; titles and reasons
are messages, said in the reader's language at display time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from birlik.signals.alert_text import Message, Ref, alert_title, needs_rules, why_fired
from birlik.signals.indicators import COUNTRY, History
from birlik.signals.rules import evaluate_surges, load_rules
from birlik.signals.stories import StoryGrowth, evaluate_story_growth
from birlik.store.models_signals import AlertRow

ZHAMBYL = "310000000"
START = date(2026, 1, 5)


def _alert(finding_kind: str, **values: object) -> AlertRow:
    return AlertRow(kind=finding_kind, first_day=START, last_day=START, severity="low", title="old", **values)


def test_a_surge_stores_the_thresholds_it_passed_and_says_them() -> None:
    history = History(START, START + timedelta(days=39))
    for k in range(40):
        day = START + timedelta(days=k)
        history.put(ZHAMBYL, day, "volume", 100.0)
        history.put(ZHAMBYL, day, "ethnic_docs", 2.0 + (k % 3) + (30 if k == 39 else 0))
        history.put(COUNTRY, day, "volume", 100.0)
    (finding,) = evaluate_surges(history, START + timedelta(days=39), load_rules())
    metric = finding.details["metrics"][0]
    assert metric["rule"] == {"z": 4.0, "min_ratio": 2.0, "min_count": 5.0}
    alert = _alert("surge", subject=ZHAMBYL, region_kato=ZHAMBYL, details=finding.details)
    assert not needs_rules(alert)
    title = alert_title(alert)
    assert title is not None and title.key == "alerts.title.surge"
    assert title.params["region"] == Ref("region", ZHAMBYL)
    lines = why_fired(alert)
    assert [line.key for line in lines] == ["alerts.why.observed", "alerts.why.threshold"]
    assert lines[0].params["count"] == 32.0 and lines[1].params["z"] == 4.0


def test_an_old_surge_is_measured_against_the_current_rules_and_says_so() -> None:
    metric = {
        "metric": "ethnic_docs",
        "count": 12.0,
        "volume": 40.0,
        "expected": 0.05,
        "z": 7.5,
        "ratio": 6.0,
    }
    alert = _alert("surge", subject=ZHAMBYL, region_kato=ZHAMBYL, details={"metrics": [metric]})
    assert needs_rules(alert)
    keys = [line.key for line in why_fired(alert, load_rules())]
    assert keys == ["alerts.why.observed", "alerts.why.threshold", "alerts.why.current_rules"]
    assert [line.key for line in why_fired(alert)] == ["alerts.why.observed"]  # no rules: no guess


def test_a_story_alert_stores_which_conditions_fired() -> None:
    growth = StoryGrowth(
        story_id="7",
        documents=5,
        outlets=("a", "b", "c", "d", "e"),
        new_outlets=("a", "b", "c", "d"),
        languages=("kk", "ru"),
        new_languages=(),
        regions=(ZHAMBYL,),
        new_regions=(),
        top_region=ZHAMBYL,
    )
    (finding,) = evaluate_story_growth([growth], datetime(2026, 3, 1, tzinfo=UTC), load_rules())
    assert finding.details["fired"] == ["outlets"] and finding.details["rule"]["min_new_outlets"] == 4
    alert = _alert("story_growth", subject="7", story_id="7", region_kato=ZHAMBYL, details=finding.details)
    title = alert_title(alert)
    assert title is not None and title.params["reasons"] == [Message("alerts.reason.outlets", {"n": 4})]


def test_an_unknown_kind_keeps_its_stored_title() -> None:
    assert alert_title(_alert("custom", subject="x", details={})) is None
