"""The `birlik` command as users run it: a real process, stdout for data, stderr for errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIRLIK = [sys.executable, "-m", "birlik.cli.main"]
COMMANDS = [
    [],
    ["init"],
    ["ingest"],
    ["analyze"],
    ["search"],
    ["stats"],
    ["stages"],
    ["source", "add"],
    ["source", "list"],
    ["quarantine", "list"],
    ["quarantine", "retry"],
    ["eval"],
    ["errors"],
    ["backfill"],
    ["reprocess"],
]


def run(args: list[str], db: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BIRLIK_DATABASE_URL=db or "sqlite:///:memory:")
    return subprocess.run(
        [*BIRLIK, "--quiet", *args], input=stdin, capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "birlik")
def test_every_command_has_help(command: list[str]) -> None:
    result = run([*command, "--help"])
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_analyze_is_jsonl_in_jsonl_out_in_order_with_passthrough() -> None:
    lines = [
        {"id": "a", "text": "Алматыда ұйғыр театры жаңа маусымды ашты.", "custom": {"k": 1}},
        {"id": 7, "text": "В Жамбылской области прошёл фестиваль дунганской культуры."},
        {"id": "c", "text": "Koreans of Kazakhstan celebrated Chuseok in Astana."},
    ]
    result = run(["analyze", "-"], stdin="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7, "c"]
    assert [o["lang"] for o in out] == ["kk", "ru", "en"]
    assert out[0]["custom"] == {"k": 1}
    for original, annotated in zip(lines, out, strict=True):
        for entity in annotated["entities"]:
            assert original["text"][entity["start"] : entity["end"]] == entity["text"]
    assert {"uyghur"} <= {e["id"] for e in out[0]["entities"] if e["type"] == "ETHNIC_GROUP"}
    assert "310000000" in out[1]["regions"]
    assert "710000000" in out[2]["regions"]


def test_analyze_reports_a_bad_line_in_place_and_exits_non_zero() -> None:
    stdin = '{"id": "ok", "text": "Сәлем"}\nnot json\n{"id": "x"}\n'
    result = run(["analyze"], stdin=stdin)
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("error", {}).get("code") for o in out] == [None, "A001", "A003"]
    assert "[A001]" in result.stderr


def test_a_missing_file_is_one_line_error() -> None:
    result = run(["ingest", "/nonexistent/path"], db="sqlite:///:memory:")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "[" in result.stderr


def test_init_ingest_search_stats_quarantine(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run(["init"], db).returncode == 0
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Шымкентте өзбек және қазақ жастарының достық кеші өтті.", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02" * 500)
    ingest = run(["ingest", str(folder)], db)
    assert ingest.returncode == 0, ingest.stderr
    assert "stored 1" in ingest.stdout and "quarantined 1" in ingest.stdout
    hits = run(["search", "Шымкент", "--json", "--ethnic", "uzbek"], db)
    assert [json.loads(line)["lang"] for line in hits.stdout.splitlines()] == ["kk"]
    stats = json.loads(run(["stats", "--json"], db).stdout)
    assert stats["documents"] == 1 and stats["quarantined_open"] == 1
    assert "790000000" in stats["by_region"]
    listed = [json.loads(line) for line in run(["quarantine", "list", "--json"], db).stdout.splitlines()]
    assert listed[0]["code"].startswith("I")
    listing = run(["source", "list", "--json"], db)
    sources = [json.loads(line) for line in listing.stdout.splitlines()]
    assert sources, listing.stderr
    assert sources[0]["documents"] == 1
    # issue 18: exit 0 although every input was quarantined
    only_bad = run(["ingest", str(folder / "b.txt")], db)
    assert only_bad.returncode == 2, only_bad.stderr
    assert "stored 0" in only_bad.stdout and "quarantined 1" in only_bad.stdout
    assert only_bad.stderr.count("[I039]") == 1


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = run(["stats"], f"sqlite:///{tmp_path / 'new.db'}")
    assert result.returncode == 2 and "[D003]" in result.stderr


def run_bytes(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, BIRLIK_DATABASE_URL="sqlite:///:memory:")
    return subprocess.run([*BIRLIK, "--quiet", *args], input=stdin, capture_output=True, env=env, timeout=300)


#: Issue 18, item 8: each of these lines used to end `birlik analyze` with a traceback, exit 1
#: and no output at all — also for the good lines before it.
HOSTILE_LINES: list[tuple[bytes, str]] = [
    (b'{"id": "ff", "text": "\xff"}', "A007"),  # not UTF-8
    (bytes(range(128, 256)), "A007"),  # random bytes
    (b'{"id": "deep", "text": "x", "n": ' + b"[" * 5000 + b"]" * 5000 + b"}", "I030"),
    (b'{"id": "num", "text": "x", "n": ' + b"9" * 5000 + b"}", "A001"),  # > 4,300 digits
    (b"[1, 2]", "A002"),
    (b"{broken", "A001"),
]


def test_analyze_gives_every_line_its_own_result_around_hostile_ones() -> None:
    good = [
        json.dumps({"id": n, "text": f"Алматыда {n} адам жиналды."}, ensure_ascii=False).encode()
        for n in range(10)
    ]
    surrogate = b'{"id": "sur", "text": "\\ud800 \\u0410\\u043b\\u043c\\u0430\\u0442\\u044b"}'
    lines = good + [line for line, _ in HOSTILE_LINES] + [surrogate, b"", good[0]]
    result = run_bytes(["analyze", "-"], b"\n".join(lines) + b"\n")
    assert result.returncode == 2, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines) - 1  # the blank line gives nothing
    assert [o["id"] for o in out[:10]] == list(range(10)) and all("error" not in o for o in out[:10])
    codes = [o["error"]["code"] for o in out[10 : 10 + len(HOSTILE_LINES)]]
    assert codes == [code for _, code in HOSTILE_LINES]
    assert out[10]["line"] == 11
    assert "error" not in out[-2] and "\ufffd" not in json.dumps(out[-2]["entities"])
    assert {e["id"] for e in out[-2]["entities"]} >= {"750000000"}  # Алматы after the surrogate
    assert out[-1]["id"] == 0 and "error" not in out[-1]
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().count("birlik: [") == len(HOSTILE_LINES)


def test_report_limited_to_regions(tmp_path: Path) -> None:
    """`birlik report --region` writes the report a coordinator of that region gets on the web."""
    db = f"sqlite:///{tmp_path / 'birlik.db'}"
    assert run(["init"], db).returncode == 0
    args = ["report", "--quarter", "2026Q3", "--format", "html", "--out", "-"]
    result = run([*args, "--region", "Жамбыл облысы"], db)
    assert result.returncode == 0, result.stderr
    assert "Отчёт только по регионам: Жамбыл" in result.stdout
    unknown = run([*args, "--region", "Atlantis"], db)
    assert unknown.returncode == 2 and "[U017]" in unknown.stderr
