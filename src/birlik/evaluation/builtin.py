"""Importing this module registers every built-in evaluation."""

from birlik.evaluation import (
    kaznerd,  # noqa: F401
    langid,  # noqa: F401
    lemma_kk,  # noqa: F401
    nerel,  # noqa: F401
)
from birlik.evaluation import toxicity  # noqa: F401
from birlik.evaluation import hate  # noqa: F401
