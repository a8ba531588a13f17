"""A static embedder distilled from the bundled e5: a lookup table, numpy only, no model.

``resources/models/static_e5.npz`` (built by ``scripts/build_static_embedder.py``) holds one
row per table entry: frequent whole words first, then SentencePiece pieces of the e5
tokenizer. Each row is already ``sif_weight * (e5(entry) - mean) @ W``: the e5 vector of the
entry alone, its SIF weight ``a / (a + p)``, the common component taken out, and the ridge
map ``W`` fitted so that pooled rows of a text approximate the (centred) e5 vector of that
text. A text's vector is therefore the sum of its tokens' rows, scaled to length 1.

Tokens are the lower-cased words of the text (``\\w+``) and emoji. A word in the table is one
row; any other word is cut into the table's pieces by the unigram (Viterbi) rule of the e5
tokenizer, with the scores of the e5 tokenizer; characters no piece covers are dropped. A
text with no token (empty, only punctuation) gets the zero vector: similarity 0 to anything.

The vectors live in their own space (``dim`` and ``name`` differ from e5's): compare them only
with vectors of this embedder — ``embed.check_comparable`` raises ``[M114]`` on a dimension
mismatch.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.nlp.embed import Embedder, Kind, Vectors, truncate_text

FORMAT_VERSION = 1
DEFAULT_TABLE = "static_e5.npz"
#: A static vector reads far more text than e5's 512 tokens: near-duplicates differ late too.
STATIC_MAX_CHARS = 20_000
META_SPACE = "\u2581"
_TOKEN = re.compile(r"\w+|[\U0001F300-\U0001FAFF\u2600-\u27BF]", re.UNICODE)
_MAX_CACHED_WORDS = 500_000


def table_path(name: str = DEFAULT_TABLE) -> Path:
    return Path(str(resources.files("birlik.resources") / "models" / name))


def normalise(text: str) -> str:
    """What the table keys are made of: NFKC, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


