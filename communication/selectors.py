"""Reads of continuous communication, with their joins decided here so that list pages and API
lists run a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.choices import Area, Phase
from initiatives.models import Initiative, Membership

from . import permissions
from .choices import COMMUNITY_BODIES, OPEN_ACTION_STATUSES, AttendanceStatus, Body, ReportStatus
from .models import (
    ActionItem,
    Attendance,
    Comment,
    Decision,
    Document,
    Meeting,
    Notification,
    Post,
    ProgressReport,
)

# --- Meetings -------------------------------------------------------------------------------------


def meetings_of(initiative: Initiative) -> QuerySet[Meeting]:
    return initiative.meetings.annotate(
        invited_count=Count("attendances", distinct=True),
        attended_count=Count(
            "attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED), distinct=True
        ),
        decision_count=Count("decisions", distinct=True),
    ).select_related("initiative")


def upcoming_meetings(initiative: Initiative) -> QuerySet[Meeting]:
    return meetings_of(initiative).filter(starts_at__gte=timezone.now()).order_by("starts_at")


def past_meetings(initiative: Initiative) -> QuerySet[Meeting]:
    return meetings_of(initiative).filter(starts_at__lt=timezone.now()).order_by("-starts_at")


def _decisions(queryset: QuerySet[Decision]) -> QuerySet[Decision]:
    return queryset.select_related("initiative", "meeting").prefetch_related(
        "measures__initiative", "documents"
    )


def meeting_detail(initiative: Initiative, pk: int) -> Meeting:
    return get_object_or_404(
        initiative.meetings.select_related("initiative", "created_by").prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("user", "organization")),
            Prefetch("decisions", queryset=_decisions(Decision.objects.all())),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related(
                    "owner", "owner_organization", "decision__initiative"
                ),
            ),
        ),
        pk=pk,
    )


def attendance_by_organization(meeting: Meeting) -> list[dict]:
    """Per organisation: who was invited and who came (from the prefetched attendances)."""
    rows: dict[int, dict] = {}
    for a in meeting.attendances.all():
        row = rows.setdefault(
            a.organization_id, {"organization": a.organization, "invited": 0, "attended": 0}
        )
        row["invited"] += 1
        row["attended"] += a.status == AttendanceStatus.ATTENDED
    return sorted(rows.values(), key=lambda r: r["organization"].name)


# --- Decisions and action items -----------------------------------------------------------------------


def decisions_of(initiative: Initiative, *, body: str = "") -> QuerySet[Decision]:
    queryset = initiative.decisions.all()
    if body:
        queryset = queryset.filter(body=body)
    return _decisions(queryset)


def decision_detail(initiative: Initiative, pk: int) -> Decision:
    return get_object_or_404(
        _decisions(initiative.decisions.all()).prefetch_related(
            Prefetch(
                "action_items", queryset=ActionItem.objects.select_related("owner", "owner_organization")
            )
        ),
        pk=pk,
    )


def action_items_of(initiative: Initiative, *, open_only: bool = False, owner=None) -> QuerySet[ActionItem]:
    queryset = initiative.action_items.select_related(
        "initiative", "owner", "owner_organization", "meeting", "decision__initiative"
    )
    if open_only:
        queryset = queryset.filter(status__in=OPEN_ACTION_STATUSES)
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    return queryset.order_by("status", "due_on", "id")


def decision_data_use(initiative: Initiative, start: date | None = None, end: date | None = None) -> dict:
    """For backbone indicator 16 ("partners make decisions based on data"): how many decisions
    cite a shared measure, a document or a link."""
    queryset = initiative.decisions.all()
    if start:
        queryset = queryset.filter(decided_on__gte=start)
    if end:
        queryset = queryset.filter(decided_on__lte=end)
    through_m = Decision.measures.through.objects.filter(decision_id=OuterRef("pk"))
    through_d = Decision.documents.through.objects.filter(decision_id=OuterRef("pk"))
    queryset = queryset.annotate(has_measure=Exists(through_m), has_document=Exists(through_d))
    rows = list(queryset.values("has_measure", "has_document", "links"))
    return {
        "decisions": len(rows),
        "citing_measures": sum(1 for r in rows if r["has_measure"]),
        "citing_any_source": sum(1 for r in rows if r["has_measure"] or r["has_document"] or r["links"]),
    }


def attendance_summary(initiative: Initiative, start: date | None = None, end: date | None = None) -> dict:
    """Meetings held and attendance (backbone indicators 4 and 7)."""
    queryset = Attendance.objects.filter(
        meeting__initiative=initiative, meeting__starts_at__lte=timezone.now()
    )
    if start:
        queryset = queryset.filter(meeting__starts_at__date__gte=start)
    if end:
        queryset = queryset.filter(meeting__starts_at__date__lte=end)
    totals = queryset.aggregate(
        invited=Count("pk"),
        attended=Count("pk", filter=Q(status=AttendanceStatus.ATTENDED)),
        organizations=Count("organization", filter=Q(status=AttendanceStatus.ATTENDED), distinct=True),
        meetings=Count("meeting", distinct=True),
    )
    return totals


# --- Updates feed ----------------------------------------------------------------------------------


def posts_of(initiative: Initiative, *, tag: str = "", kind: str = "") -> QuerySet[Post]:
    queryset = initiative.posts.select_related("initiative", "author", "author_organization").annotate(
        comment_count=Count("comments")
    )
    if tag:
        queryset = queryset.filter(tag__iexact=tag)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-created_at", "-id")


def post_detail(initiative: Initiative, pk: int) -> Post:
    return get_object_or_404(
        initiative.posts.select_related("initiative", "author", "author_organization").prefetch_related(
            Prefetch("comments", queryset=Comment.objects.select_related("author"))
        ),
        pk=pk,
    )


def tags_of(initiative: Initiative) -> list[str]:
    """The streams of the feed and library: working groups' names and topics in use."""
    posts = initiative.posts.exclude(tag="").values_list("tag", flat=True)
    documents = initiative.documents.exclude(tag="").values_list("tag", flat=True)
    return sorted({*posts, *documents}, key=str.casefold)


