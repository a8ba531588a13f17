"""CPU per request of the Stories pages, in one process: sequential requests through FastAPI's
TestClient on a bench database, the process's CPU time around each. On a shared machine this is
the figure the load disturbs least (no queueing, no other process's time); run it for two source
trees in turn (main, a branch) to compare them:

    PYTHONPATH=/tmp/main/src .venv/bin/python bench/bench_web_cpu.py --db /tmp/bench-web.db relevance
    PYTHONPATH=src .venv/bin/python bench/bench_web_cpu.py --db /tmp/bench-web.db relevance

``overview`` asks the overview page (30 days, documents), ``overview-indicators`` each of its four
indicators in turn (the overview's map reads the indicators: a db made before they were counted
needs ``birlik indicators --rebuild``). The figure includes the test client's own work (about 2.5 ms
per request). The columns kept per process (``query.doc_columns``) are read first and not again
during the run; the counts are not cached (``cache_seconds`` 0), so every request does all of its
work. ``--warm`` first asks every path once (the terms' document sets read, as in a server that has
run a while); ``--profile FILE`` writes a cProfile of the endpoints' threads. The db is made by
``bench/bench_web.py --db`` (which adds the user ``bench``); nothing is written to it but the login.
"""

from __future__ import annotations

import argparse
import cProfile
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
from bench_web import story_paths
from fastapi.testclient import TestClient

import birlik
from birlik.query import doc_columns
from birlik.runtime import Runtime
from birlik.settings import Settings
from birlik.web.app import create_app

PAGES: dict[str, Callable[[], list[str]]] = {
    "filtered": lambda: ["/stories?lang=ru&region=310000000&min_tension=0.5&q=мәдени"],
    "varied": lambda: story_paths(200),
    "tension": lambda: [p + "&sort=tension" for p in story_paths(200, seed=12)],
    "relevance": lambda: [p + "&sort=relevance" for p in story_paths(200, seed=13)],
    "unfiltered": lambda: ["/stories"],
    "overview": lambda: ["/?indicator=documents&days=30"],
    "overview-indicators": lambda: [
        f"/?indicator={i}&days=30" for i in ("documents", "tension", "incidents", "hate")
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="A database made by bench_web.py --db.")
    parser.add_argument("page", choices=sorted(PAGES))
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warm", action="store_true", help="Ask every path once before measuring.")
    parser.add_argument("--profile", type=Path, default=None, help="Write a cProfile of the endpoints here.")
    args = parser.parse_args()
    doc_columns.REFRESH_SECONDS = 1e9  # no second read of the columns during the run
    settings = Settings(database_url=f"sqlite:///{args.db}", environment="test")
    settings = settings.model_copy(update={"web": settings.web.model_copy(update={"cache_seconds": 0})})
    client = TestClient(create_app(Runtime(settings)))
    login(client)
    paths = PAGES[args.page]()
    client.get(paths[0]).raise_for_status()
    deadline = time.monotonic() + 60
    while not doc_columns._CACHE and time.monotonic() < deadline:  # read aside on first use
        time.sleep(0.1)
    for path in paths if args.warm else paths[:5]:
        client.get(path).raise_for_status()
    profile = cProfile.Profile() if args.profile else None
    if profile is not None:
        _profile_threads(profile)
    spent = []
    for i in range(args.requests):
        path = paths[(i + 5) % len(paths)]
        start = time.process_time()
        client.get(path).raise_for_status()
        spent.append(1000 * (time.process_time() - start))
    if profile is not None and args.profile is not None:
        profile.dump_stats(args.profile)
    tree = Path(birlik.__file__).parents[2]
    print(
        f"{tree} {args.page}: {args.requests} requests, CPU per request "
        f"mean {statistics.mean(spent):.1f} ms, median {statistics.median(spent):.1f} ms"
    )


def login(client: TestClient) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = {"username": "bench", "password": "bench-pass-1", "csrf_token": token.group(1)}
    if client.post("/login", data=form, follow_redirects=False).status_code != 303:
        sys.exit("cannot log in as bench — make the database with bench/bench_web.py --db")


def _profile_threads(profile: cProfile.Profile) -> None:
    """Profile what the server runs in its worker threads (the sync endpoints)."""
    run_sync = anyio.to_thread.run_sync

    async def profiled(func: Callable[..., Any], *args: Any, **options: Any) -> Any:
        def run(*inner: Any) -> Any:
            profile.enable()
            try:
                return func(*inner)
            finally:
                profile.disable()

        return await run_sync(run, *args, **options)

    anyio.to_thread.run_sync = profiled  # type: ignore[assignment]


if __name__ == "__main__":
    main()
