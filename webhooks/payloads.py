"""What each event says: ids, types, times and links (the API's and the page's), never a data value
or anyone's text. A receiver that needs the numbers fetches them through the API with its own token,
where the initiative's permissions decide what it may read."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from .choices import EventType


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _api(name: str, slug: str, **kwargs) -> str:
    return _absolute(reverse(name, kwargs={"initiative_slug": slug, **kwargs}))


def submission(subject, slug: str, **extra) -> dict:
    period = subject.period
    return {
        "submission": {"id": subject.pk, "status": subject.status},
        "organization": {"id": subject.organization_id},
        "period": {"id": period.pk, "code": period.code, "frequency": period.frequency},
        "links": {
            "api": _api("measurement-api:submission-detail", slug, pk=subject.pk),
            "values": _api("measurement-api:value-list", slug)
            + f"?organization={subject.organization_id}&period={period.code}",
        },
    }


def aggregates(subject, slug: str, *, period_id: int | None = None, measure_ids=None, **extra) -> dict:
    from measurement.models import ReportingPeriod, SharedMeasure

    period = (
        ReportingPeriod.objects.filter(pk=period_id).values("id", "code", "frequency").first()
        if period_id is not None
        else None
    )
    codes = (
        sorted(SharedMeasure.objects.filter(pk__in=list(measure_ids)).values_list("code", flat=True))
        if measure_ids is not None
        else None
    )
    return {
        "run": {"id": subject.pk, "kind": subject.kind},
        "period": period,  # None: a full rebuild, every period
        "measures": codes,  # None: every measure
        "links": {"api": _api("measurement-api:aggregate-list", slug)},
    }


def agenda_version(subject, slug: str, **extra) -> dict:
    return {
        "agenda_version": {"id": subject.pk, "number": subject.number, "kind": subject.kind},
        "links": {"api": _api("agenda-api:agenda-version-detail", slug, number=subject.number)},
    }


def decision(subject, slug: str, **extra) -> dict:
    return {
        "decision": {"id": subject.pk, "decided_on": subject.decided_on.isoformat()},
        "links": {
            "api": _api("communication-api:decision-detail", slug, pk=subject.pk),
            "page": _absolute(subject.get_absolute_url()),
        },
    }


def report(subject, slug: str, **extra) -> dict:
    return {
        "report": {
            "id": subject.pk,
            "period_kind": subject.period_kind,
            "year": subject.year,
            "quarter": subject.quarter or None,
            "status": subject.status,
        },
        "links": {"api": _api("communication-api:report-detail", slug, pk=subject.pk)},
    }


BUILDERS: dict[str, Callable[..., dict]] = {
    EventType.SUBMISSION_SUBMITTED: submission,
    EventType.SUBMISSION_APPROVED: submission,
    EventType.SUBMISSION_RETURNED: submission,
    EventType.SUBMISSION_REOPENED: submission,
    EventType.AGGREGATES_UPDATED: aggregates,
    EventType.AGENDA_PUBLISHED: agenda_version,
    EventType.DECISION_RECORDED: decision,
    EventType.REPORT_GENERATED: report,
}
