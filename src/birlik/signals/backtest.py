"""``birlik backtest``: replay a dated corpus day by day and list the alerts it would raise.

The corpus is JSONL: either the output of ``birlik analyze`` (lines with ``regions``,
``entities`` and optionally ``signals``) or raw lines (``id``, ``text``, ``published_at``,
``source``…), which are analysed first. A line may carry ``story`` (as ``birlik cluster``
writes it) for story-growth alerts. Indicators are built in memory with the same rules as
the stored ones; each day is evaluated with only that day and the days before it known.

Lead time: with an events file (JSONL ``{"region": KATO, "day": "2026-03-21", "name": …}``)
it is the days from the alert's first day to the event it precedes; without one, the days
from the alert's first day to the peak of its metric in the episode.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from birlik.domain import codes
from birlik.domain.errors import BadInput, ConfigError
from birlik.signals.alerts import continues, merge_details
from birlik.signals.indicators import (
    REGION_MIN_CONFIDENCE,
    Cube,
    DocFacts,
    History,
    indicator_day,
    kz_day,
)
from birlik.signals.rules import SEVERITY_RANK, Finding, RuleSet, evaluate_surges
from birlik.signals.stories import StoryMember, evaluate_story_growth, story_growth

Analyse = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
ANALYSED_FIELDS = ("regions", "region_scores")


@dataclass(slots=True)
class _Episode:
    finding: Finding
    first_day: date
    last_day: date
    severity: str
    title: str
    details: dict[str, Any]
    occurrences: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class BacktestAlert:
    kind: str
    subject: str
    region_kato: str | None
    metric: str | None
    first_day: date
    last_day: date
    severity: str
    title: str
    occurrences: int
    peak_day: date | None
    lead_days: int | None
    event: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "region": self.region_kato,
            "metric": self.metric,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "severity": self.severity,
            "title": self.title,
            "occurrences": self.occurrences,
            "peak_day": self.peak_day.isoformat() if self.peak_day else None,
            "lead_days": self.lead_days,
            "event": self.event,
        }


@dataclass(slots=True)
class BacktestReport:
    documents: int = 0
    undated: int = 0
    first_day: date | None = None
    last_day: date | None = None
    alerts: list[BacktestAlert] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "undated": self.undated,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "alerts": len(self.alerts),
        }


# --- reading a corpus -----------------------------------------------------------------------


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the corpus {path}: {exc} — check the path", code=codes.W030) from exc
    with handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInput(
                    f"{path}:{line_no} is not JSON: {exc} — one JSON object per line", code=codes.W031
                ) from exc
            if not isinstance(record, dict):
                raise BadInput(f"{path}:{line_no} is not a JSON object", code=codes.W031)
            yield record


def read_events(path: Path) -> list[dict[str, Any]]:
    events = list(read_corpus(path))
    for event in events:
        if not isinstance(event.get("region"), str) or not isinstance(event.get("day"), str):
            raise BadInput(f"{path}: every event needs 'region' (KATO) and 'day' (2026-03-21)",
                           code=codes.W032)
    return events


def facts_from_json(record: dict[str, Any]) -> DocFacts | None:
    """Indicator facts of one analysed line, or None when it has no day at all."""
    published = _moment(record.get("published_at"))
    fetched = _moment(record.get("fetched_at"))
    flags = record.get("flags") or []
    flag = record.get("date_flag") or next((f for f in flags if str(f).startswith("date:")), None)
    url = record.get("url") if isinstance(record.get("url"), str) else None
    latest = kz_day(fetched) if fetched else (kz_day(published) if published and not flag else date.max)
    day = indicator_day(published, flag, url, latest)
    fetched_day = kz_day(fetched) if fetched else day
    if fetched_day is None:
        return None
    found = record.get("signals")
    signals: dict[str, Any] = found if isinstance(found, dict) else {}
    entities = [e for e in record.get("entities") or [] if isinstance(e, dict)]
    return DocFacts(
        day=day,
        fetched_day=fetched_day,
        source_key=str(record.get("source") or "unknown"),
        regions=_regions(record),
        ethnic_groups=tuple(
            sorted({str(e["id"]) for e in entities if e.get("type") == "ETHNIC_GROUP" and e.get("id")})
        ),
        derogatory=any(e.get("derogatory") for e in entities),
        hate=_score(signals, record, "hate"),
        tension=_score(signals, record, "tension"),
        incident=_label(signals, record, "incident"),
    )


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _regions(record: dict[str, Any]) -> tuple[str, ...]:
    scores = record.get("region_scores")
    if isinstance(scores, list):
        return tuple(
            str(s["kato"])
            for s in scores
            if isinstance(s, dict) and float(s.get("confidence", 1.0)) >= REGION_MIN_CONFIDENCE
        )
    return tuple(str(r) for r in record.get("regions") or [])


def _score(signals: dict[str, Any], record: dict[str, Any], name: str) -> float | None:
    value = signals.get(name, record.get(name))
    if isinstance(value, dict):
        value = value.get("score")
    return float(value) if isinstance(value, (int, float)) else None


def _label(signals: dict[str, Any], record: dict[str, Any], name: str) -> str | None:
    value = signals.get(name, record.get(name))
    if isinstance(value, dict):
        value = value.get("label")
    return str(value) if value else None


def analyse_with(pipeline: Any, batch_size: int = 64) -> Analyse:
    """Analysis of raw lines through a pipeline, as ``birlik analyze`` does."""
    from birlik.nlp.jsonl import document_from_json, document_to_json

    def analyse(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(records), batch_size):
            chunk = records[start : start + batch_size]
            docs = [document_from_json(r, start + i + 1) for i, r in enumerate(chunk)]
            pipeline(docs)
            for doc, record in zip(docs, chunk, strict=True):
                annotated = document_to_json(doc, record)
                annotated["signals"] = {name: s.as_json() for name, s in doc.signals.items()}
                out.append(annotated)
        return out

    return analyse


# --- replay ---------------------------------------------------------------------------------


def backtest(
    records: Iterable[dict[str, Any]],
    rules: RuleSet,
    *,
    analyse: Analyse | None = None,
    events: list[dict[str, Any]] | None = None,
) -> BacktestReport:
    report = BacktestReport()
    facts: list[DocFacts] = []
    members: list[StoryMember] = []
    raw: list[dict[str, Any]] = []
    for record in records:
        if any(name in record for name in ANALYSED_FIELDS):
            _take(record, facts, members, report)
        else:
            raw.append(record)
    if raw:
        if analyse is None:
            raise ConfigError("the corpus has lines without 'regions': analyse them first", code=codes.W033)
        for record in analyse(raw):
            _take(record, facts, members, report)
    cube = Cube()
    cube.add(facts)
    history = cube.history()
    if history is None:
        return report
    report.first_day, report.last_day = history.start, history.day(history.length - 1)
    book = _replay(history, rules, members)
    report.alerts = [_alert(episode, history, events) for episode in book]
    return report


def _take(
    record: dict[str, Any], pending: list[DocFacts], members: list[StoryMember], report: BacktestReport
) -> None:
    facts = facts_from_json(record)
    report.documents += 1
    if facts is None or facts.day is None:
        report.undated += 1
    if facts is not None:
        pending.append(facts)
    story, published = record.get("story"), _moment(record.get("published_at"))
    if story is not None and facts is not None and facts.day is not None and published is not None:
        members.append(
            StoryMember(
                story_id=str(story),
                at=published if published.tzinfo else published.replace(tzinfo=UTC),
                outlet=facts.source_key,
                lang=str(record.get("lang") or "und"),
                regions=facts.regions,
            )
        )


def _replay(history: History, rules: RuleSet, members: list[StoryMember]) -> list[_Episode]:
    episodes: dict[tuple[str, str], list[_Episode]] = {}
    members.sort(key=lambda m: m.at)
    window = timedelta(hours=rules.story(None).window_hours)
    for index in range(history.length):
        day = history.day(index)
        findings = evaluate_surges(history, day, rules)
        if members:
            end_of_day = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) - timedelta(hours=5)
            known = [m for m in members if m.at <= end_of_day and m.at > end_of_day - timedelta(days=7)]
            findings += evaluate_story_growth(story_growth(known, end_of_day, window), end_of_day, rules)
        for finding in findings:
            _book(episodes, finding)
    return sorted(
        (e for runs in episodes.values() for e in runs), key=lambda e: (e.first_day, e.finding.subject)
    )


def _book(episodes: dict[tuple[str, str], list[_Episode]], finding: Finding) -> None:
    runs = episodes.setdefault((finding.kind, finding.subject), [])
    last = runs[-1] if runs else None
    if last is not None and continues(last.first_day, last.last_day, finding.day, finding.window_days):
        if finding.day > last.last_day:
            last.last_day, last.occurrences = finding.day, last.occurrences + 1
        last.details = merge_details(finding.kind, last.details, finding.details)
        if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[last.severity]:
            last.severity, last.title = finding.severity, finding.title
        return
    runs.append(
        _Episode(
            finding=finding,
            first_day=finding.day,
            last_day=finding.day,
            severity=finding.severity,
            title=finding.title,
            details=dict(finding.details),
        )
    )


def _alert(episode: _Episode, history: History, events: list[dict[str, Any]] | None) -> BacktestAlert:
    finding = episode.finding
    peak = _peak_day(episode, history)
    event = _event_for(episode, events) if events else None
    if event is not None:
        lead: int | None = (date.fromisoformat(event["day"]) - episode.first_day).days
    else:
        lead = (peak - episode.first_day).days if peak is not None else None
    return BacktestAlert(
        kind=finding.kind,
        subject=finding.subject,
        region_kato=finding.region_kato,
        metric=finding.metric,
        first_day=episode.first_day,
        last_day=episode.last_day,
        severity=episode.severity,
        title=episode.title,
        occurrences=episode.occurrences,
        peak_day=peak,
        lead_days=lead,
        event=event,
    )


def _peak_day(episode: _Episode, history: History) -> date | None:
    finding = episode.finding
    if finding.region_kato is None or finding.metric is None:
        return None
    counts = history.counts.get((finding.region_kato, finding.metric))
    if counts is None:
        return None
    low = history.index(episode.first_day)
    high = min(history.length, history.index(episode.last_day) + finding.window_days + 1)
    volumes = history.volume(finding.region_kato)[low:high]
    rates = np.divide(counts[low:high], volumes, out=np.zeros(high - low), where=volumes > 0)
    return history.day(low + int(np.argmax(rates)))


def _event_for(episode: _Episode, events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first event in the alert's region from ``window`` days before it to 30 days after."""
    region = episode.finding.region_kato
    earliest = episode.first_day - timedelta(days=episode.finding.window_days)
    candidates = [
        e
        for e in events
        if e["region"] == region
        and earliest <= date.fromisoformat(e["day"]) <= episode.first_day + timedelta(days=30)
    ]
    return min(candidates, key=lambda e: str(e["day"])) if candidates else None
