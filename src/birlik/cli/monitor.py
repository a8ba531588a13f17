"""``birlik indicators``, ``birlik alerts …``, ``birlik monitor`` and ``birlik backtest``."""

from __future__ import annotations

import getpass
import signal
import sys
import threading
from datetime import date
from pathlib import Path
from types import FrameType

import click

from birlik.cli.context import AppContext, emit_json, parse_day, pass_app
from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.signals.indicators import COUNTRY


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def resolve_region(text: str) -> str:
    """A region's KATO code from the code itself, ``KZ`` or a name in kk, ru or en."""
    from birlik.resources.gazetteer import load_gazetteer

    if text.upper() == COUNTRY:
        return COUNTRY
    regions = load_gazetteer().regions()
    if any(place.kato == text for place in regions):
        return text
    wanted = text.casefold()
    for place in regions:
        names = [name for values in place.names.values() for name in values]
        if any(name.casefold() == wanted for name in names):
            return place.kato
    raise ConfigError(f"{text!r} is not one of the 20 regions — give a KATO code, KZ or a name",
                      code=codes.W004)


def _day(value: str | None, option: str) -> date | None:
    moment = parse_day(value, option)
    return moment.date() if moment else None


# --- indicators ---------------------------------------------------------------------------


@click.command()
@click.option("--region", "regions", multiple=True, help="KATO code, KZ or a region name (repeat).")
@click.option("--metric", "metrics", multiple=True, help="Metric, or a prefix with * (ethnic:*) (repeat).")
@click.option("--since", help="First day, 2026-03-01.")
@click.option("--until", help="Last day.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--rebuild", is_flag=True, help="Recompute every indicator from the stored documents first.")
@pass_app
def indicators(
    app: AppContext,
    regions: tuple[str, ...],
    metrics: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_json: bool,
    rebuild: bool,
) -> None:
    """Indicators per region × day × metric: count, volume of the covering sources, value."""
    from birlik.signals.indicators import query_indicators, rebuild_indicators
    from birlik.signals.rules import region_name

    store = app.store()
    if rebuild:
        with store.transaction() as session:
            click.echo(f"rebuilt indicators from {rebuild_indicators(session)} documents", err=True)
    with store.transaction() as session:
        points = query_indicators(
            session,
            regions=[resolve_region(r) for r in regions],
            metrics=list(metrics),
            since=_day(since, "--since"),
            until=_day(until, "--until"),
        )
    for point in points:
        if as_json:
            emit_json(point.as_json())
        else:
            click.echo(
                f"{point.day.isoformat()}  {region_name(point.region_kato)[:22]:22} {point.metric[:28]:28} "
                f"{point.count:9.1f} / {point.volume:7.0f} = {point.value:.4f}"
            )
    if not points and not as_json:
        click.echo("no indicators — ingest documents first (or --rebuild)", err=True)


# --- alerts -------------------------------------------------------------------------------


@click.group()
def alerts() -> None:
    """List alerts and move them along: new → acknowledged → escalated/dismissed → closed."""


@alerts.command("list")
@click.option("--status", "statuses", multiple=True, help="new, acknowledged, escalated, dismissed, closed.")
@click.option("--region", help="KATO code, KZ or a region name.")
@click.option("--kind", help="surge, story_growth, source_silent, source_volume_drop, parse_failures.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per line: the stored fields, and `text` (title, severity, region, why it "
    "fired) in --lang.",
)
@click.option(
    "--lang",
    type=click.Choice(["kk", "ru", "en"]),
    default="kk",
    show_default=True,
    help="Language of the titles (as the alert pages and e-mails say them).",
)
@pass_app
def alerts_list(
    app: AppContext,
    statuses: tuple[str, ...],
    region: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
    lang: str,
) -> None:
    """List alerts, the most recent first, titled in --lang."""
    from birlik.signals.alerts import alert_json, list_alerts
    from birlik.web.messages import alert_words  # the pages' words for alerts

    with app.store().transaction() as session:
        rows = list_alerts(
            session,
            statuses=statuses,
            region=resolve_region(region) if region else None,
            kind=kind,
            limit=limit,
        )
        for alert in rows:
            fields = alert_json(alert)
            text = alert_words(fields, lang)
            if as_json:
                emit_json({**fields, "text": text})
            else:
                click.echo(
                    f"{alert.id:5} {alert.status:12} {alert.severity:6} {alert.first_day}…{alert.last_day}  "
                    f"{text['title']}"
                )
    if not rows and not as_json:
        click.echo("no alerts", err=True)


def _move(app: AppContext, alert_id: int, action: str, note: str | None) -> None:
    from birlik.signals import alerts as alerting

    with app.store().transaction() as session:
        alert = alerting.get_alert(session, alert_id)
        if action == "escalate":
            from birlik.cases import open_case_from_alert

            case = open_case_from_alert(session, alert, _actor(), note=note)
            click.echo(f"alert {alert.id} escalated: case {case.id} opened (due {case.due_at:%Y-%m-%d})")
            return
        target = {"ack": "acknowledged", "dismiss": "dismissed", "close": "closed"}[action]
        alerting.transition(session, alert, target, actor=_actor(), note=note)
        click.echo(f"alert {alert.id} {target}")


