"""Reads: every query a page or endpoint needs, with its joins decided here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils.functional import Promise

from .choices import Area, MilestoneStatus, Phase
from .models import Initiative, Invitation, Membership, Milestone, Organization, PhaseTransition


def initiatives_visible_to(user) -> QuerySet[Initiative]:
    if not user.is_authenticated:
        return Initiative.objects.none()
    return (
        Initiative.objects.filter(memberships__user=user)
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("name")
    )


def memberships_of_user(user) -> dict[int, Membership]:
    """The user's membership per initiative id, for showing their role in lists."""
    return {m.initiative_id: m for m in Membership.objects.filter(user=user).select_related("organization")}


def members_of(initiative: Initiative) -> QuerySet[Membership]:
    return initiative.memberships.select_related("user", "organization").order_by(
        "role", "user__last_name", "user__first_name", "user__username"
    )


def pending_invitations(initiative: Initiative) -> QuerySet[Invitation]:
    from django.utils import timezone

    return initiative.invitations.filter(
        accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("organization", "invited_by")


def organizations_of(initiative: Initiative) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(participations__initiative=initiative)
        .annotate(member_count=Count("memberships", filter=None, distinct=True))
        .order_by("name")
    )


@dataclass
class PhaseColumn:
    phase: int
    label: str | Promise
    milestones: list[Milestone]
    is_current: bool
    is_past: bool

    @property
    def done(self) -> int:
        return sum(1 for m in self.milestones if m.status == MilestoneStatus.DONE)


def milestone_matrix(initiative: Initiative) -> tuple[list[tuple[str, str | Promise]], list[PhaseColumn]]:
    """The 4 × 4 matrix: the areas (rows) and per phase (column) its four milestones in area order."""
    by_key = {(m.phase, m.area): m for m in initiative.milestones.select_related("updated_by")}
    evidence = platform_evidence(initiative)
    for key, milestone in by_key.items():
        milestone.platform_evidence = evidence.get(key, [])
    area_order = list(Area)
    columns = [
        PhaseColumn(
            phase=phase.value,
            label=phase.label,
            milestones=[
                by_key[(phase.value, area.value)]
                for area in area_order
                if (phase.value, area.value) in by_key
            ],
            is_current=phase.value == initiative.phase,
            is_past=phase.value < initiative.phase,
        )
        for phase in Phase
    ]
    return [(a.value, a.label) for a in area_order], columns


def platform_evidence(initiative: Initiative) -> dict[tuple[int, str], list[tuple[str, str]]]:
    """Evidence the components record for each milestone: {(phase, area): [(text, url)]}.

    Each component app may offer `milestone_evidence(initiative)` on its AppConfig; the backbone
    still decides a milestone's status, the platform only shows what it has seen.
    """
    from django.apps import apps

    evidence: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for config in apps.get_app_configs():
        offer = getattr(config, "milestone_evidence", None)
        if offer is None:
            continue
        for phase, area, text, url in offer(initiative):
            evidence.setdefault((int(phase), str(area)), []).append((text, url))
    return evidence


def phase_history(initiative: Initiative) -> QuerySet[PhaseTransition]:
    return initiative.phase_transitions.select_related("by")


def initiative_with_counts(initiative: Initiative) -> Initiative:
    return Initiative.objects.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.select_related("updated_by"))
    ).get(pk=initiative.pk)


def api_tokens_of(initiative: Initiative):
    """The initiative's API tokens, newest first, with who issued and revoked them."""
    return initiative.api_tokens.select_related("organization", "created_by", "revoked_by").order_by(
        "-created_at", "-id"
    )
