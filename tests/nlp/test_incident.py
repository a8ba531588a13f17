"""incident.v2: kk/ru/en texts → incident type (docs/signals.md), None for neutral, official and
preventive texts, rumour_disinformation for refuted reports and spread alarms, and the place of the
event; the seed texts (official, about preventing conflicts) yield no incident."""

from __future__ import annotations

from pathlib import Path

import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.places import PlaceStage
from birlik.nlp.signals.incident import (
    CLEAR_RULE,
    INCIDENT_TYPES,
    IncidentStage,
    load_incident_classifier,
    load_incident_cues,
)
from birlik.resources.gazetteer import load_gazetteer

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), PlaceStage(load_gazetteer()), IncidentStage()])


@pytest.fixture(scope="module")
def learned() -> Pipeline:
    """The incident stage with the shipped learned type classifier (what the app runs)."""
    return Pipeline([NormaliseStage(), SegmentStage(), PlaceStage(load_gazetteer()),
                     IncidentStage(classifier=load_incident_classifier())])


def incident(pipeline: Pipeline, text: str) -> Document:
    return pipeline([Document(id="t", text=text)])[0]


CASES = [
    # ru
    ("В Алматы произошла массовая драка между жителями двух сёл, пострадали пять человек.",
     "mass_disorder"),
    ("Вечером у кафе в Шымкенте подрались несколько молодых людей, одного избили до потери "
     "сознания.", "violence_brawl"),
    ("Полиция задержала подозреваемых в поножовщине у общежития.", "violence_brawl"),
    ("После гибели местного жителя в селе начались беспорядки, были подожжены дома.",
     "mass_disorder"),
    ("Жители вышли на митинг у здания акимата с требованием вернуть воду в посёлок.",
     "protest_rally"),
    ("Женщина пожаловалась на дискриминацию: ей отказали в приёме на работу из-за национальности.",
     "discrimination"),
    ("Неизвестные осквернили православное кладбище в Костанае, повредив десятки надгробий.",
     "arson_vandalism"),
    ("В ночь на субботу в мечети выбили окна и изрисовали стены свастикой.",
     "arson_vandalism"),
    ("Автору поста, в котором содержался призыв к насилию против соседей, предъявлено обвинение.",
     "hate_propaganda"),
    ("Пользователь угрожал в комментариях сжечь дома жителей соседнего села.",
     "hate_propaganda"),
    ("Между трудовыми мигрантами и местными жителями на стройке произошла массовая драка.",
     "mass_disorder"),
    ("В селе был убит местный житель, задержаны двое подозреваемых.", "killing"),
    ("На остановках расклеили листовки с призывами выгнать приезжих.", "hate_propaganda"),
    ("Ночью неизвестные подожгли мечеть на окраине посёлка.", "arson_vandalism"),
    ("СРОЧНО!!! Кордай, сегодня ночью. Снова межнациональная бойня, есть раненые. "
     "Распространите, пока не удалили!!!", "rumour_disinformation"),
    ("Около пятидесяти жителей собрались у здания акимата, требуя отремонтировать дорогу.",
     "protest_rally"),
    # kk
    ("Түркістан облысында екі ауылдың жастары арасында жаппай төбелес болды.", "mass_disorder"),
    ("Кеше кешке дүкен алдында екі жігіт төбелесіп, біреуі ауруханаға жеткізілді.",
     "violence_brawl"),
    ("Тұрғындар ауыз су мәселесіне байланысты әкімдік алдында наразылық акциясын өткізді.",
     "protest_rally"),
    ("Ол ұлтына байланысты жұмысқа қабылдамағанын айтып, кемсітушілік туралы шағым түсірді.",
     "discrimination"),
    ("Белгісіз адамдар ауылдағы мешіттің терезелерін сындырып, қабырғасын бүлдірген.",
     "arson_vandalism"),
    ("Әлеуметтік желіде ұлтаралық араздықты қоздырып, зорлық-зомбылыққа шақырған тұрғын "
     "ұсталды.", "hate_propaganda"),
    ("Қандастар мен жергілікті тұрғындар арасында жер телімі үшін жаппай төбелес болды.",
     "mass_disorder"),
    ("Ауылда жанжал кезінде бір адам өлтірілді.", "killing"),
    ("Шұғыл! Ауылда тағы ұлтаралық төбелес болды деп жатыр, таратыңыздар!",
     "rumour_disinformation"),
    # en
    ("A brawl broke out between two groups of young men outside a cafe in Taraz.",
     "violence_brawl"),
    ("Riots erupted in the village after the funeral, and several houses were set on fire.",
     "mass_disorder"),
    ("Dozens of residents staged a protest outside the regional administration.", "protest_rally"),
    ("A family complained that they were discriminated against by the landlord because of their "
     "ethnicity.", "discrimination"),
    ("Vandals smashed the windows of the Orthodox church and sprayed graffiti on its walls.",
     "arson_vandalism"),
    ("The blogger was charged after a video in which he threatened to kill his neighbours.",
     "hate_propaganda"),
    ("Tension between migrant workers and local residents turned into a brawl at the market.",
     "violence_brawl"),
    ("Two men were killed in the fight outside the village shop.", "killing"),
    ("Leaflets calling to drive out the newcomers were found on the walls of the school.",
     "hate_propaganda"),
    ("The police said the video of an ethnic clash was fake news filmed abroad.",
     "rumour_disinformation"),
]

