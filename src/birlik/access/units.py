"""The registry of the Assembly's units: adding them (one by one or from a CSV), and the units of a region."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import audit
from birlik.access.errors import RequestError
from birlik.access.models import UNIT_KINDS, RegistryUnitRow
from birlik.access.principal import Principal
from birlik.domain import codes
from birlik.resources.gazetteer import load_gazetteer


def list_units(session: Session, region: str | None = None, kind: str | None = None) -> list[RegistryUnitRow]:
    """The registry's units by region, kind and name; of one region or kind when given."""
    statement = select(RegistryUnitRow).order_by(
        RegistryUnitRow.region_kato, RegistryUnitRow.kind, RegistryUnitRow.name
    )
    if region:
        statement = statement.where(RegistryUnitRow.region_kato == region)
    if kind:
        statement = statement.where(RegistryUnitRow.kind == kind)
    return list(session.scalars(statement))


def add_unit(session: Session, actor: Principal | str, values: dict[str, Any]) -> RegistryUnitRow:
    unit = RegistryUnitRow(**_unit_values(values))
    session.add(unit)
    session.flush()
    audit.record(
        session, actor, "unit.add", "unit", unit.id, region_kato=unit.region_kato, after=audit.snapshot(unit)
    )
    return unit


def _unit_values(values: dict[str, Any]) -> dict[str, Any]:
    kind = str(values.get("kind", "")).strip()
    if kind not in UNIT_KINDS:
        raise RequestError(
            f"unit kind {kind!r} is unknown — use one of {', '.join(UNIT_KINDS)}", code=codes.W150,
        )
    region = str(values.get("region_kato", "")).strip()
    gazetteer = load_gazetteer()
    if region not in {place.kato for place in gazetteer.regions()}:
        raise RequestError(
            f"region {region!r} is not the KATO code of a region — e.g. 310000000", code=codes.W151,
        )
    name = str(values.get("name", "")).strip()
    if not name:
        raise RequestError("a unit needs a name", code=codes.W152,)
    languages = values.get("languages") or []
    if isinstance(languages, str):
        languages = [part.strip() for part in languages.replace(";", ",").split(",") if part.strip()]
    out: dict[str, Any] = {"kind": kind, "name": name, "region_kato": region, "languages": list(languages)}
    for key in ("district_kato", "address", "phone", "email", "contact_person"):
        value = str(values.get(key) or "").strip()
        out[key] = value or None
    return out


def import_units_csv(session: Session, actor: Principal | str, data: str) -> int:
    """Add the units of a CSV with a header naming the unit's fields; all or nothing."""
    reader = csv.DictReader(io.StringIO(data))
    missing = {"kind", "name", "region_kato"} - set(reader.fieldnames or ())
    if missing:
        raise RequestError(
            f"the CSV lacks the columns {', '.join(sorted(missing))} — see demo/registry.csv",
            code=codes.W153,
        )
    count = 0
    for line, record in enumerate(reader, start=2):
        try:
            add_unit(session, actor, dict(record))
        except RequestError as exc:
            raise RequestError(f"line {line}: {exc.detail}", code=exc.entry, headers=exc.headers) from exc
        count += 1
    return count
