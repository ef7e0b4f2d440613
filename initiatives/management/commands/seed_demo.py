"""Load a realistic demo initiative (a cradle-to-career partnership) and demo accounts.

Used by `make run` (DEBUG on) on an empty database only; never in production (compose does not
call it). With DEBUG off it refuses, unless --force says this is a throwaway trial server: the demo
accounts share one published password.
"""

import importlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from initiatives import services
from initiatives.choices import (
    Area,
    MilestoneStatus,
    Phase,
    PreconditionStatus,
    Role,
    Sector,
    Topic,
)
from initiatives.fit import (
    Copyable,
    ProblemTraits,
    SocialProblem,
    SolutionExists,
    SolutionKnowable,
    SolutionTraits,
    Solver,
)
from initiatives.models import Initiative, Milestone, Organization, Participation, PhaseTransition

DEMO_PASSWORD = "demo-impact-2026"

ORGANIZATIONS = [
    ("Negev Education Partnership", Sector.NONPROFIT, "https://example.org/nep"),
    ("Be'er Sheva Municipality", Sector.GOVERNMENT, "https://example.org/municipality"),
    ("Southern Families Foundation", Sector.PHILANTHROPY, "https://example.org/sff"),
    ("Ben-Gurion University", Sector.ACADEMIA, "https://example.org/bgu"),
    ("Early Years Network", Sector.NONPROFIT, "https://example.org/eyn"),
    ("Desert Tech Employers Forum", Sector.BUSINESS, "https://example.org/dtef"),
    ("Neighbourhood Parents Council", Sector.COMMUNITY, ""),
    ("Youth Futures", Sector.NONPROFIT, "https://example.org/youth"),
]

# username, first, last, organisation index, role
PEOPLE = [
    ("backbone", "Dana", "Levi", 0, Role.BACKBONE),
    ("steering", "Yossi", "Cohen", 2, Role.STEERING),
    ("partner", "Miriam", "Azulay", 4, Role.PARTNER),
    ("viewer", "Avi", "Ben-David", 6, Role.VIEWER),
    ("mayor.office", "Ruth", "Peretz", 1, Role.STEERING),
    ("university", "Eitan", "Shapiro", 3, Role.STEERING),
    ("employers", "Noa", "Mizrahi", 5, Role.PARTNER),
    ("youth", "Omer", "Biton", 7, Role.PARTNER),
]


