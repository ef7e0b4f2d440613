"""The one place that decides who may see or change what in an initiative.

Views and API viewsets ask these functions; they never look at roles themselves.
Someone outside an initiative must not learn that it exists, so callers turn a missing
membership into 404, and a member without the right into 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

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

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.BACKBONE: frozenset({VIEW, MANAGE, SUBMIT_DATA}),
    Role.STEERING: frozenset({VIEW, ENDORSE}),
    Role.PARTNER: frozenset({VIEW, ENDORSE, SUBMIT_DATA}),
    Role.VIEWER: frozenset({VIEW}),
}


def membership_of(user: AbstractBaseUser | AnonymousUser, initiative: Initiative) -> Membership | None:
    if not user.is_authenticated:
        return None
    # Cache per request object pair: views ask several questions about the same pair.
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = {}
        user._membership_cache = cache
    if initiative.pk not in cache:
        cache[initiative.pk] = initiative.memberships.select_related("organization").filter(user=user).first()
    return cache[initiative.pk]


def can(user: AbstractBaseUser | AnonymousUser, action: str, initiative: Initiative) -> bool:
    membership = membership_of(user, initiative)
    return membership is not None and action in ROLE_ACTIONS[membership.role]


def can_view(user, initiative: Initiative) -> bool:
    return can(user, VIEW, initiative)


def can_manage(user, initiative: Initiative) -> bool:
    return can(user, MANAGE, initiative)


def can_create_initiative(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or settings.ALLOW_USERS_TO_CREATE_INITIATIVES
