"""A fixed split of the shared NER halves into a development part and a report part.

The shared halves (KazNERD's held-out fold, NEREL dev) were looked at while earlier rules were
written, and their figures came out higher than on data nobody had seen. From issue 17 on,
each half is split once, with ``SEED``, into a development part (errors are read there and
rules are written against them) and a report part, which is scored but never read error by
error. ``birlik eval`` still scores the whole half (floors in ``eval_baseline.json``);
``scripts/ner_dev_report.py`` prints the three figures side by side.

KazNERD is split by groups of neighbouring near-duplicate sentences (``sentence_groups``),
so that no sentence has its twin on the other side; NEREL by document.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

from birlik.evaluation.kaznerd import GoldSentence, sentence_groups
from birlik.evaluation.nerel import GoldDocument

SEED = 17
DEV_SHARE = 0.5
Item = TypeVar("Item")


def split_items(items: Sequence[Item], seed: int = SEED) -> tuple[list[Item], list[Item]]:
    """``(dev, report)``: a seeded shuffle of the indices, the first half is dev; each part
    keeps the original order."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    dev = frozenset(order[: round(len(items) * DEV_SHARE)])
    return ([item for i, item in enumerate(items) if i in dev],
            [item for i, item in enumerate(items) if i not in dev])


def split_kaznerd_half(
    sentences: list[GoldSentence], seed: int = SEED
) -> tuple[list[GoldSentence], list[GoldSentence]]:
    dev, report = split_items(sentence_groups(sentences), seed)
    return [s for group in dev for s in group], [s for group in report for s in group]


def split_nerel_half(
    documents: list[GoldDocument], seed: int = SEED
) -> tuple[list[GoldDocument], list[GoldDocument]]:
    return split_items(documents, seed)
