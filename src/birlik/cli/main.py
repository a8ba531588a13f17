"""``birlik``: one entry point, machine output on stdout, progress and errors on stderr."""

from __future__ import annotations

import logging
import sys

import click

from birlik import __version__
from birlik.cli import analyze, errors, evaluate, explain, ingest, quarantine, query, sources
from birlik.cli import backfill as backfill_cli
from birlik.cli import monitor as monitor_cli
from birlik.cli import reports as reports_cli
from birlik.cli import stages as stages_cli
from birlik.cli import stories as stories_cli
from birlik.cli import web as web_cli
from birlik.cli.context import AppContext
from birlik.domain.errors import BirlikError, SourceUnavailable

EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="birlik")
@click.option(
    "--log-level",
    default="WARNING",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    help="How much to log on stderr.",
)
@click.option(
    "--db",
    "database_url",
    envvar="BIRLIK_DATABASE_URL",
    default=None,
    help="Database URL (default sqlite:///birlik.db; env BIRLIK_DATABASE_URL).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.pass_context
def cli(ctx: click.Context, log_level: str, database_url: str | None, quiet: bool) -> None:
    """Birlik — monitoring of interethnic relations in Kazakhstan (kk/ru/en)."""
    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = AppContext(database_url=database_url, quiet=quiet)


for command in (
    sources.init,
    sources.source,
    ingest.ingest,
    analyze.analyze,
    query.search,
    query.stats,
    quarantine.quarantine,
    evaluate.evaluate,
    explain.explain,
    errors.errors,
    *monitor_cli.COMMANDS,
    *stories_cli.COMMANDS,
    *web_cli.COMMANDS,
    *reports_cli.COMMANDS,
    *stages_cli.COMMANDS,
    *backfill_cli.COMMANDS,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("birlik: interrupted", err=True)
        sys.exit(130)
    except SourceUnavailable as exc:
        click.echo(f"birlik: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    except BirlikError as exc:
        click.echo(f"birlik: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
