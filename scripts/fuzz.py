"""``make fuzz``: a long mutation-fuzzing run of every parser of hostile input (issue 18).

Seeds are real samples (the connector fixtures and the demo corpus, see
``tests/fuzz_targets.py``); each input is a seed mutated a few times: bits flipped, bytes
inserted or cut, lines duplicated or spliced from other seeds, JSON values swapped for odd
types and hostile text (deep nesting, 5,000-digit numbers, lone surrogates, long words of
one script, NUL, stray byte-order marks). Every target checks its parser's contract; any
exception or broken contract is a crash: it is counted once per (target, type, place), its
input saved under ``--out``. ``analyze_full`` also runs the whole analysis pipeline and checks
one output per input line. The run is deterministic for a given ``--seed``.

    python scripts/fuzz.py                      # ≥ 1M inputs, the budgets below
    python scripts/fuzz.py --scale 0.01         # a quick run
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import random
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzz_targets

#: Inputs per target at scale 1 (1,051,000 in all): cheap parsers get the most.
BUDGETS: dict[str, int] = {
    "analyze_reader": 600_000,
    "posts_jsonl": 200_000,
    "posts_csv": 100_000,
    "telegram": 100_000,
    "rss": 20_000,
    "web_page": 8_000,
    "files_txt": 10_000,
    "files_md": 4_000,
    "files_html": 3_000,
    "files_docx": 2_500,
    "files_pdf": 2_500,
    "analyze_full": 1_000,
}
ROUNDS = 100
HOSTILE: list[bytes] = [
    b"[" * 5000, b"{\"a\":" * 2000, b"\\ud800", b"\\udfff\\ud800", b"\xff", b"\xed\xa0\x80", b"\x00",
    b"\r\n", b"\r", b"9" * 5000, b"1e999", b"-0", b"<div>" * 2000, b"<![CDATA[", b"]]>", b"&#0;",
    b"&#x110000;", b"\xef\xbb\xbf", "Тараз ".encode() + b"A" * 5000, b"@a" * 3000, b"." * 5000,
    b" " * 5000, "\U0001f600".encode() * 500, "аa".encode() * 2000, b"\\u0000", b'"',
    b"<?xml version='1.0' encoding='koi8-r'?>", b"<!ENTITY x 'x'>", b"PK\x03\x04", b"%PDF-1.4",
]
ODD_VALUES: list[object] = [
    None, True, 0, -1, 10**30, 1.5e308, "", " ", "\ud800", "\x00", "Тараз " + "A" * 5000, [], {},
    [[[[[]]]]], {"text": {"text": "x"}}, ["Алматы", {"type": "bold", "text": "қала"}],
    "2026-13-45T99:99:99", "31.12.9999", "9" * 40, "1e10", "@" * 200,
]


@dataclass
class Tally:
    inputs: int = 0
    outputs: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    crashes: dict[str, str] = field(default_factory=dict)


class Mutator:
    def __init__(self, seeds: list[bytes], rng: random.Random) -> None:
        self.seeds = seeds
        self.lines = [line for seed in seeds for line in seed.splitlines(keepends=True) if line.strip()]
        self.rng = rng

    def __call__(self, line_based: bool) -> bytes:
        rng = self.rng
        if line_based and self.lines:
            data = bytearray(b"".join(rng.choice(self.lines) for _ in range(rng.randint(1, 3))))
        else:
            data = bytearray(rng.choice(self.seeds))
        for _ in range(rng.randint(1, 5)):
            self._mutate(data)
        return bytes(data)

    def _mutate(self, data: bytearray) -> None:
        rng = self.rng
        at = rng.randint(0, len(data))
        action = rng.random()
        if action < 0.25 and data:
            data[min(at, len(data) - 1)] ^= 1 << rng.randint(0, 7)
        elif action < 0.4:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif action < 0.5:
            del data[at : at + rng.randint(1, 200)]
        elif action < 0.65:
            data[at:at] = rng.choice(HOSTILE)
        elif action < 0.75 and self.lines:
            data[at:at] = rng.choice(self.lines)
        elif action < 0.8 and data:
            start = rng.randint(0, len(data) - 1)
            data[at:at] = data[start : start + rng.randint(1, 4000)]
        else:
            self._mutate_json(data)

    def _mutate_json(self, data: bytearray) -> None:
        """Swap one value of a JSON line for an odd one (keeps the line valid JSON)."""
        lines = bytes(data).split(b"\n")
        index = self.rng.randrange(len(lines))
        try:
            value = json.loads(lines[index])
        except (ValueError, RecursionError):
            return
        if isinstance(value, dict) and value:
            key = self.rng.choice(sorted(value, key=str))
            value[key] = self.rng.choice(ODD_VALUES)
        elif isinstance(value, list) and value:
            value[self.rng.randrange(len(value))] = self.rng.choice(ODD_VALUES)
        else:
            value = self.rng.choice(ODD_VALUES)
        dumped = json.dumps(value, ensure_ascii=self.rng.random() < 0.5)
        lines[index] = dumped.encode("utf-8", "surrogatepass")
        data[:] = b"\n".join(lines)


def analyze_full_target() -> Callable[[bytes], int]:
    """``birlik analyze`` in process: reader, pipeline (batch, then one by one), one output
    per non-blank line."""
    from birlik.cli.analyze import _analyse
    from birlik.domain.errors import BadInput
    from birlik.domain.records import Document
    from birlik.nlp.jsonl import document_to_json, read_documents
    from birlik.runtime import Runtime

    pipeline = Runtime(fuzz_targets.SETTINGS).pipeline()

    def run(data: bytes) -> int:
        parsed = list(read_documents(io.BytesIO(data), max_line_bytes=1 << 20, max_depth=64))
        docs = [item for _, _, item in parsed if isinstance(item, Document)]
        analysed = iter(_analyse(pipeline, docs))
        outputs = 0
        for _, original, item in parsed:
            outcome = next(analysed) if isinstance(item, Document) else item
            if isinstance(outcome, BadInput):
                assert outcome.code != "A008", f"the pipeline failed: {outcome}"
            else:
                json.dumps(document_to_json(outcome, original, with_tokens=True), ensure_ascii=False).encode()
            outputs += 1
        assert next(analysed, None) is None
        return outputs

    return run


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/birlik/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{exc.__class__.__name__} at {Path(frame.filename).name}:{frame.lineno}"


def fuzz(name: str, target: Callable[[bytes], int], count: int, mutate: Mutator, tally: Tally,
         out: Path) -> None:
    """``count`` more inputs of one target, added to its ``tally``."""
    line_based = name in ("analyze_reader", "posts_jsonl", "analyze_full")
    started = time.perf_counter()
    for _ in range(count):
        data = mutate(line_based)
        begun = time.perf_counter()
        try:
            tally.outputs += target(data)
        except Exception as exc:  # every escape is a finding
            key = _where(exc)
            if key not in tally.crashes:
                digest = hashlib.sha1(data).hexdigest()[:12]
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{name}-{digest}.bin").write_bytes(data)
                tally.crashes[key] = f"{str(exc)[:200]!r} (input {name}-{digest}.bin)"
                print(f"  CRASH {name}: {key}: {str(exc)[:200]!r}", flush=True)
        tally.slowest = max(tally.slowest, time.perf_counter() - begun)
        tally.inputs += 1
    tally.seconds += time.perf_counter() - started


def report(tallies: dict[str, Tally], started: float, final: bool) -> None:
    print(f"--- {'final' if final else 'progress'} after {time.perf_counter() - started:.0f} s", flush=True)
    print(f"{'target':16} {'inputs':>9} {'outputs':>9} {'seconds':>8} {'slowest':>8} crashes", flush=True)
    for name, tally in tallies.items():
        print(f"{name:16} {tally.inputs:9d} {tally.outputs:9d} {tally.seconds:8.1f} {tally.slowest:8.3f} "
              f"{len(tally.crashes)}", flush=True)
        for key, detail in tally.crashes.items():
            print(f"    {key}: {detail}", flush=True)
    total = sum(t.inputs for t in tallies.values())
    crashes = sum(len(t.crashes) for t in tallies.values())
    print(f"{'total':16} {total:9d} {'':9} {sum(t.seconds for t in tallies.values()):8.1f} {'':8} {crashes}",
          flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every budget (default 1: ≥ 1M).")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--only", nargs="*", help="Targets to run (default all).")
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"), help="Where crashing inputs go.")
    parser.add_argument("--report-every", type=float, default=300.0, help="Seconds between progress tables.")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # connectors log every rejection: millions of lines
    targets: dict[str, Callable[[bytes], int]] = dict(fuzz_targets.TARGETS)
    names = args.only or list(BUDGETS)
    if "analyze_full" in names:
        targets["analyze_full"] = analyze_full_target()
    rng = random.Random(args.seed)
    budgets = {name: max(1, int(BUDGETS[name] * args.scale)) for name in names}
    mutators = {name: Mutator(fuzz_targets.seeds("analyze_reader" if name == "analyze_full" else name), rng)
                for name in names}
    tallies = {name: Tally() for name in names}
    started = last_report = time.perf_counter()
    # in rounds, a hundredth of every budget each, so that a run stopped early covers every parser
    for round_number in range(ROUNDS):
        for name in names:
            share = budgets[name] * (round_number + 1) // ROUNDS - tallies[name].inputs
            fuzz(name, targets[name], share, mutators[name], tallies[name], args.out)
        if time.perf_counter() - last_report > args.report_every:
            report(tallies, started, final=False)
            last_report = time.perf_counter()
    report(tallies, started, final=True)
    return 1 if any(tally.crashes for tally in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
