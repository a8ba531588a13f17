"""Build the candidate pool of the signals gold set, its split, the annotation shards and the
second-pass subset.

Usage: ``python scripts/signals_gold_pool.py [--datasets ../shared/datasets] [--seeds
../shared/seeds] [--work /work/wt/gold-work] [--manifest src/birlik/evaluation/data/...]``

Reads only sources whose licence allows training (see the datasets README): KazNERD
``IOB2_valid.txt`` (kk; single sentences and 3–5-sentence windows), VK distorted toxicity
``train.tsv`` (ru comments), SIB-200 kk/ru/en train+dev, and the official seed texts
(paragraphs). Never ru_sensitive_topics, ru_toxic_2ch_pikabu, paradetox, NEREL or Apertium.

Texts that name ethnic groups (the project's lexicon), violence, conflict, crime, protest,
religion or language are oversampled; a random share of ordinary texts is kept. Everything is
drawn with one fixed seed, so the same inputs give the same pool, split and shards.

Writes:
- the manifest (in the repository; keys only, no text): one JSON line per item
  ``{key, lang, dataset, kind, split, shard, second_pass, cues}``;
- ``<work>/shard-{1..4}.jsonl`` and ``<work>/second-pass.jsonl``: ``{key, lang, text}`` for the
  annotators (outside the repository: they hold dataset text).

KazNERD's sentences are shuffled across articles, so a "window" of neighbouring sentences is
several unrelated sentences; each repeats as a near-duplicate twin (numbers spelled out, then
in digits), so a window takes one sentence of each group of twins and a sentence used once is
never used again.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from birlik.evaluation.kaznerd import read_kaznerd, sentence_groups
from birlik.evaluation.signals_gold import DatasetTexts, seed_paragraphs, tsv_texts
from birlik.resources.ethnic import load_ethnic_groups

SEED = 20260612
SHARDS = 4
SECOND_PASS = 300
SPLIT_SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))
KAZNERD = "kaznerd/IOB2_valid.txt"
VK = "ru_distorted_toxicity_vk/train.tsv"
SIB_DIRS = {"kk": "kaz_Cyrl", "ru": "rus_Cyrl", "en": "eng_Latn"}
SIB_FILES = ("train.tsv", "dev.tsv")

# How many items of each source to draw: (cue-bearing share first, then random ordinary ones).
TARGETS = {
    ("kk", "kaznerd_sentence"): (430, 120),
    ("kk", "kaznerd_window"): (110, 40),
    ("kk", "sib200"): (40, 40),
    ("kk", "seed"): (0, 45),
    ("ru", "vk"): (560, 290),
    ("ru", "sib200"): (70, 80),
    ("ru", "seed"): (0, 25),
    ("en", "sib200"): (120, 110),
}
MIN_SEED_CHARS = 80

# Stems (matched at the start of a word, lower case) of topics the gold set must cover.
CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "kk": {
        "conflict": ("ұлтаралық", "этносаралық", "ұлттық негіз", "ұлттық белгі", "қақтығыс",
                     "жанжал", "араздық", "алауыздық", "кемсіт", "дискримин", "жек көр",
                     "арандат", "сепаратис", "экстремис", "террор", "радикал"),
        "violence": ("төбелес", "ұрып", "соққы", "өлтір", "қаза тап", "мерт бол", "шабуыл",
                     "пышақ", "атыс", "жарақат", "өртеп", "өртед", "қират", "зорлық",
                     "тәртіпсіздік", "кепілге", "жарылыс"),
        "crime": ("қылмыс", "полиция", "ұсталды", "ұстады", "тонау", "ұрлық", "сот ",
                  "сотта", "тергеу", "қамауға", "күдікті", "алаяқ"),
        "protest": ("наразылық", "митинг", "ереуіл", "шеру", "пикет"),
        "war": ("соғыс", "әскер", "қару", "босқын", "оккупац", "шекарада"),
        "religion": ("діни", "дін ", "дінге", "мешіт", "шіркеу", "зират", "мұсылман",
                     "христиан", "намаз", "ораза"),
        "language": ("мемлекеттік тіл", "қазақ тіл", "орыс тіл", "тілін біл", "ана тіл",
                     "тіл саясат", "орысша", "қазақша"),
        "migration": ("қандас", "оралман", "мигрант", "көші-қон", "көшіп кел"),
    },
    "ru": {
        "conflict": ("межнац", "межэтн", "национальн", "этнич", "розн", "ненавист", "конфликт",
                     "вражд", "дискрими", "расис", "нацис", "фашис", "геноцид", "шовинис",
                     "экстрем", "террор", "провокац"),
        "violence": ("драк", "избил", "избив", "нападен", "напал", "убий", "убит", "убил",
                     "погиб", "поджог", "подожг", "погром", "беспоряд", "резн", "стрельб",
                     "расстрел", "мочить", "бить ", "вешать", "сжечь", "уничтож"),
        "crime": ("полици", "задерж", "преступ", "суд ", "суда", "посадил", "арест", "кража",
                  "мент"),
        "protest": ("митинг", "протест", "пикет", "забастов", "акци", "выходить на улиц"),
        "war": ("войн", "воен", "армия", "армии", "оккупац", "бомб", "фронт", "санкци",
                "мобилиз", "беженц", "границ"),
        "religion": ("религ", "мечет", "церк", "кладбищ", "мусульман", "православ",
                     "ислам", "верующ", "христиан", "иудей", "евре", "жид"),
        "language": ("язык", "русскоязыч", "по-русски", "по-казахски", "мова", "мове"),
        "migration": ("мигрант", "приезж", "понаех", "гастарбайт", "депорт", "понаех",
                      "нелегал", "чурк", "хач", "хохл", "москал", "кацап", "русня"),
    },
    "en": {
        "conflict": ("ethnic", "racial", "racis", "discriminat", "hatred", "hate ",
                     "conflict", "tension", "extremis", "terror", "genocide", "minorit",
                     "separatis", "insurgen"),
        "violence": ("clash", "riot", "attack", "killed", "kill", "murder", "violen", "bomb",
                     "shot", "shooting", "wounded", "injured", "arson", "burn", "massacre",
                     "fight", "assault", "hostage"),
        "crime": ("police", "arrest", "crime", "criminal", "court", "prison", "charged",
                  "suspect"),
        "protest": ("protest", "rally", "demonstrat", "strike", "march"),
        "war": ("war ", "wars", "military", "army", "troops", "invasion", "refugee",
                "occupation", "rebel"),
        "religion": ("relig", "mosque", "church", "muslim", "christian", "jewish", "islam",
                     "temple", "cemetery"),
        "language": ("language", "spoken", "dialect"),
        "migration": ("migrant", "immigra", "asylum", "deport"),
    },
}
STRONG = {"conflict", "violence", "protest"}


@dataclass
class Candidate:
    key: str
    lang: str
    dataset: str
    kind: str
    text: str
    cues: list[str] = field(default_factory=list)
    group: str = ""
    """Items of one group (a SIB-200 sentence in three languages) share a split."""

    @property
    def weight(self) -> int:
        """How strongly the item is a candidate for tension ≥ 2 (0 = an ordinary text)."""
        cues = set(self.cues)
        if not cues:
            return 0
        strong = len(cues & STRONG)
        return 1 + strong + (2 if "ethnic" in cues and strong else 0)


class CueFinder:
    def __init__(self) -> None:
        self.topics = {lang: {topic: _stems(stems) for topic, stems in table.items()}
                       for lang, table in CUES.items()}
        self.ethnic = {lang: _ethnic_pattern(lang) for lang in CUES}

    def __call__(self, text: str, lang: str) -> list[str]:
        lowered = " " + text.lower().replace("ё", "е") + " "
        found = [topic for topic, pattern in self.topics[lang].items() if pattern.search(lowered)]
        if self.ethnic[lang].search(lowered):
            found.append("ethnic")
        return sorted(found)


def _stems(stems: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(stem) for stem in stems) + ")")


def _ethnic_pattern(lang: str) -> re.Pattern[str]:
    """Ethnonyms of the project's lexicon (neutral and derogatory), other languages' forms
    included for ru (comments mix scripts rarely, but kk words appear in ru text)."""
    forms: set[str] = set()
    for group in load_ethnic_groups():
        for form in group.forms():
            if form.lang == lang and not form.ambiguous:
                forms.add(form.text.lower().replace("ё", "е"))
    parts = []
    for form in sorted(forms, key=len, reverse=True):
        tail = r"\w*" if len(form) >= 4 else r"(?!\w)"
        parts.append(re.escape(form) + tail)
    civic = r"(?!(?:қазақстан|казахстан|kazakhstan|казакстан|өзбекстан|узбекистан|uzbekistan))"
    return re.compile(r"(?<!\w)" + civic + "(?:" + "|".join(parts) + ")")


def kaznerd_candidates(datasets: Path, texts: DatasetTexts, find: CueFinder,
                       rng: random.Random) -> list[Candidate]:
    """Windows first, around the most cue-bearing sentences and then around random ones; the
    single sentences come from the groups of twins no window used."""
    sentences = read_kaznerd(datasets / KAZNERD)
    index_of = {id(sentence): index for index, sentence in enumerate(sentences)}
    heads = [index_of[id(group[0])] for group in sentence_groups(sentences)]
    singles = [Candidate(f"{KAZNERD}#s{head}", "kk", "kaznerd", "kaznerd_sentence",
                         texts.text(f"{KAZNERD}#s{head}")) for head in heads]
    for single in singles:
        single.cues = find(single.text, "kk")
        single.group = single.key
    with_cues, ordinary = TARGETS[("kk", "kaznerd_window")]
    used: set[int] = set()
    windows: list[Candidate] = []
    for wanted, positions in ((with_cues, _by_weight(singles, rng)),
                              (with_cues + ordinary, rng.sample(range(len(heads)), len(heads)))):
        for position in positions:
            if len(windows) >= wanted:
                break
            size = rng.randint(3, 5)
            start = max(0, min(position - rng.randint(0, size - 1), len(heads) - size))
            span = range(start, start + size)
            if used.intersection(span):
                continue
            used.update(span)
            key = f"{KAZNERD}#s" + ",".join(str(heads[g]) for g in span)
            text = texts.text(key)
            windows.append(Candidate(key, "kk", "kaznerd", "kaznerd_window", text,
                                     find(text, "kk"), group=key))
    return windows + [single for position, single in enumerate(singles) if position not in used]


def _by_weight(candidates: list[Candidate], rng: random.Random) -> list[int]:
    """Positions of the cue-bearing candidates, strongest first, ties in random order."""
    tiebreak = [rng.random() for _ in candidates]
    bearing = [i for i, c in enumerate(candidates) if c.weight > 0]
    return sorted(bearing, key=lambda i: (-candidates[i].weight, tiebreak[i]))


def vk_candidates(datasets: Path, find: CueFinder) -> list[Candidate]:
    rows = tsv_texts(datasets / VK, "comment_id", "comments")
    out = []
    for comment_id, text in rows.items():
        if text.strip():
            key = f"{VK}#id={comment_id}"
            out.append(Candidate(key, "ru", "ru_distorted_toxicity_vk", "vk", text,
                                 find(text, "ru"), group=key))
    return out


def sib_candidates(datasets: Path, find: CueFinder) -> list[Candidate]:
    out = []
    for lang, folder in SIB_DIRS.items():
        for name in SIB_FILES:
            where = f"sib200_kk_ru_en/{folder}/{name}"
            for index_id, text in tsv_texts(datasets / where, "index_id", "text").items():
                out.append(Candidate(f"{where}#id={index_id}", lang, "sib200_kk_ru_en", "sib200",
                                     text, find(text, lang), group=f"sib200#{index_id}"))
    return out


def seed_candidates(seeds: Path, find: CueFinder) -> list[Candidate]:
    out = []
    for path in sorted(seeds.glob("*.txt")):
        for index, paragraph in enumerate(seed_paragraphs(path)):
            if len(paragraph) < MIN_SEED_CHARS:
                continue
            lang = "kk" if re.search("[әғқңөұүһі]", paragraph.lower()) else "ru"
            key = f"seeds/{path.name}#p{index}"
            out.append(Candidate(key, lang, "seeds", "seed", paragraph, find(paragraph, lang),
                                 group=key))
    return out


def draw(candidates: list[Candidate], lang: str, kind: str, rng: random.Random,
         taken_groups: set[str]) -> list[Candidate]:
    """The strongest cue-bearing candidates of one source, then random ones of the rest up to
    the source's total."""
    pool = [c for c in candidates if c.lang == lang and c.kind == kind
            and c.group not in taken_groups]
    with_cues, ordinary = TARGETS[(lang, kind)]
    chosen = [pool[i] for i in _by_weight(pool, rng)[:with_cues]]
    keys = {c.key for c in chosen}
    rest = [c for c in pool if c.key not in keys]
    wanted = with_cues + ordinary - len(chosen)
    chosen += rng.sample(rest, min(wanted, len(rest)))
    taken_groups.update(c.group for c in chosen)
    return chosen


