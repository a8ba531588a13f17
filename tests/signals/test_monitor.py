"""End to end: a registered source → ingest through the real pipeline → indicators → a surge
alert → a signed webhook on a local HTTP server and an e-mail on a local SMTP server; a second
pass (in process, and as a real `birlik monitor --once` process) notifies nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from birlik.ingest.service import Ingestor
from birlik.nlp.pipeline import Pipeline
from birlik.settings import NotificationSettings, Settings
from birlik.signals.indicators import after_batch
from birlik.signals.monitor import Monitor
from birlik.signals.stories import TableStoryFeed
from birlik.store import repository as repo
from birlik.store.models_signals import AlertRow, OutboxRow
from birlik.store.models_stories import StoryMemberRow
from birlik.store.repository import Store

pytestmark = [pytest.mark.network, pytest.mark.slow]
SECRET = "test-webhook-secret"
ZHAMBYL = "310000000"
OUTLETS = ("zhambyl-news", "taraz-today", "kordai-info")


def _line(n: int, moment: datetime, ethnic: bool) -> str:
    who = "уйгуры и дунгане" if ethnic else "жители сёл"
    text = (
        f"В Жамбылской области прошло собрание, в нём приняли участие {who}. "
        f"Совет медиации Кордайского района рассмотрел обращения номер {n}."
    )
    return json.dumps(
        {
            "id": f"z{n}",
            "text": text,
            "published_at": moment.isoformat(),
            "source": OUTLETS[n % 3],
            "url": f"https://{OUTLETS[n % 3]}.example/{n}",
        },
        ensure_ascii=False,
    )


def write_corpus(path: Path, now: datetime, surge: int = 30) -> int:
    """20 calm days (1 in 4 documents about Uyghurs and Dungans), then a surge today."""
    lines, n = [], 0
    for days_ago in range(20, 0, -1):
        moment = now - timedelta(days=days_ago)
        for k in range(4):
            lines.append(_line(n, moment, ethnic=k == 0))
            n += 1
    for k in range(surge + 3):
        lines.append(_line(n, now - timedelta(hours=1), ethnic=k < surge))
        n += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n


def _settings(store: Store, webhook: Any, smtp_server: Any) -> Settings:
    return Settings(
        database_url=store.engine.url.render_as_string(hide_password=False),
        notifications=NotificationSettings(
            webhook_urls=webhook.url,
            webhook_secret=SECRET,
            smtp_host=smtp_server.host,
            smtp_port=smtp_server.port,
            smtp_starttls=False,
            alert_email_to="zhambyl@example.kz",
            notify_backoff_seconds=0.01,
        ),
    )


def test_ingest_to_alert_to_webhook_and_mail(
    store: Store, pipeline: Pipeline, webhook: Any, smtp_server: Any, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    corpus = tmp_path / "zhambyl.jsonl"
    total = write_corpus(corpus, now)
    with store.transaction() as session:
        repo.add_source(
            session, name="zhambyl-feed", kind="posts", location=str(corpus), options={}, poll_interval=3600
        )
    # indicators only after each batch (stories embed every document: the process test runs them)
    settings = _settings(store, webhook, smtp_server)
    monitor = Monitor(
        settings,
        store,
        ingestor_factory=lambda: Ingestor(settings, store, pipeline, after_batch=[after_batch]),
        story_feed=TableStoryFeed(StoryMemberRow.__table__),
    )
    report = monitor.run_once()
    assert report.polled == ["zhambyl-feed"] and report.stored == total
    with store.transaction() as session:
        alerts = {a.region_kato: a for a in session.scalars(select(AlertRow))}
    assert ZHAMBYL in alerts
    surge = alerts[ZHAMBYL]
    assert surge.kind == "surge" and surge.status == "new"
    assert {m["metric"] for m in surge.details["metrics"]} >= {"ethnic_docs", "ethnic:uyghur"}
    assert report.delivered == 2 * len(alerts) and report.dead == 0
    hooks = {r["json"]["alert"]["region_kato"]: r for r in webhook.received}
    assert hooks[ZHAMBYL]["json"]["alert"]["title"].startswith("Surge in Zhambyl")
    assert webhook.bad_signatures == 0
    assert any("Zhambyl" in str(m["Subject"]) for m in smtp_server.messages)
    # a second pass: the source is not due, the alerts exist, nothing is sent again
    again = monitor.run_once()
    assert (again.polled, again.alerts_new, again.queued, again.delivered) == ([], 0, 0, 0)
    assert len(webhook.received) == len(alerts) and len(smtp_server.messages) == len(alerts)
    with store.transaction() as session:
        rows = session.scalars(select(OutboxRow)).all()
        assert len(rows) == 2 * len(alerts)
        assert all(r.delivered_at is not None and r.dead_at is None for r in rows)


def test_monitor_catches_up_on_past_days_with_since(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    """Documents of two months ago (a backfill, the demo): a normal pass looks at the last days
    only and raises nothing; a pass with ``since`` evaluates every day from it and raises the
    surge of that time, once."""
    now = datetime.now(UTC)
    then = now - timedelta(days=60)
    corpus = tmp_path / "past.jsonl"
    write_corpus(corpus, then)
    with store.transaction() as session:
        repo.add_source(session, name="past-feed", kind="posts", location=str(corpus), options={},
                        poll_interval=3600)
    settings = Settings(database_url=store.engine.url.render_as_string(hide_password=False))
    monitor = Monitor(settings, store, channels={},
                      ingestor_factory=lambda: Ingestor(settings, store, pipeline, after_batch=[after_batch]))
    assert monitor.run_once().alerts_new == 0
    caught_up = monitor.run_once(since=(then - timedelta(days=1)).date())
    with store.transaction() as session:
        surges = [a for a in session.scalars(select(AlertRow)) if a.kind == "surge"]
    assert caught_up.alerts_new >= 1 and ZHAMBYL in {a.region_kato for a in surges}
    assert all(a.last_day <= (then + timedelta(days=1)).date() for a in surges)
    assert monitor.run_once(since=(then - timedelta(days=1)).date()).alerts_new == 0


def birlik_process(env: dict[str, str]) -> tuple[list[str], Callable[..., str]]:
    """The command line of a real `birlik` process, and a runner that expects it to succeed."""
    birlik = [sys.executable, "-m", "birlik.cli.main", "--quiet"]

    def run(*args: str) -> str:
        done = subprocess.run([*birlik, *args], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return birlik, run


def test_monitor_once_twice_as_real_processes(tmp_path: Path, webhook: Any, smtp_server: Any) -> None:
    corpus = tmp_path / "zhambyl.jsonl"
    write_corpus(corpus, datetime.now(UTC))
    env = dict(
        os.environ,
        BIRLIK_DATABASE_URL=f"sqlite:///{tmp_path / 'monitor.db'}",
        BIRLIK_WEBHOOK_URLS=webhook.url,
        BIRLIK_WEBHOOK_SECRET=SECRET,
        BIRLIK_SMTP_HOST=smtp_server.host,
        BIRLIK_SMTP_PORT=str(smtp_server.port),
        BIRLIK_SMTP_STARTTLS="false",
        BIRLIK_ALERT_EMAIL_TO="desk@example.kz",
        BIRLIK_NOTIFY_BACKOFF_SECONDS="0.01",
    )
    birlik, run = birlik_process(env)
    run("init")
    run("source", "add", "zhambyl-feed", "posts", str(corpus), "--interval", "3600")
    first = json.loads(run("monitor", "--once"))
    assert first["alerts_new"] >= 1 and first["delivered"] == 2 * first["alerts_new"]
    second = json.loads(run("monitor", "--once"))
    assert (second["alerts_new"], second["delivered"], second["polled"]) == (0, 0, [])
    assert len(webhook.received) == first["alerts_new"] == len(smtp_server.messages)
    listed = [json.loads(line) for line in run("alerts", "list", "--json").splitlines()]
    zhambyl = next(a for a in listed if a["region_kato"] == ZHAMBYL)
    run("alerts", "ack", str(zhambyl["id"]))
    assert "case" in run("alerts", "escalate", str(zhambyl["id"]), "--note", "send mediators")
    refused = subprocess.run(
        [*birlik, "alerts", "dismiss", str(zhambyl["id"]), "--reason", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2 and "[W010]" in refused.stderr
    indicators = run("indicators", "--region", "Жамбыл", "--metric", "ethnic:*", "--json")
    assert any(json.loads(line)["metric"] == "ethnic:uyghur" for line in indicators.splitlines())
