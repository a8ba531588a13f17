"""Coverage of the ethnic-group lexicon against ``../shared/datasets/kz_ethnic_groups``.

Usage: ``python scripts/check_ethnic_lexicon.py [DATASET_DIR] [--misses N]``

1. Groups of ``kz_ethnic_groups_reported.csv``: a group is covered when one of its kk, ru or
   en names, tagged alone, gives an ``ETHNIC_GROUP`` mention.
2. Surface forms of ``derived_kaznerd_NORP_surface_forms.tsv`` (kk) and
   ``derived_nerel_NATIONALITY_surface_forms.tsv`` (ru): recall by form and weighted by count,
   over all forms and over the forms left after a rough filter of what is not ethnicity in
   Birlik's sense (citizenship, country and city demonyms, religions, civic identity).
   Forms are tagged alone, so ambiguous forms (kk "қытай") count as missed.
Exit status 1 when a reported group is not covered.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.ethnic import EthnicStage
from birlik.resources.ethnic import load_ethnic_groups

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "kz_ethnic_groups"
SURFACE_FILES: dict[str, str] = {
    "kk": "derived_kaznerd_NORP_surface_forms.tsv",
    "ru": "derived_nerel_NATIONALITY_surface_forms.tsv",
}
NOT_ETHNIC = re.compile(
    r"(гражд|россия|российск|россиян|американ|америка|советск|кеңес|казахстанск|қазақстандық"
    r"|мұсылман|ислам|христиан|православ|копт|демократ|европ|еуроп|азия|атлантик|израил"
    r"|(лық|лік|дық|дік|тық|тік)(тар|тер)?(дың|дің|ға|ге|қа|ке|ды|ді|ты|ті|да|де|ның|нің|мын|пын)?$"
    r"|ов$|ев$|ин$|іліктер|дағы|гілер|агенттік|комитет|москвич|южно|латино|пуэрто)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Recall:
    forms: int
    hit_forms: int
    mentions: int
    hit_mentions: int

    def line(self, label: str) -> str:
        return (f"{label}: {self.hit_forms}/{self.forms} forms "
                f"({pct(self.hit_forms, self.forms)}), {self.hit_mentions}/{self.mentions} "
                f"mentions ({pct(self.hit_mentions, self.mentions)})")


class Tagger:
    def __init__(self) -> None:
        self._stages = (NormaliseStage(), SegmentStage(), EthnicStage(load_ethnic_groups()))

    def ids(self, text: str, lang: str | None = None) -> set[str]:
        doc = Document(id="check", text=text, lang=lang)
        for stage in self._stages:
            stage([doc])
        return {mention.id for mention in doc.entities if mention.id is not None}


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def check_groups(path: Path, tagger: Tagger) -> list[str]:
    missing: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        names = [(n.strip(), lang) for lang in ("kk", "ru", "en")
                 for n in row[f"name_{lang}"].split("/") if n.strip()]
        found = set().union(*(tagger.ids(name, lang) for name, lang in names))
        status = ", ".join(sorted(found)) if found else "MISSING"
        print(f"  {row['name_en']:<22} {status}")
        if not found:
            missing.append(row["name_en"])
    print(f"groups covered: {len(rows) - len(missing)}/{len(rows)}")
    return missing


def read_forms(path: Path) -> list[tuple[str, int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["surface_form"], int(row["count_total"])) for row in rows]


def recall(forms: list[tuple[str, int]], hits: set[str]) -> Recall:
    return Recall(
        forms=len(forms),
        hit_forms=sum(1 for form, _ in forms if form in hits),
        mentions=sum(count for _, count in forms),
        hit_mentions=sum(count for form, count in forms if form in hits),
    )


def check_surface_forms(path: Path, lang: str, tagger: Tagger, misses: int) -> None:
    forms = read_forms(path)
    hits = {form for form, _ in forms if tagger.ids(form, lang)}
    in_scope = [(form, count) for form, count in forms if not NOT_ETHNIC.search(form)]
    print(f"{path.name}")
    print("  " + recall(forms, hits).line("all forms"))
    print("  " + recall(in_scope, hits).line("ethnic scope (heuristic)"))
    missed = [(form, count) for form, count in in_scope if form not in hits][:misses]
    if missed:
        print("  missed in scope: " + ", ".join(f"{form} ({count})" for form, count in missed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("dataset_dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--misses", type=int, default=40, help="missed forms to list per file")
    args = parser.parse_args(argv)
    if not args.dataset_dir.is_dir():
        print(f"[R120] no dataset directory {args.dataset_dir} — pass its path", file=sys.stderr)
        return 2
    tagger = Tagger()
    print(f"lexicon: {len(load_ethnic_groups())} groups")
    missing = check_groups(args.dataset_dir / "kz_ethnic_groups_reported.csv", tagger)
    for lang, name in SURFACE_FILES.items():
        check_surface_forms(args.dataset_dir / name, lang, tagger, args.misses)
    if missing:
        print(f"missing reported groups: {', '.join(missing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
