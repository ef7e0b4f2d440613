"""The demo's continuous communication: a year of meetings with attendance, minutes, decisions and
action items; an updates feed; a document library (small real files made here); notification
settings; and two published progress reports. Called by `manage.py seed_demo`."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from . import services
from .choices import (
    ActionStatus,
    AttendanceStatus,
    Body,
    Delivery,
    NotificationKind,
    PeriodKind,
    PostKind,
    Visibility,
)
from .models import ActionItem, Comment, Decision, Document, Meeting, Notification, Post, ProgressReport

log = logging.getLogger(__name__)


def tiny_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-page PDF with a few lines of text (Helvetica), written by hand."""

    def escape(text: str) -> str:
        return (
            text.replace("\\", "\\\\")
            .replace("(", "\\(")
            .replace(")", "\\)")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    text = ["BT", "/F1 18 Tf", "72 770 Td", f"({escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text += ["0 -22 Td", f"({escape(line)}) Tj"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


MINUTES = """## Present
Members as recorded in the attendance list.

## Discussion
1. **Data review** — the backbone presented the latest figures of the shared measures.
2. **Working groups** — each group reported on its action plan.
3. *Next steps* agreed, see the decisions and action items below.

> Decisions are recorded with the data they rested on.
"""


def _at(day: date, hour: int):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 0))


