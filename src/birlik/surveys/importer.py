"""Survey microdata (CSV or SPSS ``.sav``) read through a codebook into respondents.

Everything that does not match the codebook is collected and reported in one coded error, so a
user fixes the codebook or the file once instead of once per row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.codes import Code
from birlik.domain.errors import BadInput, CodebookError, ConfigError
from birlik.resources.gazetteer import load_gazetteer
from birlik.surveys.codebook import Codebook, answer_code
from birlik.surveys.models import SurveyResponseRow, SurveyRow

MAX_LISTED = 5
_HEAD_WORDS = re.compile(r"(?<!\s)\s+(облысы|обл\.?|область|region|oblast|province)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Respondent:
    respondent: str
    weight: float
    region_kato: str | None
    ethnic_group: str | None = None
    age: int | None = None
    age_band: str | None = None
    language: str | None = None
    values: Mapping[str, float | None] = field(default_factory=dict)

    def group(self, by: str) -> str | None:
        """The respondent's category for a breakdown: region, ethnic_group, age_band or language."""
        value = getattr(self, "region_kato" if by == "region" else by)
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Table:
    """Columns of a data file, each a list of raw cell values, all of the same length."""

    columns: Mapping[str, Sequence[object]]
    rows: int


def read_table(path: Path) -> Table:
    suffix = path.suffix.lower()
    if suffix == ".sav":
        return _read_sav(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    raise BadInput(f"{path.name}: survey data must be .csv or SPSS .sav", code=codes.U020)


def _read_csv(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc} — save the CSV as UTF-8", code=codes.U021) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise BadInput(f"{path.name} is empty — export the survey with a header row", code=codes.U022)
    names = [name.strip() for name in header]
    data: dict[str, list[object]] = {name: [] for name in names}
    for line_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise BadInput(
                f"{path.name}:{line_number} has {len(row)} cells, the header {len(names)}", code=codes.U023
            )
        for name, cell in zip(names, row, strict=True):
            data[name].append(cell)
    return Table(columns=data, rows=len(data[names[0]]))


def _read_sav(path: Path) -> Table:
    import pyreadstat

    try:
        frame, _meta = pyreadstat.read_sav(str(path), output_format="dict")
    except Exception as exc:  # pyreadstat raises its own ReadstatError and plain OSError
        raise BadInput(f"cannot read the SPSS file {path.name}: {exc}", code=codes.U024) from exc
    columns = {str(name): list(values) for name, values in frame.items()}
    rows = len(next(iter(columns.values()), []))
    return Table(columns=columns, rows=rows)


def respondents_from_table(table: Table, codebook: Codebook, *, where: str = "file") -> list[Respondent]:
    """Apply the codebook to every row; all mismatches are reported together (U010–U016)."""
    _check_columns(table, codebook, where)
    if table.rows == 0:
        raise CodebookError(f"{where} has no respondents", code=codes.U015)
    problems = _Problems(where)
    respondents = [_respondent(table, codebook, index, problems) for index in range(table.rows)]
    problems.raise_if_any()
    return respondents


def _check_columns(table: Table, codebook: Codebook, where: str) -> None:
    wanted = list(codebook.columns.values()) + [c.question for c in codebook.indicators]
    absent = [name for name in dict.fromkeys(wanted) if name not in table.columns]
    if absent:
        available = ", ".join(list(table.columns)[:20])
        raise CodebookError(
            f"{where} has no column {', '.join(absent)} that the codebook names — the file has: "
            f"{available}; fix `columns`/`question` in the codebook",
            code=codes.U010,
        )


class _Problems:
    """Mismatches found row by row, grouped by kind, listed a few at a time."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.found: dict[tuple[Code[CodebookError], str], list[str]] = {}

    def add(self, code: Code[CodebookError], what: str, example: str) -> None:
        self.found.setdefault((code, what), []).append(example)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        parts = []
        for (_code, what), examples in self.found.items():
            shown = ", ".join(examples[:MAX_LISTED]) + (" …" if len(examples) > MAX_LISTED else "")
            parts.append(f"{what} in {len(examples)} rows ({shown})")
        first_code = next(iter(self.found))[0]
        raise CodebookError(f"{self.where} does not match the codebook: " + "; ".join(parts),
                            code=first_code)


def _respondent(table: Table, codebook: Codebook, index: int, problems: _Problems) -> Respondent:
    row = index + 1

    def cell(variable: str) -> str | None:
        column = codebook.column(variable)
        if column is None:
            return None
        code = answer_code(table.columns[column][index])
        table_ = codebook.recode.get(variable)
        if code is not None and table_ is not None:
            if code not in table_:
                problems.add(codes.U014, f"{variable} code not in recode", f"row {row}: {code}")
                return None
            return table_[code]
        return code

    return Respondent(
        respondent=cell("respondent") or f"row-{row}",
        weight=_weight(cell("weight"), row, problems),
        region_kato=_region(cell("region"), row, problems),
        ethnic_group=cell("ethnic_group"),
        age=(age := _age(cell("age"), row, problems)),
        age_band=codebook.age_band(age),
        language=cell("language"),
        values=_values(table, codebook, index, problems),
    )


def _weight(value: str | None, row: int, problems: _Problems) -> float:
    try:
        weight = float(value.replace(",", ".")) if value is not None else float("nan")
    except ValueError:
        weight = float("nan")
    if not weight > 0:
        problems.add(codes.U011, "weight missing, not a number or not positive", f"row {row}: {value}")
        return 0.0
    return weight


def _age(value: str | None, row: int, problems: _Problems) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        problems.add(codes.U016, "age not a number", f"row {row}: {value}")
        return None


def _region(value: str | None, row: int, problems: _Problems) -> str | None:
    if value is None:
        return None
    try:
        return region_code(value)
    except ConfigError:
        problems.add(codes.U013, "unknown region", f"row {row}: {value}")
        return None


def _values(table: Table, codebook: Codebook, index: int, problems: _Problems) -> dict[str, float | None]:
    values: dict[str, float | None] = {}
    for coding in codebook.indicators:
        answer = answer_code(table.columns[coding.question][index])
        try:
            values[coding.indicator_id] = coding.value(answer)
        except KeyError:
            known = ", ".join(sorted(coding.known_answers()))
            problems.add(
                codes.U012,
                f"answer of {coding.question} not in the codebook (known: {known})",
                f"row {index + 1}: {answer}",
            )
            values[coding.indicator_id] = None
    return values


def region_code(value: str) -> str:
    """A region given by KATO code (any code inside it) or by its name in kk, ru or en."""
    gazetteer = load_gazetteer()
    text = value.strip()
    if text.isdigit():
        region = gazetteer.region_of(text.zfill(9) if len(text) < 9 else text)
        if region is not None:
            return region
    wanted = _HEAD_WORDS.sub("", text.casefold()).strip()
    for place in gazetteer.regions():
        forms = [name for names in place.names.values() for name in names] + [f.text for f in place.forms]
        if any(wanted == form.casefold() for form in forms):
            return place.kato
    raise ConfigError(f"unknown region {value!r} — give a KATO code or a region name", code=codes.U017)


# --- the store -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyImport:
    survey_id: int
    name: str
    respondents: int
    replaced: bool


def import_survey(session: Session, path: Path, codebook: Codebook, *, replace: bool = False) -> SurveyImport:
    """Read, check and store one wave; a wave of the same name is refused unless ``replace``."""
    respondents = respondents_from_table(read_table(path), codebook, where=path.name)
    existing = session.scalar(select(SurveyRow).where(SurveyRow.name == codebook.survey))
    if existing is not None:
        if not replace:
            raise BadInput(
                f"survey {codebook.survey!r} is already imported — pass --replace to load it again",
                code=codes.U025,
            )
        session.delete(existing)
        session.flush()
    survey = SurveyRow(
        name=codebook.survey,
        year=codebook.year,
        fielded_from=codebook.fielded_from,
        fielded_to=codebook.fielded_to,
        source_file=path.name,
        codebook=codebook.as_json(),
        respondents=len(respondents),
    )
    session.add(survey)
    session.flush()
    session.add_all(_response_row(survey.id, r) for r in respondents)
    session.flush()
    return SurveyImport(
        survey_id=survey.id, name=survey.name, respondents=len(respondents), replaced=existing is not None
    )


def _response_row(survey_id: int, r: Respondent) -> SurveyResponseRow:
    return SurveyResponseRow(
        survey_id=survey_id,
        respondent=r.respondent,
        weight=r.weight,
        region_kato=r.region_kato,
        ethnic_group=r.ethnic_group,
        age=r.age,
        age_band=r.age_band,
        language=r.language,
        indicator_values=dict(r.values),
    )


def load_respondents(
    session: Session, survey_id: int, *, regions: Sequence[str] | None = None
) -> list[Respondent]:
    """The wave's respondents; with ``regions``, only those living in them (a coordinator's scope)."""
    query = select(SurveyResponseRow).where(SurveyResponseRow.survey_id == survey_id)
    if regions is not None:
        query = query.where(SurveyResponseRow.region_kato.in_(list(regions)))
    rows = session.scalars(query.order_by(SurveyResponseRow.id))
    return [
        Respondent(
            respondent=row.respondent,
            weight=row.weight,
            region_kato=row.region_kato,
            ethnic_group=row.ethnic_group,
            age=row.age,
            age_band=row.age_band,
            language=row.language,
            values=_plain_values(row.indicator_values),
        )
        for row in rows
    ]


def _plain_values(raw: Mapping[str, Any]) -> dict[str, float | None]:
    return {str(k): (float(v) if v is not None else None) for k, v in raw.items()}


def list_surveys(session: Session) -> list[SurveyRow]:
    return list(
        session.scalars(select(SurveyRow).order_by(SurveyRow.year, SurveyRow.fielded_to, SurveyRow.name))
    )
