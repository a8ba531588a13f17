"""Notifications from the outbox: signed webhooks and e-mail, retries, dead letters.

A notification is written to ``notification_outbox`` in the transaction that raised its
alert, and marked ``delivered_at`` in its own transaction right after the receiver accepted
it: a process killed in between sends it once more on restart (at least once), and the
``X-Birlik-Delivery`` header (the outbox key) lets a receiver drop that repeat.

Webhook body: the JSON payload (UTF-8, sorted keys) — ``event`` and ``alert`` (its stored fields,
unchanged for receivers that read them) and, with the pages' renderer, ``text``: the alert as a
reader of ``BIRLIK_WEBHOOK_LANG`` reads it (``lang``, ``title``, ``severity``, ``region``, ``why``;
``AlertText``); header ``X-Birlik-Signature:
sha256=<hex HMAC-SHA256 of the body with BIRLIK_WEBHOOK_SECRET>``. A failed attempt waits
``backoff × 2^(attempt-1)`` seconds; after ``max_attempts`` the notification moves to
``notification_dead_letters``.
"""

from __future__ import annotations

import email.policy
import hashlib
import hmac
import json
import logging
import smtplib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from sqlalchemy import select

from birlik.domain import codes
from birlik.domain.errors import DeliveryFailed
from birlik.settings import Settings
from birlik.signals.rules import Targets
from birlik.store.models import utcnow
from birlik.store.models_signals import DeadLetterRow, OutboxRow
from birlik.store.repository import Store

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Birlik-Signature"
UNFOLDED = email.policy.default.clone(max_line_length=998)
"""Headers on one line up to SMTP's limit (see ``render_email``)."""
DELIVERY_HEADER = "X-Birlik-Delivery"


class Channel(Protocol):
    name: str

    def send(self, target: str, key: str, payload: dict[str, Any]) -> None:
        """Deliver or raise ``DeliveryFailed``."""


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """For receivers: whether ``signature`` (the header's value) signs ``body``."""
    return hmac.compare_digest(sign(secret, body), signature)


AlertText = Callable[[Mapping[str, Any], str], dict[str, Any]]
"""An alert as a reader of a language reads it: ``(the payload's alert, lang) → {"lang",
"title", "severity", "region", "why"}``. The entry point passes the web catalogue's renderer
(``web.messages.alert_words``); this layer does not read the catalogue itself."""


class WebhookChannel:
    name = "webhook"

    def __init__(
        self,
        secret: str,
        *,
        timeout: float = 10.0,
        user_agent: str = "Birlik",
        words: AlertText | None = None,
        lang: str = "kk",
    ) -> None:
        """``words``: the body also carries ``text``, the alert in ``lang`` (rendered when it
        is sent, so a retry sends the same body)."""
        self.secret = secret
        self.timeout = timeout
        self.user_agent = user_agent
        self.words = words
        self.lang = lang

    def send(self, target: str, key: str, payload: dict[str, Any]) -> None:
        if self.words is not None and isinstance(payload.get("alert"), Mapping):
            payload = {**payload, "text": self.words(payload["alert"], self.lang)}
        body = body_of(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: sign(self.secret, body),
            DELIVERY_HEADER: key,
            "User-Agent": self.user_agent,
        }
        try:
            response = httpx.post(target, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"webhook {target} unreachable: {exc}", code=codes.W021) from exc
        if response.status_code >= 300:
            raise DeliveryFailed(f"webhook {target} answered {response.status_code}", code=codes.W022)


