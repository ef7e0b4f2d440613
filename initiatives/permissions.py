"""The one place that decides who may see or change what in an initiative.

Views and API viewsets ask these functions; they never look at roles themselves.
Someone outside an initiative must not learn that it exists, so callers turn a missing
membership into 404, and a member without the right into 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied

from .choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from .models import Initiative, Membership


# What each role may do. Actions are named in the domain's words; later components add theirs.
VIEW = "view"
MANAGE = "manage"  # set up the initiative, phases, milestones, members (backbone staff)
# Endorse the common agenda, decide: the steering committee and partners. Backbone staff
# facilitate and stay neutral, so they draft and publish but do not endorse.
ENDORSE = "endorse"
SUBMIT_DATA = "submit_data"  # enter their own organisation's data
# Continuous communication's actions.
RECORD = "record"  # record meetings, attendance, minutes, decisions, action items (backbone staff)
CONTRIBUTE = "contribute"  # post updates, comment, add documents
REPORT = "report"  # generate and publish progress reports (backbone staff)

# The one table of what each role may do, for every component.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.BACKBONE: frozenset({VIEW, MANAGE, SUBMIT_DATA, RECORD, CONTRIBUTE, REPORT}),
    Role.STEERING: frozenset({VIEW, ENDORSE, CONTRIBUTE}),
    Role.PARTNER: frozenset({VIEW, ENDORSE, SUBMIT_DATA, CONTRIBUTE}),
    Role.VIEWER: frozenset({VIEW}),
}


def membership_of(user: AbstractBaseUser | AnonymousUser, initiative: Initiative) -> Membership | None:
    if not user.is_authenticated:
        return None
    token = getattr(user, "api_token_in_use", None)
    if token is not None:
        return token_membership(token, initiative)
    # Cache per request object pair: views ask several questions about the same pair.
    cache: dict[int, Membership | None] | None = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = {}
        user._membership_cache = cache  # type: ignore[attr-defined]
    if initiative.pk not in cache:
        cache[initiative.pk] = (
            initiative.memberships.select_related("organization").filter(user_id=user.pk).first()
        )
    return cache[initiative.pk]


def can(user: AbstractBaseUser | AnonymousUser, action: str, initiative: Initiative) -> bool:
    membership = membership_of(user, initiative)
    return membership is not None and action in ROLE_ACTIONS[membership.role]


def require(user: AbstractBaseUser | AnonymousUser, action: str, initiative: Initiative) -> None:
    """What every service asks before a change: PermissionDenied unless `user` may do `action`."""
    if not can(user, action, initiative):
        raise PermissionDenied


def can_view(user, initiative: Initiative) -> bool:
    return can(user, VIEW, initiative)


def can_manage(user, initiative: Initiative) -> bool:
    return can(user, MANAGE, initiative)


def can_create_initiative(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or settings.ALLOW_USERS_TO_CREATE_INITIATIVES


# --- API tokens --------------------------------------------------------------------------------
# A token is the membership it stands for, in its own initiative only: a read token reads what
# backbone staff read (to mirror the initiative's data) and writes nothing; a submit token is a
# partner contributor of its organisation. Writes are further limited in the API's one scoping
# place (InitiativeScopedMixin): a token writes only where the endpoint's action is TOKEN_WRITE_ACTION.
TOKEN_WRITE_ACTION = SUBMIT_DATA


def token_membership(token, initiative: Initiative) -> Membership | None:
    """The (unsaved) membership an API token acts as in `initiative`, or None outside its own."""
    from .choices import TokenScope
    from .models import Membership

    if token.initiative_id != initiative.pk:
        return None
    role = Role.PARTNER if token.scope == TokenScope.SUBMIT else Role.BACKBONE
    # The token's organisation object is shared (loaded with the token): no query per question.
    return Membership(
        user_id=token.user_id, initiative=initiative, organization=token.organization, role=role
    )


def token_may_write(token, action: str) -> bool:
    from .choices import TokenScope

    return token.scope == TokenScope.SUBMIT and action == TOKEN_WRITE_ACTION