class PieceTokenizer:
    """Words to table rows: a whole-word row if there is one, else the best piece split.

    ``pieces`` are SentencePiece pieces (a word start is ``▁``); the split maximises the sum
    of ``scores`` (log probabilities) as the e5 tokenizer does; characters no piece covers are
    skipped. Splits are cached per word.
    """

    def __init__(self, words: Iterable[str], pieces: Iterable[str], scores: npt.NDArray[Any]) -> None:
        self.word_rows: dict[str, int] = {}
        for row, word in enumerate(words):
            self.word_rows[word] = row
        first_piece = len(self.word_rows)
        piece_list = list(pieces)
        if len(piece_list) != len(scores):
            raise ConfigError(
                f"{len(piece_list)} pieces but {len(scores)} scores in the static table — rebuild "
                "it with scripts/build_static_embedder.py",
                code=codes.M111,
            )
        self.piece_rows = {piece: first_piece + i for i, piece in enumerate(piece_list)}
        self.piece_scores = {piece: float(score) for piece, score in zip(piece_list, scores, strict=True)}
        self.max_piece_chars = max((len(piece) for piece in piece_list), default=1)
        self._cache: dict[str, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    @property
    def rows(self) -> int:
        return len(self.word_rows) + len(self.piece_rows)

    def word_ids(self, word: str) -> tuple[int, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        row = self.word_rows.get(word)
        ids = (row,) if row is not None else tuple(self.piece_rows[p] for p in self.split(word))
        with self._lock:
            if len(self._cache) >= _MAX_CACHED_WORDS:
                self._cache.clear()
            self._cache[word] = ids
        return ids

    def text_ids(self, text: str) -> list[int]:
        cache = self._cache
        ids: list[int] = []
        for word in tokens(text):
            hit = cache.get(word)
            ids += hit if hit is not None else self.word_ids(word)
        return ids

    def split(self, word: str) -> list[str]:
        """The best-scoring split of ``▁word`` into known pieces (uncovered characters dropped)."""
        text = META_SPACE + word
        size = len(text)
        unknown = -1e4  # skipping a character costs more than any piece
        best = [0.0] + [-1e30] * size
        back: list[tuple[int, str | None]] = [(0, None)] * (size + 1)
        scores, longest = self.piece_scores, self.max_piece_chars
        for start in range(size):
            base = best[start]
            if base <= -1e29:
                continue
            for end in range(start + 1, min(size, start + longest) + 1):
                score = scores.get(text[start:end])
                if score is not None and base + score > best[end]:
                    best[end] = base + score
                    back[end] = (start, text[start:end])
            if base + unknown > best[start + 1]:
                best[start + 1] = base + unknown
                back[start + 1] = (start, None)
        out: list[str] = []
        end = size
        while end > 0:
            start, piece = back[end]
            if piece is not None:
                out.append(piece)
            end = start
        out.reverse()
        return out


@dataclass(frozen=True, slots=True)
class StaticTable:
    vectors: npt.NDArray[np.float32]
    tokenizer: PieceTokenizer
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path | str | None = None) -> StaticTable:
        path = Path(path) if path is not None else table_path()
        if not path.is_file():
            raise ConfigError(
                f"{path} not found — rebuild the static table with "
                "`python scripts/build_static_embedder.py`, or choose another BIRLIK_EMBEDDER",
                code=codes.M110,
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                vectors = np.asarray(data["vectors"], dtype=np.float32)
                words = _strings(data["words"])
                pieces = _strings(data["pieces"])
                scores = np.asarray(data["scores"], dtype=np.float32)
        except (OSError, KeyError, ValueError) as error:
            raise ConfigError(
                f"{path} is not a static embedder table ({error}) — rebuild it with "
                "scripts/build_static_embedder.py",
                code=codes.M111,
            ) from error
        if meta.get("format") != FORMAT_VERSION:
            raise ConfigError(
                f"{path} has format {meta.get('format')!r}, this release reads {FORMAT_VERSION} — "
                "rebuild it with scripts/build_static_embedder.py",
                code=codes.M111,
            )
        tokenizer = PieceTokenizer(words, pieces, scores)
        if vectors.ndim != 2 or vectors.shape[0] != tokenizer.rows:
            raise ConfigError(
                f"{path}: {vectors.shape} vectors for {tokenizer.rows} words and pieces — rebuild "
                "it with scripts/build_static_embedder.py",
                code=codes.M111,
            )
        return cls(vectors, tokenizer, meta)


def _strings(packed: npt.NDArray[Any]) -> list[str]:
    text = bytes(np.asarray(packed, dtype=np.uint8)).decode("utf-8")
    return text.split("\n") if text else []


def pack_strings(items: Iterable[str]) -> npt.NDArray[np.uint8]:
    """Strings (without newlines) as one UTF-8 byte array, newline-separated."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


class StaticEmbedder:
    """Sum of table rows of a text's words, unit length; thousands of texts/s on one core.

    ``kind`` is accepted for the common interface and ignored: one table serves queries and
    passages. Texts are cut to ``max_chars`` characters.
    """

    def __init__(self, path: Path | str | None = None, *, max_chars: int = STATIC_MAX_CHARS) -> None:
        self._table = StaticTable.load(path)
        self.name = str(self._table.meta.get("name", "static-e5"))
        self.dim = int(self._table.vectors.shape[1])
        self.max_chars = max_chars

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self._table.meta)

    def ids(self, text: str) -> list[int]:
        """Table rows of ``text`` (after cutting it to ``max_chars``)."""
        return self._table.tokenizer.text_ids(truncate_text(text, self.max_chars))

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        del kind  # one table for queries and passages
        table = self._table.vectors
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.ids(text)
            if ids:  # a gather and a sum per text: faster than one reduceat over the batch
                out[row] = table[ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out /= norms
        return out



def distilled_companion(embedder: Embedder, path: Path | str | None = None) -> StaticEmbedder | None:
    """The static embedder distilled from ``embedder`` (its table's ``source_model`` is the
    embedder's name), or None: no table, or the embedder is another model (or static itself).

    Its vectors live in their own space (fewer dimensions): they are compared with each other
    only, never with the model's vectors."""
    try:
        static = StaticEmbedder(path)
    except ConfigError:
        return None
    return static if static.meta.get("source_model") == embedder.name else None
