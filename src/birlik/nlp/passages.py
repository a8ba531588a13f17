"""What of a document to embed, and the embedding itself.

``PassageStage`` picks the lead (first one or two sentences) and the few sentences that
name an ethnic group or use incident/conflict vocabulary (kk/ru/en cue stems), within a
character budget. ``EmbedStage`` embeds, per document, the title and those passages as one
text, batched across the documents of the batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from birlik.domain.records import Document, Sentence
from birlik.domain.text import normalise
from birlik.nlp.embed import DEFAULT_MAX_CHARS, Embedder, truncate_text
from birlik.nlp.spans import StartIndex

#: Word-initial stems (matched on the normalised, lower-cased text) of incident, conflict,
#: protest, threat, desecration, discrimination and migration vocabulary.
INCIDENT_CUES: dict[str, tuple[str, ...]] = {
    "kk": (
        "төбелес", "жанжал", "қақтығыс", "шабуыл", "соққыға", "ұрып-соғ", "зорлық", "бұзақы",
        "митинг", "наразылық", "шеру", "ереуіл", "қорқыт", "қоқан-лоқы", "қорлау", "қорлад",
        "қорлап", "қорлық", "кемсіт",
        "араздық", "өшпенділ", "арандат", "ұлтаралық", "этносаралық", "ұлтшыл", "экстремизм",
        "мигрант", "көші-қон", "қоныс аударушы",
    ),
    "ru": (
        "драк", "подрал", "потасовк", "столкновен", "конфликт", "нападен", "напал", "избие",
        "избил", "погром", "беспоряд", "хулиган", "митинг", "протест", "пикет", "забастов",
        "угроз", "угрож", "оскорб", "осквер", "вандал", "дискриминац", "ненавист", "рознь",
        "разжига",
        "межнациональн", "межэтническ", "национализм", "экстремизм", "провокац",
        "мигрант", "миграц", "переселенц",
    ),
    "en": (
        "fight", "brawl", "clash", "attack", "assault", "beating", "riot", "unrest", "hooligan",
        "protest", "rally", "picket", "strike", "threat", "insult", "desecrat", "vandal",
        "discriminat", "hatred", "hate", "ethnic tension", "interethnic", "inter-ethnic",
        "nationalis", "extremis", "provocat", "migrant", "migration",
    ),
}

CUE_PATTERN = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted({re.escape(cue) for cues in INCIDENT_CUES.values() for cue in cues},
                      key=len, reverse=True))
    + ")"
)


class PassageStage:
    """Sets ``doc.passages``: the lead and up to ``max_salient`` sentences that mention an
    ethnic group or carry an incident cue (both first), in text order, within ``max_chars``."""

    name = "passages.v1"
    requires = frozenset({"sentences", "entities"})
    provides = frozenset({"passages"})

    def __init__(
        self, *, lead_sentences: int = 2, lead_chars: int = 400, max_salient: int = 4,
        max_chars: int = 1500,
    ) -> None:
        self.lead_sentences = lead_sentences
        self.lead_chars = lead_chars
        self.max_salient = max_salient
        self.max_chars = max_chars

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.passages = self.choose(doc)
        return docs

    def choose(self, doc: Document) -> list[Sentence]:
        sentences = doc.sentences or _whole_text(doc.text)
        if not sentences:
            return []
        lead = self._lead(sentences)
        budget = self.max_chars - sum(s.end - s.start for s in lead)
        chosen = list(lead)
        for sentence in self._salient(doc, sentences[len(lead):]):
            span = sentence if _length(sentence) <= budget else _clip(doc.text, sentence, budget)
            if span is None:
                continue
            chosen.append(span)
            budget -= _length(span)
        return sorted(chosen, key=lambda s: s.start)

    def _lead(self, sentences: list[Sentence]) -> list[Sentence]:
        lead = [sentences[0]]
        for sentence in sentences[1 : self.lead_sentences]:
            if sentence.end - lead[0].start > self.lead_chars:
                break
            lead.append(sentence)
        return lead

    def _salient(self, doc: Document, sentences: list[Sentence]) -> list[Sentence]:
        ethnic = StartIndex(m for m in doc.entities if m.type == "ETHNIC_GROUP")
        lowered = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        ranked: list[tuple[int, int, Sentence]] = []
        for order, sentence in enumerate(sentences):
            score = 2 * _mentions_in(ethnic, sentence) + _has_cue(lowered, sentence)
            if score:
                ranked.append((-score, order, sentence))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [sentence for _, _, sentence in ranked[: self.max_salient]]


def incident_cues(text: str) -> list[tuple[int, int]]:
    """Spans of incident/conflict cue stems in ``text`` (normalised or raw)."""
    lowered = normalise(text)
    return [match.span() for match in CUE_PATTERN.finditer(lowered)]


def _whole_text(text: str) -> list[Sentence]:
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    return [Sentence(start, end)] if end > start else []


def _length(sentence: Sentence) -> int:
    return sentence.end - sentence.start


def _mentions_in(mentions: StartIndex, sentence: Sentence) -> int:
    return int(bool(mentions.starting_in(sentence.start, sentence.end)))


def _has_cue(lowered: str, sentence: Sentence) -> int:
    return int(CUE_PATTERN.search(lowered, sentence.start, sentence.end) is not None)


def _clip(text: str, sentence: Sentence, budget: int, minimum: int = 100) -> Sentence | None:
    """The start of a too-long sentence, cut at a space, or None if the budget is too small."""
    if budget < minimum:
        return None
    end = sentence.start + budget
    space = text.rfind(" ", sentence.start + budget // 2, end)
    return Sentence(sentence.start, space if space > 0 else end)


def is_salient(doc: Document) -> bool:
    """Worth the embedding model: the document names an ethnic group or uses incident
    vocabulary. Most news is neither and is scored by lexicons and fast models only."""
    if any(m.type == "ETHNIC_GROUP" and m.id is not None for m in doc.entities):
        return True
    return bool(incident_cues(doc.text))


EMBED_MAX_CHARS = 600
"""What the model embeds of a document's passage, at most: about 150 tokens (its cost grows
with the length: 59 texts/s at 200 characters, 26 at 400, 12 at 800 on two cores). 400 was
tried: the two seed reports of one event no longer linked (story_linking_kk_ru seeds)."""


def passage_text(doc: Document, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The one text embedded for ``doc``: title, then the chosen passages (or the text)."""
    parts = [doc.title.strip()] if doc.title and doc.title.strip() else []
    spans = doc.passages or _whole_text(doc.text)
    parts.extend(doc.text[s.start : s.end].strip() for s in spans)
    return truncate_text(" ".join(part for part in parts if part), max_chars)


