from django import template
from django.conf import settings

from .. import conf

register = template.Library()


@register.simple_tag
def password_sign_in_allowed() -> bool:
    return conf.password_sign_in_allowed()


@register.inclusion_tag("sso/button.html", takes_context=True)
def sso_button(context, next_url: str = "", invitation: str = "", label: str = "sign_in"):
    """The "Sign in with <provider>" button, or nothing when single sign-on is off."""
    return {
        "enabled": conf.enabled(),
        "provider_name": settings.SSO_PROVIDER_NAME,
        "next_url": next_url,
        "invitation": invitation,
        "label": label,
        "csrf_token": context.get("csrf_token"),
    }
