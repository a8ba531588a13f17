"""``birlik stages``: the registered analysis stages, the default pipeline, what is stale."""

from __future__ import annotations

from typing import Any

import click

from birlik.cli.context import AppContext, emit_json, pass_app


@click.command()
@click.option("--stale", is_flag=True,
              help="Also count stored documents analysed by other stage versions (needs the database).")
@click.option("--json", "as_json", is_flag=True, help="Print everything as one JSON object.")
@pass_app
def stages(app: AppContext, stale: bool, as_json: bool) -> None:
    """The registered stages (name.version, requires, provides, default config) and the
    declared default pipeline; with --stale, how many stored documents it would redo."""
    from birlik.nlp.factory import ENTITY_STAGES, SIGNAL_STAGES, STAGES, default_names
    from birlik.store.repository import count_stale

    current = default_names()
    out: dict[str, Any] = {
        "pipeline": current,
        "stages": [
            {**spec.as_json(),
             "default": "entities" if spec.name in ENTITY_STAGES else
             "signals" if spec.name in SIGNAL_STAGES else None}
            for spec in STAGES
        ],
    }
    if stale:
        with app.store().transaction() as session:
            out["stale"] = count_stale(session, current)
    if as_json:
        emit_json(out)
        return
    for item in out["stages"]:
        where = item["default"] or "-"
        click.echo(f"{item['name']:18} {where:9} requires {', '.join(item['requires']) or '-'}")
        click.echo(f"{'':28} provides {', '.join(item['provides'])}")
        if item["config"]:
            config = ", ".join(f"{key}={value!r}" for key, value in item["config"].items())
            click.echo(f"{'':28} config   {config}")
    click.echo(f"default pipeline: {len(current)} stages")
    if stale:
        click.echo(f"stale documents: {out['stale']} (analysed by other stage versions, or before "
                   "versions were recorded)")


COMMANDS = (stages,)
