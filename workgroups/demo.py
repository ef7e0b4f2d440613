"""The demo's mutually reinforcing activities (called by `manage.py seed_demo`): a steering
committee, a working group per key strategy of the agenda's current version with its action plan,
and two waves of the partner-relationship survey with their computed network figures.

Everything goes through the services, so the demo passed the same checks as the browser would.
Organisations, by their index in seed_demo.ORGANIZATIONS:
0 Negev Education Partnership (backbone), 1 Municipality, 2 Southern Families Foundation,
3 Ben-Gurion University, 4 Early Years Network, 5 Desert Tech Employers Forum,
6 Neighbourhood Parents Council, 7 Youth Futures.
"""

from __future__ import annotations

from datetime import timedelta

from agenda.selectors import current_strategies
from measurement.models import SharedMeasure

from . import services
from .choices import ActivityStatus, CollaborationKind, SeatRole
from .models import ActivityUpdate, TieSurveySubmission, TieSurveyWave

INFO = CollaborationKind.INFORMATION_SHARING
PLAN = CollaborationKind.JOINT_PLANNING
SHARE = CollaborationKind.SHARED_RESOURCES
JOINT = CollaborationKind.JOINT_PROGRAMMES

# (name, chair's username, members: usernames and organisation indexes, meets, purpose)
GROUPS = [
    (
        "Early Years",
        "partner",
        ["mayor.office", 6, 2],
        "Monthly, on the first Tuesday",
        "Children arrive at kindergarten healthy, curious and ready to learn.",
    ),
    (
        "Early Grades Learning",
        "university",
        ["backbone", 1, 4, 7],
        "Every six weeks",
        "Every child reads and counts at grade level by the end of third grade.",
    ),
    (
        "Completion and Work",
        "employers",
        ["youth", 3, 1],
        "Monthly, at the employers' forum",
        "Young people finish school with a matriculation certificate and a first step into work.",
    ),
]

# Per group: (title, lead, contributors, start and end in days from now, status, [(days ago, note)])
PLANS = [
    [
        (
            "Home visits for new parents",
            4,
            [1, 6],
            -300,
            65,
            ActivityStatus.UNDER_WAY,
            [
                (200, "Forty families enrolled in Dalet; nurses trained."),
                (40, "A hundred and ten families visited; Hey starts next month."),
            ],
        ),
        (
            "Kindergarten readiness screening",
            1,
            [4, 3],
            -200,
            -20,
            ActivityStatus.DONE,
            [(25, "All 34 municipal kindergartens screened; results shared with the working group.")],
        ),
        ("Parent circles in Dalet and Hey", 6, [4], 30, 210, ActivityStatus.PLANNED, []),
    ],
    [
        (
            "Summer reading camps",
            7,
            [0, 1],
            -120,
            60,
            ActivityStatus.UNDER_WAY,
            [(30, "Three camps booked for July; 240 places.")],
        ),
        (
            "Teacher coaching in early mathematics",
            3,
            [1],
            -90,
            270,
            ActivityStatus.UNDER_WAY,
            [(15, "Twelve first-grade teachers in the first cohort.")],
        ),
        (
            "Volunteer reading buddies",
            7,
            [6],
            -250,
            -60,
            ActivityStatus.STOPPED,
            [(60, "Stopped: too few volunteers; the summer camps take its place.")],
        ),
    ],
    [
        (
            "Job shadowing for grade 11",
            5,
            [7, 1],
            -60,
            120,
            ActivityStatus.UNDER_WAY,
            [(10, "Fourteen employers offer placements; 60 students matched.")],
        ),
        (
            "Matriculation tutoring",
            7,
            [3, 2],
            -150,
            180,
            ActivityStatus.UNDER_WAY,
            [(20, "Student tutors from the university in four schools.")],
        ),
        ("Employer–school planning table", 5, [0], 14, None, ActivityStatus.PLANNED, []),
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


def seed(*, initiative, users, organizations, now) -> None:
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
        person_name="Sarah Amsalem",
        organization=organizations[6],
        is_community_representative=True,
        since=today - timedelta(days=400),
    )
    services.seat_add(
        initiative=initiative,
        by=backbone,
        person_name="Yarden Levi (youth forum)",
        is_community_representative=True,
        since=today - timedelta(days=200),
    )

    # A working group per key strategy of the current agenda, each with its action plan.
    strategies = [item.strategy for item in current_strategies(initiative)]
    for strategy, (name, chair, members, meets, purpose), plan, formed in zip(
        strategies, GROUPS, PLANS, (110, 100, 80), strict=False
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
        for title, lead, contributors, starts, ends, status, updates in plan:
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
            for days_ago, note in updates:
                update = services.activity_progress_add(
                    activity=activity, by=memberships[chair].user, note=note, status=status
                )
                ActivityUpdate.objects.filter(pk=update.pk).update(at=now - timedelta(days=days_ago))
            if activity.status != status:
                services.activity_update(activity=activity, by=backbone, status=status)

    # Two waves of the partner-relationship survey, a year apart.
    waves = []
    for name, answers, opened, closed in (
        ("Spring 2025", WAVE_1, 330, 300),
        ("Spring 2026", WAVE_2, 45, 20),
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