def assign_splits(items: list[Candidate], rng: random.Random) -> dict[str, str]:
    """60/20/20 within each (language, source kind), whole groups at a time."""
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in items:
        if item.group not in strata[(item.lang, item.kind)]:
            strata[(item.lang, item.kind)].append(item.group)
    split_of_group: dict[str, str] = {}
    for stratum in sorted(strata):
        groups = sorted(strata[stratum])
        rng.shuffle(groups)
        bounds, start = [], 0.0
        for name, share in SPLIT_SHARES:
            start += share
            bounds.append((round(start * len(groups)), name))
        for position, group in enumerate(groups):
            split_of_group[group] = next(name for bound, name in bounds if position < bound)
    return {item.key: split_of_group[item.group] for item in items}


def assign_shards(items: list[Candidate], rng: random.Random) -> dict[str, int]:
    """Round-robin within each language over a shuffled order: equal sizes, mixed languages."""
    shard: dict[str, int] = {}
    for lang in ("kk", "ru", "en"):
        keys = sorted(item.key for item in items if item.lang == lang)
        rng.shuffle(keys)
        offset = len(shard)
        for position, key in enumerate(keys):
            shard[key] = (position + offset) % SHARDS + 1
    return shard


def second_pass(items: list[Candidate], rng: random.Random) -> set[str]:
    """300 items: kk 110, ru 140, en 50; 60 % of each from the strongest candidates."""
    chosen: set[str] = set()
    for lang, count in (("kk", 110), ("ru", 140), ("en", 50)):
        mine = [item for item in items if item.lang == lang]
        strong = [mine[i] for i in _by_weight(mine, rng) if mine[i].weight >= 2]
        picked = rng.sample(strong, min(len(strong), round(count * 0.6)))
        keys = {item.key for item in picked}
        rest = [item for item in mine if item.key not in keys]
        picked += rng.sample(rest, count - len(picked))
        chosen.update(item.key for item in picked)
    return chosen


