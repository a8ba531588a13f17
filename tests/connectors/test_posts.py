from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from birlik.connectors.base import Rejected, SourceConfig
from birlik.connectors.posts import PostsConnector, parse_post_time, pseudonymise
from birlik.domain.errors import BadInput, ConfigError
from birlik.domain.records import RawItem
from birlik.settings import Settings

CLEAR_AUTHORS = ("ivan_petrov_77", "aigerim.s", "Marat_K", "dana_k", "erlan_b")


def _fetch(
    settings: Settings, path: Path, since: datetime | None = None, **options: Any
) -> list[RawItem | Rejected]:
    source = SourceConfig(name="posts", kind="posts", location=str(path), options=options)
    return list(PostsConnector(settings).fetch(source, since))


def _items(results: list[RawItem | Rejected]) -> dict[str, RawItem]:
    return {item.key.rsplit("#", 1)[1]: item for item in results if isinstance(item, RawItem)}


def test_jsonl_with_default_field_names(settings: Settings, data_dir: Path) -> None:
    items = _items(_fetch(settings, data_dir / "posts.jsonl"))
    assert set(items) == {"p1", "p2", "p4", "p6"}
    first = items["p1"]
    assert first.key == f"{(data_dir / 'posts.jsonl').absolute()}#p1"
    assert first.text.startswith("Все народы Казахстана")
    assert first.published_at == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
    assert first.platform == "vk"
    assert first.url == "https://vk.example/wall-1_1"
    assert first.extra["likes"] == 12
    assert items["p2"].text == "Сегодня в Шымкенте открыли дом дружбы."
    assert items["p2"].published_at == datetime(2024, 1, 16, 14, 30, tzinfo=UTC)
    assert items["p4"].published_at == datetime.fromtimestamp(1705400000, tz=UTC)


def test_authors_are_pseudonymised_and_never_kept_in_clear(
    settings: Settings, data_dir: Path
) -> None:
    results = _fetch(settings, data_dir / "posts.jsonl")
    items = _items(results)
    assert items["p1"].author == pseudonymise("ivan_petrov_77", settings.pseudonym_key)
    assert items["p2"].author == pseudonymise("aigerim.s", settings.pseudonym_key)
    for item in items.values():
        assert item.author is not None and item.author.startswith("anon:")
        assert len(item.author) == len("anon:") + 16
        for clear in CLEAR_AUTHORS:
            assert clear.casefold() not in repr(item).casefold()
    assert items["p2"].url is None and "url_withheld" in items["p2"].extra
    assert items["p4"].extra["reposted_by"] == ["someone_else"]


def test_pseudonym_is_keyed_and_stable() -> None:
    assert pseudonymise("@Ivan", "k1") == pseudonymise("ivan", "k1")
    assert pseudonymise("ivan", "k1") != pseudonymise("ivan", "k2")


def test_malformed_jsonl_line_is_rejected_and_the_rest_continue(
    settings: Settings, data_dir: Path
) -> None:
    results = _fetch(settings, data_dir / "posts.jsonl")
    rejected = [result for result in results if isinstance(result, Rejected)]
    by_line = {result.key.rsplit("#", 1)[1]: result for result in rejected}
    assert set(by_line) == {"3", "5"}
    assert by_line["3"].error.code == "I020" and "line 3" in str(by_line["3"].error)
    assert by_line["3"].payload is not None and b"this line is broken" in by_line["3"].payload
    assert by_line["5"].error.code == "I021"
    assert len(_items(results)) == 4


def test_csv_with_configured_fields(settings: Settings, data_dir: Path) -> None:
    fields = {
        "text": "message",
        "author": "user_name",
        "time": "date",
        "url": "link",
        "platform": "network",
        "id": "post_id",
    }
    items = _items(_fetch(settings, data_dir / "posts.csv", fields=fields, timezone="+05:00"))
    assert items["c1"].text == "Мы вместе; мы одна страна"
    assert items["c1"].published_at == datetime(2024, 2, 5, 4, 15, tzinfo=UTC)
    assert items["c1"].platform == "instagram"
    assert items["c1"].author == pseudonymise("dana_k", settings.pseudonym_key)
    assert items["c2"].published_at is None and items["c2"].url is None
    for item in items.values():
        assert "dana_k" not in repr(item) and "erlan_b" not in repr(item)


