"""Why a stored document scored what it scored: every signal with its score, label, reason
codes, components (tension) and evidence spans in context; and the text cut into properly
nested marks (an inner slur mark stays inside the evidence sentence that holds it).

One source for ``birlik explain`` (which prints it) and the document page (which shows it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from birlik.store.models import DocumentRow

CONTEXT = 40
"""Characters of text shown on each side of an evidence span."""
ENTITY_KINDS: tuple[str, ...] = ("ethnic_group", "place", "org", "person", "slur")
"""Mark kinds of mentions (a derogatory mention is a ``slur``); signal marks are their names."""


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    reason: str
    start: int
    end: int
    before: str
    text: str
    after: str

    def in_context(self) -> str:
        return f"{self.before}«{self.text}»{self.after}"


@dataclass(frozen=True, slots=True)
class Component:
    """A tension component: its value, its reason code, whether it moved the score, its spans."""

    name: str
    value: float
    code: str
    moved: bool
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True, slots=True)
class SignalExplanation:
    name: str
    score: float | None
    label: str | None
    labels: Mapping[str, float]
    reasons: tuple[str, ...]
    evidence: tuple[EvidenceItem, ...]
    components: tuple[Component, ...]

    def headline(self) -> str:
        """The score, label and (label-only signals) the top labels: ``0.71 violence``."""
        parts = []
        if self.score is not None:
            parts.append(f"{self.score:.2f}")
        if self.label is not None:
            parts.append(str(self.label))
        if self.labels and self.score is None:
            top = sorted(self.labels.items(), key=lambda kv: -kv[1])[:3]
            parts.append(", ".join(f"{k} {v:.2f}" for k, v in top))
        return " ".join(parts) or "—"


def signal_json(
    score: float | None, label: str | None, labels: dict[str, Any], evidence: list[Any], reasons: list[str]
) -> dict[str, Any]:
    return {"score": score, "label": label, "labels": labels, "evidence": evidence, "reasons": reasons}


def document_record(row: DocumentRow) -> dict[str, Any]:
    """The explain record of a stored document (what ``birlik explain --json`` prints)."""
    return {
        "id": row.id,
        "ext_id": row.ext_id,
        "title": row.title,
        "lang": row.lang,
        "signals": {
            s.name: signal_json(s.score, s.label, s.labels, s.evidence, s.reasons) for s in row.signals
        },
    }


def explain_signals(text: str, signals: Mapping[str, Mapping[str, Any]]) -> list[SignalExplanation]:
    """Every signal of a record, by name, explained against the document's text."""
    return [explain_signal(text, name, signals[name]) for name in sorted(signals)]


def explain_signal(text: str, name: str, signal: Mapping[str, Any]) -> SignalExplanation:
    evidence = tuple(_evidence(text, signal.get("evidence") or []))
    labels = {str(k): float(v) for k, v in (signal.get("labels") or {}).items()}
    score = signal.get("score")
    return SignalExplanation(
        name=name,
        score=float(score) if score is not None else None,
        label=signal.get("label"),
        labels=labels,
        reasons=tuple(str(r) for r in signal.get("reasons") or []),
        evidence=evidence,
        components=components(signal, evidence) if name == "tension" else (),
    )


def components(signal: Mapping[str, Any], evidence: Sequence[EvidenceItem]) -> tuple[Component, ...]:
    """The tension components, those that moved the score first (in the order of its reasons)."""
    reasons = [str(r) for r in signal.get("reasons") or []]
    values = signal.get("labels") or {}
    ordered = [r.removeprefix("tension.") for r in reasons]
    ordered += sorted(set(values) - set(ordered))
    out = []
    for component in ordered:
        code = f"tension.{component}"
        spans = tuple(e for e in evidence if e.reason.split(":", 1)[0] == code)
        out.append(Component(component, float(values.get(component, 0.0)), code, code in reasons, spans))
    return tuple(out)


def _evidence(text: str, items: Iterable[Any]) -> list[EvidenceItem]:
    out = []
    for item in items:
        if not isinstance(item, Mapping) or "start" not in item or "end" not in item:
            continue
        start, end = int(item["start"]), int(item["end"])
        out.append(
            EvidenceItem(
                reason=str(item.get("reason", "")),
                start=start,
                end=end,
                before=text[max(0, start - CONTEXT) : start].replace("\n", " "),
                text=text[start:end],
                after=text[end : end + CONTEXT].replace("\n", " "),
            )
        )
    return out


# --- nested marks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start: int
    end: int
    kind: str
    """``ethnic_group``, ``place``, ``org``, ``person``, ``slur`` or a signal's name."""
    reason: str = ""


Token = tuple[str, Any]
"""``("open", Span)``, ``("close", Span)`` or ``("text", str)``."""


def document_spans(
    mentions: Iterable[Mapping[str, Any]], signals: Mapping[str, Mapping[str, Any]]
) -> list[Span]:
    """The marks of a document: its mentions and every signal's evidence."""
    spans = [
        Span(int(m["start"]), int(m["end"]), "slur" if m.get("derogatory") else str(m["type"]).lower())
        for m in mentions
    ]
    for name, signal in signals.items():
        for item in signal.get("evidence") or []:
            if isinstance(item, Mapping) and "start" in item and "end" in item:
                spans.append(Span(int(item["start"]), int(item["end"]), name, str(item.get("reason", ""))))
    return spans


def nest(text: str, spans: Iterable[Span]) -> list[Token]:
    """The text as open/close/text tokens with every span kept and the tags properly nested: a
    span inside another stays inside it; a span that crosses another's end is closed there and
    opened again after it (both pieces carry the same span)."""
    kept = sorted(
        {s for s in spans if 0 <= s.start < s.end <= len(text)}, key=lambda s: (s.start, -s.end, s.kind)
    )
    cuts = sorted({0, len(text), *(s.start for s in kept), *(s.end for s in kept)})
    tokens: list[Token] = []
    stack: list[Span] = []
    active: list[Span] = []  # the spans covering the piece, outermost first (kept's order)
    following = 0
    for left, right in pairwise(cuts):
        active = [s for s in active if s.end > left]
        while following < len(kept) and kept[following].start <= left:
            active.append(kept[following])  # starts here, so after every span already open
            following += 1
        common = 0
        while common < min(len(stack), len(active)) and stack[common] == active[common]:
            common += 1
        while len(stack) > common:
            tokens.append(("close", stack.pop()))
        for span in active[common:]:
            stack.append(span)
            tokens.append(("open", span))
        tokens.append(("text", text[left:right]))
    while stack:
        tokens.append(("close", stack.pop()))
    return tokens
