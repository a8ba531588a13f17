"""JSON from untrusted input: a nesting cap and text that can always be written out again.

``json.loads`` recurses once per level: 5,000 nested brackets raise ``RecursionError``, and a
few hundred leave too little stack for whatever walks the object next. ``loads_bounded``
turns both into ``BadInput`` ``I030``, so one hostile line is quarantined and its file goes on.
A ``\\ud800`` escape decodes to a lone surrogate that no UTF-8 writer accepts: each one
becomes U+FFFD (same length, so offsets into the text stay right).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from birlik.domain import codes
from birlik.domain.errors import BadInput

DEFAULT_MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def loads_bounded(data: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH, where: str = "the line") -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` with ``I030``.

    Raises ``json.JSONDecodeError`` (and ``UnicodeDecodeError`` for bytes) as ``json.loads`` does,
    also for a number of more than 4,300 digits (a bare ``ValueError`` from ``json.loads``).
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise too_deep(where, max_depth) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int() of a number longer than sys.get_int_max_str_digits()
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        raise json.JSONDecodeError(str(exc).split(":")[0], text, 0) from exc
    if depth_exceeds(value, max_depth):
        raise too_deep(where, max_depth)
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    if _SURROGATE_ESCAPE.search(raw):
        value = without_surrogates(value)
    return value


def too_deep(where: str, max_depth: int) -> BadInput:
    return BadInput(
        f"{where} is JSON nested more than {max_depth} levels deep — flatten it, or raise "
        "BIRLIK_MAX_JSON_DEPTH",
        code=codes.I030,
    )


def depth_exceeds(value: Any, max_depth: int) -> bool:
    """Whether objects and arrays nest deeper than ``max_depth`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def without_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    return value


def bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of a binary stream; ``None`` for a line longer than ``limit`` bytes (skipped
    unread, so one huge line costs no memory)."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(1024 * 1024)) and not rest.endswith(b"\n"):
                pass
            yield None
            continue
        yield line
