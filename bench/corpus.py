"""A generated kk/ru corpus of news-length documents for benchmarks (deterministic)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

PLACES_KK = [
    "Алматы облысының",
    "Жамбыл облысында",
    "Шымкент қаласында",
    "Астанада",
    "Түркістан облысы",
    "Қордай ауданында",
    "Павлодарда",
    "Семейде",
    "Ақтөбе облысының",
    "Жетісу облысында",
]
PLACES_RU = [
    "в Алматинской области",
    "в Жамбылской области",
    "в Шымкенте",
    "в Астане",
    "Туркестанской области",
    "в Кордайском районе",
    "в Павлодаре",
    "в Семее",
    "Актюбинской области",
    "в области Жетісу",
]
GROUPS_KK = ["ұйғырлар", "өзбектердің", "корейлер", "немістер", "татарлардың", "дүнгендер", "орыстар"]
GROUPS_RU = ["уйгуры", "узбеков", "корейцы", "немцев", "татарская", "дунганской", "русские"]
KK = [
    "{place} этномәдени бірлестіктердің кезекті жиыны өтті.",
    "Жиынға {group} өкілдері мен жергілікті тұрғындар қатысты.",
    "Қазақстан халқы Ассамблеясының өкілдері {n} іс-шара өткізілгенін атап өтті.",
    "Достық үйінде мемлекеттік тілді оқыту курстары жалғасуда.",
    "Медиация кеңесі {place} тұрғындардың өтініштерін қарады.",
    "Мерекеге {n} адам жиналып, ұлттық тағамдар көрмесі ұйымдастырылды.",
    "Жастар арасында әлеуметтік желілердегі арандатушылыққа қарсы тренинг өтті.",
]
RU = [
    "{place} прошло заседание малой ассамблеи.",
    "В мероприятии приняли участие {group} и представители этнокультурных объединений.",
    "По данным организаторов, за год проведено более {n} мероприятий.",
    "В Доме дружбы продолжаются бесплатные курсы государственного языка.",
    "Совет медиации {place} рассмотрел обращения жителей.",
    "На праздник собрались {n} человек, была организована выставка национальной кухни.",
    "Полиция сообщила, что конфликт носил бытовой характер и не связан с национальностью.",
]


def documents(count: int, seed: int = 7, sentences: int = 34) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    for index in range(count):
        kazakh = index % 2 == 0
        templates, places, groups = (KK, PLACES_KK, GROUPS_KK) if kazakh else (RU, PLACES_RU, GROUPS_RU)
        body = " ".join(
            rng.choice(templates).format(
                place=rng.choice(places), group=rng.choice(groups), n=rng.randint(5, 5000)
            )
            for _ in range(sentences)
        )
        yield {
            "id": f"bench-{index}",
            "title": body[:80],
            "text": f"{body} [{index}]",
            "lang": "kk" if kazakh else "ru",
            "published_at": (start + timedelta(minutes=7 * index)).isoformat(),
            "source": f"outlet-{index % 25}",
            "url": f"https://outlet-{index % 25}.example/news/{index}",
        }


def write_jsonl(path: Path, count: int) -> int:
    size = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in documents(count):
            line = json.dumps(doc, ensure_ascii=False) + "\n"
            size += len(line.encode("utf-8"))
            out.write(line)
    return size
