"""How NEREL's gold spans and Birlik's mentions are mapped before scoring (no dataset needed)."""

from __future__ import annotations

from birlik.domain.records import Document, Mention
from birlik.evaluation.nerel import outermost, parse_entities, predicted_spans
from birlik.nlp.ethnic import LANGUAGE_CONFIDENCE


def test_a_lower_case_description_yields_to_the_place_named_inside_it() -> None:
    text = "в центре Москвы и в Восточном Иерусалиме"
    annotation = "\n".join((
        "T1\tLOCATION 2 15\tцентре Москвы", "T2\tCITY 9 15\tМосквы",
        "T3\tLOCATION 20 40\tВосточном Иерусалиме", "T4\tCITY 30 40\tИерусалиме",
    ))
    assert outermost(parse_entities(annotation), text) == {(9, 15, "PLACE"), (20, 40, "PLACE")}


def test_descriptions_of_other_types_keep_the_outermost_span() -> None:
    text = "швейцарец итальянского происхождения"
    annotation = "T1\tNATIONALITY 0 36\tx\nT2\tNATIONALITY 0 9\tшвейцарец"
    assert outermost(parse_entities(annotation), text) == {(0, 36, "ETHNIC_GROUP")}


def test_a_mention_of_a_language_is_not_scored_as_a_group() -> None:
    doc = Document(id="1", text="на русском языке русские", lang="ru")
    doc.entities = [
        Mention(start=3, end=10, text="русском", type="ETHNIC_GROUP", id="russian",
                confidence=LANGUAGE_CONFIDENCE),
        Mention(start=17, end=24, text="русские", type="ETHNIC_GROUP", id="russian"),
    ]
    assert predicted_spans(doc) == {(17, 24, "ETHNIC_GROUP")}
