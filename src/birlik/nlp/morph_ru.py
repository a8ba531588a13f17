"""The one pymorphy3 analyser of a process, shared by every stage that reads Russian words
(lemmas, casing, ethnic names, identities).

Each analyser holds its own copy of the dictionary (about 15–19 MB of RSS), and five stages
built one each; this module builds it once, on first use. ``None`` when pymorphy3 is not
installed: each caller then says, once, what it cannot do without it.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def russian_analyzer() -> Any | None:
    """The process's ``pymorphy3.MorphAnalyzer`` (read-only once built), or None."""
    try:
        import pymorphy3  # type: ignore[import-untyped]  # pymorphy3 ships no type hints
    except ImportError:
        return None
    return pymorphy3.MorphAnalyzer()
