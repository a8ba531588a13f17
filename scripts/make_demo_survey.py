"""Write the synthetic demo survey src/birlik/demo/survey_2026.csv (deterministic: same file every run).

Every respondent is invented: a random draw, by region, ethnic group, age and language of interview,
whose answers to two questions are drawn with probabilities chosen to land near the Concept's
2026 targets. The design weights correct a deliberate over-sample of the cities and of the
smaller ethnic groups, so the weighted and unweighted results differ as in a real survey.

    python scripts/make_demo_survey.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20260815
RESPONDENTS = 1200
OUT = Path(__file__).resolve().parents[1] / "src" / "birlik" / "demo" / "survey_2026.csv"

# region KATO → (share of the sample, population weight factor, shift of the answers in points)
REGIONS: dict[str, tuple[float, float, float]] = {
    "100000000": (0.04, 1.0, -2),
    "110000000": (0.05, 1.1, 0),
    "150000000": (0.05, 1.2, 1),
    "190000000": (0.06, 1.7, 0),
    "230000000": (0.04, 1.0, 2),
    "270000000": (0.04, 1.0, -1),
    "310000000": (0.05, 1.1, -4),
    "330000000": (0.04, 1.0, -1),
    "350000000": (0.06, 1.0, 1),
    "390000000": (0.05, 0.9, 0),
    "430000000": (0.04, 1.1, 3),
    "470000000": (0.04, 1.0, -3),
    "550000000": (0.05, 0.8, 1),
    "590000000": (0.04, 0.8, 0),
    "610000000": (0.06, 2.0, 2),
    "620000000": (0.03, 0.5, 0),
    "630000000": (0.05, 0.9, -1),
    "710000000": (0.07, 0.8, 2),
    "750000000": (0.08, 0.9, 1),
    "790000000": (0.06, 0.7, -2),
}
# file code → (ethnic group id, share of the sample, weight factor)
ETHNIC: dict[int, tuple[str, float, float]] = {
    1: ("kazakh", 0.58, 1.2),
    2: ("russian", 0.17, 1.0),
    3: ("uzbek", 0.06, 0.8),
    4: ("ukrainian", 0.04, 0.5),
    5: ("uyghur", 0.05, 0.4),
    6: ("german", 0.03, 0.6),
    7: ("tatar", 0.03, 0.6),
    8: ("korean", 0.02, 0.5),
    9: ("other", 0.02, 0.7),
}
MOOD_SHARE = 0.81  # "good" or "rather good"
TOLERANCE_SHARE = 0.655  # "fully" or "rather" tolerant


def _answer(rng: random.Random, share_positive: float) -> int:
    """1–2 positive, 3–4 negative, 9 hard to say (about 4%)."""
    if rng.random() < 0.04:
        return 9
    if rng.random() < share_positive:
        return 1 if rng.random() < 0.45 else 2
    return 3 if rng.random() < 0.6 else 4


def _respondent(rng: random.Random, number: int) -> dict[str, object]:
    region = rng.choices(list(REGIONS), weights=[r[0] for r in REGIONS.values()])[0]
    _, region_factor, shift = REGIONS[region]
    code = rng.choices(list(ETHNIC), weights=[e[1] for e in ETHNIC.values()])[0]
    group, _, group_factor = ETHNIC[code]
    age = min(85, max(18, int(rng.gauss(43, 15))))
    kazakh_speaker = group == "kazakh" and rng.random() < 0.72
    language = 1 if kazakh_speaker else 2
    weight = round(region_factor * group_factor * rng.uniform(0.7, 1.3), 4)
    youth = 0.02 if age < 30 else 0.0
    return {
        "resp_id": f"S26-{number:05d}",
        "region_kato": region,
        "ethnicity": code,
        "age": age,
        "interview_lang": language,
        "weight": weight,
        "q1_mood": _answer(rng, MOOD_SHARE + shift / 100 + youth),
        "q2_tolerance": _answer(rng, TOLERANCE_SHARE + shift / 100),
    }


def main() -> None:
    rng = random.Random(SEED)
    rows = [_respondent(rng, number) for number in range(1, RESPONDENTS + 1)]
    mean_weight = sum(float(str(r["weight"])) for r in rows) / len(rows)
    for row in rows:  # normalise the weights to a mean of 1
        row["weight"] = round(float(str(row["weight"])) / mean_weight, 4)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} respondents to {OUT}")


if __name__ == "__main__":
    main()
