"""Bench corpora (deterministic for a given seed).

``worst``: a generated kk/ru corpus of news-length documents, every one naming an ethnic group
(every document is salient: the worst case for the signal stages).
``realistic``: real kk/ru/en text from the shared datasets, built at run time (nothing from the
datasets is in the repository): KazNERD windows, VK comments, SIB-200 sentences, seed and demo
texts; only a minority names an ethnic group (the bench reports the share it found).
"""

from __future__ import annotations

import csv
import json
import os
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


def write_jsonl(path: Path, count: int, corpus: str = "worst") -> int:
    size = 0
    with path.open("w", encoding="utf-8") as out:
        for doc in corpus_documents(corpus, count):
            line = json.dumps(doc, ensure_ascii=False) + "\n"
            size += len(line.encode("utf-8"))
            out.write(line)
    return size


# --- the realistic corpus: licensed real text, read at run time, never committed -------------

#: Where the shared datasets are looked for, first match wins (``BIRLIK_DATASETS_DIR`` first).
ROOT = Path(__file__).resolve().parents[1]
DATASET_CANDIDATES = (ROOT.parent / "shared" / "datasets", ROOT.parents[1] / "shared" / "datasets",
                      Path("/work/shared/datasets"))

#: Share of each source in the realistic corpus (the rest of 1.0 is seeds + demo texts).
REALISTIC_MIX = {"kaznerd": 0.37, "vk": 0.30, "sib200": 0.23, "seeds": 0.05, "demo": 0.05}
_NO_SPACE_BEFORE = frozenset(".,!?:;)»%…")
_NO_SPACE_AFTER = frozenset("(«")


class CorpusUnavailable(RuntimeError):
    """The shared datasets the realistic corpus is built from are not on this machine."""


def datasets_dir(explicit: Path | None = None) -> Path:
    """The datasets folder: ``explicit``, else ``BIRLIK_DATASETS_DIR``, else the usual places
    (a folder that was named is the only one tried)."""
    env = os.environ.get("BIRLIK_DATASETS_DIR")
    candidates = [explicit] if explicit else [Path(env)] if env else list(DATASET_CANDIDATES)
    for path in candidates:
        if (path / "kaznerd" / "IOB2_valid.txt").is_file():
            return path
    raise CorpusUnavailable(
        "the realistic corpus is built at run time from the shared datasets (KazNERD, "
        "ru_distorted_toxicity_vk, sib200_kk_ru_en, ../seeds), not found in "
        f"{[str(p) for p in candidates]} — set BIRLIK_DATASETS_DIR or pass "
        "--datasets, or run with --corpus worst"
    )


def _detokenise(tokens: list[str]) -> str:
    out: list[str] = []
    for token in tokens:
        if out and token not in _NO_SPACE_BEFORE and out[-1] not in _NO_SPACE_AFTER:
            out.append(" ")
        out.append(token)
    return "".join(out)


def _kaznerd_sentences(root: Path) -> list[str]:
    sentences: list[str] = []
    tokens: list[str] = []
    for line in (root / "kaznerd" / "IOB2_valid.txt").read_text(encoding="utf-8").splitlines():
        token = line.rsplit(" ", 1)[0] if line.strip() else ""
        if token:
            tokens.append(token)
        elif tokens:
            sentences.append(_detokenise(tokens))
            tokens = []
    if tokens:
        sentences.append(_detokenise(tokens))
    return sentences


def _vk_comments(root: Path) -> list[str]:
    with (root / "ru_distorted_toxicity_vk" / "train.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["comments"].strip() for row in rows if (row.get("comments") or "").strip()]


def _sib_sentences(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang, folder in (("kk", "kaz_Cyrl"), ("ru", "rus_Cyrl"), ("en", "eng_Latn")):
        lines: list[str] = []
        for split in ("train", "dev"):
            path = root / "sib200_kk_ru_en" / folder / f"{split}.tsv"
            with path.open(encoding="utf-8", newline="") as f:
                lines += [row["text"] for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
        out[lang] = lines
    return out


def _seed_paragraphs(root: Path) -> list[list[str]]:
    seeds = root.parent / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))] if seeds.is_dir() else []
    return [[line.strip() for line in text.splitlines() if line.strip()] for text in texts]


