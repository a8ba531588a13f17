"""Real receivers on loopback (an HTTP server for webhooks, a small SMTP server for mail) and
a factory of stored documents."""

from __future__ import annotations

import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from itertools import count
from typing import Any

import pytest

from birlik.domain.records import Document, Mention, RegionScore
from birlik.signals.indicators import after_batch
from birlik.signals.notify import SIGNATURE_HEADER, verify
from birlik.store import repository as repo
from birlik.store.models import DocumentRow
from birlik.store.repository import Provenance, Store

SECRET = "test-webhook-secret"
ZHAMBYL = "310000000"
PAVLODAR = "550000000"


@dataclass
class WebhookReceiver:
    url: str
    secret: str
    fail_first: int = 0
    status_on_failure: int = 500
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    bad_signatures: int = 0


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(url="", secret=SECRET)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                receiver.attempts += 1
                if not verify(receiver.secret, body, self.headers.get(SIGNATURE_HEADER, "")):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                elif receiver.attempts <= receiver.fail_first:
                    self.send_response(receiver.status_on_failure)
                else:
                    import json

                    receiver.received.append(
                        {"headers": dict(self.headers), "body": body, "json": json.loads(body)}
                    )
                    self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@dataclass
class SmtpReceiver:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


@pytest.fixture
def smtp_server() -> Iterator[SmtpReceiver]:
    """A small SMTP server (RFC 5321 subset: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""
    receiver = SmtpReceiver(host="127.0.0.1", port=0)

    class Handler(socketserver.StreamRequestHandler):
        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self) -> None:
            sender, recipients = "", []
            self.reply("220 localhost test SMTP")
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                verb = line.decode("ascii", "replace").strip()
                upper = verb.upper()
                if upper.startswith(("EHLO", "HELO")):
                    self.reply("250 localhost")
                elif upper.startswith("MAIL FROM:"):
                    sender, recipients = verb[10:].strip(" <>"), []
                    self.reply("250 OK")
                elif upper.startswith("RCPT TO:"):
                    recipients.append(verb[8:].strip(" <>"))
                    self.reply("250 OK")
                elif upper == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    receiver.messages.append(message_from_bytes(self._data(), policy=policy.default))
                    receiver.envelopes.append((sender, recipients))
                    self.reply("250 OK queued")
                elif upper == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 OK")

        def _data(self) -> bytes:
            lines = []
            while True:
                line = self.rfile.readline()
                if line in (b".\r\n", b".\n", b""):
                    return b"".join(lines)
                lines.append(line[1:] if line.startswith(b"..") else line)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


AddDocs = Callable[..., list[DocumentRow]]


@pytest.fixture
def add_docs(store: Store) -> AddDocs:
    """Store documents (already 'analysed') and update the indicators, as a batch would."""
    serial = count()

    def add(
        n: int,
        *,
        published_at: datetime | None,
        regions: tuple[str, ...] = (ZHAMBYL,),
        ethnic: tuple[str, ...] = (),
        outlet: str = "outlet-a",
        date_flag: str | None = None,
        fetched_at: datetime | None = None,
        source_id: int | None = None,
        url: str | None = None,
    ) -> list[DocumentRow]:
        rows = []
        with store.transaction() as session:
            for _ in range(n):
                k = next(serial)
                doc = Document(
                    id=f"d{k}",
                    text=f"document {k}",
                    published_at=published_at,
                    url=url,
                    entities=[
                        Mention(start=0, end=3, text=group, type="ETHNIC_GROUP", id=group) for group in ethnic
                    ],
                    regions=[RegionScore(kato=r, confidence=1.0) for r in regions],
                )
                prov = Provenance(
                    ext_id=doc.id,
                    content_hash=f"{k:064d}",
                    outlet=outlet,
                    date_flag=date_flag,
                    source_id=source_id,
                )
                row = repo.add_document(session, doc, prov)
                row.fetched_at = fetched_at or datetime.now(UTC)
                rows.append(row)
            session.flush()
            after_batch(session, rows)
        return rows

    return add
