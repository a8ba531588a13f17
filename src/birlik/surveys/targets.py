"""The Concept's target indicators as data: a baseline and a target for each year to 2030.

Section 6 of the Concept ("Бірлігіміз - әралуандықта" until 2030) lists the indicators in a table
whose rows 1–3 and column headings did not survive in the published text. Rows 4 and 5 did: they
are seeded here (and by migration 0005). The six target columns are read as the years 2025–2030
and the baseline as 2024, the year before the Concept was approved (29 December 2025); users
correct or add rows with ``birlik targets add`` and ``birlik targets import``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import BadInput, NotFound
from birlik.store.models import utcnow
from birlik.surveys.models import IndicatorTargetRow, TargetIndicatorRow

DIRECTIONS = ("higher", "lower")
LANGS = ("kk", "ru", "en")
SOCIOLOGICAL_SURVEYS = {
    "kk": "әлеуметтану зерттеулері",
    "ru": "социологические исследования",
    "en": "sociological surveys",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetIndicator:
    """One row of the table: what is measured, from what, where it started and where it must go."""

    id: str
    names: Mapping[str, str]
    unit: str = "%"
    source: Mapping[str, str] = field(default_factory=lambda: dict(SOCIOLOGICAL_SURVEYS))
    number: int | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    targets: Mapping[int, float] = field(default_factory=dict)
    direction: str = "higher"
    """``higher``: a larger value is better; ``lower``: a smaller one is."""
    note: str | None = None

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()), self.id)

    def target_for(self, year: int) -> float | None:
        return self.targets.get(year)


SEED_INDICATORS: tuple[TargetIndicator, ...] = (
    TargetIndicator(
        id="social_mood",
        number=4,
        names={
            "kk": "Халықтың әлеуметтік көңіл-күйінің деңгейі",
            "ru": "Уровень социального самочувствия населения",
            "en": "Level of the population's social mood",
        },
        baseline=85.5,
        baseline_year=2024,
        targets={2025: 77.0, 2026: 77.5, 2027: 78.0, 2028: 78.5, 2029: 79.0, 2030: 79.5},
        note="Concept, section 6, row 4; column headings lost in the published text",
    ),
    TargetIndicator(
        id="tolerance",
        number=5,
        names={
            "kk": "Қазақстан этностары арасындағы толеранттылық деңгейі",
            "ru": "Уровень толерантности между этносами Казахстана",
            "en": "Level of tolerance between Kazakhstan's ethnic groups",
        },
        baseline=69.0,
        baseline_year=2024,
        targets={2025: 69.0, 2026: 69.5, 2027: 70.0, 2028: 70.5, 2029: 71.0, 2030: 71.5},
        note="Concept, section 6, row 5; column headings lost in the published text",
    ),
)


# --- reading rows from files ---------------------------------------------------------------


def load_targets_file(path: Path) -> list[TargetIndicator]:
    """Rows from a YAML file (a list of mappings, or ``indicators:`` holding one) or a CSV file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc} — give a UTF-8 YAML or CSV file", code=codes.U101) from exc
    if path.suffix.lower() == ".csv":
        return [indicator_from_mapping(row, f"{path}:{n}") for n, row in enumerate(_csv_rows(text), 2)]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BadInput(f"{path} is not valid YAML: {exc}", code=codes.U101) from exc
    if isinstance(data, dict) and "indicators" in data:
        data = data["indicators"]
    if not isinstance(data, list):
        raise BadInput(
            f"{path}: expected a list of indicators — see `birlik targets import --help`", code=codes.U102
        )
    return [indicator_from_mapping(item, f"{path}[{n}]") for n, item in enumerate(data)]


def _csv_rows(text: str) -> list[dict[str, Any]]:
    """CSV columns: id, number, name_kk, name_ru, name_en, unit, baseline, baseline_year, direction,
    and one column per year (``2025``, ``2026``…) holding its target."""
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        row: dict[str, Any] = {"targets": {}, "names": {}}
        for key, value in raw.items():
            if key is None or value in (None, ""):
                continue
            key = key.strip()
            if key.isdigit():
                row["targets"][key] = value
            elif key.startswith("name_"):
                row["names"][key.removeprefix("name_")] = value
            else:
                row[key] = value
        rows.append(row)
    return rows


