"""Hate (hostility aimed at an ethnic group) at the shipped threshold (score >= 0.5).

``hate.ru_sensitive_racism`` reads the Skoltech appropriateness validation file (CC BY-NC-SA:
evaluation only, never trained on), whose rows carry both the topic flags and an
"inappropriate" score from annotators. What counts as positive:

* ``ru_sensitive_racism.*``: all 8,207 rows; positive = the ethnicity topic (``racism`` = 1)
  AND judged inappropriate (``inappropriate`` >= 0.5): hostile or harmful talk about an ethnic
  group. Negatives include toxic talk about other things and calm talk about ethnicity.
* ``ru_sensitive_racism_topic_only.*``: only the rows on the ethnicity topic; positive =
  inappropriate >= 0.5. This isolates the distinction the signal exists for: a hostile versus a
  calm mention of a group.

Tension is measured on the same rows (evaluation only, never trained on):
``ru_sensitive_racism_topic_only.tension.*`` is tension ≥ 0.5 against "inappropriate" on the
ethnicity topic, and ``ru_sensitive_racism.tension.*`` against the positives above.

The annotation is of appropriateness (reputational harm), not of hate proper, so both figures
have a ceiling well below 1. Also reported: the team-written examples held out from training
(``team_heldout.*``, ``kk_team_heldout.*``: written by the team, not a real corpus) and the
highest hate score over the official seed texts (``seeds.max_hate``, must stay below 0.2).
"""

from __future__ import annotations

import csv
from pathlib import Path

from birlik.domain.records import Document
from birlik.evaluation.base import Metrics, register_eval
from birlik.evaluation.toxicity import prf_at, signal_scores, team_metrics
from birlik.nlp.factory import default_stages
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.hate import HateStage, load_hate_learned, load_hate_lexicon
from birlik.nlp.signals.incident import IncidentStage, load_incident_classifier
from birlik.nlp.signals.tension import TensionStage
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model
from birlik.settings import Settings

SENSITIVE_FILE = "Version1/appropriateness/val.csv"


def hate_pipeline() -> Pipeline:
    return Pipeline([
        *default_stages(Settings(), signals=False),
        ToxicityStage(load_toxicity_model()),
        HateStage(None, load_hate_lexicon(), learned=load_hate_learned()),
        IncidentStage(classifier=load_incident_classifier()),
        TensionStage(),
    ])


def read_sensitive(folder: Path) -> list[tuple[str, bool, bool]]:
    """``(text, on the ethnicity topic, inappropriate)`` per row."""
    with (folder / SENSITIVE_FILE).open(encoding="utf-8", newline="") as handle:
        return [
            (row["text"], float(row["racism"]) >= 0.5, float(row["inappropriate"]) >= 0.5)
            for row in csv.DictReader(handle) if row["text"].strip()
        ]


def seed_texts(datasets_dir: Path) -> list[str]:
    seeds = datasets_dir.parent / "seeds"
    return [path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt"))]


@register_eval(
    "hate.ru_sensitive_racism", dataset="ru_sensitive_topics", files=(SENSITIVE_FILE,),
    description="ethnicity-related hostility (racism topic & inappropriate), team kk/ru/en, seeds",
)
def evaluate_sensitive(folder: Path) -> Metrics:
    pipeline = hate_pipeline()
    rows = read_sensitive(folder)
    docs = pipeline.run_batches(Document(id=str(i), text=text, lang="ru")
                                for i, (text, _, _) in enumerate(rows))
    both = [(d.signals["hate"].score or 0.0, d.signals["tension"].score or 0.0) for d in docs]
    scores, tension = [h for h, _ in both], [t for _, t in both]
    metrics = prf_at([int(topic and bad) for _, topic, bad in rows], scores).metrics(
        "ru_sensitive_racism")
    topical = [(int(bad), score) for (_, topic, bad), score in zip(rows, scores, strict=True)
               if topic]
    metrics.update(prf_at([g for g, _ in topical], [s for _, s in topical]).metrics(
        "ru_sensitive_racism_topic_only"))
    metrics.update(prf_at([int(topic and bad) for _, topic, bad in rows], tension).metrics(
        "ru_sensitive_racism.tension"))
    topical_tension = [t for (_, topic, _), t in zip(rows, tension, strict=True) if topic]
    metrics.update(prf_at([g for g, _ in topical], topical_tension).metrics(
        "ru_sensitive_racism_topic_only.tension"))
    metrics.update(team_metrics(pipeline, "hate", "hate"))
    seeds = seed_texts(folder.parent)
    if seeds:
        metrics["seeds.max_hate"] = round(max(signal_scores(
            pipeline, ((text, None) for text in seeds), "hate")), 4)
    return metrics
