"""Backtests: an injected surge in one region raises an alert there on its first or second
day; a flat corpus of the same size raises none; the CLI lists alerts with lead time."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from bench_signals import synthetic_corpus

from birlik.cli.main import cli
from birlik.signals.backtest import backtest, facts_from_json
from birlik.signals.rules import load_rules

ZHAMBYL = "310000000"
START = date(2025, 1, 6)
DAYS, SURGE_AT = 120, 100


def _corpora(seed: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    base = len(synthetic_corpus(DAYS, seed=seed, per_region=25))
    surged = synthetic_corpus(DAYS, seed=seed, per_region=25, surge=(ZHAMBYL, SURGE_AT, 4, "uyghur", 8.0))
    flat = synthetic_corpus(DAYS, seed=seed, per_region=25, extra_flat_docs=max(0, len(surged) - base))
    return surged, flat[: len(surged)]


@pytest.mark.parametrize("seed", [2, 7])
def test_a_surge_is_caught_early_and_a_flat_corpus_raises_nothing(seed: int) -> None:
    surged, flat = _corpora(seed)
    assert len(surged) == len(flat)
    rules = load_rules()
    alerts = backtest(surged, rules).alerts
    regional = [a for a in alerts if a.region_kato == ZHAMBYL]
    assert len(regional) == 1 and all(a.region_kato in (ZHAMBYL, "KZ") for a in alerts)
    (alert,) = regional
    assert alert.first_day - (START + timedelta(days=SURGE_AT)) in (timedelta(0), timedelta(days=1))
    assert alert.metric == "ethnic:uyghur" and alert.lead_days is not None and alert.lead_days >= 0
    assert backtest(flat, rules).alerts == []


def test_wrongly_dated_lines_do_not_surge() -> None:
    lines = synthetic_corpus(40, seed=3, per_region=20)
    dump = [
        dict(
            line,
            published_at="2099-01-01T00:00:00+05:00",
            date_flag="future",
            id=f"x{k}",
            fetched_at="2025-02-14T10:00:00+05:00",
        )
        for k, line in enumerate(lines[-3000:])
    ]
    report = backtest(lines + dump, load_rules())
    assert report.alerts == [] and report.undated == len(dump)
    assert facts_from_json(dump[0]) is not None and facts_from_json(dump[0]).day is None  # type: ignore[union-attr]


def test_cli_lists_alerts_with_lead_time_to_events(tmp_path: Path) -> None:
    surged, _ = _corpora(2)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in surged), encoding="utf-8")
    events = tmp_path / "events.jsonl"
    event_day = START + timedelta(days=SURGE_AT + 3)
    events.write_text(json.dumps({"region": ZHAMBYL, "day": event_day.isoformat(), "name": "clash"}), "utf-8")
    result = CliRunner().invoke(cli, ["backtest", str(corpus), "--events", str(events), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    summary = rows.pop()["summary"]
    assert summary["documents"] == len(surged) and summary["alerts"] == len(rows)
    zhambyl = next(r for r in rows if r["region"] == ZHAMBYL)
    assert zhambyl["event"]["name"] == "clash" and zhambyl["lead_days"] in (2, 3)


def test_raw_lines_are_analysed_first(tmp_path: Path) -> None:
    corpus = tmp_path / "raw.jsonl"
    corpus.write_text(
        json.dumps(
            {
                "id": "1",
                "text": "В Жамбылской области встретились уйгуры и дунгане.",
                "published_at": "2026-03-01T10:00:00+05:00",
                "source": "a",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["backtest", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "0 alerts over 1 documents" in result.stderr
