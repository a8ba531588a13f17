"""Importing this module registers every built-in evaluation."""

from birlik.evaluation import (
    embeddings,  # noqa: F401
    hate,  # noqa: F401
    kaznerd,  # noqa: F401
    langid,  # noqa: F401
    lemma_kk,  # noqa: F401
    nerel,  # noqa: F401
    sentiment,  # noqa: F401
    signals,  # noqa: F401
    stories,  # noqa: F401
    topics,  # noqa: F401
    toxicity,  # noqa: F401
)
