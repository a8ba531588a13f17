"""Property tests: every connector's parser on arbitrary and mutated bytes (issue 18).

Whatever the bytes, a parser yields items or coded rejections, or refuses the whole source
with a coded ``BadInput`` — never another exception. Few examples each, to stay fast; the
long run is ``make fuzz``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzz_targets

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
SLOW_PARSERS = {"web_page", "files_html", "files_docx", "files_pdf", "rss"}


def mutated(target: str) -> st.SearchStrategy[bytes]:
    """A real sample of the target with a few bytes changed, cut, or hostile text inserted."""
    hostile = st.sampled_from([
        b"[" * 3000, b"{\"a\":" * 300, b"\\ud800", b"\xff\xfe", b"\x00", b"\r\n", b"9" * 5000,
        b"<div>" * 500, b"]]>", b"&#0;", b"\xef\xbb\xbf", "Тараз ".encode() + b"A" * 5000,
    ])

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(fuzz_targets.seeds(target))))
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data)))
            action = draw(st.sampled_from(["flip", "insert", "cut", "hostile"]))
            if action == "flip" and at < len(data):
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif action == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
            elif action == "cut":
                del data[at : at + draw(st.integers(1, 64))]
            else:
                data[at:at] = draw(hostile)
        return bytes(data)

    return build()


@pytest.mark.parametrize("target", sorted(fuzz_targets.TARGETS))
def test_parser_survives_mutated_samples(target: str) -> None:
    run = fuzz_targets.TARGETS[target]

    @(settings(FAST, max_examples=4) if target in SLOW_PARSERS else FAST)
    @given(mutated(target))
    def check(data: bytes) -> None:
        run(data)

    check()


@pytest.mark.parametrize("target", ["analyze_reader", "posts_jsonl", "posts_csv", "telegram", "files_txt"])
@FAST
@given(data=st.binary(max_size=2048))
def test_parser_survives_random_bytes(target: str, data: bytes) -> None:
    fuzz_targets.TARGETS[target](data)


@FAST
@given(st.lists(st.one_of(st.text(max_size=80), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))),
                max_size=8))
def test_analyze_reader_gives_one_result_per_line(lines: list[str]) -> None:
    data = b"\n".join(line.replace("\n", " ").encode("utf-8", "surrogatepass") for line in lines)
    expected = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")  # a byte-order mark starts line 1
    assert fuzz_targets.analyze_reader(data) == sum(1 for line in expected if line.strip())
