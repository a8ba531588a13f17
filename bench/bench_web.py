"""Web latency: 200,000 generated documents in SQLite, then the overview and filtered story
lists under 20 concurrent clients on loopback, each page loaded for a fixed time by ``wrk``
(a C load tool; Debian package ``wrk``) against ``birlik serve --workers N`` in its own process.

    .venv/bin/python bench/bench_web.py [--documents 200000] [--clients 20] [--seconds 20]
        [--workers 2] [--db /tmp/bench-web.db]

Prints requests/s and p50/p95/p99 per page; the target is p95 <= 300 ms. The generated text
is 40 words drawn from 14, so every query term is in ~95 % of the documents: the worst case
for a text filter. Every three documents make a story (66,667 stories), so the Stories page
also lists the stories of what it found. ``stories (varied)`` cycles through 200 different
filter combinations (term, region, language, tension floor) of a coordinator of 3 regions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import insert, select

from birlik.access import users
from birlik.access.models import UserRow
from birlik.resources.gazetteer import load_gazetteer
from birlik.signals.indicators import DocFacts, kz_day, update_indicators
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.models_signals import AlertRow
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.repository import Store

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
BENCH_REGIONS = ("310000000", "750000000", "550000000")


def fill(store: Store, count: int) -> None:
    regions = [p.kato for p in load_gazetteer().regions()]
    rng = random.Random(7)
    now = datetime.now(UTC)
    facts: list[DocFacts] = []
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
            connection.execute(
                insert(StoryRow),
                [story_of(doc, link) for doc, link in zip(docs, links, strict=True) if doc["id"] % 3 == 1],
            )
            connection.execute(insert(StoryMemberRow), [member_of(doc) for doc in docs])
            facts.extend(facts_of(doc, link) for doc, link in zip(docs, links, strict=True))
    with store.transaction() as session:  # the indicators, as the ingestor adds them batch by batch
        update_indicators(session, facts)


def facts_of(doc: dict[str, Any], link: dict[str, Any]) -> DocFacts:
    return DocFacts(
        day=kz_day(doc["published_at"]),
        fetched_day=kz_day(doc["fetched_at"]),
        source_key="bench",
        regions=(link["region_kato"],),
        hate=doc["hate"],
        tension=doc["tension"],
    )


def story_of(doc: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    """Every third document opens a story that the next two join (a third of the stories)."""
    return {
        "id": doc["id"],
        "title": doc["title"],
        "first_seen": doc["published_at"],
        "last_seen": doc["published_at"] + timedelta(hours=6),
        "doc_count": 3,
        "duplicate_count": 0,
        "outlets": {"bench": 3},
        "langs": [doc["lang"]],
        "regions": [link["region_kato"]],
        "peak_tension": doc["tension"],
        "timeline": {},
        "updated_at": doc["fetched_at"],
    }


def member_of(doc: dict[str, Any]) -> dict[str, Any]:
    story = doc["id"] - (doc["id"] - 1) % 3
    return {
        "document_id": doc["id"],
        "story_id": story,
        "dup_group": doc["id"],
        "canonical": True,
        "score": 1.0,
        "seen_at": doc["published_at"],
    }


LUA = """
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Cookie"] = "%(cookie)s"})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.1f %%.1f %%.1f %%.1f %%.1f\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


