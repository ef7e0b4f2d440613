"""The demo's continuous communication: a year of meetings with attendance, minutes, decisions and
action items; an updates feed; a document library (small real files made here); notification
settings; and two published progress reports. Called by `manage.py seed_demo`, once per demo
initiative: one seeding path, the words CONTENT[language] ("he" for Be'er Sheva, "en" for
Riverside)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

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


# The words of the demo, per language (Hebrew for Be'er Sheva, English for Riverside); the structure
# (who, when, which body, which file) is the seeding code's, the same in both.
CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        "minutes": """## נוכחים
החברים כפי שנרשמו ברשימת הנוכחות.

## דיון
1. **סקירת נתונים** — צוות ארגון השדרה הציג את הנתונים האחרונים של המדדים המשותפים.
2. **קבוצות העבודה** — כל קבוצה דיווחה על תכנית הפעולה שלה.
3. *הצעדים הבאים* סוכמו, ראו את ההחלטות ואת משימות ההמשך להלן.

> ההחלטות נרשמות יחד עם הנתונים שעליהם נשענו.
""",
        "documents": {
            "gap": {
                "title": "ניתוח פערים: מוכנות לבית הספר בשכונות הדרומיות",
                "description": "ניתוח של ארגון השדרה לנתוני הגיל הרך של העירייה, שהוצג לוועדת ההיגוי.",
                "pdf_title": "ניתוח פערים",
                "pdf_lines": [
                    "46% מהילדים נמצאו מוכנים לבית הספר (2024).",
                    "המוכנות הנמוכה ביותר בשכונות ד' ו־ה'.",
                    "המלצה: למקד את השנה הראשונה בגילאי 3 עד 6.",
                ],
            },
            "figures": {
                "title": "מוכנות לפי שכונה (נתונים גולמיים)",
                "csv": "שכונה,ילדים_שנבדקו,מוכנים,אחוז_מוכנים\nד',412,171,41.5\nה',388,163,42.0\nו',455,237,52.1\n",
            },
            "agreement": {
                "title": "הסכם שיתוף נתונים (חתום)",
                "pdf_title": "הסכם שיתוף נתונים",
                "pdf_lines": ["נחתם על ידי העירייה ושמונה שותפים."],
            },
            "literacy": {
                "title": "קבוצת העבודה לאוריינות מוקדמת: טיוטת תכנית עבודה",
                "markdown": "# טיוטת תכנית עבודה\n\n- פינות קריאה ב־12 גני ילדים\n- ערבי קריאה להורים\n",
                "group_name": "קבוצת העבודה לאוריינות מוקדמת",
            },
            "convening": {"title": "הכנס השנתי: המצגת וההקלטות"},
        },
        "tags": {
            "early": "התפתחות בגיל הרך",
            "literacy": "אוריינות מוקדמת",
            "convening": "הכנס השנתי",
            "work": "המעבר לעבודה",
        },
        "groups": {"literacy": "אוריינות מוקדמת", "work": "המעבר לעבודה"},
        "meetings": [
            "ועדת ההיגוי: סדרי העדיפויות של השנה",
            "ערב קהילתי בשכונה ד': מה ההורים צריכים",
            "ועדת ההיגוי: ניתוח הפערים",
            "קבוצת העבודה לאוריינות מוקדמת",
            "ועדת ההיגוי: המדדים המשותפים",
            "קבוצת העבודה למעבר לעבודה",
            "ועדת ההיגוי: סקירת אמצע השנה",
            "הכנס השנתי 2026",
            "קבוצת העבודה לאוריינות מוקדמת",
            "ועדת ההיגוי: המצע המשותף המלא",
            "מפגש קהילתי בשכונה ה': תוצאות ראשונות",
            "קבוצת העבודה למעבר לעבודה",
            "ועדת ההיגוי: דוח ההתקדמות",
            "קבוצת העבודה לאוריינות מוקדמת",
            "ועדת ההיגוי: תקציב השנה הבאה",
            "קבוצת העבודה למעבר לעבודה",
        ],
        "locations": ("העירייה, אולם המועצה", "המרכז הקהילתי"),
        "agenda_items": ["פתיחה ומשימות ההמשך מהפגישה הקודמת", "סקירת נתונים", "החלטות", "הצעדים הבאים"],
        "decisions": [
            "למקד את השנה הראשונה במוכנות לבית הספר, בגילאי 3 עד 6",
            "לאמץ את מבחן המוכנות של העירייה כנקודת המוצא המשותפת",
            "לממן פינות קריאה ב־12 גני ילדים מהתקציב המשותף",
            "לפרסם דוח התקדמות רבעוני לכל השותפים",
            "להזמין את המעסיקים לעמוד בראש קבוצת העבודה למעבר לעבודה בשותפות",
            "לקבוע את יעד המוכנות ל־2030 על 75%",
            "להוסיף חשבון לאסטרטגיה של הכיתות הנמוכות",
            "לקיים את הכנס השנתי באביב",
        ],
        "decision_text": "הוחלט לאחר עיון בנתונים שהציג צוות ארגון השדרה.",
        "follow_up": "מעקב: {}",
        "posts": [
            ("ועדת ההיגוי הוקמה", "ארבעה עשר מובילים מחמישה מגזרים."),
            ("למי יש נתוני נוכחות בגני הילדים?", "אנחנו צריכים את נתוני 2023 לפי שכונה."),
            ("הסכם שיתוף הנתונים נחתם", "העירייה ו**שמונה שותפים** חתמו."),
            ("קבוצת העבודה למעבר לעבודה יוצאת לדרך", "מעסיקים ובתי ספר מתכננים יחד."),
            ("200 משתתפים בכנס השנתי", "הורים, מורים, מעסיקים ואנשי העירייה."),
            ("פינות קריאה נפתחו ב־12 גני ילדים", "ספרים בעברית ובערבית; הורים מתנדבים."),
            ("רעיונות לערבי הקריאה להורים?", "שתפו מה עבד אצלכם."),
            ("דוח ההתקדמות פורסם", "אפשר לקרוא אותו באזור הדוחות."),
            ("המוכנות עלתה בארבע נקודות בשכונה ד'", "הסימן הראשון לכך שהעבודה המשותפת משתלמת."),
        ],
        "comment": "נוכל לשתף את הנתונים שלנו.",
    },
    "en": {
        "minutes": """## Present
