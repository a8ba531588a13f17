"""Guard against regular-expression denial of service (issue 18, item 2).

Every compiled pattern of the package — module and class attributes of every module, and
the patterns the default pipeline builds from its lexicons — is run over adversarial text:
long runs of each character class, mixed scripts, repeated words. A pattern whose time grows
faster than linearly with the length of the text fails: a backtracking regex that costs
n² or n³ on a long word stalls ``analyze``, ``ingest`` and every ``monitor`` pass.

Timing cannot be avoided here, so the test is built not to flake: it measures the CPU time
of its own thread (not wall time, which a busy machine inflates), screens at one size,
and only a pattern that is slow there is measured again at 4× the size (best of three); a
linear pattern grows ~4×, a quadratic one ~16×, and the test fails only above 9× *and* above
an absolute floor.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import birlik
from birlik.nlp.pipeline import Pipeline

SCREEN_CHARS = 2000
SCREEN_SECONDS = 0.002
GROWTH = 4
MAX_RATIO = 9.0
FLOOR_SECONDS = 0.02
ABSOLUTE_SECONDS = 1.0

#: Character runs that make backtracking patterns explode: every class of character the
#: patterns of the package look at, alone and mixed.
UNITS: dict[str, str] = {
    "latin": "a", "latin_upper": "A", "cyrillic": "а", "cyrillic_upper": "Б", "kazakh": "ә",
    "digits": "1", "spaces": " ", "newlines": "\n", "space_newline": " \n", "dots": ".",
    "hyphens": "-", "apostrophes": "'", "quotes": '"«', "stars": "*", "at_signs": "@a",
    "punctuation": ".,!?;:-()«»/", "mixed_letters": "аa", "mixed_words": "Алматы Almaty ",
    "latin_words": "word ", "cyrillic_words": "слово ", "hyphenated": "а-", "digit_dots": "1.",
    "digit_commas": "1,", "digit_spaces": "1 ", "emoji": "🙂", "letter_apostrophe": "a'",
    "domain_like": "a.kz/", "tags": "<a ", "alphanumeric": "a1", "cyrillic_digits": "а1",
}

#: Patterns used only anchored (``match`` at a given position or ``fullmatch``): a search
#: over a long run would be quadratic, their use is not. Each is checked anchored instead.
ANCHORED_ONLY: dict[str, str] = {
    "birlik.nlp.ner_ru._FIRST_WORD": "match(text, span.start, span.end)",
    "birlik.nlp.regions._DATELINE_AFTER": "match(text, mention.end)",
    "birlik.nlp.claims._SKIP_AFTER": "match on the tail after a figure",
    "toxicity.v2.model.lexicon.token_patterns": "fullmatch on one token",
    "birlik.nlp.entities._PLACE_HEADS_AFTER": "match(text, quote.end())",
    "birlik.nlp.orgs._RU_REPUBLIC_AFTER": "match(text, end) after an organisation",
    "birlik.nlp.orgs._KK_ASSOCIATION_AFTER": "match(text, end) after a people's name",
    "birlik.nlp.orgs._RU_ASSOCIATION_AFTER": "match(text, end) after a people's name",
    "birlik.nlp.orgs._OF_KAZAKHSTAN": "match(text, end) after an association",
}


@dataclass(frozen=True)
class Found:
    where: str
    pattern: re.Pattern[str] | re.Pattern[bytes]


def adversarial(chars: int) -> Iterator[tuple[str, str]]:
    for name, unit in UNITS.items():
        yield name, (unit * (chars // len(unit) + 1))[:chars]
    yield "long_latin_word_after_cyrillic", "Тараз " + "A" * chars
    yield "long_latin_word_before_cyrillic", "A" * chars + " Тараз"


Collected = dict[tuple[object, int], Found]


def _walk(value: object, where: str, out: Collected, seen: set[int], depth: int) -> None:
    if id(value) in seen or depth > 6 or isinstance(value, str | bytes | int | float | bool | None):
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        out.setdefault((value.pattern, value.flags), Found(where, value))
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, where, out, seen, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _walk(item, where, out, seen, depth + 1)
    elif type(value).__module__.startswith("birlik"):
        fields = dict(vars(value)) if hasattr(value, "__dict__") else {}
        for cls in type(value).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if hasattr(value, slot):
                    fields[slot] = getattr(value, slot)
        for name, item in fields.items():
            _walk(item, f"{where}.{name}", out, seen, depth + 1)


def package_patterns() -> Collected:
    found: Collected = {}
    for info in pkgutil.walk_packages(birlik.__path__, "birlik."):
        if info.name == "birlik.store.migrations.env":
            continue  # runs Alembic on import; it holds no pattern
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                for attribute, item in vars(value).items():
                    _walk(item, f"{info.name}.{name}.{attribute}", found, set(), 0)
            elif not isinstance(value, type):
                _walk(value, f"{info.name}.{name}", found, set(), 0)
    return found


@pytest.fixture(scope="module")
def every_pattern(pipeline: Pipeline) -> list[Found]:
    found = package_patterns()
    for stage in pipeline.stages:
        _walk(stage, stage.name, found, set(), 0)
    return list(found.values())


def _seconds(found: Found, text: str, anchored: bool) -> float:
    pattern = found.pattern
    subject: str | bytes = text.encode() if isinstance(pattern.pattern, bytes) else text
    started = time.thread_time()
    if not anchored:
        for _ in pattern.finditer(subject):  # type: ignore[arg-type]  # str or bytes, as the pattern
            pass
    pattern.match(subject)  # type: ignore[arg-type]
    pattern.fullmatch(subject)  # type: ignore[arg-type]
    return time.thread_time() - started


def _superlinear(found: Found, name: str, anchored: bool, chars: int = SCREEN_CHARS) -> str | None:
    small = dict(adversarial(chars))[name]
    big = dict(adversarial(chars * GROWTH))[name]
    t_small = min(_seconds(found, small, anchored) for _ in range(3))
    t_big = min(_seconds(found, big, anchored) for _ in range(3))
    if t_big > ABSOLUTE_SECONDS or (t_big > FLOOR_SECONDS and t_big > MAX_RATIO * t_small):
        return f"{found.where} on {name}: {t_small:.4f}s at {len(small)} chars, {t_big:.4f}s at {len(big)}"
    return None


def test_collects_the_patterns_of_modules_classes_and_lexicons(every_pattern: list[Found]) -> None:
    places = {found.where for found in every_pattern}
    assert "birlik.domain.text.TOKEN_RE" in places
    assert any(place.startswith("hate.v") for place in places)  # built from the hate lexicon
    assert any(place.startswith("toxicity.v") for place in places)
    assert len(every_pattern) > 150


def test_every_pattern_is_linear_on_adversarial_text(every_pattern: list[Found]) -> None:
    slow: list[str] = []
    inputs = dict(adversarial(SCREEN_CHARS))
    for found in every_pattern:
        anchored = any(found.where.startswith(name) for name in ANCHORED_ONLY)
        for name, text in inputs.items():
            if _seconds(found, text, anchored) < SCREEN_SECONDS:
                continue
            problem = _superlinear(found, name, anchored)
            if problem is not None:
                slow.append(problem)
    assert not slow, "super-linear patterns (ReDoS):\n" + "\n".join(slow)


def test_the_guard_catches_a_backtracking_pattern() -> None:
    """The old line-break pattern of nlp/ner_ru.py: quadratic on a long run of spaces. At the
    screen's size (2,000 → 8,000 characters; about 0.15 s at the larger) the growth stands well
    above the timing floor: at 1,000 → 4,000 it took 0.02–0.04 s, which an idle fast machine
    brought under the floor (the test failed where nothing else ran). Timing is noisy on a shared
    machine, so the growth must show in one of three tries (quadratic: ×16 against ×9 allowed)."""
    old = Found("old _LINE_BREAK", re.compile(r"\s*\n\s*"))
    assert any(_superlinear(old, "spaces", anchored=False) is not None for _ in range(3))
    assert _superlinear(old, "newlines", anchored=False) is None
