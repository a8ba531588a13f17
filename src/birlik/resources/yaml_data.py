"""YAML data files read with libyaml's parser when PyYAML has it (about 9× less CPU than
the pure-Python one: each ingest worker and CLI start reads ~180 kB of lexicons), the same
safe loader otherwise; both build the same data."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, parsed in C when available."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