def indicator_from_mapping(item: object, where: str) -> TargetIndicator:
    if not isinstance(item, dict):
        raise BadInput(f"{where}: an indicator must be a mapping with id, names and targets", code=codes.U102)
    indicator_id = str(item.get("id") or "").strip()
    if not indicator_id.replace("_", "").isalnum():
        raise BadInput(f"{where}: indicator id {indicator_id!r} must be letters, digits and _",
                       code=codes.U103)
    names = item.get("names") or {}
    if isinstance(names, str):
        names = {"en": names}
    if not isinstance(names, dict) or not names:
        raise BadInput(f"{where}: indicator {indicator_id} needs names (kk, ru, en)", code=codes.U104)
    direction = str(item.get("direction") or "higher")
    if direction not in DIRECTIONS:
        raise BadInput(f"{where}: direction {direction!r} must be one of {list(DIRECTIONS)}", code=codes.U105)
    source = item.get("source") or dict(SOCIOLOGICAL_SURVEYS)
    return TargetIndicator(
        id=indicator_id,
        names={str(k): str(v) for k, v in names.items()},
        unit=str(item.get("unit") or "%"),
        source={"en": source} if isinstance(source, str) else {str(k): str(v) for k, v in source.items()},
        number=_optional_int(item.get("number"), where, "number"),
        baseline=_optional_number(item.get("baseline"), where, "baseline"),
        baseline_year=_optional_int(item.get("baseline_year"), where, "baseline_year"),
        targets=_targets(item.get("targets") or {}, where),
        direction=direction,
        note=str(item["note"]) if item.get("note") else None,
    )


def _targets(raw: object, where: str) -> dict[int, float]:
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: targets must map a year to a value, e.g. {{2026: 77.5}}", code=codes.U106)
    out: dict[int, float] = {}
    for year, value in raw.items():
        year_number = _optional_int(year, where, "target year")
        target = _optional_number(value, where, f"target of {year}")
        if year_number is None or target is None or not 1991 <= year_number <= 2100:
            raise BadInput(f"{where}: target {year}: {value} is not a year and a number", code=codes.U106)
        out[year_number] = target
    return dict(sorted(out.items()))


def _optional_number(value: object, where: str, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        raise BadInput(
            f"{where}: {what} {value!r} is not a number (write 77.5 or 77,5%)", code=codes.U107
        ) from None


def _optional_int(value: object, where: str, what: str) -> int | None:
    number = _optional_number(value, where, what)
    if number is None:
        return None
    if number != int(number):
        raise BadInput(f"{where}: {what} {value!r} must be a whole number", code=codes.U107)
    return int(number)


# --- the table in the store ----------------------------------------------------------------------


def save_indicator(session: Session, indicator: TargetIndicator) -> TargetIndicatorRow:
    """Insert the row or correct it: given fields replace the stored ones, targets merge by year."""
    row = session.get(TargetIndicatorRow, indicator.id)
    if row is None:
        row = TargetIndicatorRow(id=indicator.id, names={}, source={})
        session.add(row)
    row.names = {**row.names, **indicator.names}
    row.source = dict(indicator.source)
    row.unit = indicator.unit
    row.direction = indicator.direction
    for attribute in ("number", "baseline", "baseline_year", "note"):
        value = getattr(indicator, attribute)
        if value is not None:
            setattr(row, attribute, value)
    by_year = {target.year: target for target in row.targets}
    for year, value in indicator.targets.items():
        if year in by_year:
            by_year[year].target = value
        else:
            row.targets.append(IndicatorTargetRow(year=year, target=value))
    row.updated_at = utcnow()
    session.flush()
    return row


def save_indicators(session: Session, indicators: Iterable[TargetIndicator]) -> int:
    count = 0
    for indicator in indicators:
        save_indicator(session, indicator)
        count += 1
    return count


def list_indicators(session: Session) -> list[TargetIndicator]:
    rows = session.scalars(select(TargetIndicatorRow)).all()
    indicators = [indicator_from_row(row) for row in rows]
    return sorted(indicators, key=lambda i: (i.number is None, i.number or 0, i.id))


def get_indicator(session: Session, indicator_id: str) -> TargetIndicator:
    row = session.get(TargetIndicatorRow, indicator_id)
    if row is None:
        raise NotFound(f"no target indicator {indicator_id!r} — see `birlik targets list`", code=codes.U108)
    return indicator_from_row(row)


def indicator_from_row(row: TargetIndicatorRow) -> TargetIndicator:
    return TargetIndicator(
        id=row.id,
        names=dict(row.names),
        unit=row.unit,
        source=dict(row.source),
        number=row.number,
        baseline=row.baseline,
        baseline_year=row.baseline_year,
        targets={target.year: target.target for target in row.targets},
        direction=row.direction,
        note=row.note,
    )


def seed_rows() -> list[dict[str, Any]]:
    """The seeded indicators as plain rows for the migration."""
    return [
        {
            "id": i.id,
            "number": i.number,
            "names": dict(i.names),
            "unit": i.unit,
            "source": dict(i.source),
            "baseline": i.baseline,
            "baseline_year": i.baseline_year,
            "direction": i.direction,
            "note": i.note,
        }
        for i in SEED_INDICATORS
    ]


def seed_target_rows() -> list[dict[str, Any]]:
    return [
        {"indicator_id": i.id, "year": year, "target": value}
        for i in SEED_INDICATORS
        for year, value in i.targets.items()
    ]


def years_of(indicators: Sequence[TargetIndicator]) -> list[int]:
    return sorted({year for indicator in indicators for year in indicator.targets})
