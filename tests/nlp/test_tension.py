"""tension.v2, hate.v2 and incident.v2 on canonical kk/ru/en cases (written for this test, not
taken from the gold set), through the real entity and signal stages; bad input gets a defined
score; the components explain the score with evidence."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from birlik.domain.errors import ConfigError
from birlik.domain.records import Document
from birlik.evaluation.signals import signals_pipeline
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.calibrated import (
    CalibratedLogistic,
    Calibration,
    LinearClassifier,
    load_classifier,
)
from birlik.nlp.signals.components import COMPONENTS, load_cue_lexicon
from birlik.nlp.signals.hate import HateStage
from birlik.nlp.signals.incident import IncidentStage
from birlik.nlp.signals.tension import TensionStage, load_tension_model


@pytest.fixture(scope="module")
def analyse() -> Pipeline:
    return signals_pipeline()


def run(pipeline: Pipeline, text: str) -> Document:
    return pipeline([Document(id="t", text=text)])[0]


RUMOURS = [
    "СРОЧНО!!! В Масанчи снова межнациональная резня, есть погибшие. Власти молчат, "
    "распространите, пока не удалили!",
    "Шұғыл! Қордайда тағы ұлтаралық төбелес болып жатыр дейді, жаралылар бар. Таратыңыздар!",
    "URGENT: ethnic clashes in the village tonight, people wounded, the police are hiding it. "
    "Share before they delete this!",
]
ATTACK_REPORTS = [
    "По данным полиции, ночью группа мужчин напала на дома дунганских семей в селе, подожгла две "
    "машины; пострадали четыре человека, задержаны 12 подозреваемых.",
    "Полиция департаментінің хабарлауынша, кеше түнде ауылда ұлтаралық негізде жаппай төбелес "
    "болып, бес адам ауруханаға түсті.",
    "A mob attacked Uyghur-owned shops in the town overnight, according to the police; three "
    "people were injured and 15 men were detained.",
]
CALM = [
    "В Таразе прошёл фестиваль национальной кухни. Дунганская лапша, корейские салаты и "
    "казахский бешбармак собрали сотни гостей.",
    "Аксакалы двух сёл встретились в Доме дружбы и договорились о примирении: молодёжь "
    "пожала друг другу руки.",
    "Қазақстан халқы Ассамблеясының кезекті сессиясы Астанада өтті, этносаралық келісім "
    "мәселелері талқыланды.",
    "Ауылдағы ақсақалдар екі әулетті татуластырып, бітімге келтірді.",
    "The Korean community of Almaty celebrated the 85th anniversary of its theatre with a "
    "festival concert.",
    "Алматыда Наурыз мерекесі кең көлемде тойланды, этномәдени орталықтар өз дастарқандарын "
    "жайды.",
]
HATE = [
    "Чурки совсем обнаглели, гнать их надо из нашего города.",
    "Бұл келімсектердің бәрін елден қуу керек, олар мал сияқты.",
    "Send them all back, these migrants are vermin.",
]


@pytest.mark.parametrize("text", RUMOURS, ids=["ru", "kk", "en"])
def test_rumours_of_interethnic_violence_are_tense_incidents(analyse: Pipeline, text: str) -> None:
    doc = run(analyse, text)
    assert (doc.signals["tension"].score or 0.0) >= 0.7, doc.signals["tension"].as_json()
    assert doc.signals["incident"].label is not None, doc.signals["incident"].as_json()


@pytest.mark.parametrize("text", ATTACK_REPORTS, ids=["ru", "kk", "en"])
def test_factual_reports_of_an_attack_are_tense_incidents_not_hate(analyse: Pipeline, text: str) -> None:
    doc = run(analyse, text)
    assert (doc.signals["tension"].score or 0.0) >= 0.6, doc.signals["tension"].as_json()
    assert doc.signals["incident"].label is not None, doc.signals["incident"].as_json()
    assert (doc.signals["hate"].score or 0.0) < 0.3, doc.signals["hate"].as_json()


@pytest.mark.parametrize("text", CALM, ids=["ru-festival", "ru-elders", "kk-assembly", "kk-elders",
                                             "en-anniversary", "kk-nauryz"])
def test_reconciliation_festivals_assembly_and_anniversaries_are_calm(analyse: Pipeline, text: str) -> None:
    doc = run(analyse, text)
    assert (doc.signals["tension"].score or 0.0) < 0.2, doc.signals["tension"].as_json()
    assert (doc.signals["hate"].score or 0.0) < 0.3


@pytest.mark.parametrize("text", HATE, ids=["ru", "kk", "en"])
def test_slurs_and_calls_against_a_group_are_hate(analyse: Pipeline, text: str) -> None:
    doc = run(analyse, text)
    assert (doc.signals["hate"].score or 0.0) >= 0.8, doc.signals["hate"].as_json()
    assert (doc.signals["tension"].score or 0.0) >= 0.7


ISSUE_12_HATE = [
    "Понаехали, тараканы, скоро нас из собственных домов выгонят.",
    "Х0хлы и ч*рки пусть валят в свою страну, житья от них нет.",
    "Руснявые опять всё испортили, гнать их надо.",
    "Бұл шала қазақтардың бәрі мәңгүрт, елден кетсін.",
]
ISSUE_12_REPORTS = [
    "Полиция задержала мужчину, который написал на стене дома «хохлы, вон отсюда»; возбуждено "
    "уголовное дело.",
    "Кеше түнде ауылда екі топ арасында төбелес болып, үш адам ауруханаға түсті, полиция "
    "тергеу бастады.",
]


@pytest.mark.parametrize("text", ISSUE_12_HATE, ids=["ru-newcomers", "ru-masked", "ru-slur", "kk"])
def test_slurs_in_any_form_and_calls_are_hate(analyse: Pipeline, text: str) -> None:
    doc = run(analyse, text)
    assert (doc.signals["hate"].score or 0.0) >= 0.8, doc.signals["hate"].as_json()
    assert (doc.signals["tension"].score or 0.0) >= 0.7


@pytest.mark.parametrize("text", ISSUE_12_REPORTS, ids=["ru-quoted-slur", "kk-brawl"])
def test_a_factual_report_of_an_attack_or_slur_is_not_hate(analyse: Pipeline, text: str) -> None:
    assert (run(analyse, text).signals["hate"].score or 0.0) < 0.3


@pytest.mark.parametrize("text", [
    "", "   \n ", "😀🔥🇰🇿" * 50,
    "Кордай kordai Қордай ҚОРДАЙ!!! 你好 مرحبا ethnic clash төбелес драка",
], ids=["empty", "blank", "emoji", "mixed-scripts"])
def test_bad_input_gets_a_defined_score(analyse: Pipeline, text: str) -> None:
    assert_defined(run(analyse, text))


@pytest.mark.slow
def test_a_megabyte_of_one_word_gets_a_defined_score(analyse: Pipeline) -> None:
    doc = run(analyse, "слово " * 170_000)
    assert_defined(doc)
    assert (doc.signals["tension"].score or 0.0) < 0.2


def assert_defined(doc: Document) -> None:
    for name in ("tension", "hate"):
        score = doc.signals[name].score
        assert score is not None and 0.0 <= score <= 1.0, name
    assert doc.signals["incident"].label is None or doc.signals["incident"].score is not None


def test_components_explain_the_score_with_evidence(analyse: Pipeline) -> None:
    doc = run(analyse, RUMOURS[0])
    signal = doc.signals["tension"]
    assert set(signal.labels) <= {*COMPONENTS, "lexical", "peaceful_lead"}
    assert {"tension.rumour", "tension.ethnic_frame"} <= set(signal.reasons)
    for evidence in signal.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text
        assert evidence.reason.startswith("tension.")
    cited = {e.text.lower() for e in signal.evidence if e.reason == "tension.rumour"}
    assert "срочно" in cited


def test_the_calibration_maps_raw_scores_monotonically() -> None:
    model = load_tension_model()
    scores = [model.calibration(p / 20) for p in range(21)]
    assert scores == sorted(scores)
    isotonic = Calibration("isotonic", points_x=(0.1, 0.5, 0.9), points_y=(0.0, 0.4, 1.0))
    assert isotonic(0.0) == 0.0 and isotonic(0.3) == pytest.approx(0.2) and isotonic(1.0) == 1.0


def test_a_model_without_weights_gives_its_bias() -> None:
    model = CalibratedLogistic(("rumour", "ethnic*violence"), (0.0, 0.0), 0.0)
    stage = TensionStage(model, load_cue_lexicon())
    assert stage.score(Document(id="x", text="СРОЧНО! межнациональная бойня")).score == 0.5


def test_demo_cases(analyse: Pipeline) -> None:
    """The Кордай rumour post is tense with an incident; the food festival and the elders'
    reconciliation meeting are calm."""
    records = {}
    for name, field in (("posts.jsonl", "message"), ("news.jsonl", "text")):
        for line in resources.files("birlik.demo").joinpath(name).read_text("utf-8").splitlines():
            record = json.loads(line)
            records[record["id"]] = (record.get("title"), record[field])
    ids = ["demo-post-020", "demo-news-014", "demo-news-040"]
    docs = analyse([Document(id=i, title=records[i][0], text=records[i][1]) for i in ids])
    rumour, festival, elders = (doc.signals for doc in docs)
    assert (rumour["tension"].score or 0.0) >= 0.7 and rumour["incident"].label is not None
    assert (festival["tension"].score or 0.0) < 0.2 and (festival["hate"].score or 0.0) < 0.2
    assert (elders["tension"].score or 0.0) < 0.2


def test_the_shipped_pipeline_uses_the_learned_hate_and_incident_layers(analyse: Pipeline) -> None:
    hate = next(s for s in analyse.stages if isinstance(s, HateStage))
    incident = next(s for s in analyse.stages if isinstance(s, IncidentStage))
    assert hate.learned is not None and hate.learned.lexical
    assert incident.classifier is not None and "none" in incident.classifier.classes


def test_a_linear_classifier_adds_features_and_stems_per_class(tmp_path: Path) -> None:
    model = LinearClassifier(("none", "killing"), ("score.killing",), ((0.0,), (2.0,)), (1.0, -1.0),
                             {"убит": (0.0, 3.0)})
    calm = model.probabilities({"score.killing": 0.0})
    assert calm["none"] > 0.8 and sum(calm.values()) == pytest.approx(1.0)
    assert model.probabilities({"score.killing": 1.0}, {"убит"})["killing"] > 0.9
    model.save(tmp_path / "m.json")
    assert load_classifier(tmp_path / "m.json") == model
    broken = model.as_json() | {"bias": [1.0]}
    (tmp_path / "bad.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ConfigError, match="R242"):
        load_classifier(tmp_path / "bad.json")
