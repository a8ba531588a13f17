"""Whether an SQLite database was written since a moment: the size and modification time of
its file and of its write-ahead log, which every commit changes. The per-process caches of the
query layer (``doc_columns``, ``fts_plan``) keep what they hold past their time limit while the
stamp is the same, instead of reading it again for nothing."""

from __future__ import annotations

import os
from typing import Any

Stamp = tuple[int, ...]


def file_stamp(engine: Any) -> Stamp | None:
    """Size and modification time (ns) of the database file and of its write-ahead log when it
    has one. None for an in-memory database, a file that cannot be found by its name (a URI
    filename) or another backend: unknown, so what depends on it is read again."""
    if engine.dialect.name != "sqlite":
        return None
    database = str(engine.url.database or "")
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    try:
        main = os.stat(database)
    except OSError:
        return None
    try:
        wal = os.stat(database + "-wal")
    except OSError:
        return (main.st_size, main.st_mtime_ns)
    return (main.st_size, main.st_mtime_ns, wal.st_size, wal.st_mtime_ns)