# --- Documents -------------------------------------------------------------------------------------


def documents_visible_to(user, initiative: Initiative, *, tag: str = "") -> QuerySet[Document]:
    queryset = (
        initiative.documents.filter(permissions.visible_documents_q(user, initiative))
        .select_related("initiative", "uploaded_by")
        .distinct()
    )
    if tag:
        queryset = queryset.filter(tag__iexact=tag)
    return queryset.order_by("-created_at", "-id")


def document_for(user, initiative: Initiative, pk: int) -> Document:
    """The document if this member may see it; 404 otherwise (a private document does not exist
    for those outside its audience)."""
    return get_object_or_404(documents_visible_to(user, initiative).prefetch_related("group_members"), pk=pk)


# --- Notifications -------------------------------------------------------------------------------


def notifications_of(user, initiative: Initiative) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, initiative=initiative).select_related("initiative")


def unread_count(user, initiative: Initiative) -> int:
    return Notification.objects.filter(user=user, initiative=initiative, read_at__isnull=True).count()


# --- Reports ---------------------------------------------------------------------------------------


def reports_visible_to(user, initiative: Initiative) -> QuerySet[ProgressReport]:
    queryset = initiative.progress_reports.select_related("initiative", "requested_by", "published_by").defer(
        "snapshot", "sections", "sections_by_language"
    )
    if not permissions.can(user, permissions.REPORT, initiative):
        queryset = queryset.filter(published_at__isnull=False)
    return queryset


def report_for(user, initiative: Initiative, pk: int) -> ProgressReport:
    return get_object_or_404(
        initiative.progress_reports.select_related("initiative", "published_by").filter(
            Q(published_at__isnull=False)
            if not permissions.can(user, permissions.REPORT, initiative)
            else Q()
        ),
        pk=pk,
    )


