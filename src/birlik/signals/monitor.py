"""``birlik monitor``: poll due sources, ingest (indicators follow each batch), evaluate the
rules, notify — again and again.

Safe to kill at any moment. Each batch is stored with its indicators in one transaction; a
source's poll state is saved after its last batch (a killed poll is redone, its documents
recognised as duplicates). Findings become alerts with unique keys, and their
notifications enter the outbox in the same transaction; a notification is marked delivered
right after the receiver took it. A rerun therefore raises no alert twice and sends no
delivered notification again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.connectors.rss import is_due
from birlik.domain import codes
from birlik.domain.errors import BirlikError
from birlik.ingest.dates import ALMATY
from birlik.settings import Settings
from birlik.signals.alerts import Recipients, RecordReport, record_findings
from birlik.signals.health import evaluate_health
from birlik.signals.indicators import kz_day, load_history
from birlik.signals.notify import (
    AlertEmail,
    AlertText,
    Channel,
    DeliveryReport,
    channels_from_settings,
    deliver_pending,
    recipients_from_settings,
)
from birlik.signals.rules import Finding, RuleSet, evaluate_surges, load_rules
from birlik.signals.stories import LOOKBACK, StoryFeed, evaluate_story_growth, story_growth
from birlik.store.models import SourceRow, utcnow
from birlik.store.repository import Store

if TYPE_CHECKING:
    from birlik.ingest.service import Ingestor

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class Evaluator:
    """The rules over what is stored: surges, story growth, source health."""

    def __init__(
        self, rules: RuleSet, *, story_feed: StoryFeed | None = None, lookback_days: int = 2
    ) -> None:
        self.rules = rules
        self.story_feed = story_feed
        self.lookback_days = lookback_days

    def findings(self, session: Session, now: datetime, since: date | None = None) -> list[Finding]:
        """Surges of the last ``lookback_days`` days (or of every day from ``since``), source
        health now, and story growth now (and at the end of every day from ``since``)."""
        today = kz_day(now)
        if since is not None and since < today:
            days = [since + timedelta(days=k) for k in range((today - since).days + 1)]
        else:
            days = [today - timedelta(days=k) for k in range(self.lookback_days)]
        start = min(days) - timedelta(days=self.rules.max_history_days() + 1)
        history = load_history(session, start, today)
        findings = [finding for day in sorted(days) for finding in evaluate_surges(history, day, self.rules)]
        findings.extend(evaluate_health(session, now, self.rules.health))
        if self.story_feed is not None:
            window = timedelta(hours=self.rules.story(None).window_hours)
            ends = [] if since is None else [_day_end(day) for day in days if _day_end(day) < now]
            moments = [*ends, now]
            for moment in moments:
                members = self.story_feed.members(session, moment - LOOKBACK, moment)
                findings.extend(
                    evaluate_story_growth(story_growth(members, moment, window), moment, self.rules)
                )
        return findings

    def run(
        self, store: Store, now: datetime, recipients: Recipients | None, since: date | None = None
    ) -> RecordReport:
        with store.transaction() as session:
            return record_findings(session, self.findings(session, now, since), recipients)


def _day_end(day: date) -> datetime:
    """The last moment of a day in Almaty (UTC+5), as an aware UTC datetime."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ALMATY) - timedelta(microseconds=1)


@dataclass(slots=True)
class PassReport:
    polled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    stored: int = 0
    quarantined: int = 0
    unavailable: list[str] = field(default_factory=list)
    alerts_new: int = 0
    alerts_raised: int = 0
    queued: int = 0
    delivered: int = 0
    dead: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "polled": self.polled,
            "failed": self.failed,
            "stored": self.stored,
            "quarantined": self.quarantined,
            "unavailable": self.unavailable,
            "alerts_new": self.alerts_new,
            "alerts_raised": self.alerts_raised,
            "notifications_queued": self.queued,
            "delivered": self.delivered,
            "dead_letters": self.dead,
        }


