"""Who may enter, review and see which data. Built on initiatives.permissions.

Confidentiality alongside transparency (DOMAIN.md 4.2): an organisation's raw values are seen by
that organisation and by backbone staff; others see aggregates only, unless the initiative opts in
to named sharing.
"""

from initiatives import permissions
from initiatives.choices import Role
from initiatives.models import Initiative, Organization


def can_enter(user, initiative: Initiative, organization: Organization) -> bool:
    membership = permissions.membership_of(user, initiative)
    if membership is None:
        return False
    if membership.role == Role.BACKBONE:
        return True
    return membership.role == Role.PARTNER and membership.organization_id == organization.pk


def can_review(user, initiative: Initiative) -> bool:
    return permissions.can_manage(user, initiative)


def can_see_raw(user, initiative: Initiative, organization: Organization) -> bool:
    membership = permissions.membership_of(user, initiative)
    if membership is None:
        return False
    if membership.role == Role.BACKBONE or membership.organization_id == organization.pk:
        return True
    from .selectors import settings_of

    return settings_of(initiative).share_named_values


def organizations_user_can_see(user, initiative: Initiative) -> list[int] | None:
    """Organisation ids whose raw values the user may read; None means all of them."""
    membership = permissions.membership_of(user, initiative)
    if membership is None:
        return []
    from .selectors import settings_of

    if membership.role == Role.BACKBONE or settings_of(initiative).share_named_values:
        return None
    return [membership.organization_id]