AlertEmail = Callable[[Mapping[str, Any], str], tuple[str, str]]
"""An alert's e-mail in a language: ``(the payload's alert, lang) → (subject, body)``. The
entry point passes the web catalogue's renderer (``web.messages.alert_email``: the words the
pages use, in the reader's language); this layer does not read the catalogue itself."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpConfig:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "birlik@localhost"
    starttls: bool = True
    timeout: float = 20.0
    lang: str = "kk"
    """The language of the e-mails (with a renderer, ``EmailChannel.words``)."""


class EmailChannel:
    name = "email"

    def __init__(self, config: SmtpConfig, *, words: AlertEmail | None = None) -> None:
        """``words``: the alert's subject and body in ``config.lang`` (without it, the stored
        English title and a plain English body)."""
        self.config = config
        self.words = words

    def send(self, target: str, key: str, payload: dict[str, Any]) -> None:
        config = self.config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
                if config.starttls:
                    smtp.starttls()
                if config.user:
                    smtp.login(config.user, config.password or "")
                smtp.send_message(
                    render_email(
                        payload, key, sender=config.sender, to=target, words=self.words, lang=config.lang
                    )
                )
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(
                f"e-mail to {target} via {config.host}:{config.port} failed: {exc}", code=codes.W023
            ) from exc


def render_email(
    payload: dict[str, Any],
    key: str,
    *,
    sender: str,
    to: str,
    words: AlertEmail | None = None,
    lang: str = "en",
) -> EmailMessage:
    alert = payload["alert"]
    # a localised subject is one long encoded word: folded at 78 characters, Python's encoder
    # drops the space where it cuts between two words («күрт өсу» arrived as «күртөсу»)
    message = EmailMessage(policy=UNFOLDED) if words is not None else EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["X-Birlik-Delivery"] = key
    if words is not None:
        subject, body = words(alert, lang)
        message["Subject"] = f"[Birlik] {subject}"
        message.set_content(body)
        message["Content-Language"] = lang  # after the content, which sets the Content-* headers
        return message
    message["Subject"] = f"[Birlik] {alert['severity'].upper()}: {alert['title']}"
    lines = [
        alert["title"],
        "",
        f"Kind: {alert['kind']}    Severity: {alert['severity']}    Status: {alert['status']}",
        f"Region: {alert.get('region') or '—'} ({alert.get('region_kato') or '—'})",
        f"Days: {alert['first_day']} – {alert['last_day']}",
    ]
    for metric in alert.get("details", {}).get("metrics", []):
        lines.append(
            f"  {metric['metric']}: {metric['count']:g} documents "
            f"(expected {metric['expected'] * metric['volume']:.1f}),"
            f" z={metric['z']}"
        )
    lines += ["", f"birlik alerts ack {alert['id']}    # to take it on"]
    message.set_content("\n".join(lines))
    return message


def channels_from_settings(
    settings: Settings, *, words: AlertEmail | None = None, webhook_words: AlertText | None = None
) -> dict[str, Channel]:
    """The channels the settings configure; ``words`` renders the e-mails (``AlertEmail``) in
    ``notifications.alert_email_lang``, ``webhook_words`` the webhook's ``text`` (``AlertText``)
    in ``notifications.webhook_lang``."""
    channels: dict[str, Channel] = {
        "webhook": WebhookChannel(
            settings.notifications.webhook_secret,
            timeout=settings.http_timeout,
            user_agent=settings.user_agent,
            words=webhook_words,
            lang=settings.notifications.webhook_lang,
        )
    }
    if settings.notifications.smtp_host:
        channels["email"] = EmailChannel(
            SmtpConfig(
                host=settings.notifications.smtp_host,
                port=settings.notifications.smtp_port,
                user=settings.notifications.smtp_user,
                password=settings.notifications.smtp_password,
                sender=settings.notifications.smtp_from,
                starttls=settings.notifications.smtp_starttls,
                timeout=settings.http_timeout,
                lang=settings.notifications.alert_email_lang,
            ),
            words=words,
        )
    return channels


def recipients_from_settings(
    settings: Settings, rule_targets: Callable[[str | None], Targets]
) -> Callable[[str | None], Targets]:
    """Everyone in the settings, plus the region's recipients from the rules; e-mail only with SMTP."""
    webhooks = tuple(url.strip() for url in settings.notifications.webhook_urls.split(",") if url.strip())
    emails = tuple(a.strip() for a in settings.notifications.alert_email_to.split(",") if a.strip())

    def recipients(region: str | None) -> Targets:
        extra = rule_targets(region)
        return Targets(
            webhook=tuple(dict.fromkeys(webhooks + extra.webhook)),
            email=tuple(dict.fromkeys(emails + extra.email)) if settings.notifications.smtp_host else (),
        )

    return recipients


