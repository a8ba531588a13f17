from __future__ import annotations

import re
from typing import Any

import pytest

from birlik.domain.errors import ConfigError
from birlik.resources.ethnic import LANGS, load_ethnic_groups, parse_ethnic_groups

LARGEST_GROUPS = (
    "kazakh", "russian", "uzbek", "ukrainian", "uyghur", "german", "tatar", "azerbaijani",
    "korean", "turk", "belarusian", "dungan", "kurd", "tajik", "polish", "chechen", "kyrgyz",
    "ingush", "bashkir", "moldovan", "armenian", "greek", "mordvin", "chuvash", "udmurt", "mari",
    "bulgarian", "lezgin", "karakalpak", "turkmen", "jewish", "lithuanian", "latvian", "estonian",
    "ossetian", "avar", "balkar", "karachay", "kumyk", "meskhetian_turk", "persian", "chinese",
    "georgian", "romanian", "roma", "mongol", "kalmyk", "darghin", "komi",
)


def test_lexicon_is_complete() -> None:
    lexicon = load_ethnic_groups()
    ids = [group.id for group in lexicon]
    assert len(ids) >= 40
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", group_id) for group_id in ids)
    assert set(LARGEST_GROUPS) <= set(ids)
    for group in lexicon:
        assert all(group.names.get(lang) for lang in LANGS), group.id


def test_loaded_once() -> None:
    assert load_ethnic_groups() is load_ethnic_groups()


def test_umbrellas_and_slurs_are_flagged() -> None:
    lexicon = load_ethnic_groups()
    assert lexicon.get("caucasian_peoples").umbrella
    assert "chechen" in lexicon.get("caucasian_peoples").members
    assert not lexicon.get("kazakh").umbrella
    assert "жид" in lexicon.get("jewish").derogatory["ru"]
    assert "жид" not in lexicon.get("jewish").names["ru"]
    slurs = [form for form in lexicon.forms() if form.derogatory]
    assert {form.group_id for form in slurs} >= {"kazakh", "russian", "ukrainian", "jewish",
                                                  "chinese", "uzbek", "caucasian_peoples"}


def test_shares_are_plausible() -> None:
    lexicon = load_ethnic_groups()
    shares = [group.share for group in lexicon if group.share is not None]
    assert 95 < sum(shares) <= 100
    assert lexicon.get("kazakh").share == max(shares)


def _group(**fields: Any) -> dict[str, Any]:
    group: dict[str, Any] = {"id": "x", "names": {"kk": ["a"], "ru": ["b"], "en": ["C"]}}
    group.update(fields)
    return group


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ([], "R102"),
        ({"groups": [_group(id="Bad Id")]}, "R104"),
        ({"groups": [_group(), _group()]}, "R103"),
        ({"groups": [_group(names={"kk": ["a"], "ru": ["b"]})]}, "R105"),
        ({"groups": [_group(names={"kk": ["a"], "ru": ["b"], "de": ["c"]})]}, "R106"),
        ({"groups": [_group(exclude=["(unclosed"])]}, "R107"),
        ({"groups": [_group(ambiguous=["zzz"])]}, "R108"),
        ({"groups": [_group(members=["nobody"])]}, "R109"),
        ({"groups": [_group(share=140)]}, "R102"),
    ],
)
def test_broken_data_is_a_coded_config_error(raw: object, code: str) -> None:
    with pytest.raises(ConfigError, match=rf"^\[{code}\]"):
        parse_ethnic_groups(raw)


def test_unknown_id_is_a_coded_error() -> None:
    with pytest.raises(ConfigError, match=r"^\[R110\]"):
        load_ethnic_groups().get("martian")
