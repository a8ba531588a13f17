"""Notifications reach a real local HTTP server (signed, retried, dead-lettered) and a real
local SMTP server."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from birlik.signals.alerts import record_findings
from birlik.signals.notify import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    EmailChannel,
    SmtpConfig,
    WebhookChannel,
    deliver_pending,
    requeue_dead_letters,
    sign,
    verify,
)
from birlik.signals.rules import Finding, Targets
from birlik.store.models_signals import DeadLetterRow, OutboxRow
from birlik.store.repository import Store

pytestmark = pytest.mark.network
SECRET = "test-webhook-secret"


def _raise_alert(store: Store, targets: Targets) -> None:
    finding = Finding(
        kind="surge",
        subject="310000000",
        day=date(2026, 3, 10),
        severity="medium",
        title="Surge in Zhambyl region: ethnic:uyghur ×5.0 (25)",
        window_days=3,
        region_kato="310000000",
        metric="ethnic:uyghur",
        details={
            "metrics": [
                {
                    "metric": "ethnic:uyghur",
                    "count": 25.0,
                    "volume": 100.0,
                    "expected": 0.05,
                    "z": 7.1,
                    "ratio": 5.0,
                    "severity": "medium",
                }
            ]
        },
    )
    with store.transaction() as session:
        record_findings(session, [finding], lambda _region: targets)


def _deliver(store: Store, webhook_secret: str = SECRET, max_attempts: int = 4, **channels: Any) -> Any:
    waits: list[float] = []
    report = deliver_pending(
        store,
        {"webhook": WebhookChannel(webhook_secret, timeout=5), **channels},
        max_attempts=max_attempts,
        backoff=0.01,
        sleep=waits.append,
    )
    return report, waits


def test_signature_round_trip() -> None:
    body = b'{"a":1}'
    assert verify(SECRET, body, sign(SECRET, body))
    assert not verify(SECRET, body + b" ", sign(SECRET, body))
    assert not verify("other", body, sign(SECRET, body))


def test_webhook_is_signed_and_delivered_once(store: Store, webhook: Any) -> None:
    _raise_alert(store, Targets(webhook=(webhook.url,)))
    report, _ = _deliver(store)
    assert report.delivered == 1 and webhook.bad_signatures == 0
    (received,) = webhook.received
    assert received["json"]["event"] == "alert.new"
    assert received["json"]["alert"]["region_kato"] == "310000000"
    assert received["headers"][SIGNATURE_HEADER] == sign(SECRET, received["body"])
    assert received["headers"][DELIVERY_HEADER].startswith("surge:310000000:2026-03-10:new:webhook:")
    again, _ = _deliver(store)
    assert again.delivered == 0 and len(webhook.received) == 1


def test_retries_with_exponential_backoff_then_success(store: Store, webhook: Any) -> None:
    webhook.fail_first = 2
    _raise_alert(store, Targets(webhook=(webhook.url,)))
    report, waits = _deliver(store)
    assert (report.delivered, report.failed_attempts, report.dead) == (1, 2, 0)
    assert waits == [0.01, 0.02]
    assert webhook.attempts == 3 and len(webhook.received) == 1
    with store.transaction() as session:
        (row,) = session.scalars(select(OutboxRow)).all()
        assert row.delivered_at is not None and row.attempts == 3 and "500" in (row.last_error or "")


def test_dead_letter_after_the_last_attempt(store: Store, webhook: Any) -> None:
    webhook.fail_first = 100
    _raise_alert(store, Targets(webhook=(webhook.url,)))
    report, waits = _deliver(store, max_attempts=3)
    assert (report.delivered, report.failed_attempts, report.dead) == (0, 3, 1)
    assert waits == [0.01, 0.02]
    with store.transaction() as session:
        (letter,) = session.scalars(select(DeadLetterRow)).all()
        assert (
            letter.attempts == 3
            and letter.target == webhook.url
            and "answered 500" in (letter.last_error or "")
        )
        assert letter.payload["alert"]["metric"] == "ethnic:uyghur"
    later, _ = _deliver(store)
    assert later.failed_attempts == 0  # dead letters are not retried by themselves
    webhook.fail_first = 0
    assert requeue_dead_letters(store) == 1
    revived, _ = _deliver(store)
    assert revived.delivered == 1 and len(webhook.received) == 1


def test_a_wrong_secret_is_refused_by_the_receiver(store: Store, webhook: Any) -> None:
    _raise_alert(store, Targets(webhook=(webhook.url,)))
    report, _ = _deliver(store, webhook_secret="not-the-shared-secret", max_attempts=1)
    assert report.dead == 1 and webhook.bad_signatures == 1 and webhook.received == []


def test_email_reaches_a_real_smtp_server(store: Store, smtp_server: Any) -> None:
    _raise_alert(store, Targets(email=("zhambyl@example.kz", "desk@example.kz")))
    email = EmailChannel(
        SmtpConfig(
            host=smtp_server.host,
            port=smtp_server.port,
            starttls=False,
            sender="birlik@example.kz",
            timeout=5,
        )
    )
    report, _ = _deliver(store, email=email)
    assert report.delivered == 2
    assert sorted(to for _, (to,) in smtp_server.envelopes) == ["desk@example.kz", "zhambyl@example.kz"]
    message = smtp_server.messages[0]
    assert message["Subject"] == "[Birlik] MEDIUM: Surge in Zhambyl region: ethnic:uyghur ×5.0 (25)"
    assert message["From"] == "birlik@example.kz"
    body = message.get_content()
    assert "ethnic:uyghur: 25 documents (expected 5.0)" in body


def test_an_unreachable_smtp_server_is_retried_then_dead(store: Store) -> None:
    _raise_alert(store, Targets(email=("desk@example.kz",)))
    email = EmailChannel(SmtpConfig(host="127.0.0.1", port=9, starttls=False, timeout=2))
    report, _ = _deliver(store, max_attempts=2, email=email)
    assert report.dead == 1 and "W023" in report.errors[0]


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_email_speaks_the_configured_language_like_the_pages(
    store: Store, smtp_server: Any, lang: str
) -> None:
    """With the pages' renderer (``web.messages.alert_email``, as ``birlik monitor`` passes it),
    the e-mail's subject and body are in ``BIRLIK_ALERT_EMAIL_LANG``: the alert page's title and
    its "why it fired" lines, not the stored English title."""
    from birlik.settings import NotificationSettings, Settings
    from birlik.signals.alert_text import alert_title, why_fired
    from birlik.signals.notify import channels_from_settings
    from birlik.store.models_signals import AlertRow
    from birlik.web.i18n import Translator
    from birlik.web.messages import alert_email, say

    _raise_alert(store, Targets(email=("desk@example.kz",)))
    notifications = NotificationSettings(
        smtp_host=smtp_server.host, smtp_port=smtp_server.port, smtp_starttls=False, alert_email_lang=lang
    )
    settings = Settings(database_url="sqlite://", environment="test", notifications=notifications)
    channels = channels_from_settings(settings, words=alert_email)
    report, _ = _deliver(store, email=channels["email"])
    assert report.delivered == 1
    (message,) = smtp_server.messages
    t = Translator(lang)
    with store.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        title = say(t, alert_title(alert))
        why = [say(t, line) for line in why_fired(alert)]
    assert message["Subject"] == f"[Birlik] {t('severity.medium').upper()}: {title}"
    assert "Surge" not in message["Subject"] and "Жамбыл" in title
    assert message["Content-Language"] == lang
    body = message.get_content()
    assert body.startswith(title) and t("alerts_email.why") in body
    assert all(line in body for line in why) and why
    assert "birlik alerts ack" in body and "documents" not in body


def test_email_of_a_payload_queued_before_it_carried_the_subject() -> None:
    from birlik.web.messages import alert_email

    alert = {
        "id": 3,
        "kind": "surge",
        "severity": "high",
        "status": "new",
        "title": "Surge in Zhambyl region",
        "region_kato": "310000000",
        "first_day": "2026-03-08",
        "last_day": "2026-03-10",
        "details": {},
    }
    subject, body = alert_email(alert, "ru")
    assert subject.endswith("Жамбыл: всплеск") and "Регион: Жамбыл" in body


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_webhook_carries_the_alert_in_the_configured_language(store: Store, webhook: Any, lang: str) -> None:
    """With the pages' renderer (``web.messages.alert_words``, as ``birlik monitor`` passes it),
    the body a real receiver gets has ``text`` in ``BIRLIK_WEBHOOK_LANG``: the alert page's title,
    severity, region and why it fired; the stored fields a receiver already reads are unchanged,
    and the signature signs the body sent."""
    from birlik.resources.gazetteer import load_gazetteer
    from birlik.settings import NotificationSettings, Settings
    from birlik.signals.alert_text import alert_title, why_fired
    from birlik.signals.notify import channels_from_settings
    from birlik.store.models_signals import AlertRow
    from birlik.web.i18n import Translator
    from birlik.web.messages import alert_words, say

    _raise_alert(store, Targets(webhook=(webhook.url,)))
    notifications = NotificationSettings(webhook_secret=SECRET, webhook_lang=lang)
    settings = Settings(database_url="sqlite://", environment="test", notifications=notifications)
    channels = channels_from_settings(settings, webhook_words=alert_words)
    report = deliver_pending(store, channels, max_attempts=1, backoff=0.01)
    assert report.delivered == 1 and webhook.bad_signatures == 0
    (received,) = webhook.received
    body = received["json"]
    t = Translator(lang)
    with store.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        title = say(t, alert_title(alert))
        why = [say(t, line) for line in why_fired(alert)]
    assert body["text"] == {
        "lang": lang,
        "title": title,
        "severity": t("severity.medium"),
        "region": load_gazetteer().get("310000000").name(lang),  # type: ignore[union-attr]
        "why": why,
    }
    assert why and title != alert.title and ("Surge" in title) == (lang == "en")
    # what receivers read before stays as it was: the event, the stored title, the raw metrics
    assert body["event"] == "alert.new" and body["alert"]["title"] == alert.title
    assert body["alert"]["metric"] == "ethnic:uyghur" and body["alert"]["region_kato"] == "310000000"
    assert body["alert"]["details"]["metrics"][0]["count"] == 25.0
    assert set(body) == {"event", "alert", "text"}


def test_webhook_without_a_renderer_sends_the_stored_fields_only(store: Store, webhook: Any) -> None:
    _raise_alert(store, Targets(webhook=(webhook.url,)))
    report, _ = _deliver(store)
    assert report.delivered == 1
    assert set(webhook.received[0]["json"]) == {"event", "alert"}
