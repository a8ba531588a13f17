"""The codebook of a survey wave (YAML): which columns hold the design variables, and which
answers to which question count towards which target indicator.

```yaml
survey: Ethno-social monitoring 2026, wave 2     # the wave's unique name
year: 2026                                       # the year whose targets apply
fielded: [2026-08-03, 2026-08-28]                # optional
columns:                                         # file column of each design variable
  respondent: resp_id
  weight: weight
  region: region_kato                            # KATO code or region name
  ethnic_group: ethnicity                        # optional
  age: age                                       # optional
  language: interview_lang                       # optional
recode:                                          # optional: file codes → Birlik values
  ethnic_group: {1: kazakh, 2: russian}
  language: {1: kk, 2: ru}
age_bands: [18, 30, 45, 60]                      # lower bounds → 18–29, 30–44, 45–59, 60+
indicators:
  social_mood:                                   # id of a target indicator
    question: q1
    positive: [1, 2]                             # share (%) of valid answers in this list
    valid: [1, 2, 3, 4]                          # answers in the denominator
    missing: [8, 9]                              # answers left out (don't know, refused)
  trust_scale:
    question: q7
    scores: {1: 0, 2: 50, 3: 100}                # or: the weighted mean of these scores
    missing: [9]
```
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from birlik.domain import codes
from birlik.domain.dates import parse_day
from birlik.domain.errors import CodebookError

DESIGN_VARIABLES = ("respondent", "weight", "region", "ethnic_group", "age", "language")
REQUIRED_VARIABLES = ("respondent", "weight", "region")
DEFAULT_AGE_BANDS = (18, 30, 45, 60)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorCoding:
    """How the answers to one question become a value of one indicator for one respondent."""

    indicator_id: str
    question: str
    positive: frozenset[str] = frozenset()
    scores: Mapping[str, float] = field(default_factory=dict)
    valid: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()

    @property
    def kind(self) -> str:
        return "mean" if self.scores else "share"

    def known_answers(self) -> frozenset[str]:
        return self.valid | self.missing | self.positive | frozenset(self.scores)

    def value(self, answer: str | None) -> float | None:
        """The respondent's value: 100 or 0 for a share, the score for a mean, None if left out.

        Raises ``KeyError`` for an answer the codebook does not list.
        """
        if answer is None or answer in self.missing:
            return None
        if self.scores:
            return self.scores[answer]
        if answer in self.positive:
            return 100.0
        if answer in self.valid:
            return 0.0
        raise KeyError(answer)


@dataclass(frozen=True, slots=True, kw_only=True)
class Codebook:
    survey: str
    year: int
    columns: Mapping[str, str]
    indicators: tuple[IndicatorCoding, ...]
    fielded_from: date | None = None
    fielded_to: date | None = None
    recode: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    age_bands: tuple[int, ...] = DEFAULT_AGE_BANDS

    def column(self, variable: str) -> str | None:
        return self.columns.get(variable)

    def age_band(self, age: int | None) -> str | None:
        """``18–29`` style label of the band ``age`` falls in, or None below the first bound."""
        if age is None or age < self.age_bands[0]:
            return None
        bounds = self.age_bands
        for low, high in pairwise(bounds):
            if low <= age < high:
                return f"{low}–{high - 1}"
        return f"{bounds[-1]}+"

    def as_json(self) -> dict[str, Any]:
        return {
            "survey": self.survey,
            "year": self.year,
            "fielded": [d.isoformat() if d else None for d in (self.fielded_from, self.fielded_to)],
            "columns": dict(self.columns),
            "recode": {k: dict(v) for k, v in self.recode.items()},
            "age_bands": list(self.age_bands),
            "indicators": {
                c.indicator_id: {
                    "question": c.question,
                    **({"scores": dict(c.scores)} if c.scores else {"positive": sorted(c.positive)}),
                    "valid": sorted(c.valid),
                    "missing": sorted(c.missing),
                }
                for c in self.indicators
            },
        }


def answer_code(value: object) -> str | None:
    """Answers are compared as text; 1, 1.0 and "1" are the same code, blanks are no answer."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN: SPSS system-missing
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def load_codebook(path: Path) -> Codebook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"cannot read the codebook {path}: {exc}", code=codes.U002) from exc
    except yaml.YAMLError as exc:
        raise CodebookError(f"the codebook {path} is not valid YAML: {exc}", code=codes.U002) from exc
    return parse_codebook(data, str(path))