def run_wrk(base: str, paths: list[str], cookie: str, clients: int, seconds: int) -> dict[str, float]:
    """``wrk`` (C, one thread: the server keeps the other core) with ``clients`` connections."""
    quoted = ", ".join(json.dumps(quote(path, safe="/?=&%")) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": quoted, "cookie": cookie})
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", script.name, base],
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((line for line in out.stdout.splitlines() if line.startswith("RESULT")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {out.stdout}{out.stderr}")
    requests, errors, micros, p50, p95, p99, peak, mean = (float(x) for x in line.split()[1:])
    return {
        "requests": requests,
        "errors": errors,
        "rps": requests / (micros / 1e6),
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "max": peak,
        "mean": mean,
    }


def story_paths(count: int, seed: int = 11) -> list[str]:
    """Filtered Stories pages as coordinators ask for them: a term, one of their regions, a
    language, a tension floor — varied, so that no answer is simply repeated."""
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        params = [("q", rng.choice(WORDS)), ("region", rng.choice(BENCH_REGIONS))]
        if rng.random() < 0.7:
            params.append(("lang", rng.choice(["kk", "ru", "en"])))
        if rng.random() < 0.5:
            params.append(("min_tension", rng.choice(["0.3", "0.5", "0.8"])))
        paths.append("/stories?" + urlencode(params))
    return paths


def seed_alert(store: Store) -> int:
    """A surge of the last three days in the coordinator's first region: its page lists the
    documents behind it (the strongest of the region on those days)."""
    today = datetime.now(UTC).date()
    with store.transaction() as session:
        alert = session.scalar(select(AlertRow).where(AlertRow.key == "bench-surge"))
        if alert is None:
            metric = {"metric": "docs", "count": 90.0, "volume": 300.0, "expected": 0.1, "z": 6.0}
            alert = AlertRow(
                key="bench-surge",
                kind="surge",
                subject=BENCH_REGIONS[0],
                region_kato=BENCH_REGIONS[0],
                metric="docs",
                first_day=today - timedelta(days=2),
                last_day=today,
                severity="medium",
                status="new",
                title="bench",
                details={"metrics": [metric]},
            )
            session.add(alert)
            session.flush()
        return alert.id


def login(base: str) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post(
            "/login", data={"username": "bench", "password": "bench-pass-1", "csrf_token": token.group(1)}
        )
        return f"birlik_session={client.cookies['birlik_session']}"


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BIRLIK_DATABASE_URL": url, "BIRLIK_ENVIRONMENT": "test"}
    birlik = Path(sys.executable).with_name("birlik")
    server = subprocess.Popen([str(birlik), "serve", "--port", str(port), "--workers", str(workers)], env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20, help="Load duration per page.")
    parser.add_argument("--workers", type=int, default=2, help="Server worker processes.")
    parser.add_argument("--db", type=Path, default=None, help="Reuse (or create) this SQLite file.")
    parser.add_argument(
        "--pages", default="", help="Only the pages whose name contains one of these words (comma-separated)."
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench_web needs wrk: apt-get install wrk (scripts/system-packages.sh installs it)")
    path = args.db or Path(tempfile.mkdtemp(prefix="birlik-bench-web-")) / "bench.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    fresh = not path.exists()
    migrate(engine)
    store = Store(engine)
    if fresh:
        began = time.perf_counter()
        fill(store, args.documents)
        print(f"filled {args.documents} documents in {time.perf_counter() - began:.0f} s")
    with store.transaction() as session:
        if session.scalar(select(UserRow).where(UserRow.username == "bench")) is None:
            users.add_user(
                session,
                "bench",
                username="bench",
                password="bench-pass-1",
                role="coordinator",
                regions=BENCH_REGIONS,
            )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_server(url, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        cookie = login(base)
        pages = {
            "overview": ["/"],
            "indicators": ["/indicators", "/indicators?metric=docs&by=ethnic", "/indicators.csv"],
            "stories (filtered)": ["/stories?lang=ru&region=310000000&min_tension=0.5&q=мәдени"],
            "stories (varied)": story_paths(200),
            "stories (tension)": [p + "&sort=tension" for p in story_paths(200, seed=12)],
            "stories (relevance)": [p + "&sort=relevance" for p in story_paths(200, seed=13)],
            "stories (unfiltered)": ["/stories"],
            "alert (why, documents)": [f"/alerts/{seed_alert(store)}"],
            # the report's form, the targets and the visits; a report download renders for ~1 s
            # by nature (charts, PDF) and is timed by tests/web/test_reports_pages.py, not here
            "reports": ["/reports"],
            "targets": ["/targets"],
            "visits": ["/visits"],
        }
        print(f"{args.clients} clients, {args.seconds} s per page, {args.workers} workers, wrk on loopback")
        wanted = [word for word in args.pages.split(",") if word]
        for name, paths in pages.items():
            if wanted and not any(word in name for word in wanted):
                continue
            with httpx.Client(base_url=base, headers={"Cookie": cookie}, timeout=60) as client:
                began = time.perf_counter()
                client.get(paths[0]).raise_for_status()
                first = (time.perf_counter() - began) * 1000
            r = run_wrk(base, paths, cookie, args.clients, args.seconds)
            print(
                f"{name:20s} n={r['requests']:.0f} errors={r['errors']:.0f} {r['rps']:.1f} req/s "
                f"p50={r['p50']:.0f} ms p95={r['p95']:.0f} ms p99={r['p99']:.0f} ms max={r['max']:.0f} ms "
                f"(first request alone {first:.0f} ms)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
