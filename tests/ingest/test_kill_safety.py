"""Killing `birlik ingest` at any moment and running it again loses nothing and stores
nothing twice (a real process, killed with SIGKILL mid-run), analysing in process or in two
worker processes (which end with it)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from corpus import write_jsonl

DOCS = 240


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as connection:
            return int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _processes_of(marker: str) -> list[int]:
    """The live processes whose environment holds ``marker`` (this run's database path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(") ", 1)[-1]
                if not state.startswith("Z"):
                    found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.mark.parametrize(
    "workers", ["0", pytest.param("1", marks=pytest.mark.slow), pytest.param("2", marks=pytest.mark.slow)]
)
def test_kill_and_rerun_loses_nothing_and_duplicates_nothing(tmp_path: Path, workers: str) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, DOCS)
    db = tmp_path / "kill.db"
    env = dict(os.environ, BIRLIK_DATABASE_URL=f"sqlite:///{db}", BIRLIK_BATCH_SIZE="20")
    env["BIRLIK_INGEST_WORKERS"] = workers
    command = [sys.executable, "-m", "birlik.cli.main", "--quiet", "ingest", str(corpus)]
    subprocess.run(
        [sys.executable, "-m", "birlik.cli.main", "init"], env=env, check=True, capture_output=True
    )
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while _count(db) < 40 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _count(db)
    deadline = time.monotonic() + 30
    while _processes_of(str(db)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_of(str(db)) == [], "the worker processes end with the killed ingest"
    assert 0 < killed_at < DOCS, "the kill must land in the middle of the run"
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(db) == DOCS
    assert f"duplicates {killed_at}" in rerun.stdout
    with sqlite3.connect(db) as connection:
        ids = [row[0] for row in connection.execute("SELECT ext_id FROM documents")]
        assert len(ids) == len(set(ids)) == DOCS
        assert connection.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert json.loads(corpus.read_text(encoding="utf-8").splitlines()[0])["id"] in ids
