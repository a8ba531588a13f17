"""Stages registered by versioned name, in the spirit of spaCy's factories.

Each registration names a stage (``tension.v2``: what it does, then its version), declares
the annotations it ``requires`` and ``provides`` and its default ``config`` (the plain
knobs its constructor takes), and gives a factory that builds it from the resources the
stages share (settings, the one embedder, the loaded gazetteer…) and the merged config.

A pipeline is then a declared list of names, optionally with config overrides per name::

    registry.build(["normalise.v1", "langid.v1", "segment.v1"], resources,
                   overrides={"langid.v1": {"min_share": 0.2}})

The built stage must carry the registered name and contract, so what a document records as
the versions that produced it (``Document.stages``) is what ran. Errors are coded
``P007``–``P009`` and ``P011``.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from birlik.domain import codes
from birlik.domain.errors import PipelineError
from birlik.nlp.pipeline import Stage

R = TypeVar("R")
"""The resources a registry's factories share (see ``nlp.factory.Resources``)."""

_VERSIONED = re.compile(r"\A[a-z][a-z0-9_]*\.v[0-9]+\Z")  # anchored: linear on any text

PLAIN = (bool, int, float, str, type(None))
"""Types a config value may have: settable from JSON or a command line, shown as it is."""


@dataclass(frozen=True, slots=True)
class StageSpec(Generic[R]):
    """One registered stage: its versioned name, contract, default config and factory."""

    name: str
    requires: frozenset[str]
    provides: frozenset[str]
    factory: Callable[[R, dict[str, Any]], Stage]
    config: Mapping[str, Any] = field(default_factory=dict)
    doc: str = ""

    @property
    def version(self) -> str:
        """``v2`` of ``tension.v2``."""
        return self.name.rpartition(".")[2]

    def merged(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The default config with ``overrides`` applied; an unknown key is ``P009``."""
        unknown = sorted(set(overrides or {}) - set(self.config))
        if unknown:
            known = ", ".join(sorted(self.config)) or "none"
            raise PipelineError(
                f"stage {self.name!r} has no config {unknown} — its config keys are: {known}",
                code=codes.P009,
            )
        return {**self.config, **(overrides or {})}

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "requires": sorted(self.requires),
            "provides": sorted(self.provides),
            "config": dict(self.config),
            "doc": self.doc,
        }


class StageRegistry(Generic[R]):
    """Versioned stage names → specs. Registering a name twice is ``P007``; asking for a
    name that is not registered is ``P008`` and lists the known ones."""

    def __init__(self) -> None:
        self._specs: dict[str, StageSpec[R]] = {}

    def register(
        self,
        name: str,
        *,
        factory: Callable[[R, dict[str, Any]], Stage],
        contract: object = None,
        requires: Iterable[str] | None = None,
        provides: Iterable[str] | None = None,
        config: Mapping[str, Any] | None = None,
        doc: str = "",
    ) -> StageSpec[R]:
        """``requires``/``provides`` default to the ``contract`` object's (a stage class)."""
        if name in self._specs:
            raise PipelineError(
                f"stage {name!r} is registered twice — give the new stage a new version "
                f"({_next_version(name)})",
                code=codes.P007,
            )
        if _VERSIONED.fullmatch(name) is None:
            raise PipelineError(
                f"stage name {name!r} is not name.vN — name it like 'tension.v2'", code=codes.P007
            )
        for key, value in (config or {}).items():
            if not isinstance(value, PLAIN):
                raise PipelineError(
                    f"config {key!r} of stage {name!r} is a {type(value).__name__} — a config "
                    "value is a plain bool, number, string or None; pass objects as resources",
                    code=codes.P009,
                )
        spec = StageSpec(
            name=name,
            requires=frozenset(_declared(contract, "requires") if requires is None else requires),
            provides=frozenset(_declared(contract, "provides") if provides is None else provides),
            factory=factory,
            config=dict(config or {}),
            doc=doc,
        )
        self._specs[name] = spec
        return spec

    def factory(
        self,
        name: str,
        *,
        contract: object = None,
        requires: Iterable[str] | None = None,
        provides: Iterable[str] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> Callable[[Callable[[R, dict[str, Any]], Stage]], Callable[[R, dict[str, Any]], Stage]]:
        """Decorator form of ``register``; the function's docstring documents the stage."""

        def decorate(function: Callable[[R, dict[str, Any]], Stage]) -> Callable[[R, dict[str, Any]], Stage]:
            doc = inspect.getdoc(function) or ""
            self.register(name, factory=function, contract=contract, requires=requires,
                          provides=provides, config=config, doc=doc.split("\n\n", 1)[0].replace("\n", " "))
            return function

        return decorate

    def get(self, name: str) -> StageSpec[R]:
        spec = self._specs.get(name)
        if spec is None:
            raise PipelineError(
                f"unknown stage {name!r} — registered stages are: {', '.join(sorted(self._specs))}",
                code=codes.P008,
            )
        return spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[StageSpec[R]]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return list(self._specs)

    def build_stage(self, name: str, resources: R, overrides: Mapping[str, Any] | None = None) -> Stage:
        """Build one stage. It must carry the registered name, provide what was registered
        and require no more (a config may drop a requirement), else ``P011``."""
        spec = self.get(name)
        stage = spec.factory(resources, spec.merged(overrides))
        if not isinstance(stage, Stage):
            raise PipelineError(f"the factory of {name!r} built {stage!r}, which is not a stage",
                                code=codes.P011)
        fits = stage.requires <= spec.requires and stage.provides == spec.provides
        if stage.name != spec.name or not fits:
            raise PipelineError(
                f"the factory of {name!r} built {stage.name!r} requiring {sorted(stage.requires)} and "
                f"providing {sorted(stage.provides)}, not what {name!r} registered — register it "
                "under the stage's own name and contract",
                code=codes.P011,
            )
        return stage

    def build(
        self,
        names: Sequence[str],
        resources: R,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Stage]:
        """The stages of ``names`` in order. Every name is checked before any is built, so
        a typo fails at once, not after the models have loaded; so is every override."""
        overrides = overrides or {}
        stray = sorted(set(overrides) - set(names))
        if stray:
            raise PipelineError(
                f"config given for {stray}, which the pipeline does not list — add the stage "
                "or drop its config",
                code=codes.P009,
            )
        for name in names:
            self.get(name).merged(overrides.get(name))
        return [self.build_stage(name, resources, overrides.get(name)) for name in names]


def _declared(contract: object, attribute: str) -> frozenset[str]:
    value = getattr(contract, attribute, None)
    if not isinstance(value, frozenset):
        raise PipelineError(
            f"{contract!r} declares no {attribute} — pass {attribute}= or a stage class as contract=",
            code=codes.P007,
        )
    return value


def _next_version(name: str) -> str:
    stem, _, version = name.rpartition(".")
    number = version[1:]
    return f"{stem}.v{int(number) + 1}" if number.isdigit() else f"{name}.v2"


def parse_overrides(items: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``stage.vN:key=value`` items (the ``--config`` option) → overrides per stage; the
    value is read as JSON when it parses (``4``, ``0.2``, ``true``), else as a string."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        stage, colon, assignment = item.partition(":")
        key, equals, raw = assignment.partition("=")
        if not colon or not equals or not stage or not key:
            raise PipelineError(
                f"config {item!r} is not stage:key=value — write e.g. passages.v1:max_salient=6",
                code=codes.P009,
            )
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        if not isinstance(value, PLAIN):
            value = raw
        out.setdefault(stage.strip(), {})[key.strip()] = value
    return out
