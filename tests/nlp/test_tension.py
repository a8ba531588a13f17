"""Tension is calm on official good news and high on hostile posts, with evidence."""

from __future__ import annotations

import json
from importlib import resources

from birlik.domain.records import Document, Evidence, Mention, Signal
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.tension import TensionStage


def _doc(hate: float, toxicity: float, incident: str | None, group: bool) -> Document:
    doc = Document(id="x", text="текст")
    doc.entities = [Mention(start=0, end=5, text="текст", type="ETHNIC_GROUP", id="uyghur")] if group else []
    doc.signals = {
        "hate": Signal(
            name="hate", score=hate, evidence=[Evidence(start=0, end=5, text="текст", reason="hate.slur")]
        ),
        "toxicity": Signal(name="toxicity", score=toxicity),
        "incident": Signal(name="incident", label=incident, score=0.8 if incident else 0.0),
    }
    return doc


def test_components_combine_and_carry_evidence() -> None:
    stage = TensionStage()
    calm = stage.score(_doc(0.0, 0.0, None, group=True))
    hateful = stage.score(_doc(0.9, 0.3, None, group=True))
    assert calm.score == 0.0 and not calm.evidence
    assert hateful.score is not None and hateful.score > 0.8
    assert hateful.evidence[0].reason == "tension.from_hate:hate.slur"


def test_an_incident_weighs_more_when_a_group_is_named() -> None:
    stage = TensionStage()
    with_group = stage.score(_doc(0.0, 0.0, "violence_brawl", group=True)).score
    without = stage.score(_doc(0.0, 0.0, "violence_brawl", group=False)).score
    assert with_group is not None and without is not None and with_group > without > 0


def test_seeds_stay_calm(pipeline: Pipeline, seed_texts: dict[str, str]) -> None:
    docs = pipeline([Document(id=key, text=text) for key, text in seed_texts.items()])
    for doc in docs:
        assert (doc.signals["tension"].score or 0.0) < 0.2, doc.id
        assert (doc.signals["hate"].score or 0.0) < 0.2, doc.id


# posts of the demo corpus that are hostile toward an ethnic group (its README lists them)
ETHNIC_HOSTILITY = {"demo-post-003", "demo-post-015", "demo-post-021", "demo-post-022",
                    "demo-post-026", "demo-post-036"}


def test_demo_hostile_posts_are_tense_and_positive_posts_calm(pipeline: Pipeline) -> None:
    lines = resources.files("birlik.demo").joinpath("posts.jsonl").read_text("utf-8").splitlines()
    posts = [json.loads(line) for line in lines]
    docs = pipeline([Document(id=p["id"], text=p["message"]) for p in posts])
    tension = {doc.id: doc.signals["tension"].score or 0.0 for doc in docs}
    hostile = [tension[p["id"]] for p in posts if p["id"] in ETHNIC_HOSTILITY]
    calm = [tension[p["id"]] for p in posts if p["tone"] == "positive"]
    assert sum(hostile) / len(hostile) > 0.5
    assert max(calm) < 0.5
    # ranking quality: a hostile post outranks a positive one in most pairs (ROC AUC)
    wins = sum(h > c for h in hostile for c in calm) + 0.5 * sum(h == c for h in hostile for c in calm)
    assert wins / (len(hostile) * len(calm)) >= 0.85
