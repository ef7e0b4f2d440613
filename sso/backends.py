"""mozilla-django-oidc's code flow with the checks this platform needs on top of it.

The library exchanges the code (with PKCE), finds the signing key in the provider's JWKS, checks the
signature and the nonce and reads userinfo. It does not check the ID token's audience or issuer, nor
that userinfo speaks of the same person: those are checked here, and every refusal is an SsoRefused
with a message for the person (never a 500)."""

from __future__ import annotations

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import services
from .conf import Provider
from .services import SsoRefused

ALGORITHM = "RS256"
# Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60


def _invalid_token() -> SsoRefused:
    return SsoRefused(_("The identity provider's answer could not be verified, so you were not signed in."))


class SsoBackend(OIDCAuthenticationBackend):
    """Not in AUTHENTICATION_BACKENDS: the callback view calls it itself, so that a password
    sign-in never reaches it and django-axes never counts a provider's refusal as a wrong password."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise _invalid_token() from exc
        if header.get("alg") != ALGORITHM:
            raise _invalid_token()
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[ALGORITHM],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SsoRefused(_("The identity provider's sign-in has expired. Please sign in again.")) from exc
        except jwt.InvalidAudienceError as exc:
            raise SsoRefused(
                _(
                    "The identity provider's answer was meant for another application, so you were not signed in."
                )
            ) from exc
        except jwt.PyJWTError as exc:
            raise _invalid_token() from exc
        # With several audiences, the token must name this client as the one it was issued to
        # (OpenID Connect Core 3.1.3.7).
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SsoRefused(
                _(
                    "The identity provider's answer was meant for another application, so you were not signed in."
                )
            )
        return claims

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str) or not token:
            raise _invalid_token()
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as exc:  # a nonce that differs, or no key in the JWKS
            raise _invalid_token() from exc
        except requests.RequestException as exc:
            raise SsoRefused(
                _("The identity provider could not be reached. Please try again later.")
            ) from exc

    def get_or_create_user(self, access_token, id_token, payload):
        try:
            claims = self.get_userinfo(access_token, id_token, payload)
        except requests.RequestException as exc:
            raise SsoRefused(
                _("The identity provider could not be reached. Please try again later.")
            ) from exc
        # userinfo must speak of the person the ID token names (OpenID Connect Core 5.3.2).
        if not isinstance(claims, dict) or str(claims.get("sub")) != str(payload["sub"]):
            raise _invalid_token()
        return services.sso_sign_in(issuer=self.provider.issuer, claims=claims)

    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as exc:  # the token endpoint refused the code
            raise SsoRefused(
                _("The identity provider did not accept this sign-in. Please start again.")
            ) from exc
        except requests.RequestException as exc:
            raise SsoRefused(
                _("The identity provider could not be reached. Please try again later.")
            ) from exc