class Command(BaseCommand):
    help = f"Load the demo initiative and demo accounts (password: {DEMO_PASSWORD})."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any initiative exists.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo accounts even with DEBUG off (a throwaway trial server only).",
        )

    def handle(self, *args, if_empty: bool = False, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo accounts share a published password: seed_demo runs only with DEBUG on "
                "(`make run`). Use --force for a throwaway trial server."
            )
        if if_empty and Initiative.objects.exists():
            self.stdout.write("Demo data not loaded: the database already has initiatives.")
            return
        with transaction.atomic():
            self._seed()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded. Sign in as backbone, steering, partner, viewer or admin "
                f"with the password {DEMO_PASSWORD}"
            )
        )

    def _seed(self):
        User = get_user_model()
        orgs = [
            Organization.objects.get_or_create(name=name, defaults={"sector": sector, "website": web})[0]
            for name, sector, web in ORGANIZATIONS
        ]
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        users = {}
        for username, first, last, _org, _role in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user

        backbone = users["backbone"]
        initiative = services.initiative_create(
            by=backbone,
            organization=orgs[0],
            name="Cradle to Career Be'er Sheva",
            slug="cradle-to-career",
            issue="Too few children in the city's southern neighbourhoods finish school ready for work or study",
            place="Be'er Sheva",
            topic=Topic.EDUCATION,
            description=(
                "A partnership of the municipality, schools, early-years providers, funders, employers and "
                "parents, working to one shared set of outcomes from birth to first job."
            ),
        )
        for org in orgs:
            Participation.objects.get_or_create(initiative=initiative, organization=org)
        for username, _first, _last, org_index, role in PEOPLE[1:]:
            initiative.memberships.create(user=users[username], organization=orgs[org_index], role=role)

        now = timezone.now()
        started = now - timedelta(days=560)
        services.readiness_assess(
            initiative=initiative,
            by=backbone,
            champion=PreconditionStatus.PARTLY,
            champion_evidence="The deputy mayor supports the idea but has not yet convened the other sectors.",
            funding=PreconditionStatus.NOT_MET,
            funding_evidence="One year of backbone funding pledged; nothing beyond.",
            urgency=PreconditionStatus.MET,
            urgency_evidence="The 2024 national assessment put the city's southern schools in the bottom decile.",
        )
        initiative.readiness_assessments.update(assessed_at=started)
        later = services.readiness_assess(
            initiative=initiative,
            by=backbone,
            champion=PreconditionStatus.MET,
            champion_evidence="The mayor and the foundation's CEO co-chair the steering committee and convened it twice.",
            funding=PreconditionStatus.MET,
            funding_evidence="Southern Families Foundation committed three years of backbone funding (anchor funder).",
            urgency=PreconditionStatus.MET,
            urgency_evidence="The 2024 national assessment put the city's southern schools in the bottom decile.",
        )
        type(later).objects.filter(pk=later.pk).update(assessed_at=started + timedelta(days=90))
        # Two answers to the source's Table 1: the first, before the dialogues, left the rows in
        # disagreement (line 98: a complex problem cannot be a technical one); the second settled it.
        table_1 = {
            "solution_exists": SolutionExists.UNKNOWN,
            "solution_copyable": Copyable.NO,
            "solver": Solver.NO_SINGLE_BODY,
            "problem_traits": ProblemTraits.CHANGING,
            "solution_knowable": SolutionKnowable.UNKNOWABLE,
            "solution_traits": SolutionTraits.EVERYONE,
            "social_problem": SocialProblem.YES,
        }
        first_fit = services.fit_assess(
            initiative=initiative,
            by=backbone,
            **{
                **table_1,
                "solution_knowable": SolutionKnowable.CLEAR,
                "solution_traits": SolutionTraits.EXPERTS,
            },
            notes="Some of the core team thought better school programmes would be enough.",
        )
        type(first_fit).objects.filter(pk=first_fit.pk).update(assessed_at=started + timedelta(days=10))
        fit = services.fit_assess(
            initiative=initiative,
            by=backbone,
            **table_1,
            notes="Programmes exist for single stages; nobody owns the whole path from birth to first job.",
        )
        type(fit).objects.filter(pk=fit.pk).update(assessed_at=started + timedelta(days=30))
        # Phases I to III are counted from the initiative's start (the overview's guidance).
        type(initiative).objects.filter(pk=initiative.pk).update(created_at=started)

        done_evidence = {
            (
                1,
                Area.GOVERNANCE,
            ): "Core team of eight organisations met monthly for six months; feasibility memo adopted.",
            (
                1,
                Area.STRATEGY,
            ): "Four community dialogues (about 180 participants) on the issue and resources.",
            (1, Area.COMMUNITY): "Parents council and youth forum consulted; summary report published.",
            (1, Area.EVALUATION): "Core team vote: consensus and urgency to move forward.",
            (
                2,
                Area.GOVERNANCE,
            ): "Steering committee of 14 formed: municipality, funders, university, employers, parents.",
            (2, Area.STRATEGY): "Preliminary common agenda shared with the steering committee.",
            (2, Area.COMMUNITY): "Neighbourhood meetings helped frame the agenda's goals.",
        }
        for (phase, area), evidence in done_evidence.items():
            Milestone.objects.filter(initiative=initiative, phase=phase, area=area).update(
                status=MilestoneStatus.DONE,
                evidence=evidence,
                updated_by=backbone,
                updated_at=now - timedelta(days=200),
            )
        Milestone.objects.filter(initiative=initiative, phase=2, area=Area.EVALUATION).update(
            status=MilestoneStatus.IN_PROGRESS,
            evidence="Gap analysis drafted from municipal data; steering committee review pending.",
            updated_by=backbone,
            updated_at=now - timedelta(days=150),
        )
        Milestone.objects.filter(initiative=initiative, phase=3, area=Area.GOVERNANCE).update(
            status=MilestoneStatus.IN_PROGRESS,
            evidence="Backbone team hired (3 staff); three working groups formed, one per key strategy.",
            updated_by=backbone,
            updated_at=now - timedelta(days=30),
        )
        services.phase_change(initiative=initiative, by=backbone, to_phase=Phase.INITIATE_ACTION)
        services.phase_change(
            initiative=initiative,
            by=backbone,
            to_phase=Phase.ORGANIZE_FOR_IMPACT,
            reason="The gap analysis continues inside the working groups; the steering committee agreed to go ahead.",
        )
        transitions = list(PhaseTransition.objects.filter(initiative=initiative).order_by("at", "id"))
        for transition, days_ago in zip(transitions, (380, 120), strict=True):
            PhaseTransition.objects.filter(pk=transition.pk).update(at=now - timedelta(days=days_ago))

        _seed_agenda(initiative, users, now)
        # Each component seeds its own part of the demo (a `demo.seed` function in its app).
        for app in ("measurement", "workgroups", "communication", "backbone", "learning", "webhooks"):
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(initiative=initiative, users=users, organizations=orgs, now=now)

        # A second initiative, to show that people see only their own and may differ in role.
        second = services.initiative_create(
            by=users["mayor.office"],
            organization=orgs[1],
            name="Healthy Negev Families",
            slug="healthy-negev",
            issue="Childhood obesity in the Negev is twice the national rate",
            place="Negev region",
            topic=Topic.HEALTH,
        )
        second.memberships.create(user=backbone, organization=orgs[0], role=Role.VIEWER)


