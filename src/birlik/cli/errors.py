"""``birlik errors``: the catalogue of error codes (docs/errors.md is its ``--markdown``)."""

from __future__ import annotations

import click

from birlik.domain import codes
from birlik.domain.errors import ConfigError


@click.command("errors")
@click.argument("code_ids", nargs=-1)
@click.option("--markdown", is_flag=True, help="The whole catalogue as docs/errors.md.")
def errors(code_ids: tuple[str, ...], markdown: bool) -> None:
    """What an error code means and how to fix it (all codes, or the CODE_IDS given)."""
    if markdown:
        click.echo(codes.markdown(), nl=False)
        return
    unknown = [code_id for code_id in code_ids if code_id.upper() not in codes.CATALOGUE]
    if unknown:
        raise ConfigError(f"unknown error code {', '.join(unknown)} — `birlik errors` lists them",
                          code=codes.E014)
    wanted = [codes.CATALOGUE[code_id.upper()] for code_id in code_ids] or codes.CATALOGUE.values()
    for code in wanted:
        click.echo(f"{code.id}  {code.cls.__name__} {code.status}  {code.meaning} — {code.fix}")