NO_INCIDENT = [
    # neutral
    "В Астане открылся новый парк, где жители смогут отдыхать вместе с детьми.",
    "Қалада жаңа мектеп ашылды, оған үш жүз оқушы барады.",
    "The regional library opened a new reading room for students.",
    # official, about prevention
    "Ассамблея народа Казахстана проводит работу по профилактике и предупреждению "
    "межэтнических конфликтов.",
    "Этносаралық қақтығыстардың алдын алу бойынша дөңгелек үстел өтті.",
    "The Assembly discussed measures to prevent interethnic clashes and to counter hate speech.",
    "Мемлекеттік саясат кемсітушілікке жол бермеуге бағытталған.",
    # celebration
    "В Таразе прошёл торжественный митинг, посвящённый Дню единства народа Казахстана.",
    # negated
    "Драки не было, участники разошлись мирно.",
    # teaching examples, figurative "fight"
    "На тренинге медиаторы в ролевых играх разбирали жалобу на дискриминацию при приёме на "
    "работу.",
    "The forum discussed the fight against disinformation in ethnic media.",
]


@pytest.mark.parametrize(("text", "expected"), CASES,
                         ids=[f"{label}-{i}" for i, (_, label) in enumerate(CASES)])
def test_incident_type(pipeline: Pipeline, text: str, expected: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label == expected, signal.as_json()
    assert signal.score is not None and signal.score >= 0.5
    assert any(e.reason.startswith(f"incident.{expected}.") for e in signal.evidence)


@pytest.mark.parametrize("text", NO_INCIDENT, ids=[f"none-{i}" for i in range(len(NO_INCIDENT))])
def test_no_incident(pipeline: Pipeline, text: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label is None, signal.as_json()


REFUTED = [
    "В соцсетях распространили видео о драке на национальной почве. В полиции сообщили, "
    "что информация не подтвердилась, это фейк.",
    "Ауылда төбелес болды деген жалған ақпарат тарады, полиция оны жоққа шығарды.",
    "Reports of a brawl at the market were fake news, the police said; the information was not "
    "confirmed.",
    "В телеграм-каналах распространяют видео, на котором якобы запечатлена массовая драка.",
]


@pytest.mark.parametrize("text", REFUTED, ids=[f"refuted-{i}" for i in range(len(REFUTED))])
def test_refuted_reports_and_rumours_are_rumour_disinformation(pipeline: Pipeline, text: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label == "rumour_disinformation", signal.as_json()


@pytest.mark.parametrize(("text", "place", "kato"), [
    ("Вчера в Кордайском районе произошла массовая драка.", "Кордайском районе", "314800000"),
    ("Кеше Шымкентте екі жігіт төбелесті.", "Шымкентте", "790000000"),
    ("A brawl broke out in Taraz last night.", "Taraz", "311000000"),
])
def test_the_place_of_the_incident(pipeline: Pipeline, text: str, place: str, kato: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    places = [e.text for e in signal.evidence if e.reason == "incident.place"]
    assert places == [place], signal.as_json()
    assert f"incident.place:{kato}" in signal.reasons


def test_refuted_and_domestic_reasons(pipeline: Pipeline) -> None:
    refuted = incident(pipeline, REFUTED[0]).signals["incident"]
    assert "incident.refuted" in refuted.reasons
    domestic = incident(
        pipeline, "В селе произошла драка. В полиции уточнили, что конфликт произошёл на бытовой "
        "почве и не носил межнационального характера.",
    ).signals["incident"]
    assert "incident.domestic" in domestic.reasons
    assert domestic.labels["violence_brawl"] < 0.7


def test_evidence_points_into_the_text(pipeline: Pipeline) -> None:
    doc = incident(pipeline, CASES[0][0])
    for evidence in doc.signals["incident"].evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text


def test_every_type_has_cues() -> None:
    cues = load_incident_cues()
    for incident_type in INCIDENT_TYPES:
        assert cues.cues.get(incident_type) or cues.pairs.get(incident_type), incident_type


def test_signal_json_keeps_null_label(pipeline: Pipeline) -> None:
    out = incident(pipeline, NO_INCIDENT[0]).signals["incident"].as_json()
    assert out["label"] is None


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not present")
def test_seeds_yield_no_incident(pipeline: Pipeline) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        signal = incident(pipeline, path.read_text(encoding="utf-8")).signals["incident"]
        assert signal.label is None, (path.name, signal.labels)


CLEAR_RULE_CASES = [
    # a refusal on grounds of language or ethnicity, told by the person refused: the rules'
    # pair (refusal + language/ethnicity) and the ethnic framing score >= CLEAR_RULE, while the
    # learned layer alone says none
    ("Жұмыс беруші оны ұлтына байланысты жұмысқа алмады.", "discrimination"),
    ("Кассир отказалась отвечать мне по-казахски: «учите русский».", "discrimination"),
    ('A bank clerk refused to serve me in Kazakh and told me to "speak a normal language".',
     "discrimination"),
]


@pytest.mark.parametrize(("text", "expected"), CLEAR_RULE_CASES)
def test_the_learned_layer_does_not_veto_a_clear_rule(
    pipeline: Pipeline, learned: Pipeline, text: str, expected: str
) -> None:
    rule = incident(pipeline, text).signals["incident"]
    assert rule.label == expected and (rule.score or 0.0) >= CLEAR_RULE, rule.as_json()
    signal = incident(learned, text).signals["incident"]
    assert signal.label == expected, signal.as_json()
    assert any(e.reason.startswith(f"incident.{expected}.") for e in signal.evidence)


@pytest.mark.parametrize("text", [
    "Кино соңында басты кейіпкер қаза тапты.",
    "В фильме главный герой погиб в последней серии.",
    "In the novel the hero is killed in the last chapter.",
])
def test_the_learned_layer_still_vetoes_a_lone_cue(
    pipeline: Pipeline, learned: Pipeline, text: str
) -> None:
    """A hero dying in a film or a novel is no event (docs/signals.md): one strong cue (below
    CLEAR_RULE) that the learned layer overrules."""
    rule = incident(pipeline, text).signals["incident"]
    assert rule.label == "killing" and (rule.score or 0.0) < CLEAR_RULE, rule.as_json()
    assert incident(learned, text).signals["incident"].label is None


@pytest.mark.parametrize("text", [
    "Армия перешла в наступление, войска противника отступили, в боях убиты десятки солдат.",
    "Майданда әскерлер зеңбіректен атқылап, ондаған сарбаз қаза тапты.",
    "Troops shelled the border town and the army says dozens of soldiers were killed.",
])
def test_wars_between_states_are_not_incidents(pipeline: Pipeline, text: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label is None, signal.as_json()
    assert "incident.military_context" in signal.reasons
    assert 0 < signal.labels["killing"] < 0.5


def test_a_killing_without_a_war_keeps_its_type(pipeline: Pipeline) -> None:
    signal = incident(pipeline, "В Таразе после драки у кафе убит местный житель.").signals["incident"]
    assert signal.label == "killing"
    assert "incident.military_context" not in signal.reasons


@pytest.mark.parametrize("text", [
    "Апат кезінде жүргізуші қаза тапты.",
    "Известный борец скончался после долгой болезни, погиб не в бою.",
    "Two people were killed in a car crash on the highway.",
])
def test_a_death_by_accident_or_illness_is_not_a_killing(pipeline: Pipeline, text: str) -> None:
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label is None, signal.as_json()
    assert "incident.accident_context" in signal.reasons


def test_a_stabbing_death_stays_a_killing(pipeline: Pipeline) -> None:
    text = "Ауылда жас жігіт пышақ жарақатынан қаза тапты, күдікті ұсталды."
    signal = incident(pipeline, text).signals["incident"]
    assert signal.label == "killing"
    assert "incident.accident_context" not in signal.reasons