def seed(*, initiative, users, organizations, now) -> None:
    backbone = users["backbone"]
    everyone = [m.user for m in initiative.memberships.select_related("user")]
    steering = [u for u in everyone if initiative.memberships.get(user=u).role in ("steering", "backbone")]
    measures = list(initiative.measures.order_by("code")) if hasattr(initiative, "measures") else []
    today = timezone.localdate(now)

    # Notification settings: a few people chose; the others keep the defaults.
    for name, choices in {
        "steering": {
            NotificationKind.DECISION: Delivery.IMMEDIATE,
            NotificationKind.DATA_DUE: Delivery.WEEKLY,
        },
        "partner": dict.fromkeys(NotificationKind.values, Delivery.DAILY),
        "viewer": dict.fromkeys(NotificationKind.values, Delivery.WEEKLY),
        "employers": {NotificationKind.MEETING_MINUTES: Delivery.OFF},
    }.items():
        if name in users:
            services.preferences_update(user=users[name], initiative=initiative, choices=choices)

    # The document library: small real files and links.
    literacy_group = [users[n] for n in ("partner", "youth", "university") if n in users]
    documents = {
        "gap": services.document_add(
            initiative=initiative,
            by=backbone,
            title="Gap analysis: school readiness in the southern neighbourhoods",
            description="The backbone's analysis of municipal early-years data, presented to the steering committee.",
            upload=SimpleUploadedFile(
                "gap-analysis.pdf",
                tiny_pdf(
                    "Gap analysis",
                    [
                        "46% of children assessed ready for school (2024).",
                        "Lowest readiness in Dalet and Hey neighbourhoods.",
                        "Recommendation: focus the first year on ages 3-6.",
                    ],
                ),
            ),
            tag="Early childhood development",
        ),
        "figures": services.document_add(
            initiative=initiative,
            by=backbone,
            title="Readiness by neighbourhood (data extract)",
            upload=SimpleUploadedFile(
                "readiness-by-neighbourhood.csv",
                b"neighbourhood,children_assessed,ready,percent_ready\n"
                b"Dalet,412,171,41.5\nHey,388,163,42.0\nVav,455,237,52.1\n",
            ),
            tag="Early childhood development",
        ),
        "agreement": services.document_add(
            initiative=initiative,
            by=backbone,
            title="Data sharing agreement (signed)",
            upload=SimpleUploadedFile(
                "data-sharing-agreement.pdf",
                tiny_pdf("Data sharing agreement", ["Signed by the municipality and eight partners."]),
            ),
            visibility=Visibility.LEADERSHIP,
        ),
        "literacy": services.document_add(
            initiative=initiative,
            by=backbone,
            title="Early literacy working group: draft work plan",
            upload=SimpleUploadedFile(
                "literacy-work-plan.md",
                b"# Draft work plan\n\n- Reading corners in 12 kindergartens\n- Parent reading nights\n",
            ),
            visibility=Visibility.GROUP,
            group_name="Early literacy working group",
            group_members=literacy_group,
            tag="Early literacy",
        ),
        "convening": services.document_add(
            initiative=initiative,
            by=backbone,
            title="Annual convening: presentation and recordings",
            url="https://example.org/convening-2026",
            tag="Annual convening",
        ),
    }

    # A year of meetings: the steering committee every two months, working groups, a convening,
    # community meetings, and two meetings still to come.
    plan = [
        (330, Body.STEERING, "", "Steering committee: the year's priorities"),
        (290, Body.COMMUNITY, "", "Community evening in Dalet: what parents need"),
        (270, Body.STEERING, "", "Steering committee: the gap analysis"),
        (240, Body.WORKING_GROUP, "Early literacy", "Early literacy working group"),
        (210, Body.STEERING, "", "Steering committee: shared measures"),
        (180, Body.WORKING_GROUP, "Transition to work", "Transition to work working group"),
        (150, Body.STEERING, "", "Steering committee: mid-year review"),
        (120, Body.CONVENING, "", "Annual convening 2026"),
        (100, Body.WORKING_GROUP, "Early literacy", "Early literacy working group"),
        (90, Body.STEERING, "", "Steering committee: full common agenda"),
        (60, Body.COMMUNITY, "", "Community meeting in Hey: first results"),
        (45, Body.WORKING_GROUP, "Transition to work", "Transition to work working group"),
        (30, Body.STEERING, "", "Steering committee: the progress report"),
        (10, Body.WORKING_GROUP, "Early literacy", "Early literacy working group"),
        (-9, Body.STEERING, "", "Steering committee: next year's budget"),
        (-20, Body.WORKING_GROUP, "Transition to work", "Transition to work working group"),
    ]
    decisions_text = [
        ("Focus the first year on school readiness, ages 3 to 6", True),
        ("Adopt the municipal readiness assessment as the shared baseline", True),
        ("Fund reading corners in 12 kindergartens from the pooled budget", True),
        ("Publish a quarterly progress report to all partners", False),
        ("Invite employers to co-chair the transition to work group", False),
        ("Set the 2030 readiness target at 75%", True),
        ("Add mathematics to the early grades strategy", True),
        ("Hold the annual convening in the spring", False),
    ]
    decision_index = 0
    for days_ago, body, group, title in plan:
        day = today - timedelta(days=days_ago)
        attendees = steering if body == Body.STEERING else everyone
        meeting = services.meeting_create(
            initiative=initiative,
            by=backbone,
            title=title,
            body=body,
            body_name=group,
            starts_at=_at(day, 17 if body == Body.COMMUNITY else 10),
            ends_at=_at(day, 19 if body == Body.COMMUNITY else 12),
            location="Municipality, council hall" if body != Body.COMMUNITY else "Community centre",
            link="https://example.org/meet/c2c" if body == Body.WORKING_GROUP else "",
            agenda_items=[
                "Welcome and last meeting's action items",
                "Data review",
                "Decisions",
                "Next steps",
            ],
            invitees=attendees,
        )
        if days_ago < 0:
            continue
        statuses = {
            u.pk: (AttendanceStatus.EXCUSED if (u.pk + days_ago) % 5 == 0 else AttendanceStatus.ATTENDED)
            for u in attendees
        }
        services.attendance_record(meeting=meeting, by=backbone, statuses=statuses)
        services.minutes_save(meeting=meeting, by=backbone, minutes=MINUTES, publish=True)
        Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=_at(day + timedelta(days=2), 9))
        if body in (Body.STEERING, Body.WORKING_GROUP) and decision_index < len(decisions_text):
            text, data_based = decisions_text[decision_index]
            decision_index += 1
            decision = services.decision_record(
                initiative=initiative,
                by=backbone,
                meeting=meeting,
                title=text,
                text="Decided after reviewing the figures presented by the backbone.",
                decided_on=day,
                body=body,
                body_name=group,
                measures=measures[:2] if data_based and measures else [],
                documents=[documents["gap"], documents["figures"]] if data_based else [],
                links=["https://example.org/dashboards/readiness"] if data_based and not measures else [],
            )
            owner = (
                users.get("partner") if body == Body.WORKING_GROUP else users.get("mayor.office", backbone)
            )
            item = services.action_item_create(
                initiative=initiative,
                by=backbone,
                title=f"Follow up: {text[:80]}",
                owner=owner,
                due_on=day + timedelta(days=30),
                meeting=meeting,
                decision=decision,
            )
            if days_ago > 40:
                services.action_item_set_status(item=item, by=backbone, status=ActionStatus.DONE)
                ActionItem.objects.filter(pk=item.pk).update(completed_at=_at(day + timedelta(days=25), 12))
            Decision.objects.filter(pk=decision.pk).update(created_at=_at(day, 12))

    # The updates feed.
    posts = [
        (
            300,
            PostKind.NEWS,
            "The steering committee is formed",
            "Fourteen leaders from five sectors.",
            "",
            True,
        ),
        (
            260,
            PostKind.QUESTION,
            "Who has kindergarten attendance data?",
            "We need 2023 figures by neighbourhood.",
            "Early literacy",
            False,
        ),
        (
            200,
            PostKind.SUCCESS,
            "Data sharing agreement signed",
            "The municipality and **eight partners** signed.",
            "",
            True,
        ),
        (
            150,
            PostKind.NEWS,
            "Transition to work group starts",
            "Employers and schools plan together.",
            "Transition to work",
            False,
        ),
        (
            118,
            PostKind.SUCCESS,
            "200 people at the annual convening",
            "Parents, teachers, employers and officials.",
            "Annual convening",
            True,
        ),
        (
            80,
            PostKind.SUCCESS,
            "Reading corners open in 12 kindergartens",
            "Books in Hebrew and Arabic; parents volunteer.",
            "Early literacy",
            True,
        ),
        (
            40,
            PostKind.QUESTION,
            "Ideas for the parent reading nights?",
            "Share what worked for you.",
            "Early literacy",
            False,
        ),
        (12, PostKind.NEWS, "The progress report is out", "Read it in the reports section.", "", True),
        (
            3,
            PostKind.SUCCESS,
            "Readiness up four points in Dalet",
            "The first sign that the joint work pays.",
            "Early childhood development",
            True,
        ),
    ]
    authors = [
        users.get(n, backbone)
        for n in (
            "backbone",
            "partner",
            "backbone",
            "employers",
            "backbone",
            "partner",
            "youth",
            "backbone",
            "steering",
        )
    ]
    for (days_ago, kind, title, body, tag, external), author in zip(posts, authors, strict=True):
        post = services.post_create(
            initiative=initiative,
            by=author,
            kind=kind,
            title=title,
            body=body,
            tag=tag,
            shared_externally=external,
        )
        Post.objects.filter(pk=post.pk).update(created_at=now - timedelta(days=days_ago))
        if kind == PostKind.QUESTION:
            comment = services.comment_add(
                post=post, by=users.get("university", backbone), body="We can share ours."
            )
            Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(days=days_ago - 1))

    for document in documents.values():
        Document.objects.filter(pk=document.pk).update(created_at=now - timedelta(days=250))

    # Two published progress reports: the last two full quarters.
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = quarter_start - timedelta(days=1)
    before = date(last.year, 3 * ((last.month - 1) // 3) + 1, 1) - timedelta(days=1)
    for end in (before, last):
        report = services.report_request(
            initiative=initiative,
            by=backbone,
            period_kind=PeriodKind.QUARTER,
            year=end.year,
            quarter=(end.month - 1) // 3 + 1,
        )
        services.report_generate(report.pk)
        # Printed here rather than by the queued task: the demo's reports have their PDFs at once.
        for language, _name in settings.LANGUAGES:
            try:
                services.report_pdf_make(report.pk, language)
            except OSError as exc:  # WeasyPrint without Debian's pango (docs/reports.md): no PDF
                log.warning("demo report %s not printed: %s", report.pk, exc)
        report.refresh_from_db()
        services.report_publish(report=report, by=backbone)
        ProgressReport.objects.filter(pk=report.pk).update(
            published_at=timezone.make_aware(timezone.datetime(end.year, end.month, end.day, 12, 0))
            + timedelta(days=10)
        )

    # What happened before the last two days was emailed then; the rest waits for the digests.
    Notification.objects.filter(initiative=initiative).update(emailed_at=now)
    Notification.objects.filter(initiative=initiative, created_at__lt=now - timedelta(days=3)).update(
        read_at=now
    )
    recent = Notification.objects.filter(initiative=initiative, kind=NotificationKind.DECISION).order_by(
        "-id"
    )[:20]
    Notification.objects.filter(
        pk__in=[n.pk for n in recent], delivery__in=[Delivery.DAILY, Delivery.WEEKLY]
    ).update(emailed_at=None, read_at=None)
