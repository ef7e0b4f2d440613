"""Who may change what in mutually reinforcing activities, on top of initiatives.permissions.

* Backbone staff (MANAGE) run the structure: steering committee seats, working groups, survey
  waves, and may change any group's plan.
* A working group's chair changes the group's plan: its activities and its members.
* A partner (a role with SUBMIT_DATA) updates the activities its own organisation leads.
* Steering committee members and partners answer the partner-relationship survey for their own
  organisation; backbone staff may enter answers for any organisation (from a call or on paper).
* Everyone in the initiative reads. Callers outside it get 404 from the initiative's mixins
  before any of these are asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from initiatives import permissions as base
from initiatives.choices import Role

if TYPE_CHECKING:
    from initiatives.models import Initiative, Organization

    from .models import Activity, WorkingGroup


SURVEY_ROLES = frozenset({Role.BACKBONE, Role.STEERING, Role.PARTNER})


def can_view(user, initiative: Initiative) -> bool:
    return base.can_view(user, initiative)


def can_manage_structure(user, initiative: Initiative) -> bool:
    return base.can_manage(user, initiative)


def is_chair(user, group: WorkingGroup) -> bool:
    membership = base.membership_of(user, group.initiative)
    return membership is not None and group.chair_id is not None and group.chair_id == membership.pk


def can_edit_plan(user, group: WorkingGroup) -> bool:
    return can_manage_structure(user, group.initiative) or is_chair(user, group)


def leads(user, activity: Activity) -> bool:
    """The person speaks for the activity's lead organisation, in a role that submits data."""
    membership = base.membership_of(user, activity.working_group.initiative)
    return (
        membership is not None
        and base.SUBMIT_DATA in base.ROLE_ACTIONS[membership.role]
        and membership.organization_id == activity.lead_organization_id
    )


def can_update_activity(user, activity: Activity) -> bool:
    return can_edit_plan(user, activity.working_group) or leads(user, activity)


def survey_organization_ids(user, initiative: Initiative) -> set[int] | None:
    """The organisations the person may answer the survey for: None means any in the initiative."""
    membership = base.membership_of(user, initiative)
    if membership is None or membership.role not in SURVEY_ROLES:
        return set()
    if membership.role == Role.BACKBONE:
        return None
    return {membership.organization_id}


def can_answer_survey(user, initiative: Initiative) -> bool:
    return survey_organization_ids(user, initiative) != set()


def can_answer_for(user, initiative: Initiative, organization: Organization) -> bool:
    allowed = survey_organization_ids(user, initiative)
    return allowed is None or organization.pk in allowed


def can_see_ratings_of(user, initiative: Initiative, organization_id: int) -> bool:
    """Individual trust and value ratings are confidential: backbone staff and the organisation
    that gave them see them; everyone else sees the network and its aggregate figures."""
    if can_manage_structure(user, initiative):
        return True
    membership = base.membership_of(user, initiative)
    return membership is not None and membership.organization_id == organization_id


# --- For services: raise rather than answer ----------------------------------------------------


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
