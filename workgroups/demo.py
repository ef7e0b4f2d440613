"""The demo's mutually reinforcing activities (called by `manage.py seed_demo`): a steering
committee, a working group per key strategy of the agenda's current version with its action plan,
and two waves of the partner-relationship survey with their computed network figures.

Everything goes through the services, so the demo passed the same checks as the browser would.
One seeding path for both demo initiatives; the words are CONTENT[language] ("he" for Be'er Sheva,
"en" for Riverside). Organisations, by their index in seed_demo's lists (the same roles in both
languages): 0 hosts the backbone, 1 the city, 2 the anchor funder, 3 the university, 4 the
early-years partner, 5 the employers, 6 the parents, 7 the youth organisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agenda.selectors import current_strategies
from measurement.models import SharedMeasure

from . import services
from .choices import ActivityStatus, CollaborationKind, SeatRole
from .models import ActivityUpdate, TieSurveySubmission, TieSurveyWave

INFO = CollaborationKind.INFORMATION_SHARING
PLAN = CollaborationKind.JOINT_PLANNING
SHARE = CollaborationKind.SHARED_RESOURCES
JOINT = CollaborationKind.JOINT_PROGRAMMES

# The words of the demo, per language (the Hebrew for Be'er Sheva, the English for Riverside); the
# structure (chairs, members, organisations by index, dates, statuses) is the same in both.
# groups: (name, meets, purpose), in the order of GROUPS; plans: per group, (title, [notes]) in
# the order of PLANS; seats: the two community representatives; waves: the two survey waves' names.
CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        "groups": [
            (
                "הגיל הרך",
                "פעם בחודש, ביום שלישי הראשון",
                "הילדים מגיעים לגן בריאים, סקרנים ומוכנים ללמידה.",
            ),
            (
                "למידה בכיתות הנמוכות",
                "פעם בשישה שבועות",
                "כל ילד וילדה קוראים וסופרים ברמת הכיתה עד סוף כיתה ג'.",
            ),
            (
                "סיום הלימודים ועבודה",
                "פעם בחודש, בפורום המעסיקים",
                "הצעירים מסיימים את בית הספר עם תעודת בגרות ועם צעד ראשון בעולם העבודה.",
            ),
        ],
        "plans": [
            [
                (
                    "ביקורי בית להורים חדשים",
                    [
                        "ארבעים משפחות נרשמו בשכונה ד'; האחיות הוכשרו.",
                        "מאה ועשר משפחות קיבלו ביקור; בשכונה ה' מתחילים בחודש הבא.",
                    ],
                ),
                (
                    "בדיקת מוכנות בגני הילדים",
                    ["נבדקו כל 34 גני הילדים העירוניים; התוצאות שותפו עם קבוצת העבודה."],
                ),
                ("חוגי הורים בשכונות ד' ו־ה'", []),
            ],
            [
                ("קייטנות קריאה בקיץ", ["הוזמנו שלוש קייטנות ליולי; 240 מקומות."]),
                ("ליווי מורים בהוראת חשבון בכיתות הנמוכות", ["שתים עשרה מורות לכיתה א' במחזור הראשון."]),
                (
                    "חונכי קריאה מתנדבים",
                    ["הופסק: מעט מדי מתנדבים; קייטנות הקיץ באות במקומו."],
                ),
            ],
            [
                ('התנסות במקומות עבודה לכיתה י"א', ["ארבעה עשר מעסיקים מציעים מקומות; 60 תלמידים שובצו."]),
                ("תגבור לבגרות", ["סטודנטים מהאוניברסיטה מתגברים בארבעה בתי ספר."]),
                ("שולחן תכנון משותף למעסיקים ולבתי הספר", []),
            ],
        ],
        "seats": ("שרה אמסלם", "ירדן לוי (פורום הנוער)"),
        "waves": ("אביב 2025", "אביב 2026"),
    },
    "en": {
        "groups": [
            (
                "Early Years",
                "Monthly, on the first Tuesday",
                "Children arrive at kindergarten healthy, curious and ready to learn.",
            ),
            (
                "Early Grades Learning",
                "Every six weeks",
                "Every child reads and counts at grade level by the end of third grade.",
            ),
            (
                "Completion and Work",
                "Monthly, at the employers' forum",
                "Young people finish high school with a diploma and a first step into work.",
            ),
        ],
        "plans": [
            [
                (
                    "Home visits for new parents",
                    [
                        "Forty families enrolled in Southgate; nurses trained.",
                        "A hundred and ten families visited; Millbrook starts next month.",
                    ],
                ),
                (
                    "Kindergarten readiness screening",
                    ["All 34 city kindergartens screened; results shared with the working group."],
                ),
                ("Parent circles in Southgate and Millbrook", []),
            ],
            [
                ("Summer reading camps", ["Three camps booked for July; 240 places."]),
                (
                    "Teacher coaching in early mathematics",
                    ["Twelve first-grade teachers in the first cohort."],
                ),
                (
                    "Volunteer reading buddies",
                    ["Stopped: too few volunteers; the summer camps take its place."],
                ),
            ],
            [
                ("Job shadowing for grade 11", ["Fourteen employers offer placements; 60 students matched."]),
                ("High-school tutoring", ["Student tutors from the university in four schools."]),
                ("Employer–school planning table", []),
            ],
        ],
        "seats": ("Sarah Adams", "Jordan Lee (youth forum)"),
        "waves": ("Spring 2025", "Spring 2026"),
    },
}

# The structure of each group: chair's username, members (usernames and organisation indexes).
GROUPS = [
    ("partner", ["mayor.office", 6, 2]),
    ("university", ["backbone", 1, 4, 7]),
    ("employers", ["youth", 3, 1]),
]

# Per group, per activity: lead, contributors, start and end in days from now, status, and the days
# ago of its progress notes (the notes' words are CONTENT[language]["plans"]).
PLANS = [
    [
        (4, [1, 6], -300, 65, ActivityStatus.UNDER_WAY, [200, 40]),
        (1, [4, 3], -200, -20, ActivityStatus.DONE, [25]),
        (6, [4], 30, 210, ActivityStatus.PLANNED, []),
    ],
    [
        (7, [0, 1], -120, 60, ActivityStatus.UNDER_WAY, [30]),
        (3, [1], -90, 270, ActivityStatus.UNDER_WAY, [15]),
        (7, [6], -250, -60, ActivityStatus.STOPPED, [60]),
    ],
    [
        (5, [7, 1], -60, 120, ActivityStatus.UNDER_WAY, [10]),
        (7, [3, 2], -150, 180, ActivityStatus.UNDER_WAY, [20]),
        (5, [0], 14, None, ActivityStatus.PLANNED, []),
    ],
]

# Survey answers per wave: from → [(to, contact 1–4, kinds, trust, value)]
WAVE_1 = {
    0: [(1, 3, [INFO, PLAN], 4, 4), (2, 3, [INFO, SHARE], 4, 5), (4, 2, [INFO], 3, 4), (7, 2, [INFO], 3, 3)],
    1: [(0, 3, [INFO, PLAN], 4, 4), (4, 1, [INFO], 3, 3)],
    2: [(0, 3, [INFO, SHARE], 4, 4)],
    4: [(0, 2, [INFO], 3, 4), (6, 2, [INFO], 3, 3)],
    7: [(0, 2, [INFO], 3, 3)],
}
WAVE_2 = {
    0: [
        (1, 4, [INFO, PLAN], 5, 5),
        (2, 3, [INFO, SHARE], 4, 5),
        (3, 2, [INFO, PLAN], 4, 4),
        (4, 3, [INFO, PLAN], 4, 4),
        (5, 2, [INFO], 3, 4),
        (7, 3, [INFO, JOINT], 4, 4),
    ],
    1: [(0, 4, [INFO, PLAN], 5, 5), (4, 3, [INFO, JOINT], 4, 4), (5, 2, [PLAN], 3, 4), (7, 3, [JOINT], 4, 4)],
    2: [(0, 3, [INFO, SHARE], 4, 5), (4, 2, [SHARE], 4, 4), (7, 2, [SHARE], 4, 4)],
    3: [(0, 2, [INFO], 4, 4), (1, 3, [JOINT], 4, 5), (7, 3, [JOINT, SHARE], 4, 4)],
    4: [(0, 3, [INFO, PLAN], 4, 5), (1, 3, [INFO, JOINT], 4, 4), (6, 4, [JOINT], 5, 5), (3, 2, [INFO], 3, 4)],
    5: [(0, 2, [INFO], 3, 4), (7, 3, [JOINT], 4, 5)],
    7: [(0, 3, [INFO, JOINT], 4, 4), (5, 3, [JOINT], 4, 5), (1, 3, [JOINT], 4, 4)],
}
# Who answered for each organisation (the backbone enters the answers of those without a person).
RESPONDENTS = {1: "mayor.office", 2: "steering", 3: "university", 4: "partner", 5: "employers", 7: "youth"}


def seed(*, initiative, users, organizations, now, language: str) -> None:
    words = CONTENT[language]
    backbone = users["backbone"]
    memberships = {m.user.get_username(): m for m in initiative.memberships.select_related("user")}
    today = now.date()

    # The steering committee: the co-chairs, the university, and two community representatives.
    for username, role in (
        ("mayor.office", SeatRole.CO_CHAIR),
        ("steering", SeatRole.CO_CHAIR),
        ("university", SeatRole.MEMBER),
    ):
        services.seat_add(
            initiative=initiative,
            by=backbone,
            membership=memberships[username],
            seat_role=role,
            since=today - timedelta(days=400),
        )
    services.seat_add(
        initiative=initiative,
        by=backbone,
        person_name=words["seats"][0],
        organization=organizations[6],
        is_community_representative=True,
        since=today - timedelta(days=400),
    )
    services.seat_add(
        initiative=initiative,
        by=backbone,
        person_name=words["seats"][1],
        is_community_representative=True,
        since=today - timedelta(days=200),
    )

    # A working group per key strategy of the current agenda, each with its action plan.
    strategies = [item.strategy for item in current_strategies(initiative)]
    for strategy, (chair, members), (name, meets, purpose), plan, plan_words, formed in zip(
        strategies, GROUPS, words["groups"], PLANS, words["plans"], (110, 100, 80), strict=False
    ):
        measures = list(SharedMeasure.objects.filter(initiative=initiative, strategies=strategy)[:3])
        group = services.working_group_create(
            initiative=initiative,
            by=backbone,
            name=name,
            strategy=strategy,
            chair=memberships[chair],
            purpose=purpose,
            meeting_rhythm=meets,
            focus_measures=measures,
            formed_on=today - timedelta(days=formed),
        )
        for member in members:
            if isinstance(member, str):
                services.group_member_add(group=group, by=backbone, membership=memberships[member])
            else:
                services.group_member_add(group=group, by=backbone, organization=organizations[member])
        group.members.update(joined_on=today - timedelta(days=formed))
        for (lead, contributors, starts, ends, status, notes_days), (title, notes) in zip(
            plan, plan_words, strict=True
        ):
            activity = services.activity_create(
                group=group,
                by=memberships[chair].user,
                title=title,
                lead_organization=organizations[lead],
                contributing_organizations=[organizations[i] for i in contributors],
                start_date=today + timedelta(days=starts),
                end_date=today + timedelta(days=ends) if ends is not None else None,
                status=ActivityStatus.PLANNED,
                measures=measures[:1],
            )
            for days_ago, note in zip(notes_days, notes, strict=True):
                update = services.activity_progress_add(
                    activity=activity, by=memberships[chair].user, note=note, status=status
                )
                ActivityUpdate.objects.filter(pk=update.pk).update(at=now - timedelta(days=days_ago))
            if activity.status != status:
                services.activity_update(activity=activity, by=backbone, status=status)

    # Two waves of the partner-relationship survey, a year apart.
    waves = []
    for name, answers, opened, closed in zip(
        words["waves"], (WAVE_1, WAVE_2), (330, 45), (300, 20), strict=True
    ):
        wave = services.wave_create(initiative=initiative, by=backbone, name=name)
        services.wave_open(wave=wave, by=backbone)
        for from_index, ties in answers.items():
            respondent = users.get(RESPONDENTS.get(from_index, "backbone"), backbone)
            services.tie_survey_answer(
                wave=wave,
                by=backbone if from_index in (0, 6) else respondent,
                organization=organizations[from_index],
                answers=[
                    {
                        "to_organization": organizations[to],
                        "contact_frequency": contact,
                        "kinds": kinds,
                        "trust": trust,
                        "value": value,
                    }
                    for to, contact, kinds, trust, value in ties
                ],
            )
        services.wave_close(wave=wave, by=backbone)
        TieSurveyWave.objects.filter(pk=wave.pk).update(
            opened_at=now - timedelta(days=opened), closed_at=now - timedelta(days=closed)
        )
        TieSurveySubmission.objects.filter(wave=wave).update(submitted_at=now - timedelta(days=closed + 5))
        waves.append(wave)
    # Computed here too, so that the demo has its figures whether or not a worker runs.
    for wave in waves:
        services.network_metrics_compute(wave_id=wave.pk)
