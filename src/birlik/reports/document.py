"""The quarterly report worded in one language as a list of blocks that every format renders the same
way: headings, paragraphs, bullet lists, tables and chart images."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

from birlik.reports import charts
from birlik.reports.analysis import write_analysis
from birlik.reports.i18n import Texts
from birlik.reports.quarterly import IndicatorResult, QuarterlyReport, TopItem
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.surveys.estimates import Estimate
from birlik.surveys.models import VisitRow


@dataclass(frozen=True, slots=True)
class Heading:
    kind: ClassVar[str] = "heading"
    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    small: bool = False


@dataclass(frozen=True, slots=True)
class Bullets:
    kind: ClassVar[str] = "bullets"
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    kind: ClassVar[str] = "table"
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    """Indexes of columns aligned to the right."""


@dataclass(frozen=True, slots=True)
class Image:
    kind: ClassVar[str] = "image"
    name: str
    png: bytes
    caption: str
    width_cm: float = 16.0


Block = Heading | Paragraph | Bullets | Table | Image


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDocument:
    lang: str
    title: str
    subtitle: tuple[str, ...]
    blocks: tuple[Block, ...] = field(default=())
    issuer: str = ""
    """The body that sends the report, top left of the first page."""
    reference: str = ""
    """The outgoing reference (``Исх. № BRL-2026Q3-RU``) and the handling mark, top right."""
    marking: str = ""

    def headings(self, level: int | None = None) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)]


def compose(
    report: QuarterlyReport, *, geojson: Path | None = None, issuer: str | None = None
) -> ReportDocument:
    """The report as blocks; ``issuer`` heads the official header block (default: the system's name)."""
    texts = Texts(report.lang)
    quarter = texts("quarter", year=report.quarter.year, number=report.quarter.number)
    blocks: list[Block] = []
    for section in (
        _summary,
        _analysis,
        _indicators,
        _map_and_regions,
        _trends,
        _top,
        _alerts,
        _visits,
        _sources,
        _method,
        _annex,
    ):
        blocks.extend(section(report, texts, geojson))
    return ReportDocument(
        lang=report.lang,
        title=texts("title", quarter=quarter),
        subtitle=(
            texts("period", start=texts.day(report.quarter.start), end=texts.day(report.quarter.last_day)),
            texts("generated", day=texts.day(report.generated_at.date())),
            *_scope_line(report, texts),
            texts("produced_by"),
        ),
        blocks=tuple(blocks),
        issuer=issuer or texts("produced_by"),
        reference=texts("reference", reference=f"BRL-{report.quarter}-{report.lang.upper()}"),
        marking=texts("marking"),
    )


def _scope_line(report: QuarterlyReport, texts: Texts) -> tuple[str, ...]:
    """A report limited to some regions says so under its title."""
    if report.regions_scope is None:
        return ()
    names = ", ".join(region_name(kato, texts.lang) for kato in report.regions_scope) or "—"
    return (texts("scope", regions=names),)


REGION_WORD = {"kk": "{} облысы", "ru": "{} область", "en": "{} Region"}


def region_name(kato: str, lang: str) -> str:
    """The region's name; an oblast named like a city of republican significance says so (Almaty)."""
    gazetteer = load_gazetteer()
    place = gazetteer.get(kato)
    if place is None:
        return kato
    name = place.name(lang)
    if not place.is_city and any(p.is_city and p.name(lang) == name for p in gazetteer.regions()):
        return REGION_WORD[lang].format(name)
    return name


def _group_name(by: str, group: str, texts: Texts) -> str:
    if by == "region":
        return region_name(group, texts.lang)
    if by == "language":
        return texts.language(group)
    if by == "ethnic_group" and group == "other":
        return texts.other_group()
    if by == "ethnic_group":
        lexicon = load_ethnic_groups()
        if group in lexicon:
            return lexicon.get(group).display_name(texts.lang)
    return group


def _percent(value: float | None, texts: Texts) -> str:
    return "—" if value is None else texts.number(value)


# --- sections -------------------------------------------------------------------------------------------


def _summary(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    now, before = report.volume, report.previous_volume
    lines = [
        texts("s_documents", count=now.documents, previous=before.documents),
        texts(
            "s_tension",
            value=texts.number(now.mean_tension, 2),
            previous=texts.number(before.mean_tension, 2),
        ),
        texts("s_incidents", count=now.incidents, previous=before.incidents),
    ]
    top = report.top_incident_regions()
    if top:
        lines.append(
            texts(
                "s_top_regions",
                regions=", ".join(f"{region_name(r.region_kato, texts.lang)} ({r.incidents})" for r in top),
            )
        )
    for result in report.indicators:
        if result.assessment is not None and result.target is not None:
            lines.append(
                texts(
                    "s_indicator",
                    name=result.indicator.name(texts.lang),
                    value=texts.number(result.assessment.estimate.value),
                    year=result.year,
                    target=texts.number(result.target),
                    status=texts.status(result.assessment.status),
                )
            )
    lines.append(
        texts(
            "s_recommendations",
            visits=len(report.visits),
            open=len(report.open_recommendations),
            overdue=len(report.overdue_recommendations),
        )
    )
    return [Heading(texts("h_summary")), Bullets(tuple(lines))]


def _analysis(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    paragraphs = write_analysis(report, texts, region_name)
    return [Heading(texts("h_analysis")), *(Paragraph(text) for text in paragraphs)]


def _indicators(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    blocks: list[Block] = [Heading(texts("h_indicators"))]
    if not report.indicators:
        return [*blocks, Paragraph(texts("nothing_quarter"))]
    rows = tuple(_indicator_row(result, texts) for result in report.indicators)
    blocks.append(
        Table(
            (
                texts("c_indicator"),
                texts("c_baseline"),
                texts("c_target"),
                texts("c_estimate"),
                texts("c_ci"),
                texts("c_status"),
            ),
            rows,
            numeric=(1, 2, 3),
        )
    )
    surveyed = [r for r in report.indicators if r.assessment is not None]
    if not surveyed:
        blocks.append(Paragraph(texts("no_survey")))
    else:
        first = surveyed[0]
        estimate = first.assessment.estimate if first.assessment else None
        if estimate is not None:
            blocks.append(
                Paragraph(
                    texts(
                        "survey_used", name=first.survey, n=estimate.n, n_eff=texts.number(estimate.n_eff, 0)
                    ),
                    small=True,
                )
            )
    blocks.append(
        Image("indicators", charts.indicator_chart(report.indicators, texts), texts("chart_indicators"))
    )
    for result in surveyed:
        blocks.extend(_breakdowns(result, texts))
    return blocks


def _indicator_row(result: IndicatorResult, texts: Texts) -> tuple[str, ...]:
    indicator = result.indicator
    baseline = _percent(indicator.baseline, texts)
    if indicator.baseline_year is not None and indicator.baseline is not None:
        baseline += f" ({indicator.baseline_year})"
    target = f"{_percent(result.target, texts)} ({result.year})"
    if result.assessment is None:
        return (indicator.name(texts.lang), baseline, target, "—", "—", "—")
    estimate = result.assessment.estimate
    return (
        indicator.name(texts.lang),
        baseline,
        target,
        texts.number(estimate.value),
        f"{texts.number(estimate.ci_low)} – {texts.number(estimate.ci_high)}",
        texts.status(result.assessment.status),
    )


def _breakdowns(result: IndicatorResult, texts: Texts) -> list[Block]:
    blocks: list[Block] = [Heading(f"{texts('h_breakdown')}: {result.indicator.name(texts.lang)}", level=2)]
    for by, estimates in result.breakdowns.items():
        if not estimates:
            continue
        rows = tuple(_estimate_row(by, e, texts) for e in estimates)
        blocks.append(Paragraph(texts.breakdown(by), small=True))
        blocks.append(
            Table(
                (texts("c_group"), texts("c_estimate"), texts("c_ci"), texts("c_n"), texts("c_n_eff")),
                rows,
                numeric=(1, 3, 4),
            )
        )
    return blocks


def _estimate_row(by: str, estimate: Estimate, texts: Texts) -> tuple[str, ...]:
    mark = " *" if estimate.unreliable else ""
    return (
        _group_name(by, estimate.group, texts) + mark,
        texts.number(estimate.value),
        f"{texts.number(estimate.ci_low)} – {texts.number(estimate.ci_high)}",
        str(estimate.n),
        texts.number(estimate.n_eff, 0),
    )


def _map_and_regions(report: QuarterlyReport, texts: Texts, geojson: Path | None) -> list[Block]:
    blocks: list[Block] = [
        Heading(texts("h_map")),
        Image("map", charts.region_map(report.regions, texts, geojson=geojson), texts("chart_map")),
    ]
    blocks.append(Heading(texts("h_regions"), level=2))
    if not report.regions:
        return [*blocks, Paragraph(texts("nothing_quarter"))]
    ordered = sorted(report.regions, key=lambda r: (-r.documents, r.region_kato))
    rows = tuple(
        (
            region_name(r.region_kato, texts.lang),
            str(r.documents),
            texts.number(r.mean_tension, 2),
            str(r.incidents),
        )
        for r in ordered
    )
    blocks.append(
        Table(
            (texts("c_region"), texts("c_documents"), texts("c_tension"), texts("c_incidents")),
            rows,
            numeric=(1, 2, 3),
        )
    )
    return blocks


def _trends(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    blocks: list[Block] = [Heading(texts("h_trends"))]
    if report.volume.documents == 0:
        blocks.append(Paragraph(texts("nothing_quarter")))
    blocks.append(Image("tension", charts.tension_chart(report.months, texts), texts("chart_tension"), 14.0))
    blocks.append(
        Image(
            "incidents",
            charts.incident_chart(report.months, report.incident_types, texts),
            texts("chart_incidents"),
            14.0,
        )
    )
    return blocks


def masked_items(report: QuarterlyReport) -> list[TopItem]:
    """The top items whose titles carry hate speech, in the order of the table."""
    return [item for item in report.top_items if item.masked]


def _annex(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    """Quoted material with hate speech, kept out of the body and marked as such."""
    masked = masked_items(report)
    if not masked:
        return []
    rows = tuple(
        (str(number), item.title, texts.day(item.day) if item.day else "—", item.lang)
        for number, item in enumerate(masked, start=1)
    )
    return [
        Heading(texts("h_annex")),
        Paragraph(texts("annex_note"), small=True),
        Table(("№", texts("c_title"), texts("c_date"), texts("c_lang")), rows, numeric=(0,)),
    ]


def _top(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    heading = Heading(texts("h_stories" if report.top_kind == "stories" else "h_documents"))
    if not report.top_items:
        return [heading, Paragraph(texts("nothing_quarter"))]
    masked = {id(item): number for number, item in enumerate(masked_items(report), start=1)}
    rows = tuple(
        (
            texts("masked_title", number=masked[id(item)]) if id(item) in masked else item.title,
            texts.day(item.day) if item.day else "—",
            item.lang,
            texts.number(item.tension, 2),
            str(item.size),
            ", ".join(region_name(k, texts.lang) for k in item.regions) or "—",
        )
        for item in report.top_items
    )
    return [
        heading,
        Table(
            (
                texts("c_title"),
                texts("c_date"),
                texts("c_lang"),
                texts("c_tension"),
                texts("c_size"),
                texts("c_region"),
            ),
            rows,
            numeric=(3, 4),
        ),
    ]


def _alerts(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    heading = Heading(texts("h_alerts"))
    summary = report.alerts
    if summary is None:
        return [heading, Paragraph(texts("not_available"))]
    severity = " / ".join(str(summary.by_severity.get(level, 0)) for level in ("high", "medium", "low"))
    rows = (
        (texts("a_alerts"), str(summary.alerts)),
        (texts("a_severity"), severity),
        (texts("a_response"), texts.number(summary.median_alert_response_hours)),
        (texts("a_cases"), f"{summary.cases_opened} / {summary.cases_closed}"),
        (texts("a_case_response"), texts.number(summary.median_case_response_hours)),
        (texts("a_case_close"), texts.number(summary.median_case_close_hours)),
        (texts("a_overdue"), str(summary.cases_overdue)),
    )
    return [heading, Table((texts("c_measure"), texts("c_value")), rows, numeric=(1,))]


def _visits(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    blocks: list[Block] = [Heading(texts("h_visits"))]
    if not report.visits:
        blocks.append(Paragraph(texts("no_visits")))
    for visit in report.visits:
        blocks.extend(_visit(visit, texts))
    blocks.append(Heading(texts("h_recommendations"), level=2))
    if not report.open_recommendations:
        return [*blocks, Paragraph(texts("no_open"))]
    last_day = report.quarter.last_day
    rows = tuple(
        (
            row.text,
            row.owner,
            _deadline(row.deadline, last_day, texts),
            region_name(row.visit.region_kato, texts.lang),
        )
        for row in report.open_recommendations
    )
    blocks.append(
        Table((texts("c_recommendation"), texts("c_owner"), texts("c_deadline"), texts("c_region")), rows)
    )
    return blocks


def _deadline(deadline: date | None, last_day: date, texts: Texts) -> str:
    if deadline is None:
        return "—"
    overdue = f" ({texts('overdue')})" if deadline <= last_day else ""
    return texts.day(deadline) + overdue


def _visit(visit: VisitRow, texts: Texts) -> list[Block]:
    region = region_name(visit.region_kato, texts.lang)
    blocks: list[Block] = [
        Heading(f"{region}: {visit.title}", level=2),
        Paragraph(
            f"{texts('v_dates')}: {texts.day(visit.started_on)} – {texts.day(visit.ended_on)}. "
            f"{texts('v_team')}: {', '.join(visit.team) or '—'}."
        ),
    ]
    meetings = tuple(
        " — ".join(part for part in (m.get("date", ""), m.get("with", ""), m.get("summary", "")) if part)
        for m in visit.meetings
    )
    risks = tuple(f"[{texts.severity(r.get('level', 'medium'))}] {r.get('text', '')}" for r in visit.risks)
    recommendations = tuple(
        f"{r.text} — {r.owner}" + (f", {texts.day(r.deadline)}" if r.deadline else "")
        for r in visit.recommendations
    )
    for key, items in (
        ("v_meetings", meetings),
        ("v_findings", tuple(visit.findings)),
        ("v_risks", risks),
        ("v_recommendations", recommendations),
    ):
        if items:
            blocks.extend([Paragraph(texts(key), small=True), Bullets(items)])
    return blocks


def _sources(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    heading = Heading(texts("h_sources"))
    if not report.sources:
        return [heading, Paragraph(texts("nothing_quarter"))]
    rows = tuple(
        (
            s.name,
            s.kind,
            str(s.documents),
            ", ".join(s.langs) or "—",
            texts.day(s.last_ok_at.date()) if s.last_ok_at else "—",
        )
        for s in report.sources
    )
    return [
        heading,
        Table(
            (texts("c_source"), texts("c_kind"), texts("c_documents"), texts("c_langs"), texts("c_last_ok")),
            rows,
            numeric=(2,),
        ),
    ]


def _method(report: QuarterlyReport, texts: Texts, _geojson: Path | None) -> list[Block]:
    limits = report.limits
    paragraphs: Sequence[str] = (
        texts("m_sources"),
        texts("m_tension"),
        texts("m_survey"),
        texts("m_status"),
        texts("m_targets"),
        texts(
            "m_limits",
            no_region=limits.without_region,
            no_tension=limits.without_tension,
            flagged=limits.dates_flagged,
            quarantined=limits.quarantined,
        ),
        texts("m_coverage"),
    )
    return [Heading(texts("h_method")), *(Paragraph(text) for text in paragraphs)]
