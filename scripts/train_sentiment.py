"""Train sentiment.v1 (resources/models/sentiment_e5_small.npz) and print how well it does.

Data: KazSAnDRA polarity (IS2AI, CC BY 4.0 — attribution in sentiment_e5_small.md), a fixed
random subsample of the balanced training split 03_pc_train_rus (negative / positive), and the
team-written news sentences of resources/data/team_examples_topics.jsonl with their
``sentiment`` field (mostly neutral, kk/ru/en) so that plain news reads as neutral, and the
team-written polar news sentences of TEAM_POLAR below.

Measured: macro F1 over {negative, positive} (the dataset's convention) on 2,000 reviews of the
validation split 04_pc_valid (fixed seed; the same subsample as `birlik eval --only
kazsandra_polarity`), and accuracy per language on CHECKS below, written by the team and never
trained on.

    .venv/bin/python scripts/train_sentiment.py [--datasets ../shared/datasets] [--train-size 2000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path

# small matrices: one BLAS thread is faster than several fighting over shared cores
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from birlik.evaluation.sentiment import (
    EVAL_SEED,
    EVAL_SIZE,
    POLARITY_TRAIN,
    POLARITY_VALID,
    polarity_metrics,
    read_kazsandra,
    subsample,
)
from birlik.evaluation.topics import EmbeddingCache, cached_e5, use_cache_dir
from birlik.nlp.signals.sentiment import DEFAULT_MODEL, SENTIMENTS
from birlik.nlp.signals.topics import LinearModel, fit_linear_model, model_path
from birlik.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEAM_EXAMPLES = ROOT / "src/birlik/resources/data/team_examples_topics.jsonl"
TRAIN_SEED = 7
NEUTRAL_SHARE = 0.25
"""Share of the total training weight given to the (few) neutral examples."""
TEAM_POLAR_SHARE = 0.25
L2 = 1e-2

TEAM_POLAR: list[tuple[str, str, str]] = [
    ("kk", "negative", "Тұрғындар су құбырының үш апта бойы жөнделмегеніне қатты ренжулі."),
    ("kk", "negative", "Ата-аналар мектептегі асханадағы тамақтың сапасына наразы."),
    ("kk", "negative", "Ауруханадағы кезек пен немқұрайлылық науқастардың ашуын келтірді."),
    ("kk", "negative", "Көшедегі қоқыс апталап шығарылмай, иіс бүкіл ауданға тарады."),
    ("kk", "negative", "Жолаушылар автобустардың үнемі кешігетініне шағымданып, шыдамы таусылғанын айтты."),
    ("kk", "negative", "Өкінішке қарай, жоба тағы да сәтсіз аяқталды."),
    ("kk", "positive", "Ауыл тұрғындары жаңа спорт алаңына қуанышты екенін жеткізді."),
    ("kk", "positive", "Мереке өте көңілді өтті, қонақтар ризашылығын білдірді."),
    ("kk", "positive", "Еріктілердің көмегіне қарттар шын жүректен алғыс айтты."),
    ("kk", "positive", "Оқушыларымыз олимпиадада керемет жетістікке жетті, бәріміз мақтан тұтамыз."),
    ("kk", "positive", "Жаңа емхана тамаша жабдықталған, дәрігерлері өте мейірімді."),
    ("kk", "positive", "Фестиваль жоғары деңгейде ұйымдастырылып, барлығына ұнады."),
    ("ru", "negative", "Родители возмущены качеством питания в школьной столовой."),
    ("ru", "negative", "Жители третью неделю сидят без воды и не скрывают своего гнева."),
    ("ru", "negative", "Очереди и равнодушие врачей в поликлинике вывели пациентов из себя."),
    ("ru", "negative", "Мусор не вывозят неделями, весь район страдает от запаха."),
    ("ru", "negative", "Пассажиры жалуются, что автобусы постоянно опаздывают, и терпение на исходе."),
    ("ru", "negative", "К сожалению, проект снова провалился, деньги потрачены впустую."),
    ("ru", "positive", "Жители села радуются новой спортивной площадке."),
    ("ru", "positive", "Праздник прошёл весело, гости благодарили организаторов."),
    ("ru", "positive", "Пожилые люди от души благодарят волонтёров за помощь."),
    ("ru", "positive", "Наши школьники добились отличных результатов на олимпиаде, мы гордимся ими."),
    ("ru", "positive", "Новая поликлиника прекрасно оснащена, врачи очень внимательные."),
    ("ru", "positive", "Фестиваль организовали на высоком уровне, всем очень понравилось."),
    ("en", "negative", "Parents are angry about the quality of food in the school canteen."),
    ("en", "negative", "Residents have been without water for three weeks and are furious."),
    ("en", "negative", "Long queues and indifferent doctors at the clinic infuriated patients."),
    ("en", "negative", "Rubbish has not been collected for weeks and the whole district smells."),
    ("en", "negative", "Passengers complain that buses are always late and say they are fed up."),
    ("en", "negative", "Sadly, the project failed again and the money was wasted."),
    ("en", "positive", "Villagers are delighted with the new sports ground."),
    ("en", "positive", "The celebration was great fun and the guests thanked the organisers."),
    ("en", "positive", "Elderly residents warmly thanked the volunteers for their help."),
    ("en", "positive", "Our pupils achieved excellent results at the olympiad and we are proud of them."),
    ("en", "positive", "The new clinic is superbly equipped and the doctors are very caring."),
    ("en", "positive", "The festival was superbly organised and everyone enjoyed it."),
]
"""News-style polar sentences, so that polarity in news is not read as neutral for its style."""

CHECKS: list[tuple[str, str, str]] = [
    ("kk", "negative", "Бұл қызметке мүлдем көңілім толмады, уақытымды босқа кетірдім."),
    ("kk", "negative", "Ауылдағы жол әлі күнге дейін жөнделмей жатыр, тұрғындар қатты ашулы."),
    ("kk", "negative", "Қосымша үнемі қатып қалады, ештеңе істемейді, өте жаман."),
    ("kk", "negative", "Дәрігерлердің немқұрайлылығы адамдарды ашындырды."),
    ("kk", "neutral", "Әкімдікте аудандағы егін жинау барысы туралы кеңес өтті."),
    ("kk", "neutral", "Ертең облыс орталығында ауа райы бұлтты болады деп күтілуде."),
    ("kk", "neutral", "Мектептерде жаңа оқу жылы бірінші қыркүйекте басталады."),
    ("kk", "neutral", "Комиссия құрамына бес адам енді."),
    ("kk", "positive", "Мерекелік концерт керемет өтті, көрермендер риза болды."),
    ("kk", "positive", "Жаңа аурухананың ашылғанына тұрғындар қатты қуанды."),
    ("kk", "positive", "Тапсырыс тез жетті, сапасы өте жақсы, рахмет!"),
    ("kk", "positive", "Балалар жарыста тамаша нәтиже көрсетіп, жүлделі орындар алды."),
    ("ru", "negative", "Это ужасно: обещали починить крышу ещё весной, но так ничего и не сделали."),
    ("ru", "negative", "Жители возмущены грубостью чиновников и бездействием властей."),
    ("ru", "negative", "Приложение постоянно зависает, пользоваться невозможно."),
    ("ru", "negative", "Ситуация с транспортом в городе становится всё хуже."),
    ("ru", "neutral", "В акимате прошло совещание о ходе отопительного сезона."),
    ("ru", "neutral", "Завтра в столице ожидается переменная облачность."),
    ("ru", "neutral", "Заседание комиссии перенесено на следующую неделю."),
    ("ru", "neutral", "В состав делегации вошли пять человек."),
    ("ru", "positive", "Праздничный концерт прошёл замечательно, зрители остались в восторге."),
    ("ru", "positive", "Жители рады открытию новой школы и благодарят строителей."),
    ("ru", "positive", "Отличный магазин, вежливые продавцы, всё понравилось!"),
    ("ru", "positive", "Наши спортсмены блестяще выступили и завоевали три золотые медали."),
    ("en", "negative", "This is awful: they promised to fix the roof in spring and did nothing."),
    ("en", "negative", "Residents are outraged by the officials' rudeness and inaction."),
    ("en", "negative", "The app keeps crashing and is completely useless."),
    ("en", "negative", "Traffic in the city is getting worse every day."),
    ("en", "neutral", "A meeting on the heating season was held at the akimat."),
    ("en", "neutral", "Partly cloudy weather is expected in the capital tomorrow."),
    ("en", "neutral", "The commission's meeting was moved to next week."),
    ("en", "neutral", "The delegation consisted of five people."),
    ("en", "positive", "The festive concert was wonderful and the audience loved it."),
    ("en", "positive", "Residents are happy about the new school and thank the builders."),
    ("en", "positive", "Great shop, polite staff, I liked everything!"),
    ("en", "positive", "Our athletes performed brilliantly and won three gold medals."),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=Path, default=ROOT.parent / "shared/datasets")
    parser.add_argument("--train-size", type=int, default=2000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    use_cache_dir(Settings().embed_cache)
    embedder = cached_e5()
    folder = args.datasets / "kazsandra"
    reviews = subsample(read_kazsandra(folder, POLARITY_TRAIN), args.train_size, TRAIN_SEED)
    team = [json.loads(line) for line in TEAM_EXAMPLES.read_text(encoding="utf-8").splitlines()]
    texts = ([text for text, _ in reviews] + [row["text"] for row in team]
             + [text for *_, text in TEAM_POLAR])
    targets = np.array([SENTIMENTS.index("positive" if label else "negative") for _, label in reviews]
                       + [SENTIMENTS.index(row["sentiment"]) for row in team]
                       + [SENTIMENTS.index(label) for _, label, _ in TEAM_POLAR])
    model = fit_linear_model(embedder.embed(texts), targets, SENTIMENTS, embedder.name, l2=L2,
                             sample_weight=weights(targets, np.arange(len(texts)) >= len(reviews)))
    model.save(model_path(DEFAULT_MODEL), source="KazSAnDRA 03_pc_train_rus subsample "
               f"({args.train_size}, seed {TRAIN_SEED}) + team examples", l2=str(L2))
    print(f"saved {model_path(DEFAULT_MODEL)} ({len(texts)} examples)")
    measure(model, embedder, folder)


def weights(targets: np.ndarray, from_team: np.ndarray) -> np.ndarray:
    """Neutral gets NEUTRAL_SHARE of the total weight, each polar class half the rest; inside a
    polar class the few team sentences share TEAM_POLAR_SHARE of it (news style, kk/ru/en)."""
    out = np.zeros(len(targets))
    for label in range(len(SENTIMENTS)):
        members = targets == label
        if SENTIMENTS[label] == "neutral":
            out[members] = NEUTRAL_SHARE / max(1, int(members.sum()))
            continue
        total = (1 - NEUTRAL_SHARE) / 2
        for group, share in ((members & from_team, TEAM_POLAR_SHARE),
                             (members & ~from_team, 1 - TEAM_POLAR_SHARE)):
            out[group] = total * share / max(1, int(group.sum()))
    return out


def measure(model: LinearModel, embedder: EmbeddingCache, folder: Path) -> None:
    held_out = subsample(read_kazsandra(folder, POLARITY_VALID), EVAL_SIZE, EVAL_SEED)
    probabilities = model.probabilities(embedder.embed([text for text, _ in held_out]))
    metrics = polarity_metrics(model.labels, probabilities, [label for _, label in held_out])
    print(f"KazSAnDRA 04_pc_valid ({EVAL_SIZE} reviews, seed {EVAL_SEED}): "
          + ", ".join(f"{key} {value:.4f}" for key, value in metrics.items()))
    check = model.probabilities(embedder.embed([text for *_, text in CHECKS])).argmax(axis=1)
    for lang in ("kk", "ru", "en"):
        rows = [i for i, (row_lang, *_) in enumerate(CHECKS) if row_lang == lang]
        right = sum(model.labels[check[i]] == CHECKS[i][1] for i in rows)
        wrong = [(CHECKS[i][1], model.labels[check[i]], CHECKS[i][2][:40]) for i in rows
                 if model.labels[check[i]] != CHECKS[i][1]]
        print(f"team check {lang}: {right}/{len(rows)} right; misses: {wrong}")


if __name__ == "__main__":
    main()
