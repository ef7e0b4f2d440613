"""Load the demo: a cradle-to-career partnership twice, in Hebrew (Be'er Sheva) and in English (a
fictional Riverside), a small second Hebrew initiative, and the demo accounts, members of all three.

Used by `make run` (DEBUG on) on an empty database only; never in production (compose does not
call it). With DEBUG off it refuses, unless --force says this is a throwaway trial server: the demo
accounts share one published password.
"""

import importlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
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

# The demo is two whole initiatives of the same structure, one written in Hebrew (Be'er Sheva) and one
# in English (a fictional English-speaking city), so that a visitor in either language sees a whole
# initiative in it. One seeding path; the words are CONTENT[language]. Every app's `demo.seed` takes
# the same `language` and keeps its own words the same way.
LANGUAGES = ("he", "en")

# The organisations' roles, by position, the same in both languages: 0 hosts the backbone, 1 the
# city, 2 the anchor funder, 3 the university, 4 the early-years partner, 5 the employers, 6 the
# parents, 7 the youth organisation. Organization is global: each language has rows of its own.
SECTORS = [
    Sector.NONPROFIT,
    Sector.GOVERNMENT,
    Sector.PHILANTHROPY,
    Sector.ACADEMIA,
    Sector.NONPROFIT,
    Sector.BUSINESS,
    Sector.COMMUNITY,
    Sector.NONPROFIT,
]

# The same accounts in both initiatives, with the same role, in the organisation of the same index:
# username, first name, last name, organisation index, role. The people are Israeli; their names are
# written in Hebrew in both.
PEOPLE = [
    ("backbone", "דנה", "לוי", 0, Role.BACKBONE),
    ("steering", "יוסי", "כהן", 2, Role.STEERING),
    ("partner", "מרים", "אזולאי", 4, Role.PARTNER),
    ("viewer", "אבי", "בן-דוד", 6, Role.VIEWER),
    ("mayor.office", "רות", "פרץ", 1, Role.STEERING),
    ("university", "איתן", "שפירא", 3, Role.STEERING),
    ("employers", "נועה", "מזרחי", 5, Role.PARTNER),
    ("youth", "עומר", "ביטון", 7, Role.PARTNER),
]

CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        "organizations": [
            ("שותפות החינוך בנגב", "https://example.org/nep"),
            ("עיריית באר שבע", "https://example.org/municipality"),
            ("קרן משפחות הדרום", "https://example.org/sff"),
            ("אוניברסיטת בן-גוריון בנגב", "https://example.org/bgu"),
            ("רשת הגיל הרך", "https://example.org/eyn"),
            ("פורום מעסיקי ההייטק בנגב", "https://example.org/dtef"),
            ("מועצת ההורים השכונתית", ""),
            ("עתיד לנוער", "https://example.org/youth"),
        ],
        "initiative": {
            "name": "מלידה לקריירה באר שבע",
            "slug": "cradle-to-career",
            "issue": "מעט מדי ילדים בשכונות הדרומיות של העיר מסיימים את בית הספר מוכנים לעבודה או ללימודים",
            "place": "באר שבע",
            "description": (
                "שותפות של העירייה, בתי הספר, ארגוני הגיל הרך, קרנות, מעסיקים והורים, הפועלים יחד "
                "למערך אחד של תוצאות משותפות, מהלידה ועד העבודה הראשונה."
            ),
        },
        "readiness": {
            "champion_partly": "סגן ראש העיר תומך ברעיון, אך עדיין לא כינס את שאר המגזרים.",
            "funding_not_met": "הובטחה שנה אחת של מימון לארגון השדרה, ולא יותר.",
            "urgency": "המבחן הארצי של 2024 מיקם את בתי הספר בדרום העיר בעשירון התחתון.",
            "champion_met": 'ראש העיר ומנכ"לית הקרן עומדים יחד בראש ועדת ההיגוי וכבר כינסו אותה פעמיים.',
            "funding_met": "קרן משפחות הדרום התחייבה לשלוש שנות מימון לארגון השדרה (קרן עוגן).",
        },
        "fit_notes": (
            "חלק מצוות הליבה סברו שתוכניות טובות יותר בבתי הספר יספיקו.",
            "יש תוכניות לשלבים בודדים; אף גוף אינו אחראי לדרך כולה, מהלידה ועד העבודה הראשונה.",
        ),
        "milestones": {
            (
                1,
                Area.GOVERNANCE,
            ): "צוות ליבה של שמונה ארגונים נפגש מדי חודש במשך חצי שנה; מסמך ההיתכנות אומץ.",
            (1, Area.STRATEGY): "ארבעה מפגשי שיח קהילתיים (כ־180 משתתפים) על הבעיה ועל המשאבים.",
            (1, Area.COMMUNITY): "נערכה היוועצות עם מועצת ההורים ועם פורום הנוער; פורסם דוח מסכם.",
            (1, Area.EVALUATION): "הצבעה בצוות הליבה: יש הסכמה ותחושת דחיפות להתקדם.",
            (
                2,
                Area.GOVERNANCE,
            ): "הוקמה ועדת היגוי של 14 חברים: העירייה, קרנות, האוניברסיטה, מעסיקים והורים.",
            (2, Area.STRATEGY): "מצע משותף ראשוני הוצג לוועדת ההיגוי.",
            (2, Area.COMMUNITY): "מפגשים שכונתיים סייעו לנסח את יעדי המצע.",
        },
        "gap_analysis": "ניתוח פערים נוסח מנתוני העירייה; ממתין לדיון בוועדת ההיגוי.",
        "organizing": (
            "צוות ארגון השדרה גויס (שלושה אנשי צוות); הוקמו שלוש קבוצות עבודה, אחת לכל אסטרטגיה מרכזית."
        ),
        "phase_reason": "ניתוח הפערים נמשך בתוך קבוצות העבודה; ועדת ההיגוי הסכימה להתקדם.",
        "agenda": {
            "problem_statement": (
                "בשכונות הדרומיות פחות ממחצית הילדים מגיעים לבית הספר מוכנים ללמידה, ורק כשישה מכל "
                "עשרה מסיימים את התיכון עם תעודת בגרות."
            ),
            "goal_v1": "כל ילד וילדה בעיר מוכנים לבית הספר, ללימודים ולעבודה ראשונה.",
            "goal_v2": "עד 2030 כל ילד וילדה בשכונות הדרומיות מוכנים לבית הספר, ללימודים ולעבודה ראשונה.",
            "boundary_geographic": "השכונות הדרומיות של העיר (ד', ה', ו').",
            "boundary_institutional": "שירותי העירייה, בתי הספר וארגוני הגיל הרך, קרנות ומעסיקים.",
            "boundary_content": "מהלידה ועד העבודה הראשונה; הבריאות מחוץ לתחום, אלא במידה שהיא משפיעה על הלמידה.",
            "boundary_process": "כל קבוצת עבודה, אחת לכל אסטרטגיה, מדווחת לוועדת ההיגוי מדי רבעון.",
            "evaluation_v1": "מדדים ברמת האוכלוסייה שהעירייה מפרסמת מדי שנה.",
            "evaluation_v2": (
                "מדדים משותפים עם נקודות מוצא ויעדים שנתיים, שהשותפים מדווחים עליהם מדי רבעון וארגון "
                "השדרה בודק; מדידה התפתחותית מוסיפה את ה'איך' ואת ה'למה'."
            ),
            "figures": [
                {
                    "statement": "46% מהילדים נמצאו מוכנים לבית הספר",
                    "source": "סקר הגיל הרך של העירייה",
                    "year": 2024,
                },
                {"statement": "61% זכאות לתעודת בגרות", "source": "משרד החינוך", "year": 2024},
            ],
            "figure_v2": {
                "statement": "38% מתלמידי כיתה ג' קוראים ברמת כיתתם",
                "source": "המבחן הארצי",
                "year": 2025,
            },
            "strategies": [
                {"title": "התפתחות בגיל הרך", "rationale": "המוכנות בגיל חמש מנבאת את המשך הדרך."},
                {
                    "title": "קריאה עד כיתה ג'",
                    "rationale": "ילדים שקוראים היטב בגיל שמונה עומדים בקצב גם בהמשך.",
                },
            ],
            "strategy_renamed": "קריאה וחשבון עד כיתה ג'",
            "strategy_new": {
                "title": "סיום התיכון והמעבר לעבודה",
                "rationale": "מעסיקים ובתי ספר מתכננים יחד.",
            },
            "principles": ["ההחלטות מתקבלות על סמך נתונים משותפים", "אף ארגון אינו מדבר בשם ארגון אחר"],
            "principle_new": "ההצלחות משותפות בפומבי",
            "change_summary": (
                "מצע מלא: יעד ל־2030, חשבון נוסף לכיתות הנמוכות, ואסטרטגיה שלישית לסיום התיכון ולמעבר לעבודה."
            ),
            "comment_city": "העירייה מתחייבת לשתף את נתוניה.",
            "comment_employers": "יעדי המעבר לעבודה צריכים קודם את דבר המעסיקים.",
        },
    },
    "en": {
        "organizations": [
            ("Riverside Education Partnership", "https://example.org/rep"),
            ("City of Riverside", "https://example.org/city"),
            ("Valley Families Foundation", "https://example.org/vff"),
            ("Riverside State University", "https://example.org/rsu"),
            ("Early Years Network", "https://example.org/eyn"),
            ("Riverside Employers Forum", "https://example.org/ref"),
            ("Neighbourhood Parents Council", ""),
            ("Youth Futures", "https://example.org/youth"),
        ],
        "initiative": {
            "name": "Cradle to Career Riverside",
            "slug": "cradle-to-career-riverside",
            "issue": "Too few children in the city's southern neighbourhoods finish school ready for work or study",
            "place": "Riverside",
            "description": (
                "A partnership of the city, schools, early-years providers, funders, employers and parents, "
                "working to one shared set of outcomes from birth to first job."
            ),
        },
        "readiness": {
            "champion_partly": "The deputy mayor supports the idea but has not yet convened the other sectors.",
            "funding_not_met": "One year of backbone funding pledged; nothing beyond.",
            "urgency": "The 2024 state assessment put the city's southern schools in the bottom decile.",
            "champion_met": "The mayor and the foundation's CEO co-chair the steering committee and convened it twice.",
            "funding_met": "Valley Families Foundation committed three years of backbone funding (anchor funder).",
        },
        "fit_notes": (
            "Some of the core team thought better school programmes would be enough.",
            "Programmes exist for single stages; nobody owns the whole path from birth to first job.",
        ),
        "milestones": {
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
            ): "Steering committee of 14 formed: city, funders, university, employers, parents.",
            (2, Area.STRATEGY): "Preliminary common agenda shared with the steering committee.",
            (2, Area.COMMUNITY): "Neighbourhood meetings helped frame the agenda's goals.",
        },
        "gap_analysis": "Gap analysis drafted from city data; steering committee review pending.",
        "organizing": "Backbone team hired (3 staff); three working groups formed, one per key strategy.",
        "phase_reason": "The gap analysis continues inside the working groups; the steering committee agreed to go ahead.",
        "agenda": {
            "problem_statement": (
                "In the southern neighbourhoods fewer than half of the children start school ready to learn, "
                "and only about six in ten graduate from high school on time."
            ),
            "goal_v1": "Every child in the city is ready for school, for study and for a first job.",
            "goal_v2": "By 2030 every child in the southern neighbourhoods is ready for school, for study and for a first job.",
            "boundary_geographic": "The city's southern neighbourhoods (Southgate, Millbrook, Riverbend).",
            "boundary_institutional": "City services, schools and early-years providers, funders, employers.",
            "boundary_content": "From birth to first job; health is out of scope except where it affects learning.",
            "boundary_process": "Working groups per strategy report to the steering committee every quarter.",
            "evaluation_v1": "Population-level indicators reported yearly by the city.",
            "evaluation_v2": (
                "Shared measures with baselines and yearly targets, reported by partners every quarter and "
                "reviewed by the backbone; a developmental evaluation adds the how and why."
            ),
            "figures": [
                {
                    "statement": "46% of children assessed ready for school",
                    "source": "City early-years survey",
                    "year": 2024,
                },
                {
                    "statement": "61% on-time high-school graduation rate",
                    "source": "State Department of Education",
                    "year": 2024,
                },
            ],
            "figure_v2": {
                "statement": "38% of third-graders read at grade level",
                "source": "State assessment",
                "year": 2025,
            },
            "strategies": [
                {
                    "title": "Early childhood development",
                    "rationale": "Readiness at five predicts the rest of the path.",
                },
                {
                    "title": "Reading by third grade",
                    "rationale": "Children who read well by eight keep up later.",
                },
            ],
            "strategy_renamed": "Reading and mathematics by third grade",
            "strategy_new": {
                "title": "High-school completion and transition to work",
                "rationale": "Employers and schools plan together.",
            },
            "principles": ["Decisions are based on shared data", "No organisation speaks for another"],
            "principle_new": "Successes are shared in public",
            "change_summary": (
                "Full agenda: a 2030 goal, mathematics added to the early grades, a third strategy on completion and work."
            ),
            "comment_city": "The city commits its data.",
            "comment_employers": "Transition-to-work targets need employers' input first.",
        },
    },
}

