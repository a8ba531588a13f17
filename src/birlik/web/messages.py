"""Saying a stored message (a code and its parameters, see ``signals.alert_text``) in the
reader's language: keys from the catalogue, regions and metrics named in that language, numbers
with its decimal separator. A key the catalogue lacks shows as the stored text or code."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.signals.alert_text import Message, Ref
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
        labels = {g.id: g.label for g in load_ethnic_groups()}
        return t("alerts.metric.ethnic", group=_known(t, f"ethnic.{group}") or labels.get(group, group))
    if metric.startswith("incident:"):
        kind = metric[9:]
        return t("alerts.metric.incident", type=_known(t, f"incident.{kind}") or kind)
    return _known(t, f"alerts.metric.{metric}") or metric