def build(datasets: Path, seeds: Path) -> list[Candidate]:
    rng = random.Random(SEED)
    texts = DatasetTexts(datasets, seeds)
    find = CueFinder()
    candidates = (kaznerd_candidates(datasets, texts, find, rng) + vk_candidates(datasets, find)
                  + sib_candidates(datasets, find) + seed_candidates(seeds, find))
    taken: set[str] = set()
    pool: list[Candidate] = []
    for lang, kind in TARGETS:
        pool += draw(candidates, lang, kind, rng, taken)
    return pool


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--seeds", type=Path, default=Path("../shared/seeds"))
    parser.add_argument("--work", type=Path, default=Path("/work/wt/gold-work"))
    parser.add_argument("--manifest", type=Path,
                        default=Path("src/birlik/evaluation/data/signals_gold_pool.jsonl"))
    args = parser.parse_args(argv)
    pool = build(args.datasets, args.seeds)
    rng = random.Random(SEED + 1)
    splits = assign_splits(pool, rng)
    shards = assign_shards(pool, rng)
    second = second_pass(pool, rng)
    pool.sort(key=lambda item: item.key)
    write_jsonl(args.manifest, [
        {"key": c.key, "lang": c.lang, "dataset": c.dataset, "kind": c.kind,
         "split": splits[c.key], "shard": shards[c.key], "second_pass": c.key in second,
         "cues": c.cues} for c in pool])
    by_shard: dict[int, list[Candidate]] = defaultdict(list)
    for item in pool:
        by_shard[shards[item.key]].append(item)
    for number, items in sorted(by_shard.items()):
        random.Random(SEED + number).shuffle(items)
        write_jsonl(args.work / f"shard-{number}.jsonl",
                    [{"key": c.key, "lang": c.lang, "text": c.text} for c in items])
    second_items = [c for c in pool if c.key in second]
    random.Random(SEED + 99).shuffle(second_items)
    write_jsonl(args.work / "second-pass.jsonl",
                [{"key": c.key, "lang": c.lang, "text": c.text} for c in second_items])
    _summary(pool, splits, shards, second)
    return 0


def _summary(pool: list[Candidate], splits: dict[str, str], shards: dict[str, int],
             second: set[str]) -> None:
    print(f"{len(pool)} items", file=sys.stderr)
    for name, counter in (
        ("lang", Counter(c.lang for c in pool)),
        ("lang/kind", Counter(f"{c.lang}/{c.kind}" for c in pool)),
        ("split", Counter(splits.values())),
        ("shard", Counter(shards.values())),
        ("candidate weight", Counter(c.weight for c in pool)),
        ("second pass lang", Counter(c.lang for c in pool if c.key in second)),
    ):
        print(f"{name}: {dict(sorted(counter.items()))}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
