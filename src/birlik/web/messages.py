"""Saying a stored message (a code and its parameters, see ``signals.alert_text``) in the
reader's language: keys from the catalogue, regions and metrics named in that language, numbers
with its decimal separator. A key the catalogue lacks shows as the stored text or code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.signals import alert_text
from birlik.signals.alert_text import Message, Ref
from birlik.store.models_signals import AlertRow
from birlik.web import formatting
from birlik.web.i18n import Translator


def say(t: Translator, value: Any) -> str:
    """``value`` (a Message, a Ref, a list of them, a number or text) as the reader reads it."""
    if isinstance(value, Message):
        params = {name: say(t, param) for name, param in value.params.items()}
        text = t.template(value.key, value.params)
        if text is None:
            return value.key
        return text.format(**params) if params else text
    if isinstance(value, Ref):
        return _ref(t, value)
    if isinstance(value, list | tuple):
        return ", ".join(say(t, item) for item in value)
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, float):
        return number(t.lang, value)
    return str(value)


def number(lang: str, value: float) -> str:
    """The language's number style (``formatting.number``), two decimals (four below 0.01), no
    trailing zeros."""
    if not value % 1:
        return formatting.number(value, lang)
    text = formatting.number(value, lang, digits=2 if abs(value) >= 0.01 else 4)
    return text.rstrip("0").rstrip(",.")


def _known(t: Translator, key: str) -> str | None:
    text = t(key)
    return None if text == key else text


def _ref(t: Translator, ref: Ref) -> str:
    value = ref.value
    if ref.kind == "region":
        if value == "KZ":
            return t("alerts.country")
        place = load_gazetteer().get(str(value)) if value else None
        return place.name(t.lang) if place is not None else str(value or "—")
    if ref.kind == "day":
        return formatting.local_day(date.fromisoformat(str(value)), t.lang) if value else "—"
    if ref.kind == "moment":
        return formatting.local_time(str(value), t.lang) if value else "—"
    if ref.kind == "metric":
        return metric_name(t, str(value))
    if ref.kind == "langs":
        return ", ".join(_known(t, f"alerts.lang.{code}") or str(code) for code in value) or "—"
    prefixes: Mapping[str, str] = {
        "alert_kind": "alerts.kind.",
        "severity": "severity.",
        "case_status": "case.status.",
        "alert_status": "alert.status.",
    }
    if ref.kind in prefixes:
        return _known(t, prefixes[ref.kind] + str(value)) or str(value)
    return str(value)


def metric_name(t: Translator, metric: str) -> str:
    if metric.startswith("ethnic:"):
        group = metric[7:]
        names = {g.id: g.display_name(t.lang) for g in load_ethnic_groups()}
        return t("alerts.metric.ethnic", group=names.get(group, group))
    if metric.startswith("incident:"):
        kind = metric[9:]
        return t("alerts.metric.incident", type=_known(t, f"incident.{kind}") or kind)
    return _known(t, f"alerts.metric.{metric}") or metric


# --- alerts -------------------------------------------------------------------------------


def alert_title(t: Translator, alert: AlertRow) -> str:
    """An alert's title in the reader's language (the pages, the API, the e-mails); an alert of
    a kind ``alert_text`` does not describe keeps its stored title."""
    return say(t, alert_text.alert_title(alert) or alert.title)


def alert_email(alert: Mapping[str, Any], lang: str) -> tuple[str, str]:
    """The subject and the body of the e-mail of an alert (the ``alert`` of its outbox payload)
    in ``lang``: its title, what, where and when, and why it fired, as the alert page says it
    (``notify.AlertEmail``)."""
    t = Translator(lang)
    row = _alert_row(alert)
    title = alert_title(t, row)
    severity = say(t, Ref("severity", row.severity))
    region: Any = Ref("region", row.region_kato) if row.region_kato else Message("alerts.no_region")
    lines = [
        title,
        "",
        t(
            "alerts_email.facts",
            kind=say(t, Ref("alert_kind", row.kind)),
            severity=severity,
            status=say(t, Ref("alert_status", row.status)),
        ),
        t("alerts_email.region", region=say(t, region)),
        t(
            "alerts_email.days",
            first=formatting.local_day(row.first_day, t.lang),
            last=formatting.local_day(row.last_day, t.lang),
        ),
    ]
    why = [say(t, line) for line in alert_text.why_fired(row)]
    if why:
        lines += ["", t("alerts_email.why"), *(f"  – {line}" for line in why)]
    lines += ["", t("alerts_email.ack", command=f"birlik alerts ack {row.id}")]
    return t("alerts_email.subject", severity=severity.upper(), title=title), "\n".join(lines)


def alert_words(alert: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What a reader of ``lang`` reads of an alert (the ``alert`` of its outbox payload, or
    ``alerts.alert_json``): its title, severity and region named in that language and why it
    fired, as the alert page says them — the ``text`` of the webhook's body and of
    ``birlik alerts list --json`` (``notify.AlertText``)."""
    t = Translator(lang)
    row = _alert_row(alert)
    region = say(t, Ref("region", row.region_kato)) if row.region_kato else None
    return {
        "lang": t.lang,
        "title": alert_title(t, row),
        "severity": say(t, Ref("severity", row.severity)),
        "region": region,
        "why": [say(t, line) for line in alert_text.why_fired(row)],
    }


def _alert_row(alert: Mapping[str, Any]) -> AlertRow:
    """An unsaved alert with the payload's fields (``alert_text`` reads alerts). A payload
    queued before it carried the subject: the region (or the country) for a surge, else the
    story or the source."""
    kind = str(alert.get("kind") or "")
    subject = alert.get("subject")
    if not subject:
        subject = (alert.get("region_kato") or "KZ") if kind == "surge" else alert.get("story_id")
        subject = subject or alert.get("source")
    return AlertRow(
        id=alert.get("id"),
        kind=kind,
        subject=str(subject or ""),
        region_kato=alert.get("region_kato"),
        metric=alert.get("metric"),
        story_id=alert.get("story_id"),
        source_name=alert.get("source"),
        severity=str(alert.get("severity") or ""),
        status=str(alert.get("status") or "new"),
        title=str(alert.get("title") or ""),
        details=dict(alert.get("details") or {}),
        first_day=date.fromisoformat(str(alert["first_day"])),
        last_day=date.fromisoformat(str(alert["last_day"])),
    )
