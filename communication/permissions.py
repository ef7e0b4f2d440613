"""Who may see or change what in continuous communication, built on initiatives.permissions.

Membership decides first: someone outside the initiative gets 404 from the views and endpoints
(InitiativeMixin, InitiativeScopedMixin). Inside, these functions decide; views never look at
roles themselves.
"""

from __future__ import annotations

from django.db.models import Q

from initiatives import permissions as base
from initiatives.choices import Role

from .choices import Visibility

# This component's actions, in the one table of initiatives.permissions.
VIEW, RECORD, CONTRIBUTE, REPORT = base.VIEW, base.RECORD, base.CONTRIBUTE, base.REPORT

LEADERSHIP_ROLES = frozenset({Role.BACKBONE, Role.STEERING})


def membership_of(user, initiative):
    return base.membership_of(user, initiative)


can = base.can


def _role(user, initiative) -> str | None:
    membership = base.membership_of(user, initiative)
    return membership.role if membership else None


# --- Documents -----------------------------------------------------------------------------------


def visible_documents_q(user, initiative) -> Q:
    """The filter for the documents this member may see (an empty match for non-members)."""
    role = _role(user, initiative)
    if role is None:
        return Q(pk__in=[])
    if role == Role.BACKBONE:
        return Q()  # backbone staff run the library
    allowed = Q(visibility=Visibility.MEMBERS) | Q(uploaded_by=user)
    if role in LEADERSHIP_ROLES:
        allowed |= Q(visibility=Visibility.LEADERSHIP)
    allowed |= Q(visibility=Visibility.GROUP, group_members=user)
    return allowed


def can_delete_document(user, document) -> bool:
    return can(user, RECORD, document.initiative) or (
        document.uploaded_by_id == user.pk and can(user, CONTRIBUTE, document.initiative)
    )


# --- Posts and comments --------------------------------------------------------------------------


def can_edit_post(user, post) -> bool:
    """The author edits their post; backbone staff may too (moderation)."""
    return can(user, RECORD, post.initiative) or (
        post.author_id == user.pk and can(user, CONTRIBUTE, post.initiative)
    )


# --- Action items -------------------------------------------------------------------------------


def can_update_action_item(user, item) -> bool:
    """Its owner reports progress; backbone staff keep the list."""
    return can(user, RECORD, item.initiative) or (
        item.owner_id == user.pk and can(user, VIEW, item.initiative)
    )
