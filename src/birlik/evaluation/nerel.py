"""Russian entities on the dev split of NEREL v1.1 (Loukachevitch et al. 2021), exact spans.

NEREL is BRAT standoff over Wikinews texts with 29 nested entity types. Gold types map to ours
as in ``NEREL_TYPES``; the others are ignored, and so are the few discontinuous spans. Nested
gold spans of our types are treated like this:

* a span inside another gold span of the *same* mapped type (a STATE_OR_PROVINCE inside a
  LOCATION, a PERSON inside a PERSON) is dropped: only the outermost one counts;
  A PLACE span opening with a lower-case word that holds another PLACE ("центре Москвы",
  "британской столице") is a description: the name inside it counts instead (``outermost``);
* a span inside a span of *another* type stays gold ("России" in ORG "МВД России" is a PLACE),
  because Birlik's output may hold overlapping mentions of different types and such places
  matter for regions; a flat tagger loses recall on them.

Birlik keeps mentions of a language ("на русском языке", "владеет английским") as mentions
of its people, with confidence ``LANGUAGE_CONFIDENCE`` (before "язык") or ``kind`` ``language``
(an adjective standing alone); NEREL annotates these as LANGUAGE, a
type not scored here, so such mentions are left out of ``ETHNIC_GROUP`` (they were counted as
false positives before; see ``predicted_spans``).

Two figures are reported: the default pipeline over ``Document(lang="ru")`` (``PERSON.f1`` …),
and the natasha stage alone after normalisation and segmentation (``natasha.PERSON.f1`` …),
scored on PERSON, ORG and PLACE only, the types natasha has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from birlik.domain.records import Document, Mention
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.evaluation.base import Metrics, PRFByType, register_eval
from birlik.nlp.ethnic import LANGUAGE_CONFIDENCE
from birlik.nlp.ner_ru import NATASHA_TYPES, RussianNer, RussianNerStage

Span = tuple[int, int, str]

SPLIT = "NEREL-v1.1/dev"
NEREL_TYPES: dict[str, str] = {
    "PERSON": "PERSON",
    "ORGANIZATION": "ORG",
    "CITY": "PLACE",
    "COUNTRY": "PLACE",
    "STATE_OR_PROVINCE": "PLACE",
    "DISTRICT": "PLACE",
    "LOCATION": "PLACE",
    "NATIONALITY": "ETHNIC_GROUP",
}
_NATASHA_OWN = frozenset(NATASHA_TYPES.values())

#: The 94 dev documents (``NAME.txt`` + ``NAME.ann``), listed so that their hash pins the floors.
DEV_DOCUMENTS: tuple[str, ...] = (
    '119336_text', '120043_text', '120183_text', '120890_text', '121809_text',
    '1277254_text', '1530089_text', '1535267_text', '1551405_text', '1563347_text',
    '1614272_text', '1628344_text', '1637214_text', '1653218_text', '1690150_text',
    '1718154_text', '1718166_text', '186860_text', '192856_text', '194468_text',
    '197352_text', '200774_text', '2045', '211030_text', '211066_text', '212404_text',
    '212616_text', '212657_text', '213124_text', '213197_text', '213473_text',
    '213551_text', '213769_text', '213805_text', '214962_text', '215419_text',
    '216586_text', '218392_text', '220820_text', '220995_text', '221165_text',
    '221249_text', '221624_text', '221759_text', '222071_text', '223366_text',
    '223562_text', '223960_text', '224797_text', '225191_text', '227164_text',
    '227470_text', '228015_text', '229824_text', '230892_text', '231153_text',
    '231384_text', '231810_text', '270438_text', '304703_text', '315825_text',
    '349503_text', '374242_text', '383551_text', '390215_text', '397331_text',
    '405520_text', '405682_text', '406640_text', '431398_text', '549180_text',
    '587094_text', '597958_text', '598012_text', '598168_text', '598192_text',
    '598195_text', '598266_text', '598378_text', '598551_text', '598801_text',
    '600337_text', '652538_text', '825235_text', '945932_text', 'kuleshov', 'last_15',
    'last_17', 'last_33', 'last_37', 'last_62', 'maykl_dzhekson', 'rosobrnadzor',
    'ryadovoy_chelah',
)
DEV_FILES: tuple[str, ...] = tuple(
    f"{SPLIT}/{name}{suffix}" for name in DEV_DOCUMENTS for suffix in (".txt", ".ann")
)


@dataclass(frozen=True, slots=True)
class GoldDocument:
    name: str
    text: str
    spans: frozenset[Span]
    """Gold spans of our four types, nested ones of the same type removed."""

    def document(self) -> Document:
        return Document(id=self.name, text=self.text, lang="ru", langs=["ru"])


def read_dev(dataset_dir: Path) -> list[GoldDocument]:
    return [read_document(dataset_dir / SPLIT, name) for name in DEV_DOCUMENTS]


def read_document(folder: Path, name: str) -> GoldDocument:
    # newline="" keeps the text byte-for-byte, as BRAT offsets count it
    with (folder / f"{name}.txt").open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    annotation = (folder / f"{name}.ann").read_text(encoding="utf-8")
    return GoldDocument(name, text, frozenset(outermost(parse_entities(annotation), text)))


def parse_entities(annotation: str) -> Iterator[Span]:
    """``T12<TAB>CITY 28 38<TAB>Вашингтоне`` lines of our types; discontinuous spans skipped."""
    for line in annotation.splitlines():
        if not line.startswith("T") or line.count("\t") < 2:
            continue
        entity_type, _, offsets = line.split("\t")[1].partition(" ")
        our_type = NEREL_TYPES.get(entity_type)
        if our_type is None or ";" in offsets:
            continue
        start, end = offsets.split()
        yield int(start), int(end), our_type


def outermost(spans: Iterable[Span], text: str = "") -> set[Span]:
    """Drop spans that lie inside another span of the same type, except inside a description:
    a PLACE span that opens with a lower-case word ("центре Москвы", "британской столице", "под
    Катынью") describes a part of or a spot near the named place inside it; the name is the
    mention (Birlik tags names, not descriptions), so the description goes and the name stays."""
    unique = set(spans)
    described = {span for span in unique if span[2] == "PLACE"
                 and text[span[0]:span[0] + 1].islower() and any(
        _within(other, span) for other in unique if other[2] == span[2])}
    kept = unique - described
    return {span for span in kept
            if not any(_within(span, other) for other in kept if other[2] == span[2])}


def _within(inner: Span, outer: Span) -> bool:
    return inner != outer and outer[0] <= inner[0] and inner[1] <= outer[1]


def predicted_spans(doc: Document, types: frozenset[str] | None = None) -> set[Span]:
    """Mentions of the given types; a language's mention is NEREL's LANGUAGE (not scored)."""
    return {(mention.start, mention.end, mention.type) for mention in doc.entities
            if (types is None or mention.type in types) and not _language(mention)}


def _language(mention: Mention) -> bool:
    return mention.type == "ETHNIC_GROUP" and (
        mention.kind == "language" or mention.confidence <= LANGUAGE_CONFIDENCE)


def score_pipeline(gold: list[GoldDocument]) -> PRFByType:
    from birlik.nlp.factory import default_pipeline
    from birlik.settings import Settings

    pipeline = default_pipeline(Settings(), signals=False)  # entities: no signal stage adds any
    counts = PRFByType()
    types = frozenset(NEREL_TYPES.values())
    for item, doc in zip(gold, pipeline([g.document() for g in gold]), strict=True):
        counts.add(set(item.spans), predicted_spans(doc, types))
    return counts


def score_natasha(gold: list[GoldDocument], model: RussianNer) -> PRFByType:
    """The stage alone; stages are applied in order (the input already carries ``lang``)."""
    docs = [g.document() for g in gold]
    for stage in (NormaliseStage(), SegmentStage(), RussianNerStage(model)):
        docs = stage(docs)
    counts = PRFByType()
    for item, doc in zip(gold, docs, strict=True):
        counts.add({s for s in item.spans if s[2] in _NATASHA_OWN},
                   predicted_spans(doc, _NATASHA_OWN))
    return counts


@register_eval(
    "nerel",
    dataset="nerel_ru",
    files=DEV_FILES,
    description="Russian PERSON/ORG/PLACE/ETHNIC_GROUP on NEREL v1.1 dev (94 news texts), "
    "exact spans; natasha.* is the Russian NER stage alone",
)
def evaluate_nerel(dataset_dir: Path) -> Metrics:
    gold = read_dev(dataset_dir)
    metrics = score_pipeline(gold).metrics()
    natasha = score_natasha(gold, RussianNer.load()).metrics()
    metrics.update({f"natasha.{key}": value for key, value in natasha.items()})
    return metrics
