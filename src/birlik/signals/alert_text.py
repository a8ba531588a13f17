"""What an alert says, as message codes with parameters rendered in the reader's language at
display time: its title, and why it fired (observed against expected, z and ratio, the rule's
thresholds). Built from the alert's kind and stored details, so alerts raised before this
module existed read the same way; an alert of an unknown kind keeps its stored title.

Parameters are plain values (numbers, strings), ``Ref`` (a region, a metric, languages: named
by the reader's catalogue), nested ``Message`` or lists of them (joined with commas).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from birlik.signals.rules import RuleSet
from birlik.store.models_signals import AlertRow


@dataclass(frozen=True, slots=True)
class Ref:
    """A value the reader's language names or writes its own way: ``region`` (KATO), ``metric``,
    ``langs``, ``day`` and ``moment`` (ISO), ``alert_kind``, ``severity``, ``case_status``."""

    kind: str
    value: Any


@dataclass(frozen=True, slots=True)
class Message:
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


TITLED_KINDS = ("surge", "story_growth", "source_silent", "source_volume_drop", "parse_failures")


def alert_title(alert: AlertRow) -> Message | None:
    """The title of an alert as a message; None for a kind this module does not know."""
    details = alert.details or {}
    if alert.kind == "surge":
        metrics = [
            Message(
                "alerts.title.surge_metric",
                {
                    "metric": Ref("metric", m.get("metric")),
                    "ratio": m.get("ratio", 0.0),
                    "count": m.get("count", 0),
                },
            )
            for m in surge_metrics(details)[:3]
        ]
        if not metrics and alert.metric:
            metrics = [Message("alerts.title.metric_only", {"metric": Ref("metric", alert.metric)})]
        if not metrics:
            return Message("alerts.title.surge_plain", {"region": Ref("region", alert.subject)})
        return Message("alerts.title.surge", {"region": Ref("region", alert.subject), "metrics": metrics})
    if alert.kind == "story_growth":
        where: Any = Ref("region", alert.region_kato) if alert.region_kato else Message("alerts.no_region")
        return Message(
            "alerts.title.story_growth",
            {"story": alert.story_id or alert.subject, "region": where, "reasons": _story_reasons(details)},
        )
    if alert.kind == "source_silent":
        return Message("alerts.title.source_silent", {"source": alert.source_name or alert.subject})
    if alert.kind == "source_volume_drop":
        return Message(
            "alerts.title.source_volume_drop",
            {
                "source": alert.source_name or alert.subject,
                "last": details.get("last_24h", 0),
                "usual": details.get("usual", 0),
            },
        )
    if alert.kind == "parse_failures":
        return Message(
            "alerts.title.parse_failures",
            {
                "source": alert.source_name or alert.subject,
                "failures": details.get("failures", 0),
                "share": round(100 * float(details.get("share", 0.0))),
            },
        )
    return None


def needs_rules(alert: AlertRow) -> bool:
    """Whether ``why_fired`` needs the current rules: an alert raised before thresholds were
    stored with it."""
    details = alert.details or {}
    if alert.kind == "surge":
        return any(not m.get("rule") for m in surge_metrics(details))
    return alert.kind == "story_growth" and not details.get("rule")


def why_fired(alert: AlertRow, rules: RuleSet | None = None) -> list[Message]:
    """Why the alert fired: per metric what was observed against what was expected, the z and
    ratio, and the thresholds of the rule (stored with the finding; for alerts raised before
    they were stored, the current rules, said so)."""
    details = alert.details or {}
    out: list[Message] = []
    if alert.kind == "surge":
        for metric in surge_metrics(details):
            out.extend(_surge_lines(alert, metric, rules))
        return out
    if alert.kind == "story_growth":
        rule = dict(details.get("rule") or {})
        current = not rule and rules is not None
        if current and rules is not None:
            story = rules.story(alert.region_kato)
            rule = {
                "window_hours": story.window_hours,
                "min_new_outlets": story.min_new_outlets,
                "min_new_languages": story.min_new_languages,
                "min_new_regions": story.min_new_regions,
            }
        out.append(
            Message(
                "alerts.why.story",
                {
                    "documents": details.get("documents", 0),
                    "outlets": len(details.get("outlets") or []),
                    "languages": Ref("langs", list(details.get("languages") or [])),
                    "regions": len(details.get("regions") or []),
                },
            )
        )
        for what, threshold in (
            ("outlets", "min_new_outlets"),
            ("languages", "min_new_languages"),
            ("regions", "min_new_regions"),
        ):
            out.append(
                Message(
                    f"alerts.why.story_{what}",
                    {
                        "observed": len(details.get(f"new_{what}") or []),
                        "threshold": rule.get(threshold, "—"),
                        "hours": rule.get("window_hours", "—"),
                    },
                )
            )
        out.append(Message("alerts.why.story_rule"))
        if current:
            out.append(Message("alerts.why.current_rules"))
        return out
    if alert.kind == "source_volume_drop":
        return [
            Message(
                "alerts.why.volume_drop",
                {"last": details.get("last_24h", 0), "usual": details.get("usual", 0)},
            )
        ]
    if alert.kind == "parse_failures":
        return [
            Message(
                "alerts.why.parse_failures",
                {
                    "failures": details.get("failures", 0),
                    "delivered": details.get("delivered", 0),
                    "code": details.get("example_code") or "—",
                },
            )
        ]
    if alert.kind == "source_silent":
        return [Message("alerts.why.source_silent")]
    return out


def _surge_lines(alert: AlertRow, metric: Mapping[str, Any], rules: RuleSet | None) -> list[Message]:
    volume = float(metric.get("volume", 0.0) or 0.0)
    expected = float(metric.get("expected", 0.0) or 0.0)
    lines = [
        Message(
            "alerts.why.observed",
            {
                "metric": Ref("metric", metric.get("metric")),
                "count": metric.get("count", 0),
                "expected": _significant(expected * volume if volume else expected),
                "volume": volume,
                "z": metric.get("z", 0.0),
                "ratio": metric.get("ratio", 0.0),
            },
        )
    ]
    rule = metric.get("rule")
    current = False
    if not rule and rules is not None and metric.get("metric"):
        surge = rules.surge(alert.subject, str(metric["metric"]))
        if surge is not None:
            cold = bool(metric.get("cold_start"))
            rule = {
                "z": surge.z,
                "min_ratio": max(surge.min_ratio, surge.cold_ratio) if cold else surge.min_ratio,
                "min_count": max(surge.min_count, surge.cold_min_count) if cold else surge.min_count,
            }
            current = True
    if rule:
        lines.append(
            Message(
                "alerts.why.threshold",
                {
                    "z": rule.get("z", "—"),
                    "ratio": rule.get("min_ratio", "—"),
                    "count": rule.get("min_count", "—"),
                },
            )
        )
    if metric.get("cold_start"):
        lines.append(Message("alerts.why.cold"))
    if current:
        lines.append(Message("alerts.why.current_rules"))
    return lines


def _significant(value: float, digits: int = 2) -> float:
    """``value`` to ``digits`` significant digits (an expected 0.0031 is not shown as 0)."""
    return float(f"{value:.{digits}g}") if value else 0.0


def surge_metrics(details: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    metrics = details.get("metrics") or []
    return [m for m in metrics if isinstance(m, Mapping)]


def _story_reasons(details: Mapping[str, Any]) -> list[Message]:
    fired: Sequence[str] = details.get("fired") or [
        what for what in ("outlets", "languages", "regions") if details.get(f"new_{what}")
    ]
    out = []
    for what in fired:
        if what == "languages":
            out.append(
                Message(
                    "alerts.reason.languages", {"langs": Ref("langs", list(details.get("languages") or []))}
                )
            )
        else:
            out.append(Message(f"alerts.reason.{what}", {"n": len(details.get(f"new_{what}") or [])}))
    return out