@alerts.command("ack")
@click.argument("alert_id", type=int)
@click.option("--note", help="Why, or what you will do.")
@pass_app
def alerts_ack(app: AppContext, alert_id: int, note: str | None) -> None:
    """Acknowledge an alert: someone is looking at it."""
    _move(app, alert_id, "ack", note)


@alerts.command("dismiss")
@click.argument("alert_id", type=int)
@click.option("--reason", required=True, help="Why the alert is not a concern.")
@pass_app
def alerts_dismiss(app: AppContext, alert_id: int, reason: str) -> None:
    """Dismiss an alert, with a reason."""
    _move(app, alert_id, "dismiss", reason)


@alerts.command("escalate")
@click.argument("alert_id", type=int)
@click.option("--note", help="What the case is about.")
@pass_app
def alerts_escalate(app: AppContext, alert_id: int, note: str | None) -> None:
    """Escalate an acknowledged alert: opens a case."""
    _move(app, alert_id, "escalate", note)


@alerts.command("close")
@click.argument("alert_id", type=int)
@click.option("--note")
@pass_app
def alerts_close(app: AppContext, alert_id: int, note: str | None) -> None:
    """Close an escalated or dismissed alert."""
    _move(app, alert_id, "close", note)


@alerts.command("redeliver")
@click.argument("ids", nargs=-1, type=int)
@pass_app
def alerts_redeliver(app: AppContext, ids: tuple[int, ...]) -> None:
    """Give dead-letter notifications (all, or the IDS given) a fresh set of attempts."""
    from birlik.signals.notify import requeue_dead_letters

    count = requeue_dead_letters(app.store(), list(ids) or None)
    click.echo(f"{count} notifications queued again; the next `birlik monitor` pass sends them")


# --- monitor and backtest -------------------------------------------------------------------


@click.command()
@click.option("--once", is_flag=True, help="One pass, then exit.")
@click.option("--interval", type=int, default=None, help="Seconds between passes (BIRLIK_MONITOR_INTERVAL).")
@click.option(
    "--since",
    help="With --once: also evaluate every day from this one (2026-06-01), after importing past documents.",
)
@pass_app
def monitor(app: AppContext, once: bool, interval: int | None, since: str | None) -> None:
    """Poll due sources, ingest, update indicators, evaluate rules, notify — in a loop.

    Safe to kill at any moment: nothing is lost, nothing is processed or notified twice.
    """
    settings = app.settings
    if interval is not None:
        settings = settings.model_copy(update={"monitor_interval": interval})
    first_day = _day(since, "--since")
    if first_day is not None and not once:
        raise ConfigError("--since catches up on past days in one pass — use it with --once", code=codes.E015)
    from birlik.web.messages import alert_email, alert_words  # the pages' words, in e-mails and webhooks

    runner = app.runtime.monitor(settings=settings, email_words=alert_email, webhook_words=alert_words)
    if once:
        emit_json(runner.run_once(since=first_day).as_json())
        return
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"birlik monitor: signal {signum}, stopping after this step", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.run_forever(stop, on_pass=lambda report: emit_json(report.as_json()))


@click.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rules",
    "rules_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rules YAML (default BIRLIK_RULES_FILE or the shipped rules).",
)
@click.option(
    "--events",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL of known events {region, day, name}: lead time is measured to them.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per alert, then a summary line.")
@pass_app
def backtest(
    app: AppContext, corpus: Path, rules_file: Path | None, events: Path | None, as_json: bool
) -> None:
    """Replay a dated JSONL CORPUS and list the alerts it would have raised, with lead time."""
    from birlik.signals.backtest import analyse_with, read_corpus, read_events
    from birlik.signals.backtest import backtest as run_backtest
    from birlik.signals.rules import load_rules

    rules = load_rules(rules_file or app.settings.rules_file)

    def analyse(records: list[dict[str, object]]) -> list[dict[str, object]]:
        click.echo(f"analysing {len(records)} raw lines…", err=True)
        return analyse_with(app.runtime.pipeline(), app.settings.batch_size)(records)

    report = run_backtest(
        read_corpus(corpus), rules, analyse=analyse, events=read_events(events) if events else None
    )
    for alert in report.alerts:
        if as_json:
            emit_json(alert.as_json())
        else:
            lead = f"lead {alert.lead_days:+d} d" if alert.lead_days is not None else "lead —"
            click.echo(f"{alert.first_day}…{alert.last_day}  {alert.severity:6} {lead:11} {alert.title}")
    summary = report.summary()
    if as_json:
        emit_json({"summary": summary})
    else:
        click.echo(
            f"{summary['alerts']} alerts over {summary['documents']} documents "
            f"({summary['first_day']} – {summary['last_day']}; {summary['undated']} undated)",
            err=True,
        )
    sys.stdout.flush()


COMMANDS = (indicators, alerts, monitor, backtest)
