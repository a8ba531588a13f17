"""Writes under concurrency: writers (case comments, case moves, saved searches) and readers
(a case, the case list, a document list) at once against ``birlik serve`` in its own process.

    .venv/bin/python bench/bench_writes.py [--writers 20] [--readers 20] [--seconds 30]
        [--workers 2] [--db sqlite:///tmp/x.db | postgresql+psycopg://…]

Every client is a thread with its own keep-alive connection and its own session (one login
each), sending its next request as soon as the last is answered. Writer ``i`` comments on, and
moves, its own case (assigned ↔ in_progress), so that a refused move is a real error, not a race
between two writers; saved searches are created and deleted again. Prints per kind the number
of requests, errors (any status other than the expected one, or a failed connection), p50 and
p95; the target on SQLite is 0 errors and p95 <= 500 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from birlik.access import users
from birlik.cases import assign_case, move_case, open_case_from_alert
from birlik.domain.records import Document, RegionScore, Signal
from birlik.store.db import make_engine, migrate
from birlik.store.models_signals import AlertRow
from birlik.store.repository import Provenance, Store, add_document

REGION = "310000000"
PASSWORD = "bench-pass-1"
Kind = str


def seed(url: str, cases: int) -> list[int]:
    """``cases`` cases in ``assigned``, a few documents, one coordinator; returns the case ids."""
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    ids = []
    with store.transaction() as session:
        users.add_user(
            session, "bench", username="bench", password=PASSWORD, role="coordinator", regions=(REGION,)
        )
        for i in range(20):
            doc = Document(
                id=f"w{i}",
                text=f"Тараз қаласында мәдени орталық мерекені өткізді {i}.",
                title=f"Document {i}",
                lang="kk",
                published_at=datetime.now(UTC),
                regions=[RegionScore(kato=REGION, confidence=1.0)],
                signals={"tension": Signal(name="tension", score=0.3)},
            )
            add_document(session, doc, Provenance(ext_id=f"w{i}", content_hash=f"{i:064d}"))
        for i in range(cases):
            alert = AlertRow(
                key=f"bench-{i}",
                kind="surge",
                subject=REGION,
                region_kato=REGION,
                first_day=date.today(),
                last_day=date.today(),
                severity="high",
                status="acknowledged",
                title=f"Bench case {i}",
                details={},
            )
            session.add(alert)
            session.flush()
            case = open_case_from_alert(session, alert, "bench")
            move_case(session, case, "triaged", "bench")
            assign_case(session, case, "bench", user="bench")
            if case.status != "assigned":
                move_case(session, case, "assigned", "bench")
            ids.append(case.id)
    engine.dispose()
    return ids


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BIRLIK_DATABASE_URL": url, "BIRLIK_ENVIRONMENT": "test"}
    env.setdefault("BIRLIK_SECRET_KEY", "bench-" + "s" * 40)
    birlik = Path(sys.executable).with_name("birlik")
    command = [str(birlik), "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children now alive (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


LOGINS = threading.Lock()


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    with LOGINS:  # one at a time: the login throttle counts attempts in flight per user and address
        client.post("/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)})
    page = client.get("/registry").text
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page)
    assert csrf is not None, "login failed"
    client.headers["X-CSRF-Token"] = csrf.group(1)
    return client


def fresh(client: httpx.Client, start: threading.Barrier) -> httpx.Client:
    """Wait for every client's login, then a new connection with the same session: the one of
    the login may have idled past the server's keep-alive timeout while the others logged in."""
    start.wait()
    again = httpx.Client(base_url=client.base_url, cookies=client.cookies, headers=client.headers, timeout=60)
    client.close()
    return again


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[Kind, list[float]] = defaultdict(list)
        self.errors: dict[Kind, list[str]] = defaultdict(list)

    def timed(
        self, kind: Kind, expected: int, client: httpx.Client, method: str, path: str, body: Any = None
    ) -> httpx.Response | None:
        """Send one request; ``None`` unless it got the ``expected`` status."""
        began = time.perf_counter()
        problem: str | None
        try:
            response: httpx.Response | None = client.request(method, path, json=body)
            assert response is not None
            if response.status_code == expected:
                problem = None
            else:
                problem = f"{response.status_code} {response.text[:160]}"
        except httpx.HTTPError as exc:
            response, problem = None, f"{type(exc).__name__}: {exc}"
        elapsed = (time.perf_counter() - began) * 1000
        with self.lock:
            self.latency[kind].append(elapsed)
            if problem:
                self.errors[kind].append(problem)
        return response if problem is None else None


