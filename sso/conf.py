"""Single sign-on's configuration: off unless an issuer is set (docs/sso.md).

The provider's endpoints come from its discovery document, read when first needed (never at start-up,
so a provider that is down does not stop the platform) and kept for an hour.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings

DISCOVERY_TTL_SECONDS = 3600

_lock = threading.Lock()
_discovered: dict[str, tuple[float, Provider]] = {}


class SsoUnavailable(Exception):
    """The provider's discovery document could not be read or is not usable."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def enabled() -> bool:
    return bool(settings.SSO_OIDC_ISSUER)


def password_sign_in_allowed() -> bool:
    """Password sign-in is turned off only together with a working single sign-on."""
    return not enabled() or settings.SSO_PASSWORD_SIGN_IN


def discovery_url() -> str:
    return settings.SSO_OIDC_DISCOVERY_URL or (
        settings.SSO_OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    )


def provider() -> Provider:
    url = discovery_url()
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(url)
        if cached and now - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoUnavailable(f"discovery document {url}: {exc}") from exc
    if not isinstance(document, dict):
        raise SsoUnavailable(f"discovery document {url}: not a JSON object")
    # The issuer the provider names must be the one configured (OpenID Connect Discovery 1.0, 4.3):
    # otherwise a document from elsewhere could point the tokens' checks at another issuer.
    if str(document.get("issuer", "")).rstrip("/") != settings.SSO_OIDC_ISSUER.rstrip("/"):
        raise SsoUnavailable(
            f"discovery document {url}: issuer {document.get('issuer')!r} is not the configured one"
        )
    fields = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    missing = [name for name in fields if not isinstance(document.get(name), str)]
    if missing:
        raise SsoUnavailable(f"discovery document {url}: missing {', '.join(missing)}")
    found = Provider(issuer=document["issuer"], **{name: document[name] for name in fields})
    with _lock:
        _discovered[url] = (now, found)
    return found


def forget_discovery() -> None:
    with _lock:
        _discovered.clear()


def email_domain_allowed(email: str) -> bool:
    allowed = {
        domain.strip().lower().lstrip("@") for domain in settings.SSO_ALLOWED_EMAIL_DOMAINS if domain.strip()
    }
    if not allowed:
        return True
    return email.rsplit("@", 1)[-1].lower() in allowed
