"""Stored documents record the stage versions that produced them; which are stale (both backends)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from click.testing import CliRunner

from birlik.cli.main import cli
from birlik.domain.records import Document
from birlik.ingest.identity import content_hash
from birlik.nlp.factory import default_names
from birlik.store import repository as repo
from birlik.store.models import DocumentRow
from birlik.store.repository import Provenance, Store

CURRENT = ["normalise.v1", "segment.v1", "tension.v2"]


def _add(store: Store, name: str, stages: list[str]) -> int:
    with store.transaction() as session:
        doc = Document(id=name, text=f"Мәтін {name}.", lang="kk", stages=stages)
        row = repo.add_document(session, doc, Provenance(ext_id=name, content_hash=content_hash(doc.text)))
        session.flush()
        return row.id


def test_the_stage_versions_are_stored_and_the_stale_documents_found(store: Store) -> None:
    fresh = _add(store, "fresh", CURRENT)
    older = _add(store, "older", ["normalise.v1", "segment.v1", "tension.v1"])
    shorter = _add(store, "shorter", CURRENT[:2])
    before = _add(store, "before", CURRENT)
    spaced = _add(store, "spaced", CURRENT)
    with store.transaction() as session:  # stored before versions were recorded; written by hand
        session.execute(sa.update(DocumentRow).where(DocumentRow.id == before).values(stages=None))
        session.execute(sa.text(
            "UPDATE documents SET stages = '[\"normalise.v1\",\"segment.v1\",\"tension.v2\"]' WHERE id = :id"
        ), {"id": spaced})
    with store.transaction() as session:
        assert session.get(DocumentRow, fresh).stages == CURRENT  # type: ignore[union-attr]
        assert repo.stale_documents(session, CURRENT, limit=10) == [older, shorter, before]
        assert repo.stale_documents(session, CURRENT, limit=2) == [older, shorter]
        assert repo.stale_documents(session, CURRENT, limit=10, after=shorter) == [before]
        assert repo.count_stale(session, CURRENT) == 3
        assert repo.count_stale(session, CURRENT[:2]) == 4  # the others differ from that pipeline
        assert repo.stale_documents(session, CURRENT[:2], limit=10) == [fresh, older, before, spaced]


def test_a_row_read_back_carries_no_analysis(store: Store) -> None:
    row_id = _add(store, "one", CURRENT)
    with store.transaction() as session:
        row = session.get(DocumentRow, row_id)
        assert row is not None and row.analysed is None and row.stages == CURRENT


def test_stages_command_lists_the_registry_and_counts_stale_documents(store: Store) -> None:
    _add(store, "current", default_names())
    _add(store, "old", CURRENT)
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "stages", "--stale", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["pipeline"] == default_names() and out["stale"] == 1
    tension = next(stage for stage in out["stages"] if stage["name"] == "tension.v2")
    assert tension["version"] == "v2" and tension["default"] == "signals"
    assert "signals.tension" in tension["provides"] and "signals.hate" in tension["requires"]
    passages = next(stage for stage in out["stages"] if stage["name"] == "passages.v1")
    assert passages["config"]["max_salient"] == 4
    text = CliRunner().invoke(cli, ["--db", url, "stages", "--stale"])
    assert text.exit_code == 0 and "stale documents: 1" in text.output and "claims.v1" in text.output
