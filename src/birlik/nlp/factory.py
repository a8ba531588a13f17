"""The default pipeline of this release, built once with its resources."""

from __future__ import annotations

from birlik.nlp.ethnic import EthnicStage
from birlik.nlp.langid import LangIdStage
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.places import PlaceStage
from birlik.nlp.regions import DocumentRegionsStage
from birlik.nlp.text import NormaliseStage, SegmentStage
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer


def default_pipeline() -> Pipeline:
    gazetteer = load_gazetteer()
    return Pipeline(
        [
            NormaliseStage(),
            LangIdStage(),
            SegmentStage(),
            EthnicStage(load_ethnic_groups()),
            PlaceStage(gazetteer),
            DocumentRegionsStage(gazetteer),
        ]
    )
