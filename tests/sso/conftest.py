"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock (PyPI) run as its
own process on 127.0.0.1 and a free port, as a partner's Keycloak or Entra ID would be reached."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import requests

from sso import conf

CLIENT_ID = "ci-platform"
CLIENT_SECRET = "test-client-secret"  # noqa: S105 - the mock accepts any secret
PROVIDER_NAME = "Partner IdP"


@dataclass
class Provider:
    url: str
    process: subprocess.Popen

    def add_user(self, sub: str, **claims) -> None:
        """The person as the provider knows them: the claims its userinfo endpoint returns."""
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def code_for(
        self,
        sub: str,
        *,
        client_id: str,
        nonce: str,
        redirect_uri: str = "http://127.0.0.1/cb",
        url: str = "",
    ) -> str:
        """An authorization code issued by the provider, as its consent form would (no browser)."""
        response = requests.post(
            f"{url or self.url}/oauth2/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "scope": "openid email profile",
                "state": "s",
                "nonce": nonce,
            },
            data={"sub": sub},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text
        return requests.utils.urlparse(response.headers["Location"]).query.split("code=")[1].split("&")[0]

    def id_token_for(self, sub: str, *, client_id: str, nonce: str, url: str = "") -> str:
        """An ID token issued by the provider, reached at `url` (its issuer is the address it is
        reached at) or its own."""
        redirect_uri = "http://127.0.0.1/cb"
        code = self.code_for(sub, client_id=client_id, nonce=nonce, redirect_uri=redirect_uri, url=url)
        response = requests.post(
            f"{url or self.url}/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": "any",
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["id_token"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_provider(*extra: str) -> Provider:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--require-nonce",
            "true",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/.well-known/openid-configuration", timeout=2).ok:
                return Provider(url=url, process=process)
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the OpenID Connect provider did not start")


def stop_provider(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()


@pytest.fixture(scope="module")
def oidc_provider():
    provider = start_provider()
    yield provider
    stop_provider(provider)


def configure(settings, provider: Provider, **overrides) -> None:
    settings.SSO_OIDC_ISSUER = provider.url
    settings.SSO_OIDC_DISCOVERY_URL = ""
    settings.SSO_PROVIDER_NAME = PROVIDER_NAME
    settings.SSO_ALLOWED_EMAIL_DOMAINS = []
    settings.SSO_CREATE_USERS = True
    settings.SSO_PASSWORD_SIGN_IN = True
    settings.SSO_ASSUME_EMAIL_VERIFIED = False
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    # As ci_platform/settings.py allows the issuer's origin when SSO_OIDC_ISSUER is set at start-up.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", provider.url]}
    for name, value in overrides.items():
        setattr(settings, name, value)
    conf.forget_discovery()


@pytest.fixture
def sso_on(settings, oidc_provider):
    configure(settings, oidc_provider)
    yield oidc_provider
    conf.forget_discovery()