# --- delivery ---------------------------------------------------------------------------


@dataclass(slots=True)
class DeliveryReport:
    delivered: int = 0
    failed_attempts: int = 0
    dead: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_pending(
    store: Store,
    channels: Mapping[str, Channel],
    *,
    max_attempts: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send every pending notification, retrying each with exponential backoff.

    A target that failed ``max_attempts`` times in this pass is not tried again for its
    other notifications until the next pass (they stay pending)."""
    report = DeliveryReport()
    with store.transaction() as session:
        pending = list(
            session.scalars(
                select(OutboxRow.id)
                .where(OutboxRow.delivered_at.is_(None), OutboxRow.dead_at.is_(None))
                .order_by(OutboxRow.id)
            )
        )
    broken: set[tuple[str, str]] = set()
    for outbox_id in pending:
        _deliver_one(store, channels, outbox_id, max_attempts, backoff, sleep, broken, report)
    return report


def _deliver_one(
    store: Store,
    channels: Mapping[str, Channel],
    outbox_id: int,
    max_attempts: int,
    backoff: float,
    sleep: Callable[[float], None],
    broken: set[tuple[str, str]],
    report: DeliveryReport,
) -> None:
    with store.transaction() as session:
        row = session.get(OutboxRow, outbox_id)
        if row is None or row.delivered_at is not None or row.dead_at is not None:
            return
        channel_name, target, key, payload = row.channel, row.target, row.key, dict(row.payload)
        attempts = row.attempts
    channel = channels.get(channel_name)
    if channel is None or (channel_name, target) in broken:
        report.deferred += 1
        return
    while True:
        try:
            channel.send(target, key, payload)
        except DeliveryFailed as exc:
            attempts += 1
            report.failed_attempts += 1
            report.errors.append(str(exc))
            log.warning("notification %s attempt %d failed: %s", key, attempts, exc)
            if _record_failure(store, outbox_id, attempts, str(exc), max_attempts):
                report.dead += 1
                broken.add((channel_name, target))
                return
            sleep(backoff * 2 ** (attempts - 1))
            continue
        with store.transaction() as session:
            row = session.get(OutboxRow, outbox_id)
            if row is not None:
                row.delivered_at = utcnow()
                row.attempts = attempts + 1
        report.delivered += 1
        return


def _record_failure(store: Store, outbox_id: int, attempts: int, error: str, max_attempts: int) -> bool:
    """Save a failed attempt; True when it was the last one (the notification is dead)."""
    with store.transaction() as session:
        row = session.get(OutboxRow, outbox_id)
        if row is None:
            return True
        row.attempts, row.last_error = attempts, error
        if attempts < max_attempts:
            return False
        row.dead_at = utcnow()
        session.add(
            DeadLetterRow(
                outbox_id=row.id,
                channel=row.channel,
                target=row.target,
                payload=dict(row.payload),
                attempts=attempts,
                last_error=error,
            )
        )
        return True


def requeue_dead_letters(store: Store, ids: list[int] | None = None) -> int:
    """Give dead notifications a fresh set of attempts; returns how many."""
    with store.transaction() as session:
        query = select(DeadLetterRow).where(DeadLetterRow.requeued_at.is_(None))
        if ids:
            query = query.where(DeadLetterRow.id.in_(ids))
        count = 0
        for letter in session.scalars(query):
            outbox = session.get(OutboxRow, letter.outbox_id)
            letter.requeued_at = utcnow()
            if outbox is not None and outbox.delivered_at is None:
                outbox.dead_at, outbox.attempts = None, 0
                count += 1
        return count
