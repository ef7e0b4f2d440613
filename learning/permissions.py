"""Who may do what with what the initiative learns, in the words of initiatives.permissions (the
one table of what each role may do, ROLE_ACTIONS):

* Everyone in the initiative reads: the risks, the learning log, the worksheets and the stories.
* Backbone staff (MANAGE) keep the risk register, the learning log and the worksheets: they
  facilitate the conversation and write down what it concluded.
* Whoever contributes (CONTRIBUTE: backbone staff, steering committee members and partners)
  tells a story beside a measure's data, for their own organisation (backbone staff for any).
* Outsiders get 404 from the initiative's mixins before any of this is asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from initiatives import permissions as base

if TYPE_CHECKING:
    from initiatives.models import Initiative

VIEW = base.VIEW
KEEP = base.MANAGE  # keep the register, the log and the worksheets
TELL = base.CONTRIBUTE  # tell a story beside the data


def can_keep(user, initiative: Initiative) -> bool:
    return base.can(user, KEEP, initiative)


def can_tell(user, initiative: Initiative) -> bool:
    return base.can(user, TELL, initiative)


def story_organization_ids(user, initiative: Initiative) -> set[int] | None:
    """The organisations a person may tell a story for: None means any in the initiative."""
    if base.can_manage(user, initiative):
        return None
    membership = base.membership_of(user, initiative)
    return {membership.organization_id} if membership is not None else set()
