"""The default pipeline of this release, built once with its resources.

Order: text (normalise, language, sentences, lemmas) → entities (lexicons, NER models,
resolution) → regions → signals. The embedding model is the slow part (tens of ms per
text), so it runs only on salient documents (an ethnic group named, or incident
vocabulary); topics fall back to cue lexicons and sentiment is skipped for the rest.
"""

from __future__ import annotations

from pathlib import Path

from birlik.nlp.casing import CasingStage
from birlik.nlp.embed import Embedder, make_embedder
from birlik.nlp.entities import EntityResolveStage
from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.identities import IdentityStage
from birlik.nlp.langid import LangIdStage
from birlik.nlp.lemma_kk import KazakhLemmatizer, LemmaStage
from birlik.nlp.ner_kk import KazakhNer, KazakhNerStage
from birlik.nlp.ner_ru import RussianNer, RussianNerStage
from birlik.nlp.orgs import OrgStage
from birlik.nlp.passages import EmbedStage, PassageStage, is_salient, model_vector
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
from birlik.nlp.static_embed import distilled_companion
from birlik.nlp.text import NormaliseStage, SegmentStage
from birlik.nlp.world_places import WorldPlaceStage
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.identities import load_identities
from birlik.resources.organisations import load_organisations
from birlik.resources.world import load_world
from birlik.settings import Settings

SENTIMENT_SENTENCES = 4


def make_default_embedder(settings: Settings | None = None) -> Embedder:
    settings = settings or Settings()
    options: dict[str, object] = {}
    if settings.embedder == "onnx":
        options = {"model_path": Path(settings.embedder_model or ""),
                   "tokenizer_path": Path(settings.embedder_tokenizer or "")}
    return make_embedder(settings.embedder, **options)


def entity_stages(settings: Settings | None = None) -> list[Stage]:
    settings = settings or Settings()
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
    # one vector per document (issue 13): the model for salient documents, the static table
    # distilled from it for the others; sentiment reads the model's vector, never re-embeds
    has_embedding = lambda doc: model_vector(doc, embedder.name) is not None  # noqa: E731
    return [
        PassageStage(),
        EmbedStage(embedder, select=is_salient, fallback=distilled_companion(embedder)),
        ToxicityStage(load_toxicity_model()),
        HateStage(None, load_hate_lexicon(), learned=load_hate_learned()),
        IncidentStage(classifier=load_incident_classifier()),
        TopicStage(load_topic_model(), embedder, use_doc_embedding=True, embed_missing=False),
        SelectiveStage(
            SentimentStage(load_sentiment_model(), embedder, max_sentences=SENTIMENT_SENTENCES),
            has_embedding, "sentiment",
        ),
        TensionStage(),
    ]


def default_stages(settings: Settings | None = None, *, signals: bool = True) -> list[Stage]:
    stages = entity_stages(settings)
    if signals:
        stages += signal_stages(make_default_embedder(settings))
    return stages


def default_pipeline(settings: Settings | None = None, *, signals: bool = True) -> Pipeline:
    settings = settings or Settings()
    return Pipeline(default_stages(settings, signals=signals), max_chars=settings.max_analysed_chars)