Members as recorded in the attendance list.

## Discussion
1. **Data review** — the backbone presented the latest figures of the shared measures.
2. **Working groups** — each group reported on its action plan.
3. *Next steps* agreed, see the decisions and action items below.

> Decisions are recorded with the data they rested on.
""",
        "documents": {
            "gap": {
                "title": "Gap analysis: school readiness in the southern neighbourhoods",
                "description": "The backbone's analysis of the city's early-years data, presented to the steering committee.",
                "pdf_title": "Gap analysis",
                "pdf_lines": [
                    "46% of children assessed ready for school (2024).",
                    "Lowest readiness in the Southgate and Millbrook neighbourhoods.",
                    "Recommendation: focus the first year on ages 3-6.",
                ],
            },
            "figures": {
                "title": "Readiness by neighbourhood (data extract)",
                "csv": "neighbourhood,children_assessed,ready,percent_ready\n"
                "Southgate,412,171,41.5\nMillbrook,388,163,42.0\nRiverbend,455,237,52.1\n",
            },
            "agreement": {
                "title": "Data sharing agreement (signed)",
                "pdf_title": "Data sharing agreement",
                "pdf_lines": ["Signed by the city and eight partners."],
            },
            "literacy": {
                "title": "Early literacy working group: draft work plan",
                "markdown": "# Draft work plan\n\n- Reading corners in 12 kindergartens\n- Parent reading nights\n",
                "group_name": "Early literacy working group",
            },
            "convening": {"title": "Annual convening: presentation and recordings"},
        },
        "tags": {
            "early": "Early childhood development",
            "literacy": "Early literacy",
            "convening": "Annual convening",
            "work": "Transition to work",
        },
        "groups": {"literacy": "Early literacy", "work": "Transition to work"},
        "meetings": [
            "Steering committee: the year's priorities",
            "Community evening in Southgate: what parents need",
            "Steering committee: the gap analysis",
            "Early literacy working group",
            "Steering committee: shared measures",
            "Transition to work working group",
            "Steering committee: mid-year review",
            "Annual convening 2026",
            "Early literacy working group",
            "Steering committee: full common agenda",
            "Community meeting in Millbrook: first results",
            "Transition to work working group",
            "Steering committee: the progress report",
            "Early literacy working group",
            "Steering committee: next year's budget",
            "Transition to work working group",
        ],
        "locations": ("City Hall, council chamber", "Community centre"),
        "agenda_items": ["Welcome and last meeting's action items", "Data review", "Decisions", "Next steps"],
        "decisions": [
            "Focus the first year on school readiness, ages 3 to 6",
            "Adopt the city's readiness assessment as the shared baseline",
            "Fund reading corners in 12 kindergartens from the pooled budget",
            "Publish a quarterly progress report to all partners",
            "Invite employers to co-chair the transition to work group",
            "Set the 2030 readiness target at 75%",
            "Add mathematics to the early grades strategy",
            "Hold the annual convening in the spring",
        ],
        "decision_text": "Decided after reviewing the figures presented by the backbone.",
        "follow_up": "Follow up: {}",
        "posts": [
            ("The steering committee is formed", "Fourteen leaders from five sectors."),
            ("Who has kindergarten attendance data?", "We need 2023 figures by neighbourhood."),
            ("Data sharing agreement signed", "The city and **eight partners** signed."),
            ("Transition to work group starts", "Employers and schools plan together."),
            ("200 people at the annual convening", "Parents, teachers, employers and officials."),
            ("Reading corners open in 12 kindergartens", "Books in English and Spanish; parents volunteer."),
            ("Ideas for the parent reading nights?", "Share what worked for you."),
            ("The progress report is out", "Read it in the reports section."),
            ("Readiness up four points in Southgate", "The first sign that the joint work pays."),
        ],
        "comment": "We can share ours.",
    },
}


def document_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF of a demo document: written by hand when its text is Latin; Hebrew needs a
    font with its letters and shaping from right to left, so WeasyPrint prints it (without Debian's
    pango, docs/reports.md, the hand-written one is the fallback)."""
    try:
        (title + "".join(lines)).encode("latin-1")
        return tiny_pdf(title, lines)
    except UnicodeEncodeError:
        pass
    try:
        from django.utils.html import escape
        from weasyprint import HTML

        body = "".join(f"<p>{escape(line)}</p>" for line in lines)
        return HTML(string=f'<html dir="rtl"><body><h1>{escape(title)}</h1>{body}</body></html>').write_pdf()
    except (ImportError, OSError) as exc:
        log.warning("demo document %r printed without its letters: %s", title, exc)
        return tiny_pdf(title, lines)


