"""Compare Birlik's gazetteer with the geokz 2024 administrative division.

Usage: python scripts/check_gazetteer.py [DATASET_DIR]
(default: ../shared/datasets/kz_admin_geokz next to the repository).

Prints codes missing on either side and units whose dataset names are not among our names
(after folding case, Kazakh letters and the Russian adjective/"район" forms). Known errata of
the dataset are listed in DATASET_ERRATA and reported apart. Exit status 1 when a code is
missing.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from birlik.domain.text import fold
from birlik.resources.gazetteer import Gazetteer, Place, load_gazetteer

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "kz_admin_geokz"
ADM1 = "derived_csv/kaz_admbnda_adm1_2024_attributes.csv"
ADM2 = "derived_csv/kaz_admbnda_adm2_2024_attributes.csv"

#: Names in the dataset that are typos or swapped columns, not other names of the unit.
DATASET_ERRATA: dict[tuple[str, str], str] = {
    ("101010000", "en"): "Zharasemey is a typo of Zhanasemey",
    ("590000000", "kk"): "Солтүстiк is written with a Latin i",
    ("791510000", "ru"): "Енбекшинскийский: doubled suffix",
    ("791710000", "ru"): "Каратаускийский: doubled suffix",
    ("113400000", "ru"): "Aршалинский starts with a Latin A",
    ("596600000", "ru"): "Габит Мусрепов: the official Russian name is Габита Мусрепова",
    ("474200000", "kk"): "Қарақиян: the district is Қарақия",
    ("334800000", "kk"): "Сарқант: the district is Сарқан",
}
_SUFFIXES = ("ский", "ская", "ий", "ая", "ый")


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    if not (root / ADM2).exists():
        print(f"[R010] dataset not found under {root} — pass its directory", file=sys.stderr)
        return 2
    gazetteer = load_gazetteer()
    rows = _read(root / ADM1, "ADM1") + _read(root / ADM2, "ADM2")
    missing, extra = _codes(gazetteer, rows)
    mismatched, errata = _names(gazetteer, rows)
    print(f"units in dataset: {len(rows)}; in gazetteer: "
          f"{len(gazetteer.regions())} regions + {len(gazetteer.second_level())} second-level")
    print(f"missing codes: {len(missing)}")
    for code in missing:
        print(f"  missing {code}")
    print(f"codes not in the dataset: {len(extra)}")
    for code in extra:
        print(f"  extra {code}")
    print(f"name mismatches: {len(mismatched)}")
    for line in mismatched:
        print(f"  {line}")
    print(f"known dataset errata: {len(errata)}")
    for line in errata:
        print(f"  {line}")
    return 1 if missing else 0


def _read(path: Path, prefix: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [
            {"kato": row["KATO"], "kk": row[f"{prefix}_KK"], "ru": row[f"{prefix}_RU"],
             "en": row[f"{prefix}_EN"]}
            for row in csv.DictReader(handle)
        ]


def _codes(gazetteer: Gazetteer, rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    theirs = {row["kato"] for row in rows}
    ours = {p.kato for p in gazetteer.regions()} | {p.kato for p in gazetteer.second_level()}
    return sorted(theirs - ours), sorted(ours - theirs)


def _names(gazetteer: Gazetteer, rows: list[dict[str, str]]) -> tuple[list[str], list[str]]:
    mismatched: list[str] = []
    errata: list[str] = []
    for row in rows:
        place = gazetteer.get(row["kato"])
        if place is None:
            continue
        known = {_key(form.text) for form in place.forms}
        for lang in ("kk", "ru", "en"):
            if _key(row[lang]) in known:
                continue
            line = f"{row['kato']} {lang}: dataset {row[lang]!r}, ours {_ours(place, lang)}"
            if (row["kato"], lang) in DATASET_ERRATA:
                errata.append(f"{line} — {DATASET_ERRATA[(row['kato'], lang)]}")
            else:
                mismatched.append(line)
    return mismatched, errata


def _key(name: str) -> str:
    key = fold(name.lower()).replace("(кала)", "").replace("(city)", "").replace("-", " ")
    key = " ".join(key.split())
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 3:
            return key[: -len(suffix)]
    return key


def _ours(place: Place, lang: str) -> str:
    return ", ".join(place.names.get(lang, ())) or "-"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
