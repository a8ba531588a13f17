"""``birlik serve --workers 2`` as a real process: both workers answer on one port, the app
works through them (log in, read), SIGTERM stops everything, a taken port is a coded error."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

BIRLIK = [sys.executable, "-m", "birlik.cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def database(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = dict(
        os.environ, BIRLIK_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", BIRLIK_ENVIRONMENT="test"
    )
    for args in (["init"], ["user", "add", "ana", "--role", "analyst", "--password", "serve-pass-1"]):
        subprocess.run([*BIRLIK, *args], env=env, check=True, capture_output=True, timeout=120)
    yield env


def test_two_workers_share_the_port_and_stop_on_sigterm(database: dict[str, str]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [*BIRLIK, "serve", "--port", str(port), "--workers", "2"],
        env=database,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            time.sleep(0.3)
        workers = {p for p in _children(server.pid) if p != server.pid}
        assert len(workers) >= 2, workers
        # many fresh connections: each worker accepts some, every answer is right
        with httpx.Client(base_url=base) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            client.post(
                "/login", data={"username": "ana", "password": "serve-pass-1", "csrf_token": token.group(1)}
            )
            cookie = client.cookies["birlik_session"]
        for _ in range(30):
            with httpx.Client(base_url=base, cookies={"birlik_session": cookie}) as fresh:
                assert fresh.get("/api/v1/me").json()["username"] == "ana"
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
    assert code == 0
    time.sleep(0.5)
    assert not [p for p in _children(server.pid)], "a worker outlived its parent"
    with socket.socket() as again:  # the port is free again
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_a_taken_port_is_a_coded_error(database: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*BIRLIK, "serve", "--port", str(port), "--workers", "2"],
            env=database,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "[W180]" in result.stderr and str(port) in result.stderr


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    ("variable", "value", "code"),
    [
        ("BIRLIK_WEB_WORKERS", "many", "E003"),
        ("BIRLIK_WEB_WORKERS", "0", "E003"),
        ("BIRLIK_WEB_THREADS", "0", "E003"),
    ],
)
def test_a_bad_serving_setting_is_a_coded_error(
    database: dict[str, str], variable: str, value: str, code: str
) -> None:
    result = subprocess.run(
        [*BIRLIK, "serve", "--port", str(free_port())],
        env={**database, variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"[{code}]" in result.stderr and variable in result.stderr
