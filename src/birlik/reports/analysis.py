"""The written analysis of the quarter: a few paragraphs of prose generated from the report's own
figures (volume and tension against the previous quarter, the month that peaked, where the
incidents were and of which kinds, the leading stories, the warnings and how fast they were
handled, the target indicators). Every sentence is a template of ``reports.i18n`` filled with
figures of the report: nothing is said that the tables do not show."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from birlik.reports.i18n import Texts
from birlik.reports.quarterly import QuarterlyReport, TopItem

#: A change of mean tension smaller than this is called stable.
STABLE_TENSION = 0.03
#: Leading stories named in the prose (those of more than one document first).
STORIES_NAMED = 3

Region = Callable[[str, str], str]


def write_analysis(report: QuarterlyReport, texts: Texts, region: Region) -> list[str]:
    """The paragraphs, in the report's language; empty quarters get one sentence that says so."""
    if report.volume.documents == 0:
        return [texts("w_empty")]
    paragraphs = [_volume(report, texts), _incidents(report, texts, region)]
    paragraphs.append(_stories(report, texts, region))
    paragraphs.append(_response(report, texts))
    paragraphs.append(_targets(report, texts))
    return [p for p in paragraphs if p]


def _volume(report: QuarterlyReport, texts: Texts) -> str:
    now, before = report.volume, report.previous_volume
    sentences = [texts("w_volume", count=now.documents, previous=before.documents)]
    if now.mean_tension is not None and before.mean_tension is not None:
        change = now.mean_tension - before.mean_tension
        key = "w_tension_up" if change > 0 else "w_tension_down"
        if abs(change) < STABLE_TENSION:
            key = "w_tension_stable"
        value, previous = texts.number(now.mean_tension, 2), texts.number(before.mean_tension, 2)
        sentences.append(texts(key, value=value, previous=previous))
    elif now.mean_tension is not None:
        sentences.append(texts("w_tension_first", value=texts.number(now.mean_tension, 2)))
    months = [m for m in report.months if m.mean_tension is not None and m.documents]
    if len(months) > 1:
        peak = max(months, key=lambda m: (m.mean_tension or 0.0, m.documents))
        month, value = texts.month_name(peak.month), texts.number(peak.mean_tension, 2)
        sentences.append(texts("w_peak_month", month=month, value=value))
    return " ".join(sentences)


def _incidents(report: QuarterlyReport, texts: Texts, region: Region) -> str:
    if report.volume.incidents == 0:
        return texts("w_no_incidents")
    kinds: Counter[str] = Counter()
    for month in report.months:
        kinds.update(month.incidents)
    now, before = report.volume.incidents, report.previous_volume.incidents
    sentences = [texts("w_incidents", count=now, previous=before)]
    top = report.top_incident_regions()
    if top:
        share = top[0].incidents / now
        sentences.append(
            texts(
                "w_incident_region",
                region=region(top[0].region_kato, texts.lang),
                count=top[0].incidents,
                share=texts.number(100 * share),
            )
        )
    if kinds:
        named = ", ".join(f"{texts.incident(kind)} ({count})" for kind, count in kinds.most_common(3))
        sentences.append(texts("w_incident_kinds", kinds=named))
    return " ".join(sentences)


def _stories(report: QuarterlyReport, texts: Texts, region: Region) -> str:
    if report.top_kind != "stories" or not report.top_items:
        return ""
    ranked = sorted(report.top_items, key=lambda item: (item.size < 2,))[:STORIES_NAMED]
    named = [_story(item, texts, region, masked=item.masked) for item in ranked]
    return texts("w_stories", stories="; ".join(named))


def _story(item: TopItem, texts: Texts, region: Region, *, masked: bool) -> str:
    title = texts("w_masked") if masked else f"«{item.title}»"
    where = ", ".join(region(kato, texts.lang) for kato in item.regions) or texts("w_no_region")
    return texts("w_story", title=title, count=item.size, regions=where)


def _response(report: QuarterlyReport, texts: Texts) -> str:
    alerts = report.alerts
    if alerts is None:
        return ""
    if alerts.alerts == 0:
        return texts("w_no_alerts")
    sentences = [
        texts(
            "w_alerts",
            count=alerts.alerts,
            high=alerts.by_severity.get("high", 0),
            cases=alerts.cases_opened,
            closed=alerts.cases_closed,
        )
    ]
    if alerts.median_alert_response_hours is not None:
        hours = texts.number(alerts.median_alert_response_hours, 1)
        sentences.append(texts("w_alert_response", hours=hours))
    else:
        sentences.append(texts("w_alert_untouched"))
    if alerts.cases_overdue:
        sentences.append(texts("w_cases_overdue", count=alerts.cases_overdue))
    return " ".join(sentences)


def _targets(report: QuarterlyReport, texts: Texts) -> str:
    assessed = [r for r in report.indicators if r.assessment is not None]
    if not assessed:
        return texts("w_no_estimates")
    at_risk = [
        r.indicator.name(texts.lang) for r in assessed if r.assessment and r.assessment.status == "at_risk"
    ]
    sentence = texts("w_targets", assessed=len(assessed), total=len(report.indicators), at_risk=len(at_risk))
    if at_risk:
        sentence += " " + texts("w_targets_at_risk", names="; ".join(at_risk))
    return sentence
