"""The explainable components of ``tension.v2``: each is a value 0–1, the spans that gave it and a
reason code (``tension.<component>``).

Components come from three places:

- the document's entities: ``group_target`` (an ethnic group is named);
- the signals computed before: ``hostility`` (hate), ``dehumanisation`` (hate's slur and
  dehumanisation cues), ``violence`` (incident types of violence) and ``incident_other``;
- the cue lexicon ``resources/data/tension_cues.yaml`` (kk/ru/en stems): the raising cues
  ``ethnic_frame``, ``rumour``, ``mobilisation``, ``grievance``, ``violence_word``, and the
  lowering frames ``reconciliation``, ``mediation``, ``culture``, ``anniversary``, ``assembly``,
  ``unity``, ``condemnation``, ``reported_speech``, ``refuted``, ``legal_action``,
  ``prevention``.

A cue component's value grows with the number of distinct cues found: ``1 - 0.5 ** n``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Signal
from birlik.domain.text import normalise
from birlik.resources.yaml_data import load_yaml

CUES_FILE = "tension_cues.yaml"
RAISING: tuple[str, ...] = ("ethnic_frame", "rumour", "mobilisation", "grievance", "violence_word")
LOWERING: tuple[str, ...] = (
    "reconciliation", "mediation", "culture", "anniversary", "assembly", "unity", "condemnation",
    "reported_speech", "refuted", "legal_action", "prevention",
)
SIGNAL_COMPONENTS: tuple[str, ...] = (
    "group_target", "hostility", "dehumanisation", "violence", "incident_other",
)
COMPONENTS: tuple[str, ...] = SIGNAL_COMPONENTS + RAISING + LOWERING
VIOLENT_TYPES = frozenset({"violence_brawl", "mass_disorder", "killing", "arson_vandalism"})
DEHUMANISING = frozenset({"hate.dehumanisation", "hate.slur", "hate.incitement", "hate.expulsion"})
MAX_SPANS = 4
MAX_CUE_COUNT = 4
WEAK_GROUP = 0.6


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a document's tension: its value, why, and where."""

    name: str
    value: float
    evidence: tuple[Evidence, ...] = ()

    @property
    def reason(self) -> str:
        return f"tension.{self.name}"


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """One compiled pattern per cue component (all languages together)."""

    patterns: dict[str, re.Pattern[str]]


def compile_stems(stems: Iterable[str], *, source: str = CUES_FILE) -> re.Pattern[str]:
    """One pattern for stems: each matches at a word start and takes the rest of the word as
    inflection, unless it ends in ``$``; spaces stand for runs of non-word characters."""
    parts = []
    for stem in stems:
        whole = stem.endswith("$")
        body = r"\w*\W+".join(stem.rstrip("$").split(" "))
        parts.append(body + (r"(?!\w)" if whole else r"\w*"))
    if not parts:
        return re.compile(r"(?!x)x")
    try:
        return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")")
    except re.error as exc:
        raise ConfigError(f"{source}: bad cue pattern: {exc} — fix the stem", code=codes.R231) from exc


def parse_cue_lexicon(raw: object, *, source: str = CUES_FILE) -> CueLexicon:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source} must be a mapping with 'raising' and 'lowering'", code=codes.R230)
    found: dict[str, Any] = {**dict(raw.get("raising") or {}), **dict(raw.get("lowering") or {})}
    if set(found) != set(RAISING) | set(LOWERING):
        raise ConfigError(f"{source}: components must be {sorted(RAISING + LOWERING)}, got "
                          f"{sorted(found)} — rename them", code=codes.R232)
    patterns = {
        name: compile_stems([str(s) for forms in dict(found[name]).values() for s in forms or ()],
                            source=source)
        for name in RAISING + LOWERING
    }
    return CueLexicon(patterns)


@cache
def load_cue_lexicon() -> CueLexicon:
    source = resources.files("birlik.resources") / "data" / CUES_FILE
    try:
        raw = load_yaml(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {CUES_FILE}: {exc} — reinstall Birlik", code=codes.R229) from exc
    return parse_cue_lexicon(raw)


def cue_value(count: int) -> float:
    return 1.0 - 0.5 ** min(count, MAX_CUE_COUNT)


def extract_components(doc: Document, lexicon: CueLexicon) -> dict[str, Component]:
    """Every component of ``COMPONENTS`` for one document (absent ones with value 0)."""
    norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
    out = {c.name: c for c in _signal_components(doc)}
    for name, pattern in lexicon.patterns.items():
        out[name] = _cue_component(name, pattern, doc.text, norm)
    return out


def _cue_component(name: str, pattern: re.Pattern[str], text: str, norm: str) -> Component:
    spans: dict[str, Evidence] = {}
    for match in pattern.finditer(norm):
        key = match.group(0)
        if key not in spans:
            spans[key] = Evidence(start=match.start(), end=match.end(),
                                  text=text[match.start() : match.end()], reason=f"tension.{name}")
    value = cue_value(len(spans))
    evidence = tuple(Evidence(start=e.start, end=e.end, text=e.text, reason=e.reason, weight=value)
                     for e in list(spans.values())[:MAX_SPANS])
    return Component(name, value, evidence)


def _signal_components(doc: Document) -> list[Component]:
    groups = [m for m in doc.entities if m.type == "ETHNIC_GROUP"]
    group_value = max((1.0 if m.confidence >= 0.8 else WEAK_GROUP for m in groups), default=0.0)
    group_evidence = tuple(
        Evidence(start=m.start, end=m.end, text=m.text, reason="tension.group_target", weight=group_value)
        for m in groups[:MAX_SPANS]
    )
    hate = doc.signals.get("hate")
    incident = doc.signals.get("incident")
    return [
        Component("group_target", group_value, group_evidence),
        _carried("hostility", hate, lambda e: e.reason != "hate.target"),
        _carried("dehumanisation", hate, lambda e: e.reason in DEHUMANISING, from_weight=True),
        _incident("violence", incident, violent=True),
        _incident("incident_other", incident, violent=False),
    ]


def _carried(name: str, signal: Signal | None, keep: Any, *, from_weight: bool = False) -> Component:
    if signal is None:
        return Component(name, 0.0)
    kept = [e for e in signal.evidence if keep(e)]
    value = max((e.weight for e in kept), default=0.0) if from_weight else (signal.score or 0.0)
    kept.sort(key=lambda e: -e.weight)
    return Component(name, round(min(1.0, value), 4), tuple(_renamed(e, name) for e in kept[:MAX_SPANS]))


def _incident(name: str, signal: Signal | None, *, violent: bool) -> Component:
    if signal is None:
        return Component(name, 0.0)
    scores = [(t, s) for t, s in signal.labels.items() if (t in VIOLENT_TYPES) == violent]
    if not scores:
        return Component(name, 0.0)
    kind, value = max(scores, key=lambda item: item[1])
    evidence = [e for e in signal.evidence if e.reason.startswith(f"incident.{kind}.")]
    return Component(name, round(value, 4), tuple(_renamed(e, name) for e in evidence[:MAX_SPANS]))


def _renamed(evidence: Evidence, name: str) -> Evidence:
    return Evidence(start=evidence.start, end=evidence.end, text=evidence.text,
                    reason=f"tension.{name}:{evidence.reason}", weight=evidence.weight)