def model_vector(doc: Document, model: str) -> Any:
    """``doc.embedding`` when the embedder named ``model`` made it (or its maker is not
    recorded), else None: a static vector is no input for a model trained on e5 vectors."""
    if doc.embedding is None or doc.embedding_model not in (None, model):
        return None
    return doc.embedding


class EmbedStage:
    """Sets ``doc.embedding`` and ``doc.embedding_model``: one float32 unit vector (dim,) per
    document, made once — by ``embedder`` for the documents ``select`` accepts and by
    ``fallback`` (the static table distilled from the same e5) for the others; None when the
    document has neither text nor title. No later stage, nor the story linker, embeds the
    document with the model again: they read this vector."""

    name = "embed.v2"
    requires = frozenset({"passages"})
    provides = frozenset({"embedding"})

    def __init__(
        self, embedder: Embedder, *, max_chars: int = EMBED_MAX_CHARS,
        select: Callable[[Document], bool] | None = None, fallback: Embedder | None = None,
    ) -> None:
        """``select``: embed only the documents it accepts with ``embedder`` (e.g.
        ``is_salient``; the model costs tens of milliseconds per text); the others get the
        ``fallback`` vector (microseconds), or None without a fallback."""
        self.embedder = embedder
        self.max_chars = max_chars
        self.select = select
        self.fallback = fallback

    def __call__(self, docs: list[Document]) -> list[Document]:
        texts = [passage_text(doc, self.max_chars) for doc in docs]
        chosen = [self.select is None or self.select(doc) for doc in docs]
        for doc in docs:
            doc.embedding, doc.embedding_model = None, None
        self._fill(docs, [r for r, text in enumerate(texts) if text and chosen[r]], texts, self.embedder)
        if self.fallback is not None:
            rest = [r for r, text in enumerate(texts) if text and not chosen[r]]
            self._fill(docs, rest, texts, self.fallback)
        return docs

    @staticmethod
    def _fill(docs: list[Document], rows: list[int], texts: list[str], embedder: Embedder) -> None:
        if not rows:
            return
        vectors = embedder.embed([texts[row] for row in rows], "passage")
        for index, row in enumerate(rows):
            docs[row].embedding = np.ascontiguousarray(vectors[index], dtype=np.float32)
            docs[row].embedding_model = embedder.name
