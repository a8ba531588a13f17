"""The schema as one ``MetaData``: the store's own tables and those of the model modules an
entry point hands in. Each feature keeps its tables in its own package and the entry point
(``birlik.runtime.schema_metadata``, read by the Alembic environment) imports them all, so that
the store imports nothing above it."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from sqlalchemy import MetaData

from birlik.store import models, models_backfill, models_signals, models_stories
from birlik.store.models import Base

STORE_MODULES: tuple[ModuleType, ...] = (models, models_signals, models_stories, models_backfill)


def collect_metadata(feature_modules: Iterable[ModuleType]) -> MetaData:
    """``Base.metadata`` once the store's and the given modules have defined their tables (they
    are imported by now); refuses a module that defines no table on ``Base``."""
    for module in (*STORE_MODULES, *feature_modules):
        defined = [
            str(value.__tablename__)
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Base) and value is not Base
            and value.__module__ == module.__name__
        ]
        if not defined or any(name not in Base.metadata.tables for name in defined):
            raise ValueError(f"{module.__name__} defines no table on Base — list only model modules")
    return Base.metadata