def _at(day: date, hour: int):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def seed(*, initiative, users, organizations, now, language: str) -> None:
    words = CONTENT[language]
    docs, tags, groups = words["documents"], words["tags"], words["groups"]
    backbone = users["backbone"]
    everyone = [m.user for m in initiative.memberships.select_related("user")]
    steering = [u for u in everyone if initiative.memberships.get(user=u).role in ("steering", "backbone")]
    measures = list(initiative.measures.order_by("code")) if hasattr(initiative, "measures") else []
    today = timezone.localdate(now)

    # Notification settings: a few people chose; the others keep the defaults.
    preferences: dict[str, dict[str, str]] = {
        "steering": {
            NotificationKind.DECISION: Delivery.IMMEDIATE,
            NotificationKind.DATA_DUE: Delivery.WEEKLY,
        },
        "partner": dict.fromkeys(NotificationKind.values, Delivery.DAILY),
        "viewer": dict.fromkeys(NotificationKind.values, Delivery.WEEKLY),
        "employers": {NotificationKind.MEETING_MINUTES: Delivery.OFF},
    }
    for name, choices in preferences.items():
        if name in users:
            services.preferences_update(user=users[name], initiative=initiative, choices=choices)

    # The document library: small real files and links.
    literacy_group = [users[n] for n in ("partner", "youth", "university") if n in users]
    documents = {
        "gap": services.document_add(
            initiative=initiative,
            by=backbone,
            title=docs["gap"]["title"],
            description=docs["gap"]["description"],
            upload=SimpleUploadedFile(
                "gap-analysis.pdf", document_pdf(docs["gap"]["pdf_title"], docs["gap"]["pdf_lines"])
            ),
            tag=tags["early"],
        ),
        "figures": services.document_add(
            initiative=initiative,
            by=backbone,
            title=docs["figures"]["title"],
            upload=SimpleUploadedFile("readiness-by-neighbourhood.csv", docs["figures"]["csv"].encode()),
            tag=tags["early"],
        ),
        "agreement": services.document_add(
            initiative=initiative,
            by=backbone,
            title=docs["agreement"]["title"],
            upload=SimpleUploadedFile(
                "data-sharing-agreement.pdf",
                document_pdf(docs["agreement"]["pdf_title"], docs["agreement"]["pdf_lines"]),
            ),
            visibility=Visibility.LEADERSHIP,
        ),
        "literacy": services.document_add(
            initiative=initiative,
            by=backbone,
            title=docs["literacy"]["title"],
            upload=SimpleUploadedFile("literacy-work-plan.md", docs["literacy"]["markdown"].encode()),
            visibility=Visibility.GROUP,
            group_name=docs["literacy"]["group_name"],
            group_members=literacy_group,
            tag=tags["literacy"],
        ),
        "convening": services.document_add(
            initiative=initiative,
            by=backbone,
            title=docs["convening"]["title"],
            url="https://example.org/convening-2026",
            tag=tags["convening"],
        ),
    }

    # A year of meetings: the steering committee every two months, working groups, a convening,
    # community meetings, and two meetings still to come.
    plan = [
        (330, Body.STEERING, ""),
        (290, Body.COMMUNITY, ""),
        (270, Body.STEERING, ""),
        (240, Body.WORKING_GROUP, "literacy"),
        (210, Body.STEERING, ""),
        (180, Body.WORKING_GROUP, "work"),
        (150, Body.STEERING, ""),
        (120, Body.CONVENING, ""),
        (100, Body.WORKING_GROUP, "literacy"),
        (90, Body.STEERING, ""),
        (60, Body.COMMUNITY, ""),
        (45, Body.WORKING_GROUP, "work"),
        (30, Body.STEERING, ""),
        (10, Body.WORKING_GROUP, "literacy"),
        (-9, Body.STEERING, ""),
        (-20, Body.WORKING_GROUP, "work"),
    ]
    # Whether each decision rested on data.
    data_based_flags = (True, True, True, False, False, True, True, False)
    decisions_text = list(zip(words["decisions"], data_based_flags, strict=True))
    decision_index = 0
    for (days_ago, body, group_key), title in zip(plan, words["meetings"], strict=True):
        group = groups.get(group_key, "")
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
            location=words["locations"][body == Body.COMMUNITY],
            link="https://example.org/meet/c2c" if body == Body.WORKING_GROUP else "",
            agenda_items=words["agenda_items"],
            invitees=attendees,
        )
        if days_ago < 0:
            continue
        statuses = {
            u.pk: (AttendanceStatus.EXCUSED if (u.pk + days_ago) % 5 == 0 else AttendanceStatus.ATTENDED)
            for u in attendees
        }
        services.attendance_record(meeting=meeting, by=backbone, statuses=statuses)
        services.minutes_save(meeting=meeting, by=backbone, minutes=words["minutes"], publish=True)
        Meeting.objects.filter(pk=meeting.pk).update(minutes_published_at=_at(day + timedelta(days=2), 9))
        if body in (Body.STEERING, Body.WORKING_GROUP) and decision_index < len(decisions_text):
            text, data_based = decisions_text[decision_index]
            decision_index += 1
            decision = services.decision_record(
                initiative=initiative,
                by=backbone,
                meeting=meeting,
                title=text,
                text=words["decision_text"],
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
                title=words["follow_up"].format(text[:80]),
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
    # (days ago, kind, tag, shared externally); the titles and bodies are words["posts"].
    posts = [
        (300, PostKind.NEWS, "", True),
        (260, PostKind.QUESTION, "literacy", False),
        (200, PostKind.SUCCESS, "", True),
        (150, PostKind.NEWS, "work", False),
        (118, PostKind.SUCCESS, "convening", True),
        (80, PostKind.SUCCESS, "literacy", True),
        (40, PostKind.QUESTION, "literacy", False),
        (12, PostKind.NEWS, "", True),
        (3, PostKind.SUCCESS, "early", True),
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
    for (days_ago, kind, tag_key, external), (title, body), author in zip(
        posts, words["posts"], authors, strict=True
    ):
        tag = tags.get(tag_key, "")
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
                post=post, by=users.get("university", backbone), body=words["comment"]
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
        # Its PDFs are printed by the tasks generation queues, as for any report: when seed_demo
        # commits (`make run`, tasks in-process) or by the worker.
        services.report_generate(report.pk)
        report.refresh_from_db()
        services.report_publish(report=report, by=backbone)
        ProgressReport.objects.filter(pk=report.pk).update(
            published_at=timezone.make_aware(datetime(end.year, end.month, end.day, 12, 0))
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
