"""The signals gold set: tension, hate and incident labels keyed to the shared datasets.

The repository stores keys and labels only (``data/signals_gold.jsonl``); the texts stay in
``../shared`` and are rebuilt from each key here. Texts the team wrote itself (hard cases) are
stored with their text in ``data/signals_written.jsonl`` and keyed ``written/<id>``. The
definitions the labels follow are ``docs/signals.md``.

Keys (sentence, line and paragraph numbers are 0-based):

- ``kaznerd/IOB2_valid.txt#s12`` one sentence; ``#s12-15`` a run of sentences; ``#s12,14,16``
  the listed sentences (the corpus repeats most sentences twice in a row, so windows skip the
  twin). Tokens are joined back into text by ``detokenize``; sentences by one space.
- ``ru_distorted_toxicity_vk/train.tsv#id=396`` the comment with that ``comment_id``.
- ``sib200_kk_ru_en/kaz_Cyrl/dev.tsv#id=548`` the sentence with that ``index_id``.
- ``seeds/003_c40e28d594b2cc86.txt#p2`` the third non-empty line of a seed, stripped.
- ``written/kk-0001`` a written case.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError

GOLD_FILE = "signals_gold.jsonl"
SECOND_FILE = "signals_gold_second.jsonl"
WRITTEN_FILE = "signals_written.jsonl"
LANGS = ("kk", "ru", "en")
SPLITS = ("train", "dev", "test")
SOURCES = ("real", "written")
SIGNALS = ("tension", "hate", "incident")
INCIDENT_TYPES: tuple[str, ...] = (
    "violence_brawl", "mass_disorder", "killing", "arson_vandalism", "protest_rally",
    "discrimination", "hate_propaganda", "rumour_disinformation",
)
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}»%…")
_NO_SPACE_AFTER = frozenset("([{«")


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceSpan:
    signal: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldLabel:
    tension: int
    hate: bool
    incident: str | None = None
    incident_place: str | None = None
    incident_time: str | None = None
    evidence: tuple[EvidenceSpan, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldItem:
    key: str
    lang: str
    source: str
    """``real`` (a dataset text) or ``written`` (a hard case written by the team)."""
    split: str
    text: str
    label: GoldLabel


def detokenize(tokens: Iterable[str]) -> str:
    """KazNERD tokens as text: no space before closing punctuation, none after «, ( and an
    opening straight quote."""
    out: list[str] = []
    quote_open = False
    glue = True
    for token in tokens:
        if token == '"':
            if quote_open:
                out.append(token)
                glue = False
            else:
                out.append(token if glue else " " + token)
                glue = True
            quote_open = not quote_open
            continue
        attach = glue or token in _NO_SPACE_BEFORE
        out.append(token if attach else " " + token)
        glue = token in _NO_SPACE_AFTER
    return "".join(out)


class DatasetTexts:
    """Rebuilds the text of a key from the shared datasets (files read once, on demand)."""

    def __init__(self, datasets_dir: Path, seeds_dir: Path | None = None,
                 written: Mapping[str, str] | None = None) -> None:
        self.datasets_dir = datasets_dir
        self.seeds_dir = seeds_dir if seeds_dir is not None else datasets_dir.parent / "seeds"
        self.written = dict(written) if written is not None else None
        self._sentences: dict[str, list[list[str]]] = {}
        self._rows: dict[str, dict[str, str]] = {}
        self._paragraphs: dict[str, list[str]] = {}

    def text(self, key: str) -> str:
        where, _, locator = key.partition("#")
        if where.startswith("written/"):
            return self._written_text(key)
        if not locator:
            raise _bad_key(key, "no '#' locator")
        if where.startswith("kaznerd/"):
            sentences = self._kaznerd(where)
            return " ".join(detokenize(sentences[index]) for index in _sentence_indices(key, locator))
        if where.startswith(("ru_distorted_toxicity_vk/", "sib200_kk_ru_en/")):
            rows = self._tsv(where)
            row_id = locator.removeprefix("id=")
            if row_id not in rows:
                raise _bad_key(key, f"no row with id {row_id}")
            return rows[row_id]
        if where.startswith("seeds/"):
            paragraphs = self._seed(where)
            index = _int(key, locator.removeprefix("p"))
            if index >= len(paragraphs):
                raise _bad_key(key, f"the seed has {len(paragraphs)} paragraphs")
            return paragraphs[index]
        raise _bad_key(key, "unknown source")

    def _written_text(self, key: str) -> str:
        if self.written is None:
            self.written = {item["key"]: item["text"] for item in written_items()}
        if key not in self.written:
            raise _bad_key(key, f"not in {WRITTEN_FILE}")
        return self.written[key]

    def _path(self, where: str) -> Path:
        if where.startswith("seeds/"):
            path = self.seeds_dir / where.removeprefix("seeds/")
        else:
            path = self.datasets_dir / where
        if not path.is_file():
            raise ConfigError(f"{path} is missing — is the shared datasets folder complete "
                              "(BIRLIK_DATASETS_DIR)?", code=codes.V402)
        return path

    def _kaznerd(self, where: str) -> list[list[str]]:
        if where not in self._sentences:
            self._sentences[where] = kaznerd_sentences(self._path(where))
        return self._sentences[where]

    def _tsv(self, where: str) -> dict[str, str]:
        if where not in self._rows:
            vk = where.startswith("ru_distorted")
            self._rows[where] = tsv_texts(self._path(where), "comment_id" if vk else "index_id",
                                          "comments" if vk else "text")
        return self._rows[where]

    def _seed(self, where: str) -> list[str]:
        if where not in self._paragraphs:
            self._paragraphs[where] = seed_paragraphs(self._path(where))
        return self._paragraphs[where]


def kaznerd_sentences(path: Path) -> list[list[str]]:
    """The token lists of a KazNERD IOB2 file (``token TAG`` lines, blank line between)."""
    sentences: list[list[str]] = []
    words: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 2:
                words.append(parts[0])
            elif not parts and words:
                sentences.append(words)
                words = []
    if words:
        sentences.append(words)
    return sentences


def tsv_texts(path: Path, id_column: str, text_column: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[id_column]: row[text_column] for row in csv.DictReader(handle, delimiter="\t")}


def seed_paragraphs(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _sentence_indices(key: str, locator: str) -> list[int]:
    body = locator.removeprefix("s")
    if "-" in body:
        first, last = (_int(key, part) for part in body.split("-", 1))
        return list(range(first, last + 1))
    return [_int(key, part) for part in body.split(",")]


def _int(key: str, value: str) -> int:
    if not value.isdigit():
        raise _bad_key(key, f"{value!r} is not a number")
    return int(value)


def _bad_key(key: str, why: str) -> ConfigError:
    return ConfigError(f"gold key {key!r}: {why} — keys look like "
                       "'kaznerd/IOB2_valid.txt#s12-15' (see signals_gold.py)", code=codes.V401)


def _data_lines(name: str) -> list[dict[str, Any]]:
    resource = resources.files("birlik.evaluation").joinpath("data", name)
    if not resource.is_file():
        return []
    return [json.loads(line) for line in resource.read_text("utf-8").splitlines() if line.strip()]


@cache
def written_items() -> tuple[dict[str, Any], ...]:
    """The written hard cases: ``{key, lang, text, group, tension, hate, incident, …}``."""
    return tuple(_data_lines(WRITTEN_FILE))


def parse_label(record: Mapping[str, Any], text: str) -> GoldLabel:
    """A label record (annotator or repository form) checked against the definitions; the
    evidence is located in ``text`` (recorded offsets if they match, else the first occurrence)."""
    key = str(record.get("key"))
    tension = record.get("tension")
    if tension not in (0, 1, 2, 3) or isinstance(tension, bool):
        raise _bad_label(key, f"tension {tension!r} is not 0-3")
    hate = record.get("hate")
    if not isinstance(hate, bool):
        raise _bad_label(key, f"hate {hate!r} is not true/false")
    incident = record.get("incident") or None
    if incident is not None and incident not in INCIDENT_TYPES:
        raise _bad_label(key, f"incident {incident!r} is not one of {list(INCIDENT_TYPES)}")
    spans = tuple(_span(key, span, text) for span in record.get("evidence") or ())
    return GoldLabel(tension=int(tension), hate=hate, incident=incident,
                     incident_place=record.get("incident_place") or None,
                     incident_time=record.get("incident_time") or None, evidence=spans)


def _span(key: str, span: Mapping[str, Any], text: str) -> EvidenceSpan:
    signal, snippet = span.get("signal"), span.get("text")
    if signal not in SIGNALS or not isinstance(snippet, str) or not snippet:
        raise _bad_label(key, f"evidence {dict(span)!r} needs a text and a signal in {SIGNALS}")
    start = span.get("start")
    if not (isinstance(start, int) and text[start : start + len(snippet)] == snippet):
        start = text.find(snippet)
    if start < 0:
        raise _bad_label(key, f"evidence {snippet!r} is not a substring of the text")
    return EvidenceSpan(signal=signal, start=start, end=start + len(snippet), text=snippet)


def _bad_label(key: str, why: str) -> ConfigError:
    return ConfigError(f"gold label {key}: {why} — see docs/signals.md", code=codes.V403)


def load_gold(datasets_dir: Path, seeds_dir: Path | None = None,
              file_name: str = GOLD_FILE) -> list[GoldItem]:
    """Every labelled item of the gold set with its text rebuilt from its key."""
    texts = DatasetTexts(datasets_dir, seeds_dir)
    items = []
    for record in _data_lines(file_name):
        text = texts.text(record["key"])
        items.append(GoldItem(key=record["key"], lang=record["lang"], source=record["source"],
                              split=record["split"], text=text, label=parse_label(record, text)))
    return items


def cohen_kappa(first: list[Any], second: list[Any],
                weight: Callable[[Any, Any], float] | None = None) -> float:
    """Cohen's κ of two raters' labels; ``weight(a, b)`` is the disagreement weight (0 for
    equal labels; default 1 for any difference). 1.0 when both use one and the same label."""
    if len(first) != len(second) or not first:
        raise ValueError("two equally long, non-empty label lists are needed")
    distance = weight or (lambda a, b: 0.0 if a == b else 1.0)
    categories = sorted(set(first) | set(second), key=repr)
    count = len(first)
    observed = sum(distance(a, b) for a, b in zip(first, second, strict=True)) / count
    share_first = {c: first.count(c) / count for c in categories}
    share_second = {c: second.count(c) / count for c in categories}
    expected = sum(share_first[a] * share_second[b] * distance(a, b)
                   for a in categories for b in categories)
    if math.isclose(expected, 0.0):
        return 1.0 if math.isclose(observed, 0.0) else 0.0
    return 1.0 - observed / expected


def agreement(first: Mapping[str, GoldLabel], second: Mapping[str, GoldLabel]) -> dict[str, float]:
    """Cohen's κ between two annotation passes over the keys both labelled: tension ≥ 2 as a
    binary, the four tension levels with quadratic weights, hate, and the incident type (none
    being one of the categories)."""
    keys = sorted(set(first) & set(second))
    if not keys:
        return {"items": 0.0}
    one, two = [first[k] for k in keys], [second[k] for k in keys]
    return {
        "items": float(len(keys)),
        "tension2.kappa": cohen_kappa([a.tension >= 2 for a in one], [b.tension >= 2 for b in two]),
        "tension.weighted_kappa": cohen_kappa([a.tension for a in one], [b.tension for b in two],
                                              weight=lambda a, b: ((a - b) / 3) ** 2),
        "hate.kappa": cohen_kappa([a.hate for a in one], [b.hate for b in two]),
        "incident.kappa": cohen_kappa([a.incident or "none" for a in one],
                                      [b.incident or "none" for b in two]),
        "tension2.agreement": sum((a.tension >= 2) == (b.tension >= 2)
                                  for a, b in zip(one, two, strict=True)) / len(keys),
    }


def load_agreement(datasets_dir: Path, seeds_dir: Path | None = None) -> dict[str, float]:
    """κ between the gold set and the independent second pass stored beside it."""
    first = {item.key: item.label for item in load_gold(datasets_dir, seeds_dir)}
    second = {item.key: item.label for item in load_gold(datasets_dir, seeds_dir, SECOND_FILE)}
    return agreement(first, second)