def test_csv_in_cp1251_with_default_fields(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = "id,text,author,created_at\n1,Привет из Костаная,user_one,2024-03-01T12:00:00+05:00\n"
    path.write_bytes(rows.encode("cp1251"))
    (item,) = _fetch(settings, path)
    assert isinstance(item, RawItem)
    assert item.text == "Привет из Костаная"
    assert item.published_at == datetime(2024, 3, 1, 7, 0, tzinfo=UTC)


def test_dotted_field_paths(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "tweets.jsonl"
    post = {
        "id_str": "99",
        "full_text": "Алға, Қазақстан!",
        "user": {"screen_name": "kz_voice", "location": "Астана"},
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
    }
    path.write_text(json.dumps(post, ensure_ascii=False) + "\n", encoding="utf-8")
    fields = {"text": "full_text", "author": "user.screen_name", "id": "id_str"}
    (item,) = _fetch(settings, path, fields=fields, platform="twitter")
    assert isinstance(item, RawItem)
    assert item.key.endswith("#99")
    assert item.author == pseudonymise("kz_voice", settings.pseudonym_key)
    assert item.platform == "twitter"
    assert item.published_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    assert "kz_voice" not in repr(item)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-15T10:00:00Z", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("2024-01-15T15:00:00+05:00", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("2024-01-15 10:00:00", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        (1705312800, datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("1705312800", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        (1705312800000, datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("15.01.2024 10:00", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("15.01.2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("Mon Jan 15 10:00:00 +0000 2024", datetime(2024, 1, 15, 10, tzinfo=UTC)),
        ("yesterday", None),
        ("31.02.2024 10:00", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_post_time(value: Any, expected: datetime | None) -> None:
    assert parse_post_time(value) == expected


def test_naive_times_read_in_the_configured_zone() -> None:
    almaty = timezone(timedelta(hours=5))
    assert parse_post_time("15.01.2024 15:00", almaty) == datetime(2024, 1, 15, 10, tzinfo=UTC)


def test_unparsed_time_is_kept_for_review(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"text": "x", "date": "вчера"}\n', encoding="utf-8")
    (item,) = _fetch(settings, path)
    assert isinstance(item, RawItem) and item.published_at is None
    assert item.extra["unparsed_time"] == "вчера"


def test_since_filters_older_posts(settings: Settings, data_dir: Path) -> None:
    items = _items(
        _fetch(settings, data_dir / "posts.jsonl", since=datetime(2023, 1, 1, tzinfo=UTC))
    )
    assert "p6" not in items and "p1" in items


def test_unsupported_posts_format(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "posts.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(BadInput) as caught:
        _fetch(settings, path)
    assert caught.value.code == "C021"


def test_bad_field_mapping_is_a_config_error(settings: Settings, data_dir: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _fetch(settings, data_dir / "posts.jsonl", fields={"body_text": "text"})
    assert caught.value.code == "C030"


def test_large_jsonl_is_streamed(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    attachment = "0123456789abcdef" * 200  # an unknown field: kept in extra, makes lines wide
    with path.open("w", encoding="utf-8") as out:
        for number in range(20_000):
            out.write(
                json.dumps(
                    {
                        "id": number,
                        "text": f"{number} Диалог в регионах.",
                        "author": f"u{number}",
                        "created_at": 1705312800 + number,
                        "attachment": attachment,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    assert path.stat().st_size > 60 * 1024 * 1024  # more than the memory allowed below
    tracemalloc.start()
    try:
        count = sum(
            1
            for result in PostsConnector(settings).fetch(
                SourceConfig(name="big", kind="posts", location=str(path)), None
            )
            if isinstance(result, RawItem)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 50 * 1024 * 1024


def test_overlong_line_is_rejected_without_stopping(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(max_file_bytes=2048)
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"text": "x" * 5000}) + "\n" + json.dumps({"text": "ok"}) + "\n",
        encoding="utf-8",
    )
    first, second = _fetch(settings, path)
    assert isinstance(first, Rejected) and first.error.code == "I020"
    assert isinstance(second, RawItem) and second.text == "ok" and second.key.endswith("#2")


def test_a_number_of_5000_digits_is_a_bad_line_not_a_crash(settings: Settings, tmp_path: Path) -> None:
    """Found by ``make fuzz`` (issue 18): ``json.loads`` raises a bare ValueError for an integer
    of more than 4,300 digits, which escaped the posts connector."""
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": 1, "text": "Алматы", "n": ' + "9" * 5000 + '}\n{"id": 2, "text": "Астана"}\n',
                    encoding="utf-8")
    results = list(PostsConnector(settings).fetch(SourceConfig(name="p", kind="posts",
                                                                 location=str(path)), None))
    assert [r.error.code for r in results if isinstance(r, Rejected)] == ["I020"]
    assert [r.text for r in results if isinstance(r, RawItem)] == ["Астана"]