def _demo_texts() -> list[tuple[str, str]]:
    demo = ROOT / "src" / "birlik" / "demo"
    out: list[tuple[str, str]] = []
    for name, field in (("news.jsonl", "text"), ("posts.jsonl", "message")):
        for line in (demo / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            out.append((str(record.get("title") or ""), str(record.get(field) or "")))
    return out


def _window(rng: random.Random, items: list[str], low: int, high: int, sep: str = " ") -> str:
    size = min(len(items), rng.randint(low, high))
    start = rng.randrange(0, len(items) - size + 1)
    return sep.join(items[start : start + size])


def realistic_documents(count: int, seed: int = 7, root: Path | None = None) -> Iterator[dict[str, object]]:
    """``count`` documents of real kk/ru/en text in a fixed mix (``REALISTIC_MIX``): KazNERD
    windows of 3-25 consecutive sentences (kk news), VK comments alone or as a short thread
    (ru posts), 1-8 consecutive SIB-200 sentences (kk, ru or en), windows of the seed texts and
    the demo news/posts. Deterministic for a given seed; texts are unique (a repeated draw is
    drawn again). Raises ``CorpusUnavailable`` when the datasets are absent."""
    base = datasets_dir(root)
    kaznerd, vk, sib = _kaznerd_sentences(base), _vk_comments(base), _sib_sentences(base)
    seeds, demo = _seed_paragraphs(base), _demo_texts()
    rng = random.Random(seed)
    kinds = list(REALISTIC_MIX)
    weights = [REALISTIC_MIX[k] if (k != "seeds" or seeds) else 0.0 for k in kinds]
    start = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    singles = list(range(len(vk)))
    rng.shuffle(singles)  # a single comment is drawn without replacement, a thread as a window
    seen: set[str] = set()
    index = 0
    while index < count:
        kind = rng.choices(kinds, weights)[0]
        title = ""
        if kind == "kaznerd":
            text = _window(rng, kaznerd, 3, 25)
            title = text.split(". ", 1)[0][:120]
        elif kind == "vk":
            single = singles and rng.random() < 0.75
            text = vk[singles.pop()] if single else _window(rng, vk, 2, 5, "\n")
        elif kind == "sib200":
            text = _window(rng, sib[rng.choice(["kk", "ru", "en"])], 1, 8)
        elif kind == "seeds":
            text = _window(rng, rng.choice(seeds), 2, 20, "\n")
            title = text.split("\n", 1)[0][:120]
        else:
            title, text = rng.choice(demo)
            if text in seen:  # the demo texts are few: a later draw is a repost with a tag
                text = f"{text} #{rng.choice(['репост', 'жаңалық', 'news', 'новости'])}{index}"
        if not text or text in seen:
            continue
        seen.add(text)
        yield {
            "id": f"real-{index}",
            "title": title,
            "text": text,
            "published_at": (start + timedelta(minutes=7 * index)).isoformat(),
            "source": f"{kind}-{index % 7}",
            "url": f"https://{kind}.example/{index}",
        }
        index += 1


def corpus_documents(kind: str, count: int) -> Iterator[dict[str, object]]:
    """The bench corpora: ``worst`` (generated, every document names a group) or ``realistic``."""
    if kind == "worst":
        return documents(count)
    if kind == "realistic":
        return realistic_documents(count)
    raise ValueError(f"unknown corpus {kind!r}: worst or realistic")


def composition(docs: list[dict[str, object]]) -> dict[str, object]:
    """How many documents of each source, and their sizes in characters."""
    kinds: dict[str, int] = {}
    for doc in docs:
        kind = str(doc["source"]).rsplit("-", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    sizes = sorted(len(str(doc["text"])) for doc in docs)
    return {
        "docs": len(docs),
        "by_source": kinds,
        "chars_median": sizes[len(sizes) // 2] if sizes else 0,
        "chars_p90": sizes[int(len(sizes) * 0.9)] if sizes else 0,
        "chars_max": sizes[-1] if sizes else 0,
        "megabytes": round(sum(len(str(d["text"]).encode()) for d in docs) / 1e6, 2),
    }