def parse_codebook(data: object, where: str = "codebook") -> Codebook:
    if not isinstance(data, dict):
        raise CodebookError(
            f"{where}: expected a mapping with survey, year, columns, indicators", code=codes.U003
        )
    missing = [key for key in ("survey", "year", "columns", "indicators") if not data.get(key)]
    if missing:
        raise CodebookError(
            f"{where}: missing {', '.join(missing)} — see the codebook format in "
            "`birlik survey import --help`",
            code=codes.U003,
        )
    columns = _columns(data["columns"], where)
    fielded = data.get("fielded") or [None, None]
    if not isinstance(fielded, list) or len(fielded) != 2:
        raise CodebookError(f"{where}: fielded must be [first day, last day]", code=codes.U004)
    return Codebook(
        survey=str(data["survey"]),
        year=_year(data["year"], where),
        columns=columns,
        indicators=_indicators(data["indicators"], where),
        fielded_from=_day(fielded[0], where),
        fielded_to=_day(fielded[1], where),
        recode=_recode(data.get("recode") or {}, where),
        age_bands=_age_bands(data.get("age_bands") or DEFAULT_AGE_BANDS, where),
    )


def _columns(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise CodebookError(f"{where}: columns must map design variables to file columns", code=codes.U005)
    unknown = sorted(set(map(str, raw)) - set(DESIGN_VARIABLES))
    if unknown:
        raise CodebookError(
            f"{where}: unknown design variables {unknown} — use {list(DESIGN_VARIABLES)}", code=codes.U005
        )
    absent = [v for v in REQUIRED_VARIABLES if not raw.get(v)]
    if absent:
        raise CodebookError(f"{where}: columns must name {', '.join(absent)}", code=codes.U005)
    return {str(k): str(v) for k, v in raw.items() if v}


def _indicators(raw: object, where: str) -> tuple[IndicatorCoding, ...]:
    if not isinstance(raw, dict):
        raise CodebookError(f"{where}: indicators must map indicator ids to codings", code=codes.U006)
    return tuple(_coding(str(key), spec, f"{where}: indicator {key}") for key, spec in raw.items())


def _coding(indicator_id: str, spec: object, where: str) -> IndicatorCoding:
    if not isinstance(spec, dict) or not spec.get("question"):
        raise CodebookError(f"{where} needs a question column", code=codes.U006)
    positive = _codes(spec.get("positive"), where)
    scores_raw = spec.get("scores") or {}
    if bool(positive) == bool(scores_raw):
        raise CodebookError(f"{where}: give either positive (a share) or scores (a mean)", code=codes.U007)
    if not isinstance(scores_raw, dict):
        raise CodebookError(f"{where}: scores must map answers to numbers", code=codes.U007)
    try:
        scores = {answer_code(k) or "": float(v) for k, v in scores_raw.items()}
    except (TypeError, ValueError):
        raise CodebookError(f"{where}: every score must be a number", code=codes.U007) from None
    valid = _codes(spec.get("valid"), where) | positive
    missing = _codes(spec.get("missing"), where)
    overlap = (valid | frozenset(scores)) & missing
    if overlap:
        raise CodebookError(f"{where}: answers {sorted(overlap)} are both valid and missing", code=codes.U008)
    return IndicatorCoding(
        indicator_id=indicator_id,
        question=str(spec["question"]),
        positive=positive,
        scores=scores,
        valid=valid,
        missing=missing,
    )


def _codes(raw: object, where: str) -> frozenset[str]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise CodebookError(f"{where}: answer codes must be a list, e.g. [1, 2]", code=codes.U007)
    return frozenset(code for code in map(answer_code, raw) if code is not None)


def _recode(raw: object, where: str) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise CodebookError(f"{where}: recode must map a design variable to {{code: value}}", code=codes.U009)
    return {str(var): {answer_code(k) or "": str(v) for k, v in table.items()} for var, table in raw.items()}


def _age_bands(raw: object, where: str) -> tuple[int, ...]:
    if (
        not isinstance(raw, (list, tuple))
        or not raw
        or not all(isinstance(b, int) for b in raw)
        or list(raw) != sorted(set(raw))
    ):
        raise CodebookError(
            f"{where}: age_bands must be increasing whole ages, e.g. [18, 30, 45, 60]", code=codes.U004
        )
    return tuple(raw)


def _year(raw: object, where: str) -> int:
    if isinstance(raw, int) and 1991 <= raw <= 2100:
        return raw
    raise CodebookError(f"{where}: year {raw!r} must be a year such as 2026", code=codes.U004)


def _day(raw: object, where: str) -> date | None:
    return parse_day(raw, f"{where}:", codes.U004)
