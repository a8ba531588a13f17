from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from birlik.connectors import telegram
from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.connectors.posts import pseudonymise
from birlik.connectors.telegram import TelegramConnector, flatten_text
from birlik.domain.errors import BadInput
from birlik.domain.records import RawItem
from birlik.settings import Settings


def _fetch(
    settings: Settings, location: Path, since: datetime | None = None, **options: Any
) -> list[RawItem | Rejected]:
    source = SourceConfig(name="tg", kind="telegram", location=str(location), options=options)
    return list(TelegramConnector(settings).fetch(source, since))


def _source(location: Path, **options: Any) -> SourceConfig:
    return SourceConfig(name="tg", kind="telegram", location=str(location), options=options)


def _items(results: list[RawItem | Rejected]) -> dict[int, RawItem]:
    items = [result for result in results if isinstance(result, RawItem)]
    return {item.extra["message_id"]: item for item in items}


def test_registered(settings: Settings) -> None:
    assert isinstance(get_connector("telegram", settings), TelegramConnector)


def test_channel_export(settings: Settings, data_dir: Path) -> None:
    results = _fetch(settings, data_dir / "telegram_export", channel_username="@birlik_news")
    items = _items(results)
    assert sorted(items) == [2, 3, 5]  # service message 1 and photo-only 4 are skipped
    second = items[2]
    assert second.text == "Алматыда достық үйінде жиын өтті."
    assert second.url == "https://t.me/birlik_news/2"
    assert second.published_at == datetime.fromtimestamp(1704189600, tz=UTC)
    assert second.platform == "telegram"
    assert second.key.endswith("result.json#2")
    assert second.extra["chat_name"] == "Бірлік жаңалықтары"


def test_entities_are_flattened_and_links_kept(settings: Settings, data_dir: Path) -> None:
    item = _items(_fetch(settings, data_dir / "telegram_export" / "result.json"))[3]
    assert item.text == "Толығырақ: https://birlik.example.kz/1 және маңызды мақала"
    assert item.extra["links"] == ["https://birlik.example.kz/2"]
    assert item.url is None  # no username known


def test_sender_is_pseudonymised(settings: Settings, data_dir: Path) -> None:
    items = _items(_fetch(settings, data_dir / "telegram_export"))
    assert items[2].author == pseudonymise("user555", settings.pseudonym_key)
    assert items[5].extra["forwarded_from"].startswith("anon:")
    for item in items.values():
        for clear in ("Серик", "Ахметов", "user555", "Айгуль", "Нурланова"):
            assert clear not in repr(item)


def test_date_without_unixtime_uses_local_date_in_zone(settings: Settings, data_dir: Path) -> None:
    item = _items(_fetch(settings, data_dir / "telegram_export", timezone="+05:00"))[5]
    assert item.published_at == datetime(2024, 1, 5, 8, 0, tzinfo=UTC)


def test_since(settings: Settings, data_dir: Path) -> None:
    items = _items(
        _fetch(settings, data_dir / "telegram_export", since=datetime(2024, 1, 3, tzinfo=UTC))
    )
    assert sorted(items) == [3, 5]


@pytest.mark.parametrize(
    "content",
    [
        b'{"name": "x", "messages": [{"id": 1,',
        b'{"name": "x"}',
        b"[1, 2, 3]",
        b"\xff\xfe\x00garbage",
    ],
    ids=["truncated", "no-messages", "not-an-object", "binary"],
)
def test_malformed_export_is_bad_input(settings: Settings, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "result.json"
    path.write_bytes(content)
    with pytest.raises(BadInput) as caught:
        _fetch(settings, path)
    assert caught.value.code == "C014"
    assert "Machine-readable JSON" in str(caught.value)


def test_message_that_is_not_an_object_is_rejected(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps(
            {
                "type": "public_channel",
                "messages": [
                    "oops",
                    {
                        "id": 7,
                        "type": "message",
                        "text": "Қалыпты хабар",
                        "date_unixtime": "1704189600",
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    rejected, item = _fetch(settings, path)
    assert isinstance(rejected, Rejected) and rejected.error.code == "I022"
    assert isinstance(item, RawItem) and item.text == "Қалыпты хабар"


def test_missing_export(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, tmp_path)
    assert caught.value.code == "C020"


def test_flatten_text() -> None:
    assert flatten_text(["a", {"type": "bold", "text": "b"}, {"type": "x"}, 5]) == "ab"
    assert flatten_text(None) == ""


def test_small_read_chunks_give_the_same_messages(
    settings: Settings, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _fetch(settings, data_dir / "telegram_export")
    monkeypatch.setattr(telegram._ExportReader, "_CHUNK", 7)  # split tokens and UTF-8 text
    assert _fetch(settings, data_dir / "telegram_export") == whole


def test_cut_export_yields_the_messages_before_the_cut(settings: Settings, tmp_path: Path) -> None:
    message = {"id": 1, "type": "message", "text": "Бірінші", "date_unixtime": "1704189600"}
    path = tmp_path / "result.json"
    path.write_text(
        json.dumps({"name": "c", "type": "public_channel", "messages": [message]})[:-2]
        + ', {"id": 2, "type": "mess',
        encoding="utf-8",
    )
    results = TelegramConnector(settings).fetch(_source(path), None)
    first = next(results)
    assert isinstance(first, RawItem) and first.text == "Бірінші"
    with pytest.raises(BadInput) as caught:
        next(results)
    assert caught.value.code == "C014"


def test_large_export_is_streamed(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    with path.open("w", encoding="utf-8") as out:
        out.write('{"name": "big", "type": "public_channel", "id": 1, "messages": [\n')
        for number in range(20_000):
            message = {
                "id": number,
                "type": "message",
                "date_unixtime": str(1704189600 + number),
                "from": "Someone",
                "from_id": "user1",
                "text": f"Хабар {number}",
                "text_entities": [{"type": "plain", "text": "x" * 3200}],  # wide lines
            }
            out.write(("," if number else "") + json.dumps(message, ensure_ascii=False) + "\n")
        out.write("]}\n")
    assert path.stat().st_size > 60 * 1024 * 1024
    tracemalloc.start()
    try:
        count = sum(1 for _ in TelegramConnector(settings).fetch(_source(path), None))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 50 * 1024 * 1024


def test_deeply_nested_and_surrogate_messages(settings: Settings, tmp_path: Path) -> None:
    """Issue 18: a message nested 5,000 levels raised RecursionError out of the connector;
    one nested 100 levels is rejected with I030, and a lone surrogate becomes U+FFFD."""
    good = '{"id": 1, "type": "message", "text": "Алматы \\ud800 жаңалықтары"}'
    nested = '{"id": 2, "type": "message", "text": "x", "n": ' + "[" * 100 + "]" * 100 + "}"
    head = '{"name": "c", "type": "public_channel", "id": 7, "messages": ['
    export = tmp_path / "result.json"
    export.write_text(head + ", ".join([good, nested, good.replace('"id": 1', '"id": 3')]) + "]}")
    results = _fetch(settings, export)
    assert [r.error.code for r in results if isinstance(r, Rejected)] == ["I030"]
    assert [item.text for item in _items(results).values()] == ["Алматы \ufffd жаңалықтары"] * 2
    export.write_text(head + good + ", " + nested.replace("100", "5000").replace(
        "[" * 100 + "]" * 100, "[" * 5000 + "]" * 5000) + "]}")
    with pytest.raises(BadInput) as failure:
        _fetch(settings, export)
    assert failure.value.code == "I030"
