"""One parser of calendar days; each caller keeps its own coded error."""

from __future__ import annotations

from datetime import date

import pytest

from birlik.domain import codes
from birlik.domain.dates import parse_day
from birlik.domain.errors import ConfigError, VisitError, WebError


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-03-21", date(2026, 3, 21)),
        ("20260321", date(2026, 3, 21)),
        (date(2026, 8, 11), date(2026, 8, 11)),  # YAML reads dates itself
        (None, None),
        ("", None),
    ],
)
def test_a_day_or_nothing(raw: object, day: date | None) -> None:
    assert parse_day(raw, "--since", codes.E004) == day


@pytest.mark.parametrize(
    ("code", "cls", "what"),
    [
        (codes.E004, ConfigError, "--since"),
        (codes.U204, VisitError, "visits.yaml#1:"),
        (codes.W102, WebError, "since"),
    ],
)
def test_not_a_day_is_the_callers_coded_error(code: codes.Code[ConfigError], cls: type, what: str) -> None:
    with pytest.raises(cls) as raised:
        parse_day("21.03.2026", what, code)
    assert str(raised.value) == f"[{code.id}] {what} '21.03.2026' is not a date — write it as 2026-03-21"
    assert raised.value.status == code.status