# A second initiative of the Hebrew organisations, to show that people see only their own and may
# differ in role: the backbone staff of the first is only a viewer here.
SECOND = {
    "name": "משפחות בריאות בנגב",
    "slug": "healthy-negev",
    "issue": "שיעור ההשמנה בקרב ילדים בנגב כפול מהממוצע הארצי",
    "place": "הנגב",
    "description": "העירייה, קופות החולים ובתי הספר פועלים יחד לתזונה בריאה ולפעילות גופנית של ילדים ומשפחות.",
}


class Command(BaseCommand):
    help = f"Load the demo initiatives (Hebrew and English) and demo accounts (password: {DEMO_PASSWORD})."

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
        try:
            with transaction.atomic():
                self._seed()
        except ValidationError as exc:  # the demo is there already: say so, load nothing
            raise CommandError(f"The demo was not loaded: {' '.join(exc.messages)}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded (in Hebrew: /initiatives/cradle-to-career/, in English: "
                "/initiatives/cradle-to-career-riverside/). Sign in as backbone, steering, partner, viewer or admin "
                f"with the password {DEMO_PASSWORD}"
            )
        )

    def _seed(self):
        users = _accounts()
        now = timezone.now()
        for language in LANGUAGES:
            orgs = [
                Organization.objects.get_or_create(name=name, defaults={"sector": sector, "website": web})[0]
                for (name, web), sector in zip(CONTENT[language]["organizations"], SECTORS, strict=True)
            ]
            initiative = _seed_initiative(CONTENT[language], users, orgs, now)
            _seed_agenda(initiative, users, now, CONTENT[language]["agenda"])
            # Each component seeds its own part of the demo (a `demo.seed` function in its app).
            for app in ("measurement", "workgroups", "communication", "backbone", "learning", "webhooks"):
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(
                    initiative=initiative, users=users, organizations=orgs, now=now, language=language
                )
            if language == "he":
                second = services.initiative_create(
                    by=users["mayor.office"], organization=orgs[1], topic=Topic.HEALTH, **SECOND
                )
                second.memberships.create(user=users["backbone"], organization=orgs[0], role=Role.VIEWER)


