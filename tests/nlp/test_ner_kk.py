from __future__ import annotations

from importlib import resources

import pycrfsuite  # type: ignore[import-untyped]  # python-crfsuite ships no type hints
import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage, normalise, tokenize
from birlik.nlp.ner_kk import (
    MODEL_PACKAGE,
    MODEL_PATH,
    OTHER_NAME,
    KazakhNer,
    KazakhNerStage,
    bio_chunks,
    token_gaps,
    word_features,
)


@pytest.fixture(scope="session")
def kazakh_ner() -> KazakhNer:
    return KazakhNer.load()


def analyse(stage: KazakhNerStage, text: str, lang: str = "kk") -> set[tuple[str, str]]:
    docs = [Document(id="1", text=text, lang=lang)]
    for step in (NormaliseStage(), SegmentStage(), stage):
        docs = step(docs)
    return {(mention.type, mention.text) for mention in docs[0].entities
            if mention.type != OTHER_NAME}


def test_names_of_other_kinds_are_emitted_for_resolution(kazakh_ner: KazakhNer) -> None:
    """"АҚШ Мемлекеттік хатшысы" is a title: the stage marks it, so that resolution keeps
    the lexicon's place "АҚШ" out of it."""
    docs = [Document(id="1", text="АҚШ Мемлекеттік хатшысы Майк Помпео Украинада болды.",
                     lang="kk")]
    for step in (NormaliseStage(), SegmentStage(), KazakhNerStage(kazakh_ner)):
        docs = step(docs)
    others = [m.text for m in docs[0].entities if m.type == OTHER_NAME]
    assert "АҚШ Мемлекеттік хатшысы" in others


