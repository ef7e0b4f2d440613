"""Reminders to partner contributors whose data is due soon or overdue."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from initiatives.choices import Role
from initiatives.models import Membership

from .choices import SubmissionStatus
from .models import Assignment, MeasurementSettings, Reminder, ReportingPeriod, Submission

DONE = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)


def reminders_send(today: date | None = None) -> int:
    """Send what is due today; returns the number of emails. Safe to run any number of times."""
    today = today or timezone.localdate()
    sent = 0
    settings_by_initiative = {s.initiative_id: s.reminder_days for s in MeasurementSettings.objects.all()}
    periods = ReportingPeriod.objects.filter(
        opens_on__lte=today, due_on__gte=today - timedelta(days=60)
    ).select_related("initiative")
    for period in periods:
        days = settings_by_initiative.get(period.initiative_id, 5)
        if period.due_on < today:
            kind = "overdue"
        elif period.due_on <= today + timedelta(days=days):
            kind = "due_soon"
        else:
            continue
        reporting = set(
            Assignment.objects.filter(
                initiative=period.initiative, measure__frequency=period.frequency
            ).values_list("organization_id", flat=True)
        )
        done = set(
            Submission.objects.filter(period=period, status__in=DONE).values_list(
                "organization_id", flat=True
            )
        )
        for organization_id in sorted(reporting - done):
            sent += _remind(period, organization_id, kind)
    return sent


def _remind(period: ReportingPeriod, organization_id: int, kind: str) -> int:
    members = list(
        Membership.objects.filter(
            initiative=period.initiative, organization_id=organization_id, role=Role.PARTNER
        )
        .select_related("user", "organization")
        .exclude(user__email="")
    )
    try:
        with transaction.atomic():
            Reminder.objects.create(
                organization_id=organization_id, period=period, kind=kind, recipients=len(members)
            )
    except IntegrityError:
        return 0  # already reminded
    path = reverse(
        "measurement:entry",
        kwargs={
            "slug": period.initiative.slug,
            "org": organization_id,
            "frequency": period.frequency,
            "period": period.code,
        },
    )
    from communication import messages
    from communication.choices import NotificationKind
    from communication.services import notify

    # Each contributor gets it in the app, and by email as they chose (communication's preferences),
    # each in their own language.
    organization = members[0].organization if members else None
    if kind == "overdue":
        subject = messages.message(
            gettext_noop("Overdue: data for %(period)s (%(name)s)"),
            period=messages.period(period.code),
            name=period.initiative.name,
        )
    else:
        subject = messages.message(
            gettext_noop("Reminder: data for %(period)s is due soon (%(name)s)"),
            period=messages.period(period.code),
            name=period.initiative.name,
        )
    body = messages.message(
        gettext_noop("The shared measures of %(org)s for %(period)s are due on %(due)s."),
        org=organization.name if organization else "",
        period=messages.period(period.code),
        due=messages.day(period.due_on),
    )
    notify(
        initiative=period.initiative,
        kind=NotificationKind.DATA_OVERDUE if kind == "overdue" else NotificationKind.DATA_DUE,
        subject=subject,
        body=body,
        url=path,
        recipients=[m.user_id for m in members],
    )
    return len(members)
