"""Who may see and do what in the backbone component. Built on initiatives.permissions.

* Every member sees the scorecard's aggregate (the six function scores and their trend), the
  catalogue, the policy log, community engagement and the funding charts.
* The steering committee and backbone staff see the drill-down: each indicator's score, its
  evidence and the survey distribution, and the funding ledger's individual entries.
* Backbone staff run the surveys, keep the records and recompute the scores.
* Nobody, backbone staff included, sees an individual's answers: the data model does not link an
  answer to the person who gave it, and distributions are shown only above a minimum count.
"""

from __future__ import annotations

from initiatives import permissions
from initiatives.choices import Role
from initiatives.models import Initiative

DETAIL_ROLES = frozenset({Role.BACKBONE, Role.STEERING})


def _role(user, initiative: Initiative) -> str | None:
    membership = permissions.membership_of(user, initiative)
    return membership.role if membership else None


def can_view(user, initiative: Initiative) -> bool:
    return permissions.can_view(user, initiative)


def can_see_detail(user, initiative: Initiative) -> bool:
    """The indicator drill-down, evidence and distributions, and the ledger's entries."""
    return _role(user, initiative) in DETAIL_ROLES


def can_run_surveys(user, initiative: Initiative) -> bool:
    return permissions.can_manage(user, initiative)


def can_keep_records(user, initiative: Initiative) -> bool:
    """The policy log, the funding ledger, community events, the catalogue's wording."""
    return permissions.can_manage(user, initiative)


def can_recompute(user, initiative: Initiative) -> bool:
    return permissions.can_manage(user, initiative)
