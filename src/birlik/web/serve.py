"""Running the web application: one process, or several that share the port fairly.

uvicorn's own ``workers`` share one listening socket, and whichever process wakes first accepts
every pending connection: twenty browsers that keep their connections open can all land on one
worker while the others idle. Here each worker process listens on its own socket with
``SO_REUSEPORT`` and the kernel spreads new connections across them; the parent starts the
workers, restarts one that dies, and stops them all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from types import FrameType

import uvicorn

from birlik.domain.errors import ConfigError
from birlik.settings import Settings
from birlik.store.repository import Store
from birlik.web.config import WebSettings

log = logging.getLogger(__name__)
BACKLOG = 2048


def run(settings: Settings, web: WebSettings, store: Store, *, host: str, port: int, workers: int) -> None:
    from birlik.web.app import create_app

    if workers <= 1:
        uvicorn.run(create_app(settings, web, store=store), host=host, port=port, log_level="warning")
        return
    _check_port(host, port)
    # each worker builds the app from the environment: hand it the settings in use
    os.environ["BIRLIK_DATABASE_URL"] = settings.database_url
    if not hasattr(socket, "SO_REUSEPORT"):  # not Linux/BSD: uvicorn's shared socket
        uvicorn.run(
            "birlik.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    _supervise(host, port, workers)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _check_port(host: str, port: int) -> None:
    try:
        _listen(host, port).close()
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} — stop what uses the port or "
            "choose another with --port",
            code="W140",
        ) from exc


def _worker(host: str, port: int) -> None:
    from birlik.web.app import app_from_environment

    sock = _listen(host, port)
    sock.listen(BACKLOG)
    config = uvicorn.Config(app_from_environment, factory=True, log_level="warning", backlog=BACKLOG)
    uvicorn.Server(config).run(sockets=[sock])


def _supervise(host: str, port: int, workers: int) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [_start(context, host, port) for _ in range(workers)]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            time.sleep(0.5)
            for index, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.warning(
                        "web worker %s exited with %s — starting another", process.pid, process.exitcode
                    )
                    time.sleep(1.0)
                    processes[index] = _start(context, host, port)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(
    context: multiprocessing.context.SpawnContext, host: str, port: int
) -> multiprocessing.process.BaseProcess:
    process = context.Process(target=_worker, args=(host, port), name="birlik-web")
    process.start()
    return process
