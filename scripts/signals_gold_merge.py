"""Merge the annotators' label files and the written hard cases into the repository's gold set.

Usage: ``python scripts/signals_gold_merge.py [--work /work/wt/gold-work] [--datasets
../shared/datasets] [--seeds ../shared/seeds]``

Reads ``<work>/labels-<N>.jsonl`` (first pass, one file per shard) and
``<work>/labels-second.jsonl`` (the independent second pass), in the annotator format of
``<work>/ANNOTATOR.md``; the split of every real key comes from the pool manifest
(``signals_gold_pool.jsonl``, written once by ``scripts/signals_gold_pool.py``), and the written
cases (``signals_written.jsonl``) keep their own labels, split by a fixed-seed hash of their group
(translations of one scenario share a group, hence a split).

Each label is checked against docs/signals.md and its evidence located in the text rebuilt from
its key (``birlik.evaluation.signals_gold``); a record that fails is reported and left out, never
fixed silently — except ``hate: true`` with tension below 3, which the definitions make tension 3
(counted in the report). Writes ``src/birlik/evaluation/data/signals_gold.jsonl`` and
``signals_gold_second.jsonl`` (keys, labels, offsets; no dataset text) and prints the counts and
the agreement between the passes. Rerun it whenever label files change: the output depends only
on the inputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from birlik.domain.errors import ConfigError
from birlik.evaluation.signals_gold import (
    GOLD_FILE,
    SECOND_FILE,
    DatasetTexts,
    GoldLabel,
    agreement,
    parse_label,
    written_items,
)

DATA = Path(__file__).resolve().parents[1] / "src" / "birlik" / "evaluation" / "data"
MANIFEST = DATA / "signals_gold_pool.jsonl"
WRITTEN_SEED = "signals-gold-written-2026"
SPLIT_BOUNDS = ((0.6, "train"), (0.8, "dev"), (1.0, "test"))


def written_split(group: str) -> str:
    """A stable split for a written case: the same group always lands in the same split."""
    digest = hashlib.sha256(f"{WRITTEN_SEED}:{group}".encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    return next(name for bound, name in SPLIT_BOUNDS if share < bound)


def read_labels(path: Path, problems: list[str]) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as error:
            problems.append(f"{path.name}:{number}: not JSON ({error.msg})")
    return records


def merge_pass(files: list[Path], manifest: dict[str, dict[str, Any]], texts: DatasetTexts,
               problems: list[str], counters: Counter[str]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for path in files:
        for record in read_labels(path, problems):
            key = str(record.get("key"))
            if key not in manifest:
                problems.append(f"{path.name}: {key}: not a key of the pool")
                continue
            if key in merged:
                problems.append(f"{path.name}: {key}: labelled twice, the first label is kept")
                continue
            if record.get("hate") is True and record.get("tension") in (0, 1, 2):
                record = {**record, "tension": 3}
                counters["hate_raised_to_tension_3"] += 1
            entry = labelled(record, texts.text(key), problems, path.name)
            if entry is not None:
                pool = manifest[key]
                merged[key] = {"key": key, "lang": pool["lang"], "source": "real",
                               "split": pool["split"], **entry}
    return merged


def labelled(record: dict[str, Any], text: str, problems: list[str],
             where: str) -> dict[str, Any] | None:
    try:
        label = parse_label(record, text)
    except ConfigError as error:
        problems.append(f"{where}: {error}")
        return None
    return {
        "tension": label.tension, "hate": label.hate, "incident": label.incident,
        "incident_place": _substring(label.incident_place, text) if label.incident else None,
        "incident_time": _substring(label.incident_time, text) if label.incident else None,
        "evidence": [{"signal": s.signal, "start": s.start, "end": s.end, "text": s.text}
                     for s in label.evidence],
    }


def _substring(value: str | None, text: str) -> str | None:
    """The place or time as written in the text (case as in the text), or None."""
    if not value:
        return None
    if value in text:
        return value
    found = re.search(re.escape(value), text, flags=re.IGNORECASE)
    return found.group(0) if found else value


def written_records(texts: DatasetTexts, problems: list[str]) -> dict[str, dict[str, Any]]:
    merged = {}
    for item in written_items():
        entry = labelled(item, item["text"], problems, "signals_written.jsonl")
        if entry is not None:
            merged[item["key"]] = {"key": item["key"], "lang": item["lang"], "source": "written",
                                   "split": written_split(item.get("group") or item["key"]),
                                   **entry}
    return merged


def write(path: Path, records: dict[str, dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for key in sorted(records):
            handle.write(json.dumps(records[key], ensure_ascii=False) + "\n")


def report(name: str, records: dict[str, dict[str, Any]]) -> None:
    values = list(records.values())
    if not values:
        print(f"{name}: no labels yet")
        return
    high = sum(r["tension"] >= 2 for r in values)
    print(f"{name}: {len(values)} items, tension>=2 {high} ({high / len(values):.1%}), "
          f"hate {sum(r['hate'] for r in values)}, "
          f"with incident {sum(r['incident'] is not None for r in values)}")
    for field in ("source", "lang", "split"):
        counts = Counter(r[field] for r in values)
        shares = {value: f"{count} ({sum(r['tension'] >= 2 for r in values if r[field] == value)}"
                  " >=2)" for value, count in sorted(counts.items())}
        print(f"  by {field}: {shares}")
    print(f"  tension levels: {dict(sorted(Counter(r['tension'] for r in values).items()))}")
    print(f"  incidents: {dict(Counter(r['incident'] for r in values if r['incident']).most_common())}")


def _as_label(record: dict[str, Any]) -> GoldLabel:
    return GoldLabel(tension=record["tension"], hate=record["hate"], incident=record["incident"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/work/wt/gold-work"))
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--seeds", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    manifest = {r["key"]: r for r in map(json.loads, MANIFEST.read_text("utf-8").splitlines())}
    texts = DatasetTexts(args.datasets, args.seeds)
    problems: list[str] = []
    counters: Counter[str] = Counter()
    first_files = sorted(p for p in args.work.glob("labels-*.jsonl") if p.stem[7:].isdigit())
    first = merge_pass(first_files, manifest, texts, problems, counters)
    gold = {**first, **written_records(texts, problems)}
    second_path = args.work / "labels-second.jsonl"
    second = merge_pass([second_path] if second_path.is_file() else [], manifest, texts,
                        problems, counters)
    write(args.out / GOLD_FILE, gold)
    write(args.out / SECOND_FILE, second)
    print(f"first pass: {', '.join(p.name for p in first_files) or 'none'}; pool "
          f"{len(manifest)} keys, labelled {len(first)}")
    report("gold", gold)
    report("real only", first)
    report("second pass", second)
    figures = agreement({k: _as_label(r) for k, r in first.items()},
                        {k: _as_label(r) for k, r in second.items()})
    print("agreement: " + ", ".join(f"{name} {value:.3f}" for name, value in figures.items()))
    for name, count in sorted(counters.items()):
        print(f"{name}: {count}")
    for problem in problems:
        print("problem: " + problem, file=sys.stderr)
    print(f"{len(problems)} problems", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
