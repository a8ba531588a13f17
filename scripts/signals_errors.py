"""Error analysis of the signal stages on the gold TRAIN or DEV split (never test).

Prints, per language, the tension ≥ 2 misses and false alarms, the hate misses and false
alarms, and the incident type confusions with the texts (shortened), the predicted score and the
reasons the stages gave; ``--counts`` prints only the summary figures.

    PYTHONPATH=src .venv/bin/python scripts/signals_errors.py --split dev [--lang ru]
        [--signal tension|hate|incident] [--rules] [--datasets ../shared/datasets]

``--rules`` runs hate and incident by their rules alone (what their learned layers read).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from birlik.evaluation.signals import (
    Predicted,
    gold_items,
    predict,
    signal_metrics,
    signals_pipeline,
)

WIDTH = 220


def short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= WIDTH else flat[: WIDTH - 1] + "…"


def show(title: str, rows: list[Predicted], what: str) -> None:
    print(f"\n## {title}: {len(rows)}")
    for p in rows:
        signal = p.doc.signals[what]
        reasons = ",".join(signal.reasons[:5])
        print(f"- [{p.item.lang} t{p.item.tension} h{int(p.item.hate)} {p.item.incident or '-'}] "
              f"tension {p.tension:.2f} hate {p.hate:.2f} inc {p.incident or '-'} | {reasons}\n"
              f"  {p.item.key}: {short(p.item.text)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--lang", choices=("kk", "ru", "en"), default=None)
    parser.add_argument("--signal", choices=("tension", "hate", "incident"), default=None)
    parser.add_argument("--rules", action="store_true")
    parser.add_argument("--counts", action="store_true")
    parser.add_argument("--datasets", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared/datasets")
    args = parser.parse_args()
    items = [i for i in gold_items(args.datasets) if i.split == args.split]
    predicted = predict(signals_pipeline(learned=not args.rules), items)
    for name, value in signal_metrics(predicted).items():
        if not name.endswith("items"):
            print(f"{name:36} {value:.4f}")
    if args.counts:
        return
    chosen = [p for p in predicted if args.lang in (None, p.item.lang)]
    if args.signal in (None, "tension"):
        show("tension >= 2 missed", [p for p in chosen if p.item.tension >= 2 and p.tension < 0.5], "tension")
        show("tension >= 2 false alarms", [p for p in chosen if p.item.tension < 2 and p.tension >= 0.5],
             "tension")
    if args.signal in (None, "hate"):
        show("hate missed", [p for p in chosen if p.item.hate and p.hate < 0.5], "hate")
        show("hate false alarms", [p for p in chosen if not p.item.hate and p.hate >= 0.5], "hate")
    if args.signal in (None, "incident"):
        wrong = [p for p in chosen if p.item.incident is not None and p.incident != p.item.incident]
        print("\n## incident confusions (gold -> predicted):")
        for (gold, got), count in Counter((p.item.incident, p.incident) for p in wrong).most_common():
            print(f"  {gold:24} -> {got or 'none':24} {count}")
        show("incident type wrong", wrong, "incident")


if __name__ == "__main__":
    main()