class Monitor:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        rules: RuleSet | None = None,
        channels: dict[str, Channel] | None = None,
        ingestor_factory: Callable[[], Ingestor],
        story_feed: StoryFeed | None = None,
        clock: Clock = utcnow,
        email_words: AlertEmail | None = None,
        webhook_words: AlertText | None = None,
    ) -> None:
        """``ingestor_factory`` builds the ingestor (pipeline and consumers) when a source is
        first due (the runtime's ``ingestor``); without ``story_feed`` no story alerts;
        ``email_words`` renders the alert e-mails (``notify.AlertEmail``), ``webhook_words`` the
        webhook's ``text`` (``notify.AlertText``)."""
        self.settings = settings
        self.store = store
        self.rules = rules if rules is not None else load_rules(settings.rules_file)
        self.channels = (
            channels
            if channels is not None
            else channels_from_settings(settings, words=email_words, webhook_words=webhook_words)
        )
        self.recipients = recipients_from_settings(settings, self.rules.targets)
        self.evaluator = Evaluator(
            self.rules,
            story_feed=story_feed,
            lookback_days=settings.alert_lookback_days,
        )
        self.ingestor_factory = ingestor_factory
        self.clock = clock
        self._ingestor: Ingestor | None = None

    def run_once(self, since: date | None = None) -> PassReport:
        """One pass; ``since`` also evaluates every day from that day on (a catch-up after a
        backfill or an import of past documents: the demo)."""
        report = PassReport()
        self._poll(report)
        recorded = self.evaluator.run(self.store, self.clock(), self.recipients, since)
        report.alerts_new, report.alerts_raised = len(recorded.created), len(recorded.raised)
        report.queued = recorded.notifications
        delivery: DeliveryReport = deliver_pending(
            self.store,
            self.channels,
            max_attempts=self.settings.notifications.notify_max_attempts,
            backoff=self.settings.notifications.notify_backoff_seconds,
        )
        report.delivered, report.dead = delivery.delivered, delivery.dead
        return report

    def run_forever(self, stop: threading.Event, on_pass: Callable[[PassReport], None] | None = None) -> None:
        while not stop.is_set():
            try:
                report = self.run_once()
            except BirlikError as exc:  # an unreachable database: keep trying
                log.error("monitor pass failed: %s", exc)
            except Exception:  # a bug must not end monitoring: log it, try again next pass
                log.exception("monitor pass failed")
            else:
                if on_pass is not None:
                    on_pass(report)
            stop.wait(self.settings.monitor_interval)

    def _poll(self, report: PassReport) -> None:
        from birlik.ingest.service import source_config

        now = self.clock()
        with self.store.transaction() as session:
            rows = list(
                session.scalars(select(SourceRow).where(SourceRow.enabled.is_(True)).order_by(SourceRow.id))
            )
            due = [
                (source_config(row), row.id)
                for row in rows
                if is_due(source_config(row), now, self.settings.default_poll_interval)
            ]
        if not due:
            return
        ingestor = self._get_ingestor()
        for config, source_id in due:
            report.polled.append(config.name)
            try:
                result = ingestor.ingest(config, source_id)
            except Exception as exc:  # one bad source must not stop the healthy ones
                log.exception("source %s failed; the other sources go on", config.name)
                report.failed.append(config.name)
                self._record_failure(source_id, exc)
                continue
            report.stored += result.stored
            report.quarantined += result.quarantined
            report.unavailable.extend(result.unavailable)

    def _record_failure(self, source_id: int, exc: Exception) -> None:
        """The failure on the source's row, so it is not polled again before its interval."""
        try:
            with self.store.transaction() as session:
                row = session.get(SourceRow, source_id)
                if row is not None:
                    row.last_polled_at = self.clock()
                    row.last_error = f"[{codes.C091.id}] {exc.__class__.__name__}: {str(exc)[:500]}"
        except Exception:  # the database itself is failing: the pass goes on without it
            log.exception("could not record the failure of source %s", source_id)

    def _get_ingestor(self) -> Ingestor:
        if self._ingestor is None:
            self._ingestor = self.ingestor_factory()
        return self._ingestor