def _seed_agenda(initiative, users, now):
    """Two published versions of the common agenda (preliminary v1, full v2) with endorsements."""
    from agenda import services as agenda
    from agenda.choices import AgendaKind, Decision
    from agenda.models import AgendaVersion, Endorsement

    backbone = users["backbone"]
    draft = agenda.agenda_draft_start(initiative=initiative, by=backbone)
    draft = agenda.agenda_draft_save(
        draft=draft,
        by=backbone,
        revision=draft.revision,
        fields={
            "kind": AgendaKind.PRELIMINARY,
            "problem_statement": (
                "In the southern neighbourhoods fewer than half of the children start school ready to learn, "
                "and only about six in ten finish high school with a matriculation certificate."
            ),
            "goal": "Every child in the city is ready for school, for study and for a first job.",
            "boundary_geographic": "The city's southern neighbourhoods (Dalet, Hey, Vav).",
            "boundary_institutional": "Municipal services, schools and early-years providers, funders, employers.",
            "boundary_content": "From birth to first job; health is out of scope except where it affects learning.",
            "boundary_process": "",
            "evaluation_approach": "Population-level indicators reported yearly by the municipality.",
        },
        figures=[
            {
                "statement": "46% of children assessed ready for school",
                "source": "Municipal early-years survey",
                "year": 2024,
            },
            {
                "statement": "61% high-school matriculation rate",
                "source": "Ministry of Education",
                "year": 2024,
            },
        ],
        strategies=[
            {
                "title": "Early childhood development",
                "rationale": "Readiness at five predicts the rest of the path.",
            },
            {
                "title": "Reading by third grade",
                "rationale": "Children who read well by eight keep up later.",
            },
        ],
        principles=["Decisions are based on shared data", "No organisation speaks for another"],
    )
    v1 = agenda.agenda_publish(draft=draft, by=backbone, change_summary="", kind=AgendaKind.PRELIMINARY)
    agenda.agenda_endorse(version=v1, by=users["steering"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(version=v1, by=users["university"], decision=Decision.ENDORSE)

    draft = agenda.agenda_draft_start(initiative=initiative, by=backbone)
    strategies = [
        {"strategy_id": s.strategy_id, "title": s.title, "rationale": s.rationale}
        for s in draft.strategy_items.all()
    ]
    strategies[1]["title"] = "Reading and mathematics by third grade"
    strategies.append(
        {
            "title": "High-school completion and transition to work",
            "rationale": "Employers and schools plan together.",
        }
    )
    draft = agenda.agenda_draft_save(
        draft=draft,
        by=backbone,
        revision=draft.revision,
        fields={
            "kind": AgendaKind.FULL,
            "problem_statement": draft.problem_statement,
            "goal": "By 2030 every child in the southern neighbourhoods is ready for school, for study and for a first job.",
            "boundary_geographic": draft.boundary_geographic,
            "boundary_institutional": draft.boundary_institutional,
            "boundary_content": draft.boundary_content,
            "boundary_process": "Working groups per strategy report to the steering committee every quarter.",
            "evaluation_approach": (
                "Shared measures with baselines and yearly targets, reported by partners every quarter and "
                "reviewed by the backbone; a developmental evaluation adds the how and why."
            ),
        },
        figures=[
            {
                "statement": "46% of children assessed ready for school",
                "source": "Municipal early-years survey",
                "year": 2024,
            },
            {
                "statement": "61% high-school matriculation rate",
                "source": "Ministry of Education",
                "year": 2024,
            },
            {
                "statement": "38% of third-graders read at grade level",
                "source": "National assessment",
                "year": 2025,
            },
        ],
        strategies=strategies,
        principles=[
            "Decisions are based on shared data",
            "No organisation speaks for another",
            "Successes are shared in public",
        ],
    )
    v2 = agenda.agenda_publish(
        draft=draft,
        by=backbone,
        change_summary="Full agenda: a 2030 goal, mathematics added to the early grades, a third strategy on completion and work.",
        kind=AgendaKind.FULL,
    )
    agenda.agenda_endorse(version=v2, by=users["steering"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(
        version=v2, by=users["mayor.office"], decision=Decision.ENDORSE, comment="The city commits its data."
    )
    agenda.agenda_endorse(
        version=v2,
        by=users["employers"],
        decision=Decision.DECLINE,
        comment="Transition-to-work targets need employers' input first.",
    )
    from datetime import timedelta

    AgendaVersion.objects.filter(pk=v1.pk).update(published_at=now - timedelta(days=300))
    AgendaVersion.objects.filter(pk=v2.pk).update(published_at=now - timedelta(days=90))
    Endorsement.objects.filter(version=v1).update(
        created_at=now - timedelta(days=290), updated_at=now - timedelta(days=290)
    )
