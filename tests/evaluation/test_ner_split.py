from __future__ import annotations

from birlik.evaluation.kaznerd import GoldSentence
from birlik.evaluation.ner_split import split_items, split_kaznerd_half


def test_the_split_is_fixed_and_halves() -> None:
    items = list(range(100))
    dev, report = split_items(items)
    assert (dev, report) == split_items(items)
    assert len(dev) == 50 and sorted(dev + report) == items
    assert dev != list(range(50))  # shuffled, not the first half


def test_near_duplicate_sentences_stay_on_one_side() -> None:
    twins = [GoldSentence(("Алматыда", "екі", "адам", "ұсталды"), ("B-GPE", "O", "O", "O")),
             GoldSentence(("Алматыда", "2", "адам", "ұсталды"), ("B-GPE", "O", "O", "O"))]
    others = [GoldSentence((f"сөз{i}", "басқа"), ("O", "O")) for i in range(20)]
    dev, report = split_kaznerd_half(twins + others)
    assert (twins[0] in dev) == (twins[1] in dev)
    assert len(dev) + len(report) == 22
