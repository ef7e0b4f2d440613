"""No SSRF: private, loopback, link-local, multicast and reserved addresses are refused when a URL
is subscribed and again when it is sent to, unless an operator allows the network; redirects are
never followed; a receiver that does not answer is given up on at the timeout."""

import socket

import pytest
from django.core.exceptions import ValidationError

from webhooks import network, services
from webhooks.choices import EventType
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://10.0.0.1/hook",
    "http://192.168.1.20/hook",
    "http://172.16.0.1/hook",
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service: link-local
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # loopback in IPv6 dress
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",  # multicast
    "http://240.0.0.1/hook",  # reserved
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT: not global
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_url_that_leads_inside_is_refused(url, settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    with pytest.raises(network.UnsafeURL, match="public addresses only"):
        network.check_url(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/x", "https://"),
        ("file:///etc/passwd", "https://"),
        ("http://user:pw@8.8.8.8/", "passwords"),
        ("http://8.8.8.8:99999/", "not a valid address"),
        ("http:///path", "no host name"),
    ],
)
def test_a_url_that_is_not_a_plain_web_address_is_refused(url, message):
    with pytest.raises(network.UnsafeURL, match=message):
        network.check_url(url)


def test_a_public_address_passes_and_an_allowed_network_is_let_through(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    assert network.check_url("https://8.8.8.8/hook").addresses == ("8.8.8.8",)
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert network.check_url("http://127.0.0.1:9/hook").addresses == ("127.0.0.1",)
    with pytest.raises(network.UnsafeURL):
        network.check_url("http://10.0.0.1/hook")  # only the network listed


def test_every_resolved_address_is_checked(monkeypatch, settings):
    """A host with one public and one private address is refused (the private one could be used)."""
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443)),
    ]
    monkeypatch.setattr(network.socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(network.UnsafeURL, match="10.1.2.3"):
        network.check_url("https://receiver.example/hook")


def test_subscribing_a_refused_url_says_why(world, settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            url="http://169.254.169.254/latest/meta-data/",
            events=[EventType.DECISION_RECORDED],
        )
    assert "169.254.169.254" in refused.value.message_dict["url"][0]
    assert not world.initiative.webhook_subscriptions.exists()


def test_the_address_is_checked_again_when_sending(world, receiver, loopback_allowed, settings):
    """Allowed when subscribed, refused when sent: the check of the moment wins, nothing is sent."""
    from .test_delivery import decide, subscribe

    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    decide(world)
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    assert "public addresses only" in services.delivery_attempt(Delivery.objects.get().pk)
    assert receiver.received == []
    attempt = Delivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and "127.0.0.1" in attempt.error_text


def test_a_redirect_is_not_followed(world, receiver, loopback_allowed):
    from .test_delivery import decide, subscribe

    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    elsewhere = receiver.url.replace("/hooks/ci", "/elsewhere")
    receiver.answers = [(302, elsewhere)]
    decide(world)
    assert services.delivery_attempt(Delivery.objects.get().pk) == "failed (302)"
    assert [r.headers.get("webhook-id") for r in receiver.received] and len(receiver.received) == 1
    attempt = Delivery.objects.get().attempt_log.get()
    assert (
        attempt.status_code == 302
        and "Redirect not followed" in attempt.error_text
        and elsewhere in attempt.error_text
    )


def test_a_receiver_that_never_answers_is_given_up_on_at_the_timeout(loopback_allowed, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        result = network.post(f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {})
    finally:
        silent.close()
    assert result.status_code is None and not result.ok
    assert result.reason and result.response_ms is not None and result.response_ms < 3000
