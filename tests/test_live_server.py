"""The live server's helpers (tests/conftest.py): `wait_for_requests` waits for a request the server
is still answering, and no longer than that."""

import threading
import time
import urllib.request

import pytest
from django.core.signals import request_started

from .conftest import answering, wait_for_requests


def test_wait_for_requests_waits_for_a_request_being_answered(live_server):
    release = threading.Event()

    def hold(sender, environ, **kwargs):  # in the server's thread, once the request is counted
        if environ.get("QUERY_STRING") == "hold":
            release.wait(20)

    request_started.connect(hold)
    try:
        url = f"{live_server.url}/healthz/?hold"
        client = threading.Thread(target=lambda: urllib.request.urlopen(url).read())  # noqa: S310 - the live server
        client.start()
        deadline = time.monotonic() + 10
        while answering() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answering() == 1
        with pytest.raises(AssertionError, match=r"still answers 1 request"):
            wait_for_requests(live_server, timeout=0.3)
        release.set()
        wait_for_requests(live_server, timeout=10)
        assert answering() == 0
        client.join(10)
    finally:
        release.set()
        request_started.disconnect(hold)