CASES = [
    pytest.param(
        "Қасым-Жомарт Тоқаев Астанада Қазақстан халқы Ассамблеясының сессиясында сөз сөйледі.",
        {("PERSON", "Қасым-Жомарт Тоқаев"), ("PLACE", "Астанада"),
         ("ORG", "Қазақстан халқы Ассамблеясының")},
        id="president-assembly",
    ),
    pytest.param(
        "Павлодар облысының әкімі Асайын Байханов Екібастұз қаласына барды.",
        {("PLACE", "Павлодар облысының"), ("PERSON", "Асайын Байханов"),
         ("PLACE", "Екібастұз")},
        id="region-person-city",
    ),
    pytest.param(
        "Ертең Нұрсұлтан Назарбаев Шымкентке барады.",
        {("PERSON", "Нұрсұлтан Назарбаев"), ("PLACE", "Шымкентке")},
        id="person-city",
    ),
    pytest.param(
        "Қазақстан мен Ресей арасындағы сауда көлемі өсті.",
        {("PLACE", "Қазақстан"), ("PLACE", "Ресей")},
        id="countries",
    ),
    pytest.param(
        "Бүгін Тимур Сүлейменов Парламент Мәжілісінде баяндама жасады.",
        {("PERSON", "Тимур Сүлейменов"), ("ORG", "Парламент Мәжілісінде")},
        id="person-organisation",
    ),
    pytest.param(
        "Өзбек мәдени орталығы Шымкентте концерт өткізді.",
        {("ETHNIC_GROUP", "Өзбек"), ("PLACE", "Шымкентте")},
        id="ethnic-adjective-city",
    ),
    # Known misses of the shipped model, kept to show its limits (see kk_ner.md): ethnonyms
    # rare in KazNERD and organisations named by common words.
    pytest.param(
        "Алматы облысында тұратын ұйғырлар мен қазақтар Наурыз мерекесін бірге тойлады.",
        {("PLACE", "Алматы облысында"), ("ETHNIC_GROUP", "ұйғырлар"),
         ("ETHNIC_GROUP", "қазақтар")},
        id="rare-ethnonym", marks=pytest.mark.xfail(reason="ұйғыр is rare in KazNERD"),
    ),
    pytest.param(
        "Ұлттық банктің төрағасы баяндама жасады.",
        {("ORG", "Ұлттық банктің")},
        id="common-word-organisation",
        marks=pytest.mark.xfail(reason="organisations named by common words are often missed"),
    ),
    pytest.param("Бүгін ауа райы жылы болады деп күтілуде.", set(), id="no-entities"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_kazakh_entities(kazakh_ner: KazakhNer, text: str, expected: set[tuple[str, str]]) -> None:
    assert analyse(KazakhNerStage(kazakh_ner), text) == expected


def test_mentions_point_into_the_text(kazakh_ner: KazakhNer) -> None:
    text = "Бірінші сөйлем. Содан кейін Қасым-Жомарт Тоқаев Ақтөбеге келді."
    docs = [Document(id="1", text=text, lang="kk")]
    for step in (NormaliseStage(), SegmentStage(), KazakhNerStage(kazakh_ner)):
        docs = step(docs)
    assert docs[0].entities
    for mention in docs[0].entities:
        assert text[mention.start:mention.end] == mention.text
        assert mention.id is None
        assert 0.0 < mention.confidence <= 1.0


def test_russian_documents_are_left_alone(kazakh_ner: KazakhNer) -> None:
    text = "Касым-Жомарт Токаев выступил в Астане на сессии Ассамблеи народа Казахстана."
    assert analyse(KazakhNerStage(kazakh_ner), text, lang="ru") == set()


def test_kazakh_among_several_languages_is_tagged(kazakh_ner: KazakhNer) -> None:
    docs = [Document(id="1", text="Қасым-Жомарт Тоқаев Астанаға келді.", lang="ru",
                     langs=["ru", "kk"])]
    for step in (NormaliseStage(), SegmentStage(), KazakhNerStage(kazakh_ner)):
        docs = step(docs)
    assert ("PERSON", "Қасым-Жомарт Тоқаев") in {(m.type, m.text) for m in docs[0].entities}


def test_model_loads_and_tags_plain_words(kazakh_ner: KazakhNer) -> None:
    tags = kazakh_ner.tag(["Абай", "Семейде", "туған"])
    assert len(tags) == 3
    assert set(tags) <= {"O", *(f"{p}-{t}" for p in "BI"
                                for t in ("PERSON", "ORG", "PLACE", "ETHNIC_GROUP"))}
    assert kazakh_ner.tag([]) == []


def test_gaps_carry_the_punctuation_between_tokens() -> None:
    text = '"Нұр Отан", Астана.'
    tokens = tokenize(text)
    assert token_gaps(text, tokens, 0, len(text)) == ['"', "", '",', "."]
    features = word_features(["Нұр", "Отан", "Астана"], ['"', "", '",', "."])
    assert "<\"" in features[0] and ">\"," in features[1] and "<\"," in features[2]


def test_bio_chunks_open_an_entity_on_a_stray_inside_tag() -> None:
    tags = ["I-PLACE", "I-PLACE", "O", "B-PERSON", "I-ORG"]
    assert bio_chunks(tags) == [(0, 1, "PLACE"), (3, 3, "PERSON"), (4, 4, "ORG")]


def test_dropping_unweighted_features_keeps_the_tags(kazakh_ner: KazakhNer) -> None:
    model = resources.files(MODEL_PACKAGE).joinpath(*MODEL_PATH).read_bytes()
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    text = "Қасым-Жомарт Тоқаев Астанада Қазақстан халқы Ассамблеясының сессиясында сөз сөйледі."
    tokens = tokenize(normalise(text))
    words = [text[t.start:t.end] for t in tokens]
    gaps = token_gaps(normalise(text), tokens, 0, len(text))
    unfiltered = [
        "O" if label.endswith("OTHER") else label
        for label in tagger.tag(word_features(words, gaps))
    ]
    assert kazakh_ner.tag(words, gaps) == unfiltered


def test_features_with_known_are_the_known_ones_in_order(kazakh_ner: KazakhNer) -> None:
    """Given the model's features, the extractor keeps exactly those (and ``first``/``last``),
    in the order of the unfiltered features, from its word cache as when cold."""
    from birlik.nlp.ner_kk import FeatureExtractor

    text = "Қасым-Жомарт Тоқаев «Астанада», Қазақстан халқы Ассамблеясының 2024 сессиясында."
    tokens = tokenize(normalise(text))
    words = [text[t.start:t.end] for t in tokens]
    gaps = token_gaps(normalise(text), tokens, 0, len(text))
    known = kazakh_ner._features.known
    assert known is not None
    extractor = FeatureExtractor(known)
    expected = [[f for f in word if f in known or f in ("first", "last")]
                for word in word_features(words, gaps)]
    assert extractor.features(words, gaps) == expected
    assert extractor.features(words, gaps) == expected  # from the cache
    assert any(f.startswith("w-1|w=") for word in expected for f in word)
    assert any(f.startswith(("<", ">")) for word in expected for f in word)
