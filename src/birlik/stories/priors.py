"""Mean vectors of each language for an embedder, shipped with the package.

Computed from the project's own demo corpus (title and lead of its kk, ru and en items) with
the embedder named in the file. They let the linker centre embeddings on their language from
the first document; the documents of the window take over as they accumulate.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from functools import cache

import numpy as np
import numpy.typing as npt

from birlik.stories.clusterer import ClusterSettings


@cache
def _load() -> dict[str, dict[str, npt.NDArray[np.float32]]]:
    from birlik.stories import prior_e5_small

    means = {
        lang: np.frombuffer(base64.b64decode(encoded), dtype="<f4").astype(np.float32)
        for lang, encoded in prior_e5_small.MEANS.items()
    }
    return {prior_e5_small.EMBEDDER: means}


def language_prior(embedder_name: str) -> dict[str, npt.NDArray[np.float32]]:
    """Language means for the embedder (its ``name``), or nothing when none were computed for it."""
    return dict(_load().get(embedder_name, {}))


def with_prior(settings: ClusterSettings | None, embedder_name: str) -> ClusterSettings:
    """``settings`` (or the defaults) with the language prior of the embedder filled in."""
    settings = settings or ClusterSettings()
    if settings.language_prior:
        return settings
    return replace(settings, language_prior=language_prior(embedder_name))
