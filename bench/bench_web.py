"""Web latency: 200,000 generated documents in SQLite, then the overview and a filtered story
list under 20 concurrent clients on loopback (httpx async, a bounded number of requests).

    .venv/bin/python bench/bench_web.py [--documents 200000] [--requests 600]

Prints p50/p95/p99 per page; the target is p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import insert

from birlik.resources.gazetteer import load_gazetteer
from birlik.settings import Settings
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.repository import Store
from birlik.web import actions
from birlik.web.app import create_app
from birlik.web.config import WebSettings

WORDS = [
    "қазақ",
    "орыс",
    "ұйғыр",
    "мәдени",
    "орталық",
    "мереке",
    "фестиваль",
    "көрші",
    "дау",
    "собрание",
    "дом",
    "дружбы",
    "митинг",
    "праздник",
]


def fill(store: Store, count: int) -> None:
    regions = [p.kato for p in load_gazetteer().regions()]
    rng = random.Random(7)
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        for start in range(0, count, 5000):
            docs, links = [], []
            for i in range(start, min(count, start + 5000)):
                docs.append(
                    {
                        "id": i + 1,
                        "ext_id": f"b{i}",
                        "content_hash": f"{i:064d}",
                        "text": " ".join(rng.choices(WORDS, k=40)),
                        "title": f"Document {i}",
                        "lang": rng.choice(["kk", "ru", "en"]),
                        "langs": [],
                        "extra": {},
                        "published_at": now - timedelta(minutes=rng.randrange(0, 60 * 24 * 120)),
                        "fetched_at": now,
                        "tension": rng.random(),
                        "hate": rng.random() * 0.2,
                    }
                )
                links.append({"document_id": i + 1, "region_kato": rng.choice(regions), "confidence": 1.0})
            connection.execute(insert(DocumentRow), docs)
            connection.execute(insert(DocumentRegionRow), links)


async def load(base: str, path: str, cookie: dict[str, str], requests: int, clients: int) -> list[float]:
    timings: list[float] = []
    queue = list(range(requests))

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, cookies=cookie, timeout=30) as client:
            while queue:
                queue.pop()
                began = time.perf_counter()
                response = await client.get(path)
                response.raise_for_status()
                timings.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(worker() for _ in range(clients)))
    return sorted(timings)


def percentile(timings: list[float], q: float) -> float:
    return timings[min(len(timings) - 1, int(q * len(timings)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="birlik-bench-web-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    began = time.perf_counter()
    fill(store, args.documents)
    print(f"filled {args.documents} documents in {time.perf_counter() - began:.0f} s")
    with store.transaction() as session:
        actions.add_user(
            session,
            "bench",
            username="bench",
            password="bench-pass-1",
            role="coordinator",
            regions=("310000000", "750000000", "550000000"),
        )
    app = create_app(Settings(database_url=url), WebSettings(environment="test"), store=store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post(
            "/login", data={"username": "bench", "password": "bench-pass-1", "csrf_token": token.group(1)}
        )
        cookie = {"birlik_session": client.cookies["birlik_session"]}
    pages = {
        "overview": "/",
        "stories (filtered)": "/stories?lang=ru&region=310000000&min_tension=0.5&q=мәдени",
    }
    for name, path in pages.items():
        timings = asyncio.run(load(base, path, cookie, args.requests, args.clients))
        p50, p95, p99 = (percentile(timings, q) for q in (0.5, 0.95, 0.99))
        print(f"{name:20s} n={len(timings)} p50={p50:.0f} ms p95={p95:.0f} ms p99={p99:.0f} ms")
    server.should_exit = True


if __name__ == "__main__":
    main()
