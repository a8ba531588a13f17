from __future__ import annotations

import pytest

from birlik.domain.errors import PipelineError
from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.pipeline import Pipeline


class _Returns:
    name = "bad.v1"
    requires = frozenset({"text"})
    provides = frozenset({"bad"})

    def __init__(self, value: object) -> None:
        self.value = value

    def __call__(self, docs: list[Document]) -> list[Document]:
        return self.value  # type: ignore[return-value]


def test_a_stage_whose_requirement_is_not_provided_is_refused_when_built() -> None:
    with pytest.raises(PipelineError, match=r"\[P004\].*norm_text"):
        Pipeline([SegmentStage()])


def test_stages_in_order_are_accepted() -> None:
    pipeline = Pipeline([NormaliseStage(), SegmentStage()])
    assert {"norm_text", "tokens", "sentences"} <= pipeline.provides


def test_a_duplicate_stage_is_refused() -> None:
    with pytest.raises(PipelineError, match="P003"):
        Pipeline([NormaliseStage(), NormaliseStage()])


def test_something_that_is_not_a_stage_is_refused() -> None:
    with pytest.raises(PipelineError, match="P002"):
        Pipeline([object()])  # type: ignore[list-item]


@pytest.mark.parametrize("value", [None, [], ["not a document"]])
def test_a_stage_returning_the_wrong_type_is_refused_when_run(value: object) -> None:
    pipeline = Pipeline([_Returns(value)])
    with pytest.raises(PipelineError, match=r"P00[56]"):
        pipeline([Document(id="1", text="x")])


def test_timings_are_recorded_per_stage() -> None:
    pipeline = Pipeline([NormaliseStage(), SegmentStage()])
    pipeline([Document(id="1", text="Сәлем, әлем!")])
    assert pipeline.timings["segment.v1"].docs == 1


def test_a_long_document_is_analysed_on_its_first_part_kept_whole_and_flagged() -> None:
    text = "Алматы қаласы. " * 1000
    doc = Document(id="long", text=text)
    [done] = Pipeline([NormaliseStage(), SegmentStage()], max_chars=1000)([doc])
    assert done.text == text  # nothing dropped
    assert done.flags == ["analysed_chars:997"]  # cut after the last space before 1,000
    assert max(token.end for token in done.tokens) <= 997
    assert done.norm_text is not None and len(done.norm_text) == 997
    [short] = Pipeline([NormaliseStage(), SegmentStage()], max_chars=1000)([Document(id="s", text="Алматы")])
    assert short.flags == []
