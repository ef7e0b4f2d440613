"""API tokens on the wire: `Authorization: Bearer <token>` (or `Token <token>`).

The token's service account becomes `request.user`, carrying the token as `api_token_in_use`, so
that `permissions.membership_of` answers for the token; `request.auth` is the token. Expired and
revoked tokens are refused with 401, and so is anything that is not a valid token.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from initiatives import services

SCHEMES = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in SCHEMES:
            return None  # not ours: the session (or nobody) is asked next
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from exc
        token = services.api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token was revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        user = token.user
        if not user.is_active:  # its account switched off by a platform administrator
            raise exceptions.AuthenticationFailed(_("The token was revoked."))
        user.api_token_in_use = token  # type: ignore[attr-defined]  # for this request's user only
        services.api_token_touch(token)
        return user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge) rather than 403 to a caller with no credentials.
        return f'{self.keyword} realm="api"'


def api_token_of(request):
    """The token a request was authenticated with, or None (session or anonymous)."""
    from initiatives.models import ApiToken

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
