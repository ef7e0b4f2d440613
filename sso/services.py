"""Writes of single sign-on: the account a verified identity signs in to, and an invitation accepted
through it. Membership of an initiative still comes only by invitation."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives import services as initiative_services
from initiatives.models import Membership

from . import conf
from .models import SsoIdentity

User = get_user_model()


class SsoRefused(Exception):
    """A sign-in through the provider that is refused; its message is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _checked_email(claims: dict) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused(
            _("Your identity provider did not tell us your email address, so you cannot sign in with it.")
        )
    # Only an address the provider has verified may create or reach an account (OpenID Connect
    # Core 5.1); some providers send the flag as the string "true".
    verified = claims.get("email_verified")
    if verified is None and settings.SSO_ASSUME_EMAIL_VERIFIED:
        # A single-tenant provider that never sends the claim (Entra ID): the operator vouches for
        # its addresses (docs/sso.md). An explicit false is refused all the same.
        verified = True
    if verified not in (True, "true"):
        raise SsoRefused(
            _(
                "Your identity provider has not verified the email address %(email)s, so it cannot be used to sign in."
            )
            % {"email": email}
        )
    if not conf.email_domain_allowed(email):
        raise SsoRefused(
            _("Accounts of %(domain)s cannot sign in here with single sign-on.")
            % {"domain": email.rsplit("@", 1)[-1]}
        )
    return User.objects.normalize_email(email).strip()


def _new_username(email: str, claims: dict) -> str:
    wanted = claims.get("preferred_username") or email.split("@", 1)[0]
    base = re.sub(r"[^\w.@+-]", "", str(wanted))[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def sso_sign_in(*, issuer: str, claims: dict) -> AbstractBaseUser:
    """The account for a provider's verified claims: the linked one, else the one with the same
    verified email (linked now), else a new account without a password (if allowed)."""
    email = _checked_email(claims)
    subject = str(claims["sub"])
    identity = SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        user = identity.user
    else:
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise SsoRefused(
                _("Several accounts here use %(email)s. Ask the platform's administrator to link yours.")
                % {"email": email}
            )
        if matches:
            user = matches[0]
            # An administrator's account is never taken over by an email address alone: the
            # administrator links it by hand (docs/sso.md).
            if user.is_staff or user.is_superuser:
                raise SsoRefused(
                    _(
                        "The account of %(email)s is an administrator's: it is linked to single sign-on by hand only."
                    )
                    % {"email": email}
                )
            if user.sso_identities.filter(issuer=issuer).exists():
                raise SsoRefused(
                    _("The account of %(email)s is already linked to another identity at this provider.")
                    % {"email": email}
                )
        else:
            if not settings.SSO_CREATE_USERS:
                raise SsoRefused(
                    _(
                        "There is no account for %(email)s here. Ask the backbone staff of your initiative for an invitation."
                    )
                    % {"email": email}
                )
            user = User(
                username=_new_username(email, claims),
                email=email,
                first_name=str(claims.get("given_name", ""))[:150],
                last_name=str(claims.get("family_name", ""))[:150],
            )
            user.set_unusable_password()
            user.save()
        try:
            with transaction.atomic():
                identity = SsoIdentity.objects.create(user=user, issuer=issuer, subject=subject, email=email)
        except IntegrityError as exc:  # the same identity linked by a parallel first sign-in
            raise SsoRefused(_("Signing in did not finish. Please try again.")) from exc
    if not user.is_active:
        raise SsoRefused(_("This account is disabled."))
    identity.email = email
    identity.last_sign_in_at = timezone.now()
    identity.save(update_fields=["email", "last_sign_in_at"])
    return user


def sso_invitation_accept(*, token: str, user) -> tuple[Membership | None, str | None]:
    """Accept the invitation whose link started the sign-in, when it was sent to the address the
    provider verified for this person. Returns the membership, or the reason it was not accepted."""
    invitation = initiative_services.invitation_by_token(token)
    if invitation is None:
        return None, _("This invitation link is not valid.")
    if invitation.email.strip().lower() != (user.email or "").strip().lower():
        return None, _(
            "This invitation was sent to %(invited)s, but you signed in as %(email)s: it was not accepted."
        ) % {"invited": invitation.email, "email": user.email}
    try:
        return initiative_services.invitation_accept(invitation=invitation, user=user), None
    except ValidationError as exc:
        return None, exc.messages[0]