def writer(
    base: str, case_id: int, index: int, start: threading.Barrier, seconds: float, rec: Recorder
) -> None:
    client = fresh(logged_in(base), start)
    until = time.monotonic() + seconds
    try:
        status, n = "assigned", 0
        while time.monotonic() < until:
            n += 1
            step = n % 3
            if step == 0:
                body = {"body": f"comment {n} of writer {index}: мәдени орталық"}
                rec.timed("comment", 201, client, "POST", f"/api/v1/cases/{case_id}/comments", body)
            elif step == 1:
                target = "in_progress" if status == "assigned" else "assigned"
                move = f"/api/v1/cases/{case_id}/move"
                moved = rec.timed("case move", 200, client, "POST", move, {"status": target})
                if moved is not None:
                    status = target
            else:
                search = {"name": f"s{index}-{n}", "params": {"q": "дом"}}
                made = rec.timed("saved search", 201, client, "POST", "/api/v1/saved-searches", search)
                if made is not None:
                    made_id = made.json()["id"]
                    rec.timed("saved search", 204, client, "DELETE", f"/api/v1/saved-searches/{made_id}")
    finally:
        client.close()


def reader(
    base: str, case_ids: list[int], index: int, start: threading.Barrier, seconds: float, rec: Recorder
) -> None:
    client = fresh(logged_in(base), start)
    until = time.monotonic() + seconds
    try:
        n = index
        while time.monotonic() < until:
            n += 1
            case = case_ids[n % len(case_ids)]
            kind, path = (
                ("read case", f"/api/v1/cases/{case}"),
                ("read cases", "/api/v1/cases"),
                ("read documents", "/api/v1/documents?q=мәдени"),
            )[n % 3]
            rec.timed(kind, 200, client, "GET", path)
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2, help="Server worker processes.")
    parser.add_argument("--db", default=None, help="An empty database URL (default: a new SQLite file).")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='birlik-bench-writes-')) / 'bench.db'}"
    case_ids = seed(url, max(1, args.writers))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_server(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    rec = Recorder()
    try:
        start = threading.Barrier(args.writers + args.readers + 1)  # logins (argon2) first, then load
        threads = [
            threading.Thread(
                target=writer, args=(base, case_ids[i % len(case_ids)], i, start, args.seconds, rec)
            )
            for i in range(args.writers)
        ] + [
            threading.Thread(target=reader, args=(base, case_ids, i, start, args.seconds, rec))
            for i in range(args.readers)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began, server_began = time.monotonic(), cpu_seconds(server.pid)
        client_began = resource.getrusage(resource.RUSAGE_SELF)
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
        server_cpu = cpu_seconds(server.pid) - server_began
        client_end = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = client_end.ru_utime + client_end.ru_stime - client_began.ru_utime - client_began.ru_stime
    finally:
        server.terminate()
        server.wait(timeout=30)
    total_errors = sum(len(e) for e in rec.errors.values())
    requests = sum(len(v) for v in rec.latency.values())
    print(
        f"{args.writers} writers, {args.readers} readers, {took:.0f} s, {args.workers} workers, "
        f"{url.split(':', 1)[0]}: {requests} requests ({requests / took:.0f}/s), {total_errors} errors; "
        f"CPU per request: server {server_cpu * 1000 / max(1, requests):.1f} ms, "
        f"this client {client_cpu * 1000 / max(1, requests):.1f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    for kind in sorted(rec.latency):
        values = sorted(rec.latency[kind])
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"  {kind:14s} n={len(values):5d} errors={len(rec.errors[kind]):4d} "
            f"p50={statistics.median(values):7.0f} ms p95={p95:7.0f} ms max={values[-1]:7.0f} ms"
        )
    for kind, problems in rec.errors.items():
        for problem in sorted(set(problems))[:3]:
            print(f"  error in {kind}: {problem}")
    sys.exit(1 if total_errors else 0)


if __name__ == "__main__":
    main()
