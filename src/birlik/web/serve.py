"""Running the web application: one process, or several that share the port fairly.

uvicorn's own ``workers`` share one listening socket, and whichever process wakes first accepts
every pending connection: twenty browsers that keep their connections open can all land on one
worker while the others idle. Here each worker process listens on its own socket with
``SO_REUSEPORT`` and the kernel spreads new connections across them; the parent starts the
workers, restarts one that dies, and stops them all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from types import FrameType
from typing import TYPE_CHECKING, Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.runtime import Runtime, load_settings
from birlik.settings import WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)
BACKLOG = 2048


def server_options(web: WebSettings) -> dict[str, Any]:
    """uvicorn's options from the settings: keep-alive and header-read timeouts, and which
    proxies' forwarded headers are believed (none unless configured)."""
    global _header_timeout
    _header_timeout = web.header_timeout_seconds
    proxies = [address.strip() for address in web.forwarded_allow_ips.split(",") if address.strip()]
    return {
        "http": "birlik.web.serve:HeaderTimeoutProtocol",
        "timeout_keep_alive": web.keep_alive_seconds,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies or "",
        "log_level": "warning",
    }


_header_timeout = WebSettings.model_fields["header_timeout_seconds"].default


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``birlik serve --workers N`` (settings from BIRLIK_*)."""
    from birlik.web.app import create_app

    runtime = Runtime.from_environment()
    server_options(runtime.settings.web)  # this process's header timeout, when uvicorn itself started it
    return create_app(runtime)


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a bound on the time a request's headers may take.

    uvicorn closes a keep-alive connection that stays silent, but not one that never sends a
    request, nor one that sends its headers a byte at a time (slowloris): each holds its socket
    forever. Here a timer starts when a connection opens and again after each answer; it is
    stopped by a request whose headers are complete; when it fires while no request is being
    answered, the connection is closed. Header size is bounded by h11 (16 KiB: 431/400 above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._answering():
            self._stop_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._answering():
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def _answering(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(_header_timeout, self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._answering() or self.transport.is_closing():
            return
        if self.conn.our_state not in (h11.ERROR, h11.CLOSED, h11.MUST_CLOSE):
            with contextlib.suppress(h11.LocalProtocolError):
                self.conn.send(h11.ConnectionClosed())
        self.transport.close()


def run(runtime: Runtime, *, host: str, port: int, workers: int) -> None:
    from birlik.web.app import create_app

    web = runtime.settings.web
    if workers <= 1:
        uvicorn.run(create_app(runtime), host=host, port=port, **server_options(web))
        return
    _check_port(host, port)
    # each worker builds its runtime from the environment: hand it the settings in use
    os.environ["BIRLIK_DATABASE_URL"] = runtime.settings.database_url
    if not hasattr(socket, "SO_REUSEPORT"):  # not Linux/BSD: uvicorn's shared socket
        uvicorn.run(
            "birlik.web.serve:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            **server_options(web),
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
            code=codes.W180,
        ) from exc


def _worker(host: str, port: int) -> None:

    sock = _listen(host, port)
    sock.listen(BACKLOG)
    options = server_options(load_settings().web)  # checked by `birlik serve` before the workers start
    config = uvicorn.Config(app_from_environment, factory=True, backlog=BACKLOG, **options)
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
