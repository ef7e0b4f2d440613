"""Web origins (scheme, host and port) that may frame an initiative's embeddable charts.

They end up in a Content-Security-Policy `frame-ancestors` directive, so each is checked to be
exactly an origin: no path, query, credentials, wildcard or CSP keyword can slip into the header.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ORIGINS = 20
DEFAULT_PORTS = {"http": 80, "https": 443}
# A host name's labels (IDNs in their xn-- form), or an IPv4 address.
HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def parse_origin(text: str) -> str:
    """`text` as a normalised origin (`https://example.org`, `http://127.0.0.1:8001`), or a
    ValidationError saying what is wrong with it."""
    raw = text.strip()
    if not raw.isascii():
        try:
            scheme, rest = raw.split("://", 1)
            raw = f"{scheme}://{rest.encode('idna').decode('ascii')}"
        except (ValueError, UnicodeError):
            raise ValidationError(_("“%(origin)s” is not a web address.") % {"origin": text}) from None
    if any(c in raw for c in " \t;,'\"*\\"):
        raise ValidationError(
            _("“%(origin)s”: give one origin per line, without spaces, quotes or wildcards.")
            % {"origin": text}
        )
    parts = urlsplit(raw)
    if parts.scheme not in DEFAULT_PORTS or not raw.lower().startswith(f"{parts.scheme}://"):
        raise ValidationError(_("“%(origin)s” must start with https:// (or http://).") % {"origin": text})
    if parts.username or parts.password or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValidationError(
            _("“%(origin)s”: only the scheme, host and port, e.g. https://www.example.org.")
            % {"origin": text}
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = (parts.hostname or "").lower()
    if port == -1 or not host or not HOST.match(host):
        raise ValidationError(_("“%(origin)s” is not a web address.") % {"origin": text})
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def parse_origins(text: str) -> list[str]:
    """One origin per line (blank lines ignored, duplicates dropped, order kept); every bad line is
    reported at once."""
    origins: list[str] = []
    errors: list[ValidationError] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            origin = parse_origin(line)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise ValidationError(errors)
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(_("At most %(n)d origins.") % {"n": MAX_ORIGINS})
    return origins


def validate_origins(value) -> None:
    """The model field's check: a list of origins, each already in its normalised form."""
    if not isinstance(value, list) or len(value) > MAX_ORIGINS:
        raise ValidationError(_("At most %(n)d origins.") % {"n": MAX_ORIGINS})
    for origin in value:
        if not isinstance(origin, str) or parse_origin(origin) != origin:
            raise ValidationError(_("“%(origin)s” is not a web address.") % {"origin": origin})
