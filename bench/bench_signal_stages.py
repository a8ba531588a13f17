"""Throughput of the signal stages (toxicity, hate, incident, tension) on one core, excluding the
embedding, and the same for the v1 stages they replace, in the same run (a ratio survives a busy
machine better than docs/s).

    python bench/bench_signal_stages.py [--docs 2000] [--old-revision 6d95ec9]

Figures are docs per CPU second of this process (``time.process_time``).

The v1 stages (hate.v1, incident.v1, tension.v1) are loaded from the given git revision with the
lexicons of that revision; without git, only the current stages are measured. The target is
≥ 300 docs/s for the current signal stages together.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import documents

ROOT = Path(__file__).resolve().parents[1]
OLD_REVISION = "6d95ec9"


def analysed(count: int) -> list[Any]:
    from birlik.nlp.factory import entity_stages
    from birlik.nlp.jsonl import document_from_json
    from birlik.nlp.pipeline import Pipeline
    from birlik.settings import Settings

    docs = [document_from_json(d, i) for i, d in enumerate(documents(count))]
    entities = Pipeline(entity_stages(Settings()))
    for offset in range(0, len(docs), 64):
        entities(docs[offset : offset + 64])
    return docs


def timed(stages: list[Any], docs: list[Any]) -> dict[str, float]:
    """CPU seconds of each stage (process time: comparable on a shared, busy machine)."""
    out: dict[str, float] = {}
    for stage in stages:
        started = time.process_time()
        for offset in range(0, len(docs), 64):
            stage(docs[offset : offset + 64])
        out[stage.name] = time.process_time() - started
    return out


def git_text(revision: str, path: str) -> str:
    return subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def old_module(revision: str, path: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    sys.modules[name] = module
    exec(compile(git_text(revision, path), module.__file__, "exec"), module.__dict__)
    return module


def old_stages(revision: str) -> list[Any]:
    hate = old_module(revision, "src/birlik/nlp/signals/hate.py", "old_hate")
    incident = old_module(revision, "src/birlik/nlp/signals/incident.py", "old_incident")
    tension = old_module(revision, "src/birlik/nlp/signals/tension.py", "old_tension")
    hate_lexicon = hate.parse_hate_lexicon(
        yaml.safe_load(git_text(revision, "src/birlik/resources/data/hostility_hate.yaml")))
    cues = incident.parse_incident_cues(
        yaml.safe_load(git_text(revision, "src/birlik/resources/data/incident_cues.yaml")))
    return [hate.HateStage(None, hate_lexicon), incident.IncidentStage(cues), tension.TensionStage()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--old-revision", default=OLD_REVISION)
    args = parser.parse_args()
    from birlik.evaluation.signals import signal_stages

    docs = analysed(args.docs)
    current = signal_stages()
    toxicity, new_rest = current[0], current[1:]
    shared = timed([toxicity], docs)
    new = timed(new_rest, docs)
    count = len(docs)
    total_new = sum(shared.values()) + sum(new.values())
    for name, seconds in {**shared, **new}.items():
        print(f"{name:14} {count / seconds:8.0f} docs/cpu-s")
    print(f"signal stages (toxicity + hate + incident + tension): {count / total_new:.0f} docs/cpu-s "
          "(target >= 300)")
    try:
        old = timed(old_stages(args.old_revision), docs)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"v1 stages not measured ({exc})")
        return
    total_old = sum(shared.values()) + sum(old.values())
    for name, seconds in old.items():
        print(f"{name:14} {count / seconds:8.0f} docs/cpu-s")
    print(f"v1 signal stages (same toxicity): {count / total_old:.0f} docs/cpu-s; "
          f"v2 / v1 throughput ratio {total_old / total_new:.2f}")


if __name__ == "__main__":
    main()
