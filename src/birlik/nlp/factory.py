"""The default pipeline of this release, built once with its resources."""

from __future__ import annotations

from birlik.nlp.entities import EntityResolveStage
from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.langid import LangIdStage
from birlik.nlp.lemma_kk import KazakhLemmatizer, LemmaStage
from birlik.nlp.ner_kk import KazakhNer, KazakhNerStage
from birlik.nlp.ner_ru import RussianNer, RussianNerStage
from birlik.nlp.orgs import OrgStage
from birlik.nlp.pipeline import Pipeline, Stage
from birlik.nlp.places import PlaceStage
from birlik.nlp.regions import DocumentRegionsStage
from birlik.nlp.text import NormaliseStage, SegmentStage
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.organisations import load_organisations


def default_stages() -> list[Stage]:
    gazetteer = load_gazetteer()
    return [
        NormaliseStage(),
        LangIdStage(),
        SegmentStage(),
        LemmaStage(KazakhLemmatizer()),
        EthnicStage(load_ethnic_groups()),
        PlaceStage(gazetteer),
        OrgStage(load_organisations()),
        KazakhNerStage(KazakhNer.load()),
        RussianNerStage(RussianNer.load()),
        DocumentRegionsStage(gazetteer),
        EntityResolveStage(),
    ]


def default_pipeline() -> Pipeline:
    return Pipeline(default_stages())