def published_reports(initiative: Initiative) -> QuerySet[ProgressReport]:
    """For a public report card: the published reports, newest first."""
    return initiative.progress_reports.filter(published_at__isnull=False, status=ReportStatus.READY)


# --- Forms' choices ---------------------------------------------------------------------------------


def members_of(initiative: Initiative) -> QuerySet[Membership]:
    return initiative.memberships.select_related("user", "organization").order_by(
        "organization__name", "user__last_name", "user__first_name", "user__username"
    )


def measures_of(initiative: Initiative):
    from measurement.models import SharedMeasure

    return SharedMeasure.objects.filter(initiative=initiative).order_by("code")


# --- Lifecycle evidence ----------------------------------------------------------------------------


def milestone_evidence(initiative: Initiative) -> list[tuple[int, str, str, str]]:
    """What communication shows on the lifecycle milestones: (phase, area, text, url)."""
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    held = initiative.meetings.filter(starts_at__lte=now)
    counts = held.aggregate(
        steering=Count("pk", filter=Q(body=Body.STEERING)),
        community=Count("pk", filter=Q(body=Body.COMMUNITY)),
        convenings=Count("pk", filter=Q(body=Body.CONVENING)),
        groups=Count("pk", filter=Q(body=Body.WORKING_GROUP)),
        community_recent=Count("pk", filter=Q(body__in=COMMUNITY_BODIES, starts_at__gte=year_ago)),
    )
    external = initiative.posts.filter(shared_externally=True, created_at__gte=year_ago).count()
    reports = initiative.progress_reports.filter(published_at__gte=year_ago).count()
    data_decisions = initiative.decisions.filter(measures__isnull=False).distinct().count()
    meetings_url = _url("meetings", initiative)
    updates_url = _url("updates", initiative) + "?external=1"
    evidence: list[tuple[int, str, str, str]] = []
    if counts["steering"]:
        evidence.append(
            (
                Phase.INITIATE_ACTION,
                Area.GOVERNANCE,
                ngettext(
                    "The steering committee met %(n)d time",
                    "The steering committee met %(n)d times",
                    counts["steering"],
                )
                % {"n": counts["steering"]},
                meetings_url + "?body=steering",
            )
        )
    if counts["community"]:
        text = ngettext(
            "%(n)d community engagement meeting held",
            "%(n)d community engagement meetings held",
            counts["community"],
        ) % {"n": counts["community"]}
        evidence.append((Phase.INITIATE_ACTION, Area.COMMUNITY, text, meetings_url + "?body=community"))
    if counts["community"] or counts["convenings"] or external:
        evidence.append(
            (
                Phase.ORGANIZE_FOR_IMPACT,
                Area.COMMUNITY,
                _(
                    "%(meetings)d community meetings and convenings, %(updates)d external updates in the last year"
                )
                % {"meetings": counts["community_recent"], "updates": external},
                meetings_url,
            )
        )
    if counts["groups"]:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.GOVERNANCE,
                ngettext(
                    "%(n)d working group meeting held", "%(n)d working group meetings held", counts["groups"]
                )
                % {"n": counts["groups"]},
                meetings_url + "?body=working_group",
            )
        )
    if data_decisions:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.STRATEGY,
                ngettext(
                    "%(n)d decision rests on shared measures",
                    "%(n)d decisions rest on shared measures",
                    data_decisions,
                )
                % {"n": data_decisions},
                _url("decisions", initiative),
            )
        )
    if external or reports or counts["community_recent"]:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.COMMUNITY,
                _(
                    "In the last year: %(updates)d external updates, %(reports)d published progress reports, "
                    "%(meetings)d community meetings and convenings"
                )
                % {"updates": external, "reports": reports, "meetings": counts["community_recent"]},
                updates_url,
            )
        )
    return evidence


def _url(name: str, initiative: Initiative) -> str:
    from django.urls import reverse

    return reverse(f"communication:{name}", kwargs={"slug": initiative.slug})
