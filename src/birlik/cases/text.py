"""What a case says, as message codes with parameters rendered in the reader's language at
display time: its title (its alert's), the summary of the alert it was opened from, the note
written when it was opened, and its history. Cases opened before this module stored an English
description ("Opened from alert 4 (surge, high) about …"); ``opening_note`` keeps only what a
person wrote in it, and the summary is said again from the alert."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from birlik.cases.models import CaseEventRow, CaseRow
from birlik.signals.alert_text import Message, Ref, alert_title
from birlik.store.models_signals import AlertRow

_GENERATED_START = "Opened from alert "
HISTORY_FIELDS = ("status", "assignee_unit", "assignee_user", "due_at", "title", "region_kato")


@dataclass(frozen=True, slots=True)
class HistoryLine:
    event: CaseEventRow
    action: Message
    changes: tuple[Message, ...]


def case_title(case: CaseRow, alert: AlertRow | None) -> Message | str:
    """The case's alert's title in the reader's language, else the stored title."""
    if alert is not None:
        title = alert_title(alert)
        if title is not None:
            return title
    return case.title


def opened_from(alert: AlertRow | None) -> Message | None:
    if alert is None:
        return None
    return Message(
        "cases.opened_from",
        {
            "alert": alert.id,
            "kind": Ref("alert_kind", alert.kind),
            "severity": Ref("severity", alert.severity),
            "region": Ref("region", alert.region_kato) if alert.region_kato else alert.subject,
            "first": Ref("day", alert.first_day.isoformat()),
            "last": Ref("day", alert.last_day.isoformat()),
        },
    )


def opening_note(case: CaseRow) -> str:
    """What a person wrote when the case was opened: the stored description, less the English
    summary that cases opened before display-time messages carried."""
    text = case.description or ""
    if not text.startswith(_GENERATED_START):
        return text
    lines = text.split("\n")[1:]
    while lines and lines[0].startswith("- "):
        lines.pop(0)
    return "\n".join(lines).strip()


def history(events: Iterable[CaseEventRow]) -> list[HistoryLine]:
    """Each event as an action message (``cases.event.<action>``) and the fields it changed."""
    out = []
    for event in events:
        changes = []
        for name in HISTORY_FIELDS:
            if name not in (event.after or {}):
                continue
            value = event.after[name]
            if name == "status":
                shown: object = Ref("case_status", value)
            elif name == "region_kato":
                shown = Ref("region", value)
            elif value in (None, ""):
                shown = Message("cases.field.none")
            else:
                shown = Ref("moment", str(value)) if name == "due_at" else str(value)
            if name == "title" and event.action == "opened":
                continue
            changes.append(Message(f"cases.field.{name}", {"value": shown}))
        out.append(HistoryLine(event, Message(f"cases.event.{event.action}"), tuple(changes)))
    return out
