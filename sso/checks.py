from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def sso_configuration(app_configs, **kwargs):
    """An issuer without a client is a sign-in button that can only fail."""
    if not settings.SSO_OIDC_ISSUER:
        return []
    errors = []
    if not settings.OIDC_RP_CLIENT_ID:
        errors.append(checks.Error("SSO_OIDC_ISSUER is set but SSO_OIDC_CLIENT_ID is not.", id="sso.E001"))
    if "openid" not in settings.OIDC_RP_SCOPES.split() or "email" not in settings.OIDC_RP_SCOPES.split():
        errors.append(checks.Error("SSO_OIDC_SCOPES must include openid and email.", id="sso.E002"))
    return errors