def _accounts() -> dict:
    """The platform administrator and the demo people, one account each for both initiatives."""
    User = get_user_model()
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
    return users


def _seed_initiative(content: dict, users: dict, orgs: list, now) -> Initiative:
    """The initiative in phase III: members, readiness and fit assessments, milestones, phase history."""
    backbone = users["backbone"]
    initiative = services.initiative_create(
        by=backbone, organization=orgs[0], topic=Topic.EDUCATION, **content["initiative"]
    )
    for org in orgs:
        Participation.objects.get_or_create(initiative=initiative, organization=org)
    for username, _first, _last, org_index, role in PEOPLE[1:]:
        initiative.memberships.create(user=users[username], organization=orgs[org_index], role=role)

    started = now - timedelta(days=560)
    readiness = content["readiness"]
    services.readiness_assess(
        initiative=initiative,
        by=backbone,
        champion=PreconditionStatus.PARTLY,
        champion_evidence=readiness["champion_partly"],
        funding=PreconditionStatus.NOT_MET,
        funding_evidence=readiness["funding_not_met"],
        urgency=PreconditionStatus.MET,
        urgency_evidence=readiness["urgency"],
    )
    initiative.readiness_assessments.update(assessed_at=started)
    later = services.readiness_assess(
        initiative=initiative,
        by=backbone,
        champion=PreconditionStatus.MET,
        champion_evidence=readiness["champion_met"],
        funding=PreconditionStatus.MET,
        funding_evidence=readiness["funding_met"],
        urgency=PreconditionStatus.MET,
        urgency_evidence=readiness["urgency"],
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
    first_notes, settled_notes = content["fit_notes"]
    first_fit = services.fit_assess(
        initiative=initiative,
        by=backbone,
        **{
            **table_1,
            "solution_knowable": SolutionKnowable.CLEAR,
            "solution_traits": SolutionTraits.EXPERTS,
        },
        notes=first_notes,
    )
    type(first_fit).objects.filter(pk=first_fit.pk).update(assessed_at=started + timedelta(days=10))
    fit = services.fit_assess(initiative=initiative, by=backbone, **table_1, notes=settled_notes)
    type(fit).objects.filter(pk=fit.pk).update(assessed_at=started + timedelta(days=30))
    # Phases I to III are counted from the initiative's start (the overview's guidance).
    type(initiative).objects.filter(pk=initiative.pk).update(created_at=started)

    for (phase, area), evidence in content["milestones"].items():
        Milestone.objects.filter(initiative=initiative, phase=phase, area=area).update(
            status=MilestoneStatus.DONE,
            evidence=evidence,
            updated_by=backbone,
            updated_at=now - timedelta(days=200),
        )
    Milestone.objects.filter(initiative=initiative, phase=2, area=Area.EVALUATION).update(
        status=MilestoneStatus.IN_PROGRESS,
        evidence=content["gap_analysis"],
        updated_by=backbone,
        updated_at=now - timedelta(days=150),
    )
    Milestone.objects.filter(initiative=initiative, phase=3, area=Area.GOVERNANCE).update(
        status=MilestoneStatus.IN_PROGRESS,
        evidence=content["organizing"],
        updated_by=backbone,
        updated_at=now - timedelta(days=30),
    )
    services.phase_change(initiative=initiative, by=backbone, to_phase=Phase.INITIATE_ACTION)
    services.phase_change(
        initiative=initiative, by=backbone, to_phase=Phase.ORGANIZE_FOR_IMPACT, reason=content["phase_reason"]
    )
    transitions = list(PhaseTransition.objects.filter(initiative=initiative).order_by("at", "id"))
    for transition, days_ago in zip(transitions, (380, 120), strict=True):
        PhaseTransition.objects.filter(pk=transition.pk).update(at=now - timedelta(days=days_ago))
    initiative.refresh_from_db()
    return initiative


def _seed_agenda(initiative, users, now, words: dict):
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
            "problem_statement": words["problem_statement"],
            "goal": words["goal_v1"],
            "boundary_geographic": words["boundary_geographic"],
            "boundary_institutional": words["boundary_institutional"],
            "boundary_content": words["boundary_content"],
            "boundary_process": "",
            "evaluation_approach": words["evaluation_v1"],
        },
        figures=[dict(figure) for figure in words["figures"]],
        strategies=[dict(strategy) for strategy in words["strategies"]],
        principles=list(words["principles"]),
    )
    v1 = agenda.agenda_publish(draft=draft, by=backbone, change_summary="", kind=AgendaKind.PRELIMINARY)
    agenda.agenda_endorse(version=v1, by=users["steering"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(version=v1, by=users["university"], decision=Decision.ENDORSE)

    draft = agenda.agenda_draft_start(initiative=initiative, by=backbone)
    strategies = [
        {"strategy_id": s.strategy_id, "title": s.title, "rationale": s.rationale}
        for s in draft.strategy_items.all()
    ]
    strategies[1]["title"] = words["strategy_renamed"]
    strategies.append(dict(words["strategy_new"]))
    draft = agenda.agenda_draft_save(
        draft=draft,
        by=backbone,
        revision=draft.revision,
        fields={
            "kind": AgendaKind.FULL,
            "problem_statement": draft.problem_statement,
            "goal": words["goal_v2"],
            "boundary_geographic": draft.boundary_geographic,
            "boundary_institutional": draft.boundary_institutional,
            "boundary_content": draft.boundary_content,
            "boundary_process": words["boundary_process"],
            "evaluation_approach": words["evaluation_v2"],
        },
        figures=[dict(figure) for figure in (*words["figures"], words["figure_v2"])],
        strategies=strategies,
        principles=[*words["principles"], words["principle_new"]],
    )
    v2 = agenda.agenda_publish(
        draft=draft, by=backbone, change_summary=words["change_summary"], kind=AgendaKind.FULL
    )
    agenda.agenda_endorse(version=v2, by=users["steering"], decision=Decision.ENDORSE)
    agenda.agenda_endorse(
        version=v2, by=users["mayor.office"], decision=Decision.ENDORSE, comment=words["comment_city"]
    )
    agenda.agenda_endorse(
        version=v2, by=users["employers"], decision=Decision.DECLINE, comment=words["comment_employers"]
    )
    AgendaVersion.objects.filter(pk=v1.pk).update(published_at=now - timedelta(days=300))
    AgendaVersion.objects.filter(pk=v2.pk).update(published_at=now - timedelta(days=90))
    Endorsement.objects.filter(version=v1).update(
        created_at=now - timedelta(days=290), updated_at=now - timedelta(days=290)
    )
