"""Build the Kazakh word-form frequency list ``birlik/resources/data/kk_wordfreq.tsv``.

Usage: ``python scripts/build_kk_wordlist.py [--datasets ../shared/datasets] [--out TSV]
[--min-freq 2]``

Sources (both CC BY 4.0, attribution in ``kk_wordfreq.md``):
- KazNERD ``kaznerd/IOB2_valid.txt`` (Yeshpanov, Khassanov, Varol, LREC 2022): news and
  television text, one token per line; only the tokens are read, never the NER tags.
- KazSAnDRA ``kazsandra/*.zip`` (Yeshpanov, Varol, 2024): app/book/map/market reviews; the
  ``text`` column, tokenised with the project's tokenizer; a review repeated across the
  zipped files is counted once (keyed by ``custom_id``).

A word is lower-cased (``ё`` → ``е``) and kept when it is written in Cyrillic letters only
(no digits, Latin or hyphens) and contains a vowel. Russian words in code-switched reviews
are kept too: the lemmatiser only asks about stems it has cut from a Kazakh word. The output
is one ``word<TAB>count`` line per word with count >= ``--min-freq``, most frequent first,
ties in alphabetical order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from birlik.domain.text import normalise, tokenize

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
DEFAULT_OUT = ROOT / "src" / "birlik" / "resources" / "data" / "kk_wordfreq.tsv"
KAZNERD_FILE = Path("kaznerd") / "IOB2_valid.txt"
KAZSANDRA_FILES = ("03_pc_train_rus.zip", "04_pc_valid.zip", "08_sc_train_rus.zip",
                   "09_sc_valid.zip")
WORD_RE = re.compile(r"[а-яәғқңөұүһіё]*[аәеиоөуұүыіэюяё][а-яәғқңөұүһіё]*")

csv.field_size_limit(10_000_000)


def clean_word(token: str) -> str | None:
    word = token.lower().replace("ё", "е")
    return word if WORD_RE.fullmatch(word) else None


def kaznerd_tokens(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            token = line.split(" ", 1)[0].strip()
            if token:
                yield token


def kazsandra_texts(folder: Path) -> Iterator[str]:
    seen: set[str] = set()
    for name in KAZSANDRA_FILES:
        with zipfile.ZipFile(folder / name) as archive, archive.open(archive.namelist()[0]) as raw:
            for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")):
                key = row["custom_id"] or row["text"]
                if key not in seen:
                    seen.add(key)
                    yield row["text"]


def kazsandra_tokens(folder: Path) -> Iterator[str]:
    for text in kazsandra_texts(folder):
        norm = normalise(text)
        for token in tokenize(norm):
            yield norm[token.start:token.end]


def count_words(tokens: Iterator[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for token in tokens:
        word = clean_word(token)
        if word is not None:
            counts[word] += 1
    return counts


def write_tsv(counts: Counter[str], out: Path, min_freq: int) -> int:
    rows = sorted(((w, c) for w, c in counts.items() if c >= min_freq), key=lambda r: (-r[1], r[0]))
    out.write_text("".join(f"{word}\t{count}\n" for word, count in rows), encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--min-freq", type=int, default=2)
    args = parser.parse_args(argv)
    news = count_words(kaznerd_tokens(args.datasets / KAZNERD_FILE))
    reviews = count_words(kazsandra_tokens(args.datasets / "kazsandra"))
    kept = write_tsv(news + reviews, args.out, args.min_freq)
    print(f"KazNERD: {sum(news.values())} words, {len(news)} forms; KazSAnDRA: "
          f"{sum(reviews.values())} words, {len(reviews)} forms; wrote {kept} forms "
          f"(count >= {args.min_freq}) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
