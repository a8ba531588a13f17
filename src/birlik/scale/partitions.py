"""Partitions of a backfill: which records of which source one task ingests.

A source given to ``birlik backfill`` is split so that partitions are independent:

- a folder is split by file: JSONL/CSV exports (``posts``) and Telegram exports
  (``result.json``) become sources of their own, like ``birlik ingest PATH`` would register
  them; the other files (text, HTML, DOCX, PDF) stay one ``files`` source for the folder,
  read ``files_per_partition`` files per partition;
- an export is split by size: ranges of ``records`` of what its connector yields (the
  connector reads the file from its start and the partition keeps its range, so each record is
  parsed by the connector exactly as ``ingest`` parses it, with the same keys).

The ranges are counted on an upper bound of the records (lines of a JSONL/CSV file, objects of
a Telegram export), so the last ranges may be empty; an empty partition costs one read.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from birlik.connectors.base import FetchResult, SourceConfig, get_connector
from birlik.connectors.posts import PostsConnector
from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.settings import Settings

POSTS_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".tsv")
TELEGRAM_NAME = "result.json"
_COUNT_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Partition:
    """One task's share of a source: ``paths`` of a ``files`` source, or the records
    ``start``–``stop`` (``stop`` None: to the end) of one export."""

    source_name: str
    source_id: int
    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    start: int = 0
    stop: int | None = None

    @property
    def key(self) -> str:
        if self.kind == "files":
            first, last = self.paths[0], self.paths[-1]
            return f"files:{first}..{last}" if first != last else f"files:{first}"
        return f"{self.kind}:{self.location}#{self.start}-{'' if self.stop is None else self.stop}"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "paths": list(self.paths)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Partition:
        return cls(**{**data, "paths": tuple(data.get("paths", ()))})

    def source(self) -> SourceConfig:
        """The source this partition belongs to, as its connector sees it (no poll state: a
        backfill reads everything; the identity rules skip what is stored)."""
        return SourceConfig(
            name=self.source_name, kind=self.kind, location=self.location, options=dict(self.options)
        )

    def fetch(self, settings: Settings) -> Iterator[FetchResult]:
        """What the connector yields for this partition, nothing else."""
        connector = get_connector(self.kind, settings)
        config = self.source()
        if self.kind == "files":
            return itertools.chain.from_iterable(
                connector.fetch(
                    SourceConfig(name=config.name, kind="files", location=path, options=config.options),
                    None,
                )
                for path in self.paths
            )
        if isinstance(connector, PostsConnector):  # passes over the rows before the range unread
            stop = None if self.stop is None else self.stop - self.start
            return itertools.islice(connector.fetch(config, None, skip=self.start), 0, stop)
        return itertools.islice(connector.fetch(config, None), self.start, self.stop)


@dataclass(frozen=True, slots=True)
class Target:
    """One source to register (kind and location, as ``birlik ingest`` would) and, for a
    folder's ``files``, the files it covers."""

    kind: str
    location: str
    files: tuple[str, ...] = ()


def targets(location: str, kind: str | None = None) -> list[Target]:
    """The sources a backfill location stands for (a folder is split by file kind)."""
    path = Path(location).expanduser()
    if not path.exists():
        raise ConfigError(f"{location} does not exist — check the path", code=codes.X101)
    path = path.resolve()
    if kind is not None:
        files = tuple(str(p) for p in _walk(path)) if kind == "files" else ()
        return [Target(kind, str(path), files)]
    if path.is_file():
        found = _kind_of(path)
        return [Target(found, str(path), (str(path),) if found == "files" else ())]
    out: list[Target] = []
    loose: list[str] = []
    for file in _walk(path):
        found = _kind_of(file)
        if found == "files":
            loose.append(str(file))
        else:
            out.append(Target(found, str(file)))
    if loose:
        out.insert(0, Target("files", str(path), tuple(loose)))
    return out


def split(
    target: Target, source: SourceConfig, source_id: int, *, records: int, files_per_partition: int
) -> list[Partition]:
    """The partitions of one registered source."""
    common: dict[str, Any] = {
        "source_name": source.name, "source_id": source_id, "kind": target.kind,
        "location": target.location, "options": dict(source.options),
    }
    if target.kind == "files":
        return [
            Partition(**common, paths=target.files[first : first + files_per_partition])
            for first in range(0, len(target.files), files_per_partition)
        ]
    if target.kind not in ("posts", "telegram"):
        raise ConfigError(
            f"{target.location}: a backfill reads files, folders, JSONL/CSV and Telegram exports, "
            f"not {target.kind} sources — ingest feeds and sites with `birlik ingest`",
            code=codes.X102,
        )
    bound = record_bound(Path(target.location), target.kind)
    starts = list(range(0, max(bound, 1), records))
    return [
        Partition(**common, start=start, stop=None if start == starts[-1] else start + records)
        for start in starts
    ]


def record_bound(path: Path, kind: str) -> int:
    """At least as many as the records the connector can yield: lines of an export, ``{`` of
    a Telegram export (every message is an object)."""
    if kind == "telegram" and path.is_dir():
        path = path / TELEGRAM_NAME
    needle = b"{" if kind == "telegram" else b"\n"
    count = 1
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_COUNT_CHUNK):
                count += chunk.count(needle)
    except OSError:
        return 1  # the partition reports why it cannot be read
    return count


def _kind_of(path: Path) -> str:
    if path.name == TELEGRAM_NAME:
        return "telegram"
    if path.suffix.lower() in POSTS_SUFFIXES:
        return "posts"
    return "files"


def _walk(root: Path) -> Iterator[Path]:
    """Files in the order the ``files`` connector reads them (sorted, hidden ones skipped)."""
    if root.is_file():
        yield root
        return
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(folder, name)
