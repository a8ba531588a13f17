"""Killing `birlik ingest` at any moment and running it again loses nothing and stores
nothing twice (a real process, killed with SIGKILL mid-run)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from corpus import write_jsonl

DOCS = 240


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as connection:
            return int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_kill_and_rerun_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, DOCS)
    db = tmp_path / "kill.db"
    env = dict(os.environ, BIRLIK_DATABASE_URL=f"sqlite:///{db}", BIRLIK_BATCH_SIZE="20")
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
