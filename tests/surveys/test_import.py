"""Codebooks, imports of CSV and SPSS .sav, clear coded errors when a codebook does not fit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from birlik.domain.errors import BadInput
from birlik.surveys.codebook import CodebookError, parse_codebook
from birlik.surveys.estimates import estimate, trend
from birlik.surveys.importer import import_survey, load_respondents, read_table, respondents_from_table
from birlik.surveys.models import SurveyRow

CODEBOOK = {
    "survey": "Test wave 2026",
    "year": 2026,
    "fielded": ["2026-08-01", "2026-08-20"],
    "columns": {
        "respondent": "id",
        "weight": "w",
        "region": "oblast",
        "ethnic_group": "eth",
        "age": "age",
        "language": "lang",
    },
    "recode": {"ethnic_group": {1: "kazakh", 2: "russian"}, "language": {1: "kk", 2: "ru"}},
    "indicators": {
        "tolerance": {"question": "q5", "positive": [1, 2], "valid": [1, 2, 3, 4], "missing": [9]}
    },
}
ROWS = [
    # id, w, oblast, eth, age, lang, q5
    ("r1", "1.0", "310000000", "1", "25", "1", "1"),
    ("r2", "2.0", "Жамбыл облысы", "2", "41", "2", "3"),
    ("r3", "1.0", "550000000", "1", "67", "1", "2"),
    ("r4", "0.5", "Павлодарская область", "2", "33", "2", "9"),
]
HEADER = ("id", "w", "oblast", "eth", "age", "lang", "q5")


def _csv(path: Path, rows: list[tuple[str, ...]] = ROWS, header: tuple[str, ...] = HEADER) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_import_applies_codebook(tmp_path: Path) -> None:
    people = respondents_from_table(read_table(_csv(tmp_path / "s.csv")), parse_codebook(CODEBOOK))
    assert [p.region_kato for p in people] == ["310000000", "310000000", "550000000", "550000000"]
    assert [p.ethnic_group for p in people] == ["kazakh", "russian", "kazakh", "russian"]
    assert [p.age_band for p in people] == ["18–29", "30–44", "60+", "30–44"]
    assert [p.values["tolerance"] for p in people] == [100.0, 0.0, 100.0, None]
    # (100·1 + 0·2 + 100·1) / 4
    assert estimate(people, "tolerance")[0].value == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        (lambda cb: cb["columns"].update(weight="wt"), "U010", "no column wt"),
        (lambda cb: cb["indicators"]["tolerance"].update(question="q9"), "U010", "no column q9"),
        (
            lambda cb: cb["indicators"]["tolerance"].update(valid=[1, 2, 3], missing=[8]),
            "U012",
            "not in the codebook",
        ),
        (lambda cb: cb["recode"]["ethnic_group"].pop(2), "U014", "not in recode"),
    ],
)
def test_codebook_that_does_not_match_the_file(tmp_path: Path, change: object, code: str, words: str) -> None:
    import copy

    codebook = copy.deepcopy(CODEBOOK)
    assert callable(change)
    change(codebook)
    with pytest.raises(CodebookError) as caught:
        respondents_from_table(read_table(_csv(tmp_path / "s.csv")), parse_codebook(codebook), where="s.csv")
    assert caught.value.code == code
    assert str(caught.value).startswith(f"[{code}]")
    assert words in str(caught.value)


def test_bad_rows_are_listed_together(tmp_path: Path) -> None:
    rows = [
        *ROWS,
        ("r5", "-1", "310000000", "1", "30", "1", "1"),
        ("r6", "1", "Атлантида", "1", "30", "1", "1"),
    ]
    with pytest.raises(CodebookError) as caught:
        respondents_from_table(
            read_table(_csv(tmp_path / "s.csv", rows)), parse_codebook(CODEBOOK), where="s.csv"
        )
    message = str(caught.value)
    assert "weight missing, not a number or not positive in 1 rows (row 5: -1)" in message
    assert "unknown region in 1 rows (row 6: Атлантида)" in message


@pytest.mark.parametrize(
    ("codebook", "code"),
    [
        ({"survey": "x"}, "U003"),
        ({**CODEBOOK, "columns": {"weight": "w"}}, "U005"),
        ({**CODEBOOK, "indicators": {"t": {"question": "q5"}}}, "U007"),
        ({**CODEBOOK, "indicators": {"t": {"question": "q5", "positive": [1], "missing": [1]}}}, "U008"),
        ({**CODEBOOK, "year": "next"}, "U004"),
    ],
)
def test_malformed_codebooks(codebook: dict[str, object], code: str) -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(codebook)
    assert caught.value.code == code


def test_spss_sav_round_trip(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    import pyreadstat

    frame = pd.DataFrame(
        {
            "id": ["r1", "r2", "r3", "r4"],
            "w": [1.0, 2.0, 1.0, 0.5],
            "oblast": [310000000.0, 310000000.0, 550000000.0, 550000000.0],
            "eth": [1.0, 2.0, 1.0, 2.0],
            "age": [25.0, 41.0, 67.0, 33.0],
            "lang": [1.0, 2.0, 1.0, 2.0],
            "q5": [1.0, 3.0, 2.0, float("nan")],
        }
    )
    path = tmp_path / "wave.sav"
    pyreadstat.write_sav(
        frame, str(path), variable_value_labels={"q5": {1: "fully", 2: "rather", 3: "rather not"}}
    )
    people = respondents_from_table(read_table(path), parse_codebook(CODEBOOK), where=path.name)
    assert [p.values["tolerance"] for p in people] == [100.0, 0.0, 100.0, None]
    assert [p.language for p in people] == ["kk", "ru", "kk", "ru"]
    assert people[1].weight == 2.0


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wave.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(BadInput) as caught:
        read_table(path)
    assert caught.value.code == "U020"


def test_import_stores_a_wave_once(store: object, tmp_path: Path) -> None:
    from birlik.store.repository import Store

    assert isinstance(store, Store)
    codebook = parse_codebook(CODEBOOK)
    data = _csv(tmp_path / "s.csv")
    with store.transaction() as session:
        result = import_survey(session, data, codebook)
    assert result.respondents == 4
    with store.transaction() as session, pytest.raises(BadInput) as caught:
        import_survey(session, data, codebook)
    assert caught.value.code == "U025"
    with store.transaction() as session:
        again = import_survey(session, data, codebook, replace=True)
        assert again.replaced
        assert len(session.scalars(select(SurveyRow)).all()) == 1
        people = load_respondents(session, again.survey_id)
        points = trend(session, "tolerance")
    assert [p.values["tolerance"] for p in people] == [100.0, 0.0, 100.0, None]
    assert [(p.year, round(p.estimate.value, 3)) for p in points] == [(2026, 50.0)]
