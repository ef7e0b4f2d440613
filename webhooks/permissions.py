"""Who may do what with webhooks, in the words of initiatives.permissions: backbone staff (MANAGE)
only, for reading as well as writing. A subscription's URL, its log and its secret are the
backbone's integration settings, as API tokens are; other members get 403, outsiders 404 (from
the initiative's mixins, before this is asked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from initiatives import permissions as base

if TYPE_CHECKING:
    from initiatives.models import Initiative

MANAGE = base.MANAGE


def can_manage(user, initiative: Initiative) -> bool:
    return base.can(user, MANAGE, initiative)
