"""A/B latency of the Stories pages: two source trees (say a worktree of main and this one)
served side by side on the same SQLite file, each page loaded by ``wrk`` for each tree in turn
(A, B, A, B…), so that both meet the same machine load — on a shared machine the load of the
moment moves p95 more than most changes do. Each run also says the CPU the server's processes
spent per request (``cpu/req``: user and system time of the server and its workers over the
run, divided by the requests answered), which the machine's load moves far less than p95.

    .venv/bin/python bench/bench_web_ab.py --db /tmp/bench-web.db --a /tmp/main/src --b src \
        [--seconds 10] [--rounds 2]

The db is made by ``bench/bench_web.py --db`` (which also adds the user ``bench``).
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

import httpx
import psutil
from bench_web import login, run_wrk, seed_alert, start_server, story_paths

from birlik.store.db import make_engine
from birlik.store.repository import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True, help="A database made by bench_web.py --db.")
    parser.add_argument("--a", type=Path, required=True, help="The first tree's src directory.")
    parser.add_argument("--b", type=Path, required=True, help="The second tree's src directory.")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--pages", default="", help="Only the pages whose name contains one of these words (comma-separated)."
    )
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    seed_alert(Store(make_engine(url)))
    trees = {"A": args.a.resolve(), "B": args.b.resolve()}
    servers, bases = {}, {}
    try:
        for name, src in trees.items():
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            os.environ["PYTHONPATH"] = str(src)  # the server process imports this tree
            servers[name] = start_server(url, port, 2)
            bases[name] = f"http://127.0.0.1:{port}"
        cookies = {name: login(base) for name, base in bases.items()}
        pages = {
            "stories (filtered)": ["/stories?lang=ru&region=310000000&min_tension=0.5&q=мәдени"],
            "stories (varied)": story_paths(200),
            "stories (tension)": [p + "&sort=tension" for p in story_paths(200, seed=12)],
            "stories (relevance)": [p + "&sort=relevance" for p in story_paths(200, seed=13)],
            "stories (unfiltered)": ["/stories"],
        }
        wanted = [word for word in args.pages.split(",") if word]
        pages = {page: paths for page, paths in pages.items() if not wanted or any(w in page for w in wanted)}
        print(f"A={trees['A']} B={trees['B']}: {args.clients} clients, {args.seconds} s per run, 2 workers")
        for page, paths in pages.items():
            for turn in range(args.rounds):
                for name in trees:
                    headers = {"Cookie": cookies[name]}
                    with httpx.Client(base_url=bases[name], headers=headers, timeout=60) as client:
                        client.get(paths[0]).raise_for_status()
                    before = server_cpu(servers[name].pid)
                    r = run_wrk(bases[name], paths, cookies[name], args.clients, args.seconds)
                    spent = server_cpu(servers[name].pid) - before
                    print(
                        f"{page:22s} {name} round {turn + 1}: {r['rps']:6.1f} req/s p50={r['p50']:.0f} "
                        f"p95={r['p95']:.0f} p99={r['p99']:.0f} ms errors={r['errors']:.0f} "
                        f"cpu/req={1000 * spent / max(r['requests'], 1):.1f} ms "
                        f"load={os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)


def server_cpu(pid: int) -> float:
    """CPU seconds (user and system) of the server process and its workers so far."""
    server = psutil.Process(pid)
    total = 0.0
    for process in [server, *server.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


if __name__ == "__main__":
    main()
