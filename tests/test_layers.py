"""The packages of ``birlik`` form layers: each imports only packages below it, and no two
packages import each other, directly or round a loop. The graph is read from the source (every
``import`` and ``from … import`` of ``birlik.…``, those under ``TYPE_CHECKING`` and inside
functions included), so a new arrow up or a new loop fails here, naming the files."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "birlik"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("web",),
    ("reports", "scale"),
    ("runtime",),
    ("evaluation", "query"),
    ("cases",),
    ("signals",),
    ("ingest", "stories", "surveys", "access"),
    ("store", "connectors"),
    ("nlp",),
    ("resources",),
    ("settings",),
    ("domain",),
)
"""Top to bottom: a package may import the packages of the layers below its own; packages of one
layer import none of each other. ``runtime`` is the composition root (one module); ``demo`` holds
data only."""

KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}
"""Arrows that break the layers today, each with why it is still there; remove an entry when its
arrow goes (``test_known_exceptions_are_still_needed`` insists)."""

ENTRY_POINTS = ("store/migrations",)
"""Not part of the layering: Alembic's environment and revisions run as scripts of the entry point
(``migrations/env.py`` reads the list of model modules from ``birlik.runtime``)."""


def _package(path: Path) -> str:
    return path.relative_to(SOURCE).with_suffix("").parts[0]


@cache
def import_graph() -> dict[tuple[str, str], set[str]]:
    """``{(importer, imported): {files}}`` between the top-level packages of ``birlik``."""
    arrows: dict[tuple[str, str], set[str]] = defaultdict(set)  # read once per run (cached)
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if relative.startswith(ENTRY_POINTS):
            continue
        importer = _package(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
                if node.module == "birlik":  # from birlik import web
                    names = [f"birlik.{alias.name}" for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "birlik" and len(parts) > 1 and parts[1] != importer:
                    arrows[(importer, parts[1])].add(relative)
    return arrows


def _rank() -> dict[str, int]:
    return {package: depth for depth, layer in enumerate(LAYERS) for package in layer}


def _upward(arrows: dict[tuple[str, str], set[str]]) -> dict[tuple[str, str], set[str]]:
    rank = _rank()
    return {
        (a, b): files
        for (a, b), files in arrows.items()
        if a in rank and b in rank and rank[a] >= rank[b]
    }


def test_every_package_has_a_layer() -> None:
    packages = {
        _package(path)
        for path in SOURCE.rglob("*.py")
        if path.parent != SOURCE or path.stem not in {"__init__", "__main__"}
    }
    assert packages - {"demo"} <= set(_rank()), f"give these a layer: {packages - set(_rank())}"


def test_no_arrow_runs_up_the_layers() -> None:
    wrong = {
        f"{a} -> {b} ({', '.join(sorted(files))})"
        for (a, b), files in _upward(import_graph()).items()
        if (a, b) not in KNOWN_EXCEPTIONS
    }
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_package_cycle() -> None:
    arrows = {pair for pair in import_graph() if pair not in KNOWN_EXCEPTIONS}
    following: dict[str, set[str]] = defaultdict(set)
    for a, b in arrows:
        following[a].add(b)
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(following[node]):
            if nxt == path[0]:
                cycles.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each cycle once, from its smallest package
                visit(nxt, [*path, nxt])

    for start in sorted(following):
        visit(start, [start])
    assert not cycles, "package cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("pair", sorted(KNOWN_EXCEPTIONS))
def test_known_exceptions_are_still_needed(pair: tuple[str, str]) -> None:
    assert pair in _upward(import_graph()), f"{pair[0]} -> {pair[1]} is gone: drop it from KNOWN_EXCEPTIONS"


def test_the_graph_sees_an_arrow_up() -> None:
    """The reader finds the arrows this test is about (a guard against a test that cannot fail)."""
    arrows = import_graph()
    assert ("web", "access") in arrows and ("cases", "access") in arrows
    assert ("store", "web") not in arrows and ("store", "cases") not in arrows
    assert _upward({("store", "web"): {"store/x.py"}}) == {("store", "web"): {"store/x.py"}}
