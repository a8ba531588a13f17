"""Toxicity stage speed: the current stage against an earlier revision's, in the same run.

Both stages score the same documents — short comments (as social posts are) and news-length
documents from ``bench/corpus.py`` — after normalisation and sentence splitting, which are
done once beforehand and not timed. The earlier stage and its model are read from git
(``--baseline``, default ``main``) into a temporary module. The lexical path is timed (no
embedding); the head adds one 384-long dot product per embedded document.

    PYTHONPATH=src python bench/bench_toxicity.py [--docs 2000] [--baseline main] [--repeat 3]

Timed in CPU seconds of this process (``time.process_time``), so that other work on a shared
machine does not count: documents per CPU-second is the one-core figure (the stages are
single-threaded). Pin it with ``taskset -c 0`` all the same.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import documents

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.pipeline import Stage
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model

ROOT = Path(__file__).resolve().parents[1]
COMMENTS = (
    "Ты вообще читал статью, или как всегда?",
    "Спасибо за новость, очень полезно.",
    "Какой же ты дебил, просто слов нет.",
    "Мына жаңалық өте қызық екен, рахмет.",
    "Сен ақымақсың ба, не жазып отырсың?",
    "Great news for the city, well done.",
    "Заткнись уже, нищеброд, никто не спрашивал.",
    "Когда уже починят дорогу на Капчагай?",
)


def baseline_stage(revision: str, folder: Path) -> Any:
    """The toxicity stage of ``revision``, loaded from git with its model."""
    def show(path: str) -> bytes:
        return subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True,
                              capture_output=True).stdout

    source = folder / "toxicity_baseline.py"
    source.write_bytes(show("src/birlik/nlp/signals/toxicity.py"))
    spec = importlib.util.spec_from_file_location("toxicity_baseline", source)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["toxicity_baseline"] = module
    spec.loader.exec_module(module)
    model = folder / module.MODEL_FILE
    model.write_bytes(show(f"src/birlik/resources/models/{module.MODEL_FILE}"))
    lexicon = folder / "lexicon.yaml"
    lexicon.write_bytes(show(f"src/birlik/resources/data/{module.LEXICON_FILE}"))
    import yaml

    parsed = module.parse_toxicity_lexicon(yaml.safe_load(lexicon.read_text(encoding="utf-8")))
    return module.ToxicityStage(module.ToxicityModel(parsed, module.LinearTextModel.load(model)))


def prepared(count: int) -> dict[str, list[Document]]:
    comments = [Document(id=f"c{i}", text=COMMENTS[i % len(COMMENTS)] + f" #{i}", lang=None)
                for i in range(count)]
    news = [Document(id=str(d["id"]), text=str(d["text"]), lang=str(d.get("lang") or "ru"))
            for d in documents(max(1, count // 10))]
    stages: list[Stage] = [NormaliseStage(), SegmentStage()]
    out = {"comments": comments, "news": news}
    for name, docs in out.items():
        for stage in stages:
            docs = stage(docs)
        out[name] = docs
    return out


def docs_per_second(stage: Any, docs: list[Document], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        batch = copy.deepcopy(docs)
        started = time.process_time()
        stage(batch)
        best = min(best, time.process_time() - started)
    return len(docs) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--baseline", default="main", help="git revision of the earlier stage")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = prepared(args.docs)
    current = ToxicityStage(load_toxicity_model())
    with tempfile.TemporaryDirectory() as folder:
        old = baseline_stage(args.baseline, Path(folder))
        print(f"{'docs':10} {'old (' + old.name + ')':>22} {'new (' + current.name + ')':>22} {'ratio':>7}")
        for name, docs in data.items():
            for stage in (old, current):  # warm the caches of both
                stage(copy.deepcopy(docs[:50]))
            before = docs_per_second(old, docs, args.repeat)
            after = docs_per_second(current, docs, args.repeat)
            label = f"{name} ({len(docs)})"
            print(f"{label:10} {before:18.0f} d/s {after:18.0f} d/s {after / before:7.2f}")


if __name__ == "__main__":
    main()
