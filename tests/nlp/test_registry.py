"""The stage registry: versioned names, contracts, configs; the declared default pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from birlik.domain.errors import PipelineError
from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.casing import CasingStage
from birlik.nlp.embed import CharNgramEmbedder
from birlik.nlp.factory import (
    ENTITY_STAGES,
    SIGNAL_STAGES,
    STAGES,
    Resources,
    build_pipeline,
    build_stages,
    default_names,
)
from birlik.nlp.langid import LangIdStage
from birlik.nlp.ner_kk import KazakhNerStage
from birlik.nlp.passages import EmbedStage, PassageStage
from birlik.nlp.pipeline import INPUT_FIELDS, Pipeline
from birlik.nlp.registry import StageRegistry, parse_overrides
from birlik.settings import Settings

TEXT_STAGES = ["normalise.v1", "segment.v1"]


@pytest.fixture(scope="module")
def resources() -> Resources:
    """Shared by the tests that build real stages, so each model loads once."""
    return Resources(Settings())


def _registry() -> StageRegistry[None]:
    registry: StageRegistry[None] = StageRegistry()
    registry.register("normalise.v1", contract=NormaliseStage, factory=lambda _, config: NormaliseStage())
    registry.register("segment.v1", contract=SegmentStage, factory=lambda _, config: SegmentStage())
    return registry


def test_a_registered_stage_is_found_by_name_with_its_contract_and_version() -> None:
    spec = _registry().get("segment.v1")
    assert (spec.version, spec.requires, spec.provides) == ("v1", {"norm_text"}, {"sentences", "tokens"})


def test_registering_a_name_twice_is_a_coded_error_naming_the_next_version() -> None:
    registry = _registry()
    with pytest.raises(PipelineError, match=r"\[P007\].*segment\.v2"):
        registry.register("segment.v1", contract=SegmentStage, factory=lambda _, config: SegmentStage())


@pytest.mark.parametrize("name", ["segment", "segment.1", "segment.vx"])
def test_a_name_without_a_version_is_refused(name: str) -> None:
    registry: StageRegistry[None] = StageRegistry()
    with pytest.raises(PipelineError, match="P007"):
        registry.register(name, contract=SegmentStage, factory=lambda _, config: SegmentStage())


def test_an_unknown_name_is_a_coded_error_listing_the_known_ones() -> None:
    known = r"normalise\.v1, segment\.v1"
    with pytest.raises(PipelineError, match=rf"\[P008\] unknown stage 'tension\.v9'.*{known}"):
        _registry().build(["normalise.v1", "tension.v9"], None)


def test_a_config_that_is_not_a_plain_value_is_refused_at_registration() -> None:
    registry: StageRegistry[None] = StageRegistry()
    with pytest.raises(PipelineError, match="P009"):
        registry.register("segment.v1", contract=SegmentStage, factory=lambda _, c: SegmentStage(),
                          config={"model": object()})


def test_a_factory_that_builds_another_stage_is_refused() -> None:
    registry: StageRegistry[None] = StageRegistry()
    registry.register("tokens.v1", requires={"norm_text"}, provides={"tokens"},
                      factory=lambda _, config: SegmentStage())
    with pytest.raises(PipelineError, match=r"\[P011\].*'segment\.v1'"):
        registry.build_stage("tokens.v1", None)


def test_the_registry_builds_a_list_of_names_in_order() -> None:
    stages = _registry().build(TEXT_STAGES, None)
    assert [stage.name for stage in stages] == TEXT_STAGES
    assert isinstance(stages[1], SegmentStage)


def test_every_declared_stage_is_registered_and_the_lists_chain_their_contracts() -> None:
    """Each stage of the declared default pipeline requires only what the input or an earlier
    stage provides (checked on the registrations, without loading a model)."""
    available = set(INPUT_FIELDS)
    for name in default_names():
        spec = STAGES.get(name)
        assert spec.requires <= available, (name, spec.requires - available)
        available |= spec.provides
    assert {"entities", "regions", "signals.tension", "claims"} <= available
    assert default_names(signals=False) == list(ENTITY_STAGES)
    assert default_names()[-1] == "claims.v1" and SIGNAL_STAGES[-1] == "claims.v1"


def test_every_registered_stage_has_a_doc_and_plain_config() -> None:
    for spec in STAGES:
        assert spec.doc, spec.name
        assert all(isinstance(value, bool | int | float | str) for value in spec.config.values()), spec.name


def test_the_declared_default_pipeline_is_what_is_built(pipeline: Pipeline) -> None:
    """The session's default pipeline (built through the registry) passed its contract checks
    and runs the declared stages, each under its registered name."""
    assert pipeline.versions == default_names()
    for stage in pipeline.stages:
        spec = STAGES.get(stage.name)
        assert stage.requires <= spec.requires and stage.provides == spec.provides


def test_the_documents_record_the_versions_that_produced_them(pipeline: Pipeline) -> None:
    [doc] = pipeline([Document(id="1", text="Алматыда 30-дан астам этномәдени бірлестік жұмыс істейді.")])
    assert doc.stages == default_names()
    assert doc.claims is not None and doc.claims[0].subject == "ethnocultural_association"
    [small] = Pipeline(_registry().build(TEXT_STAGES, None))([Document(id="2", text="Сәлем, әлем!")])
    assert small.stages == TEXT_STAGES and small.claims is None


def test_the_versions_are_recorded_for_a_long_document_too() -> None:
    pipeline = Pipeline(_registry().build(TEXT_STAGES, None), max_chars=100)
    [doc] = pipeline([Document(id="1", text="Алматы қаласы. " * 50)])
    assert doc.stages == TEXT_STAGES and doc.flags


@pytest.mark.parametrize(
    ("name", "override", "attribute", "value"),
    [
        ("passages.v1", {"max_salient": 6}, "max_salient", 6),
        ("passages.v1", {}, "max_salient", 4),
        ("langid.v1", {"min_share": 0.3}, "min_share", 0.3),
        ("incident.v2", {"threshold": 0.7}, "threshold", 0.7),
    ],
)
def test_a_config_override_changes_the_built_stage(
    name: str, override: dict[str, Any], attribute: str, value: object, resources: Resources
) -> None:
    [stage] = build_stages([name], resources.settings, overrides={name: override}, resources=resources)
    assert getattr(stage, attribute) == value


def test_the_default_config_is_the_constructors() -> None:
    defaults = PassageStage()
    assert STAGES.get("passages.v1").config == {
        "lead_sentences": defaults.lead_sentences, "lead_chars": defaults.lead_chars,
        "max_salient": defaults.max_salient, "max_chars": defaults.max_chars,
    }
    assert STAGES.get("langid.v1").config["min_share"] == LangIdStage.__init__.__kwdefaults__["min_share"]


def test_an_unknown_config_key_or_a_config_for_an_unlisted_stage_is_refused() -> None:
    with pytest.raises(PipelineError, match=r"\[P009\].*max_salient"):
        build_stages(["passages.v1"], Settings(), overrides={"passages.v1": {"salient": 6}})
    with pytest.raises(PipelineError, match=r"\[P009\].*passages\.v1"):
        build_stages(TEXT_STAGES, Settings(), overrides={"passages.v1": {"max_salient": 6}})


def test_a_pipeline_built_from_names_runs_them_and_checks_contracts(resources: Resources) -> None:
    names = ["normalise.v1", "langid.v1", "segment.v1"]
    pipeline = Pipeline(build_stages(names, resources.settings, resources=resources))
    [doc] = pipeline([Document(id="1", text="Бүгін Алматыда жаңбыр жауды.")])
    assert doc.lang == "kk" and doc.sentences and doc.stages == ["normalise.v1", "langid.v1", "segment.v1"]
    with pytest.raises(PipelineError, match="P004"):
        build_pipeline(["segment.v1"], Settings())


def test_shared_resources_are_loaded_once_per_build(resources: Resources) -> None:
    """The Kazakh NER model serves both the NER and the casing stage: loaded once."""
    ner, casing = build_stages(["ner_kk.v1", "casing.v1"], resources.settings, resources=resources)
    assert isinstance(ner, KazakhNerStage) and isinstance(casing, CasingStage)
    assert ner.model is casing.kazakh is resources.kazakh_ner


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["passages.v1:max_salient=6"], {"passages.v1": {"max_salient": 6}}),
        (["langid.v1:min_share=0.2", "langid.v1:chunk_chars=300"],
         {"langid.v1": {"min_share": 0.2, "chunk_chars": 300}}),
        (["embed.v2:salient_only=false"], {"embed.v2": {"salient_only": False}}),
        (["x.v1:name=kk"], {"x.v1": {"name": "kk"}}),
        (["x.v1:items=[1]"], {"x.v1": {"items": "[1]"}}),
    ],
)
def test_config_overrides_are_read_from_the_command_line(
    items: list[str], expected: dict[str, dict[str, Any]]
) -> None:
    assert parse_overrides(items) == expected


@pytest.mark.parametrize("item", ["passages.v1", "passages.v1:max_salient", ":x=1"])
def test_a_malformed_config_override_is_a_coded_error(item: str) -> None:
    with pytest.raises(PipelineError, match="P009"):
        parse_overrides([item])


def test_the_embedder_given_is_the_one_every_stage_uses() -> None:
    """The composition root passes its one embedder; no stage makes another."""
    embedder = CharNgramEmbedder()
    [embed] = build_stages(["embed.v2"], Settings(), embedder=embedder,
                           overrides={"embed.v2": {"salient_only": False, "max_chars": 200}})
    assert isinstance(embed, EmbedStage)
    assert embed.embedder is embedder and embed.select is None and embed.max_chars == 200
