"""`wait_for_requests` (tests/conftest.py) waits for what a live server is still answering: the flush
that ends a browser test must not start beside a request of a page closed mid-request."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest

from .conftest import RequestsInFlight, count_requests, wait_for_requests


def _answer(app, environ=None):
    """What a WSGI server does with one request: call, iterate, close."""
    result = app(environ or {}, lambda status, headers: None)
    try:
        return b"".join(result)
    finally:
        result.close()


def test_the_wait_lasts_until_the_answer_is_closed():
    release, entered = threading.Event(), threading.Event()

    def slow(environ, start_response):
        entered.set()
        release.wait(10)
        start_response("200 OK", [])
        return [b"done"]

    def serve():  # one request answered, then the thread stays, as for a kept-alive connection
        _answer(counted)
        done.wait(10)

    counted, done = RequestsInFlight(slow), threading.Event()
    thread = threading.Thread(target=serve)
    thread.start()
    assert entered.wait(5)
    assert counted.wait(0.3) == {thread}  # still answering: the wait ran out
    release.set()
    started = time.monotonic()
    assert counted.wait(5) == set()
    assert time.monotonic() - started < 5 and thread.is_alive()
    done.set()
    thread.join(5)


def test_an_application_that_raises_or_an_answer_whose_close_raises_counts_no_more():
    def broken(environ, start_response):
        raise RuntimeError("a receiver of request_started failed")

    counted = RequestsInFlight(broken)
    with pytest.raises(RuntimeError):
        _answer(counted)
    assert counted.wait(0) == set()

    class Unclosable(list):
        def close(self):
            raise OSError("the client went away")

    counted = RequestsInFlight(lambda environ, start_response: Unclosable([b"x"]))
    with pytest.raises(OSError):
        _answer(counted)
    assert counted.wait(0) == set()


def test_an_answer_never_closed_stops_counting_when_its_thread_ends():
    counted = RequestsInFlight(lambda environ, start_response: [b"x"])
    thread = threading.Thread(target=lambda: counted({}, lambda *a: None))  # never closed
    thread.start()
    thread.join(5)
    assert counted.wait(0) == set()


@pytest.mark.django_db(transaction=True)
def test_the_live_server_counts_its_requests(live_server):
    count_requests(live_server)
    count_requests(live_server)  # once only
    app = live_server.thread.httpd.get_app()
    assert isinstance(app, RequestsInFlight) and not isinstance(app.app, RequestsInFlight)
    with urllib.request.urlopen(live_server.url + "/healthz/", timeout=10) as response:  # noqa: S310 - the test's own server
        assert response.status == 200
    wait_for_requests(live_server, timeout=5)
    assert app.wait(0) == set()
