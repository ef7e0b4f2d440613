"""Reads of the common agenda."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ci_platform.i18n_format import isolate
from initiatives.choices import Area, Phase
from initiatives.models import Initiative

from .choices import AgendaKind, Decision, VersionStatus
from .diff import VersionSnapshot
from .models import AgendaVersion, Endorsement, StrategyItem


def published_versions(initiative: Initiative) -> QuerySet[AgendaVersion]:
    return (
        initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED)
        .select_related("published_by")
        .annotate(
            endorse_count=Count("endorsements", filter=Q(endorsements__decision=Decision.ENDORSE)),
            decline_count=Count("endorsements", filter=Q(endorsements__decision=Decision.DECLINE)),
        )
        .order_by("-number")
    )


def _with_parts(queryset: QuerySet[AgendaVersion]) -> QuerySet[AgendaVersion]:
    return queryset.select_related("published_by", "updated_by").prefetch_related(
        "figures",
        Prefetch("strategy_items", queryset=StrategyItem.objects.order_by("order", "id")),
        Prefetch("endorsements", queryset=Endorsement.objects.select_related("user", "organization")),
    )


def version_by_number(initiative: Initiative, number: int) -> AgendaVersion:
    return get_object_or_404(
        _with_parts(initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED)), number=number
    )


def draft_of(initiative: Initiative) -> AgendaVersion | None:
    return _with_parts(initiative.agenda_versions.filter(status=VersionStatus.DRAFT)).first()


def latest_with_parts(initiative: Initiative) -> AgendaVersion | None:
    return (
        _with_parts(initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED))
        .order_by("-number")
        .first()
    )


def snapshot(version: AgendaVersion) -> VersionSnapshot:
    return VersionSnapshot(
        texts={name: getattr(version, name) for name in AgendaVersion.TEXT_SECTIONS},
        strategies={s.strategy_id: (s.title, s.rationale) for s in version.strategy_items.all()},
        principles=list(version.guiding_principles),
        figures=[
            f"{f.statement} ({f.source}{', ' + str(f.year) if f.year else ''})" for f in version.figures.all()
        ],
    )


def endorsements_by_person(initiative: Initiative) -> list[Endorsement]:
    """Per person who ever endorsed or declined: their latest decision and on which version."""
    rows = (
        Endorsement.objects.filter(version__initiative=initiative)
        .select_related("user", "organization", "version__initiative")  # the version's link needs the slug
        .order_by("user_id", "-version__number")
    )
    latest: dict[int, Endorsement] = {}
    for e in rows:
        latest.setdefault(e.user_id, e)
    return sorted(latest.values(), key=lambda e: (e.organization.name, e.user.get_username()))


def current_strategies(initiative: Initiative) -> list[StrategyItem]:
    """The key strategies as worded in the latest published version (what working groups form around)."""
    latest = initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    return list(latest.strategy_items.select_related("strategy").order_by("order")) if latest else []


def current_strategy_titles(initiative: Initiative) -> dict[int, str]:
    """Strategy id -> its title in the latest published version, in the version's order (one query)."""
    latest = (
        initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").values("pk")[:1]
    )
    return dict(
        StrategyItem.objects.filter(version_id__in=latest)
        .order_by("order", "id")
        .values_list("strategy_id", "title")
    )


def milestone_evidence(initiative: Initiative) -> list[tuple[int, str, str, str]]:
    """Evidence the agenda gives to the lifecycle milestones: (phase, area, text, url)."""
    evidence: list[tuple[int, str, str, str]] = []
    versions = list(
        initiative.agenda_versions.filter(status=VersionStatus.PUBLISHED)
        .order_by("number")
        .only("number", "kind", "published_at", "adopted_at", "initiative_id", "status")
    )
    preliminary = next((v for v in versions if v.kind == AgendaKind.PRELIMINARY), None)
    if preliminary:
        evidence.append(
            (
                Phase.INITIATE_ACTION,
                Area.STRATEGY,
                _("Preliminary common agenda %(version)s published")
                % {"version": isolate(preliminary.label)},
                preliminary.get_absolute_url(),
            )
        )
    adopted_full = next((v for v in versions if v.kind == AgendaKind.FULL and v.adopted_at), None)
    if adopted_full:
        evidence.append(
            (
                Phase.ORGANIZE_FOR_IMPACT,
                Area.STRATEGY,
                _("Full common agenda %(version)s adopted by the steering committee")
                % {"version": isolate(adopted_full.label)},
                adopted_full.get_absolute_url(),
            )
        )
    return evidence
