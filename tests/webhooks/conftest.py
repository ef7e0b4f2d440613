"""A real HTTP receiver for webhooks (http.server in a thread on 127.0.0.1) that verifies every
request with the Standard Webhooks package, as an integrator's would; and a world with data to
approve. The tests allow 127.0.0.1 (WEBHOOKS_ALLOWED_NETWORKS): the platform refuses loopback
otherwise."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool
    error: str = ""

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next status of `answers` (then 200), records it, and verifies
    its signature with `secret` (set by the test once the subscription has one)."""

    url: str = ""
    secret: str = ""
    answers: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def verified(self) -> list[Received]:
        return [r for r in self.received if r.verified]


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                Webhook(receiver.secret).verify(body, headers)
                verified, error = True, ""
            except (WebhookVerificationError, Exception) as exc:
                verified, error = False, str(exc)
            with receiver.lock:
                receiver.received.append(Received(headers, body, verified, error))
                answer = receiver.answers.pop(0) if receiver.answers else 200
            if isinstance(answer, tuple):  # (302, "http://elsewhere/")
                self.send_response(answer[0])
                self.send_header("Location", answer[1])
            else:
                self.send_response(answer if verified else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    r = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(r))
    r.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/ci"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield r
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 0
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    return settings


def submitted(world):
    """A partner's submitted value in the world's initiative: (submission, backbone person)."""
    from tests.measurement.worlds import submitted as made

    return made(world)
