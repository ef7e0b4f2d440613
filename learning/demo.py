"""The demo's learning (called by `manage.py seed_demo` after the other components): a risk
register taken from the source's starting list with risks of the initiative's own, a learning
log of four working assumptions with the evidence that moved them, turn-the-curve worksheets (two
versions of one measure; one shown on the report card) and stories told beside the data. Called
once per demo initiative: one seeding path, the words CONTENT[language] ("he" for Be'er Sheva,
"en" for Riverside).

Everything goes through the services, as the browser would. Organisations, by their index (the
same roles in both languages): 0 hosts the backbone, 1 the city, 2 the anchor funder, 3 the
university, 4 the early-years partner, 5 the employers, 6 the parents, 7 the youth organisation.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agenda.selectors import current_strategies
from communication import demo as communication_demo
from communication import selectors as communication_selectors
from measurement import selectors as measurement_selectors
from workgroups import demo as workgroups_demo
from workgroups.selectors import activity_queryset

from . import services
from .choices import AssumptionStatus, Impact, Likelihood, RiskStatus
from .models import LearningEntry, Risk, RiskReview

# The source's starting list, with the initiative's own assessment: (key, owner's username,
# likelihood, impact, next review in days from today); the mitigations are CONTENT[language].
STARTING = [
    ("agreeing_on_measures", "backbone", Likelihood.LIKELY, Impact.MAJOR, -5),
    ("wrong_results", "steering", Likelihood.LIKELY, Impact.SEVERE, -12),
    ("local_politics", "mayor.office", Likelihood.POSSIBLE, Impact.MAJOR, 30),
    ("backbone_funding", "steering", Likelihood.POSSIBLE, Impact.SEVERE, 60),
    ("scarce_measurement_resources", "backbone", Likelihood.LIKELY, Impact.MODERATE, 20),
    ("partners_never_worked_together", "partner", Likelihood.UNLIKELY, Impact.MODERATE, 90),
]

# The words of the demo, per language (Hebrew for Be'er Sheva, English for Riverside).
CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        "mitigations": [
            "המדדים מוסכמים קודם בקבוצות העבודה ואחר כך בוועדת ההיגוי; נבחנים מחדש מדי שנה.",
            "כרטיס הדיווח מציג מדדי תהליך ומדדי קשרים לצד התוצאות ברמת האוכלוסייה.",
            "עדכון כל סיעות המועצה לפני הבחירות המוניציפליות; סגן ראש העיר חבר בוועדה.",
            "הקרן התחייבה לשלוש שנים; מתנהלת פנייה לגורם מממן שני לארגון השדרה.",
            "",
            "",
        ],
        "own_risk": {
            "title": "המענק הממשלתי לתכנית הגיל הרך מסתיים ביוני",
            "description": "ביקורי הבית ייפסקו בשתי שכונות אם המשרד לא יחדש את המענק.",
            "mitigation": "העירייה ביקשה מהמשרד חידוש לשנתיים; הקרן יכולה לגשר על חצי שנה.",
            "review": "המשרד השיב שההחלטות על חידוש מתקבלות במרץ.",
        },
        "closed_risk": {
            "title": "שני ארגונים מבקשים לשמש כארגון השדרה",
            "description": "בתחילת הדרך גם רשת הגיל הרך ביקשה להוביל את היוזמה.",
            "review": "ועדת ההיגוי בחרה בשותפות החינוך בנגב; רשת הגיל הרך מובילה את קבוצת העבודה לגיל הרך.",
        },
        "assumptions": {
            "home_visits": "ביקורי בית בשנה הראשונה לחיי הילד מעלים את המוכנות לבית הספר באותה שכונה.",
            "home_visits_1": "המוכנות עלתה יותר מכול בשכונה ד', שבה החלו הביקורים; מוקדם מדי להפריד זאת מהשפעת הגנים החדשים.",
            "home_visits_2": "גם השנה השנייה מראה את אותו פער בין השכונות שבהן היו ביקורים לשאר השכונות; ועדת ההיגוי "
            "החליטה להרחיב את הביקורים לשכונה ה'.",
            "tutoring": "תגבור אחרי שעות הלימודים לבדו יביא את תלמידי כיתה ג' לקריאה ברמת כיתתם.",
            "tutoring_1": "שעות התגבור הוכפלו אבל הקריאה עלתה בשתי נקודות בלבד: הילדים שקיבלו הכי הרבה תגבור "
            "היו גם אלה שהחסירו הכי הרבה ימי לימודים. ההנחה כוללת עכשיו גם את הנוכחות.",
            "workshops": "ההורים יגיעו לסדנאות ערב שמתקיימות בבתי הספר.",
            "workshops_1": "ההשתתפות נשארה מתחת לעשרה אחוזים; מועצת ההורים הסבירה שהורים רבים עובדים בערבים. "
            "הסדנאות עברו למרכזים הקהילתיים בימי שישי בבוקר.",
            "data_sharing": "שיתוף נתונים בין בתי הספר לעמותות יגביר את התיאום ביניהן.",
        },
        "worksheet": {
            "story": "המוכנות עולה לאט מ־46%. ילדים בשכונות ד' ו־ה' מגיעים לגן עם פחות שפה מהבית; "
            "רשימות ההמתנה לקלינאית תקשורת ארוכות שמונה חודשים.",
            "story_more": " ב־2026 הקו פנה למעלה בשכונה ד', שבה החלו הביקורים.",
            "what_works": "ביקורי בית של אחיות בשנה הראשונה; בדיקת מוכנות בכל גני הילדים בסתיו.",
            "what_works_evidence": 'ההערכות של תכנית "הורים כמורים"; בדיקת המוכנות של העירייה ב־2024.',
            "roles": (
                "מפעילה את ביקורי הבית ומכשירה את האחיות.",
                "בודקת את כל גני הילדים העירוניים.",
                "מביאה הורים לביקורים ולחוגי ההורים.",
            ),
            "actions": (
                "לרשום ארבעים משפחות בשכונה ד'",
                "להרחיב את ביקורי הבית לשכונה ה'",
                "לפתוח חוגי הורים בשכונות ד' ו־ה'",
            ),
        },
        "joint_worksheet": {
            "story": "מספר הפעילויות המשותפות עלה אחרי שקבוצות העבודה התחילו להיפגש באותו שבוע.",
            "what_works": "פגישה רבעונית משותפת של שלוש קבוצות העבודה.",
            "role": "מתאמת את לוח הפגישות המשותף.",
        },
        "stories": [
            (
                "היום הראשון של נועם",
                "אמא של נועם הצטרפה לביקורי הבית כשהיה בן שלושה חודשים. בספטמבר הזה אמרה הגננת "
                "שהוא הילד הכי דברן בגן.",
            ),
            (
                "שני שותפים, קייטנה אחת",
                'פורום המעסיקים ו"עתיד לנוער" הפעילו תכנית השמה אחת לקיץ במקום שתיים.',
            ),
            (
                "ביקורי בית בשכונה ה'",
                "אחרי שלושה חודשים של ביקורים, עשר משפחות הצטרפו לחוגי ההורים בשכונה.",
            ),
        ],
    },
    "en": {
        "mitigations": [
            "Measures agreed in the working groups first, then by the steering committee; revisited yearly.",
            "The report card shows process and relationship measures beside the population results.",
            "Brief every council faction before the city elections; the deputy mayor sits on the committee.",
            "The foundation committed three years; a second funder is being approached for the backbone.",
            "",
            "",
        ],
        "own_risk": {
            "title": "The early-years programme's state grant ends in June",
            "description": "Home visits would stop in two neighbourhoods unless the state renews the grant.",
            "mitigation": "The city asked the state for a two-year renewal; the foundation can bridge six months.",
            "review": "The state answered that renewals are decided in March.",
        },
        "closed_risk": {
            "title": "Two organisations ask to be the backbone",
            "description": "At the start the Early Years Network also asked to lead the initiative.",
            "review": "The steering committee chose the Riverside Education Partnership; the Early Years Network "
            "leads the early years working group.",
        },
        "assumptions": {
            "home_visits": "Home visits in a child's first year raise school readiness in the same neighbourhood.",
            "home_visits_1": "Readiness rose most in Southgate, where the visits began; too early to tell it from "
            "the new kindergartens.",
            "home_visits_2": "A second year shows the same gap between visited and other neighbourhoods; the "
            "steering committee decided to extend the visits to Millbrook.",
            "tutoring": "After-school tutoring alone will bring third-graders to grade-level reading.",
            "tutoring_1": "Tutoring hours doubled but reading rose by two points only: the children tutored most "
            "also missed most school days. The assumption now includes attendance.",
            "workshops": "Parents will come to evening workshops held at the schools.",
            "workshops_1": "Attendance stayed under ten percent; the Parents Council explained that many parents "
            "work evenings. Workshops moved to the community centres on Saturday mornings.",
            "data_sharing": "Sharing data between the schools and the nonprofits will improve their coordination.",
        },
        "worksheet": {
            "story": "Readiness is rising slowly from 46%. Children in Southgate and Millbrook start kindergarten "
            "with less language at home; waiting lists for speech therapy are eight months long.",
            "story_more": " In 2026 the line turned up in Southgate, where the visits started.",
            "what_works": "Home visits by nurses in the first year; screening every kindergarten in the autumn.",
            "what_works_evidence": "The Parents as Teachers evaluations; the city's 2024 screening.",
            "roles": (
                "Runs the home visits and trains the nurses.",
                "Screens every city kindergarten.",
                "Brings parents to the visits and the parent circles.",
            ),
            "actions": (
                "Enrol forty families in Southgate",
                "Extend the home visits to Millbrook",
                "Open parent circles in Southgate and Millbrook",
            ),
        },
        "joint_worksheet": {
            "story": "Joint activities rose after the working groups began to meet in the same week.",
            "what_works": "A joint quarterly meeting of the three working groups.",
            "role": "Coordinates the shared meeting calendar.",
        },
        "stories": [
            (
                "Noah's first day",
                "Noah's mother joined the home visits when he was three months old. This September his "
                "kindergarten teacher said he was the most talkative child in the class.",
            ),
            (
                "Two partners, one summer camp",
                "The employers' forum and Youth Futures ran one summer placement programme instead of two.",
            ),
            (
                "Home visits in Millbrook",
                "After three months of visits, ten families joined the neighbourhood's parent circles.",
            ),
        ],
    },
}


def seed(*, initiative, users, organizations, now, language: str) -> None:
    words = CONTENT[language]
    backbone = users["backbone"]
    today = now.date()
    members = {m.user.get_username(): m for m in initiative.memberships.select_related("user")}

    # The risk register: the source's starting list, then the initiative's own.
    for (key, owner, likelihood, impact, days), mitigation in zip(
        STARTING, words["mitigations"], strict=True
    ):
        (risk,) = services.risks_adopt(
            initiative=initiative,
            by=backbone,
            keys=[key],
            owner=members[owner],
            review_on=today + timedelta(days=90),
        )
        Risk.objects.filter(pk=risk.pk).update(
            likelihood=likelihood,
            impact=impact,
            mitigation=mitigation,
            review_on=today + timedelta(days=days),
        )
    own = services.risk_create(
        initiative=initiative,
        by=backbone,
        title=words["own_risk"]["title"],
        description=words["own_risk"]["description"],
        owner=members["partner"],
        likelihood=Likelihood.POSSIBLE,
        impact=Impact.MAJOR,
        mitigation=words["own_risk"]["mitigation"],
        review_on=today + timedelta(days=45),
    )
    review = services.risk_review(
        risk=own,
        by=backbone,
        note=words["own_risk"]["review"],
        next_review_on=today + timedelta(days=45),
    )
    RiskReview.objects.filter(pk=review.pk).update(at=now - timedelta(days=20))
    closed = services.risk_create(
        initiative=initiative,
        by=backbone,
        title=words["closed_risk"]["title"],
        description=words["closed_risk"]["description"],
        likelihood=Likelihood.UNLIKELY,
        impact=Impact.MAJOR,
        review_on=today + timedelta(days=10),
    )
    services.risk_review(
        risk=closed,
        by=backbone,
        note=words["closed_risk"]["review"],
        next_review_on=today + timedelta(days=365),
        status=RiskStatus.CLOSED,
    )

    # The learning log: the agenda's working assumptions and what moved them.
    strategies = [item.strategy for item in current_strategies(initiative)]
    measures = {m.code: m for m in measurement_selectors.measures_of(initiative)}
    periods = {(p.frequency, p.code): p for p in initiative.periods.all()}
    decisions = list(communication_selectors.decisions_of(initiative)[:2])
    documents = {d.title: d for d in communication_selectors.documents_visible_to(backbone, initiative)}
    gap = documents.get(communication_demo.CONTENT[language]["documents"]["gap"]["title"])
    said = words["assumptions"]

    def learned(assumption, days_ago, note, status, **evidence):
        entry = services.learning_record(
            assumption=assumption, by=backbone, note=note, status=status, **evidence
        )
        LearningEntry.objects.filter(pk=entry.pk).update(at=now - timedelta(days=days_ago))

    home_visits = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement=said["home_visits"],
        strategy=strategies[0] if strategies else None,
    )
    learned(
        home_visits,
        200,
        said["home_visits_1"],
        AssumptionStatus.HOLDING,
        measure=measures.get("k-ready"),
        period=periods.get(("yearly", "2025")),
    )
    learned(
        home_visits,
        40,
        said["home_visits_2"],
        AssumptionStatus.TESTED,
        measure=measures.get("k-ready"),
        decision=decisions[0] if decisions else None,
    )
    tutoring = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement=said["tutoring"],
        strategy=strategies[1] if len(strategies) > 1 else None,
    )
    learned(
        tutoring,
        120,
        said["tutoring_1"],
        AssumptionStatus.REVISED,
        measure=measures.get("tutoring-hours"),
        period=periods.get(("quarterly", "2026-Q1")),
    )
    workshops = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement=said["workshops"],
    )
    learned(
        workshops,
        150,
        said["workshops_1"],
        AssumptionStatus.DROPPED,
        document=gap,
    )
    services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement=said["data_sharing"],
    )

    # Turn the curve: worksheets, one version per period, and the stories told beside the data.
    activities = {a.title: a for a in activity_queryset(initiative)}
    home_activity = activities.get(workgroups_demo.CONTENT[language]["plans"][0][0][0])
    sheet = words["worksheet"]
    roles, planned = sheet["roles"], sheet["actions"]
    k_ready = measures.get("k-ready")
    if k_ready is not None and ("yearly", "2025") in periods and ("yearly", "2026") in periods:
        first = services.worksheet_save(
            initiative=initiative,
            by=backbone,
            measure=k_ready,
            period=periods[("yearly", "2025")],
            revision=None,
            story=sheet["story"],
            what_works=sheet["what_works"],
            what_works_evidence=sheet["what_works_evidence"],
            partners=[
                services.PartnerRole(organizations[4], roles[0]),
                services.PartnerRole(organizations[1], roles[1]),
            ],
            actions=[
                services.PlannedAction(planned[0], home_activity, today - timedelta(days=200)),
            ],
        )
        services.worksheet_save(
            initiative=initiative,
            by=backbone,
            measure=k_ready,
            period=periods[("yearly", "2026")],
            revision=None,
            story=first.story + sheet["story_more"],
            what_works=first.what_works,
            what_works_evidence=first.what_works_evidence,
            show_on_report_card=True,
            partners=[
                services.PartnerRole(organizations[4], roles[0]),
                services.PartnerRole(organizations[1], roles[1]),
                services.PartnerRole(organizations[6], roles[2]),
            ],
            actions=[
                services.PlannedAction(planned[1], home_activity, today + timedelta(days=65)),
                services.PlannedAction(planned[2], None, today + timedelta(days=210)),
            ],
        )
    joint = measures.get("joint-activities")
    latest_quarter = next(
        (
            p
            for p in sorted(periods.values(), key=lambda p: p.start, reverse=True)
            if p.frequency == "quarterly" and p.end < today
        ),
        None,
    )
    if joint is not None and latest_quarter is not None:
        services.worksheet_save(
            initiative=initiative,
            by=backbone,
            measure=joint,
            period=latest_quarter,
            revision=None,
            story=words["joint_worksheet"]["story"],
            what_works=words["joint_worksheet"]["what_works"],
            partners=[services.PartnerRole(organizations[0], words["joint_worksheet"]["role"])],
        )

    # (teller, measure's code, period); the titles and texts are words["stories"].
    stories = [
        ("partner", "k-ready", ("yearly", "2026")),
        ("employers", "joint-activities", None),
        ("partner", "families-reached", None),
    ]
    for (username, code, period_key), (title, text) in zip(stories, words["stories"], strict=True):
        measure = measures.get(code)
        period = periods.get(period_key) if period_key else latest_quarter
        if measure is None or period is None or period.frequency != measure.frequency:
            continue
        services.story_tell(
            initiative=initiative, by=users[username], measure=measure, period=period, title=title, text=text
        )
