"""Outbound requests to a receiver, without SSRF.

A webhook URL is typed by a person; the platform then makes requests to it from inside its own
network. So every address the host resolves to is checked (private, loopback, link-local — the
cloud metadata service at 169.254.169.254 —, multicast, reserved and unspecified addresses are
refused) when the URL is saved and again on every attempt, and the connection is made to the
checked address itself, so that a DNS answer that changes between the check and the request
(DNS rebinding) cannot send it elsewhere. Redirects are never followed: a 3xx is a failed attempt.
An operator may allow networks by setting (WEBHOOKS_ALLOWED_NETWORKS, e.g. a receiver on the
same private network; the tests allow 127.0.0.1)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_noop

from communication import messages

# What is read of a receiver's answer: its status is what counts; the rest is not stored.
RESPONSE_READ_LIMIT = 64 * 1024


class UnsafeURL(ValueError):
    """A URL the platform will not send to. `stored` is the reason as a message to keep (the delivery
    log renders it in its reader's language); str() is it in the active language, for a form."""

    def __init__(self, text: str, **params):
        self.stored = messages.message(text, **params)
        super().__init__(messages.render(self.stored))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    status_code: int | None
    response_ms: int | None
    error: str = ""  # what the network said (an exception's text): not translated
    reason: dict | None = None  # why it failed, as a message rendered in the reader's language

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n.strip(), strict=False) for n in settings.WEBHOOKS_ALLOWED_NETWORKS if n.strip()
    ]


def address_refused(address: str) -> bool:
    """Whether the platform refuses to connect to this IP address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(ip in network for network in allowed_networks()):
        return False
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_url(url: str) -> Target:
    """The URL's target, every address of its host resolved and checked; UnsafeURL otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(gettext_noop("This is not a valid address.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(gettext_noop("Use an address that starts with https:// (or http://)."))
    if not parts.hostname:
        raise UnsafeURL(gettext_noop("The address has no host name."))
    if parts.username or parts.password:
        raise UnsafeURL(
            gettext_noop(
                "Leave user names and passwords out of the address: the signature proves the sender."
            )
        )
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # unknown host, or not a host name at all
        raise UnsafeURL(
            gettext_noop("The host name %(host)s could not be resolved."), host=parts.hostname
        ) from exc
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    refused = [a for a in addresses if address_refused(a)]
    if not addresses or refused:
        raise UnsafeURL(
            gettext_noop(
                "%(host)s leads to %(address)s, a private, loopback, link-local or reserved address: "
                "the platform sends webhooks to public addresses only (an operator can allow a network "
                "with WEBHOOKS_ALLOWED_NETWORKS)."
            ),
            host=parts.hostname,
            address=refused[0] if refused else "?",
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, addresses)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address; the certificate is verified for the host name (SNI)."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Result:
    """POST `body` to `url` once: checked again now, no redirect followed, within the timeout."""
    try:
        target = check_url(url)
    except UnsafeURL as exc:
        return Result(None, None, reason=exc.stored)
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, target.addresses[0], timeout)
    started = time.monotonic()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "CollectiveImpactPlatform-Webhooks/1",
                **headers,
            },
        )
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        elapsed = round((time.monotonic() - started) * 1000)
        reason = None
        if 300 <= response.status < 400:
            reason = messages.message(
                gettext_noop("Redirect not followed (to %(location)s): give the final address."),
                location=(response.getheader("Location") or "?")[:200],
            )
        elif not 200 <= response.status < 300:
            reason = messages.message(
                gettext_noop("The receiver answered %(status)s."), status=response.status
            )
        return Result(response.status, elapsed, reason=reason)
    except TimeoutError:
        return Result(
            None,
            round((time.monotonic() - started) * 1000),
            reason=messages.message(gettext_noop("No answer within %(s)s seconds."), s=timeout),
        )
    except (OSError, http.client.HTTPException) as exc:
        return Result(None, round((time.monotonic() - started) * 1000), f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
