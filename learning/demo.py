"""The demo's learning (called by `manage.py seed_demo` after the other components): a risk
register taken from the source's starting list with one risk of the initiative's own, a learning
log of four working assumptions (one in Hebrew) with the evidence that moved them, turn-the-curve
worksheets (two versions of one measure; one shown on the report card) and stories told beside
the data, in English and Hebrew.

Everything goes through the services, as the browser would. Organisations, by their index in
seed_demo.ORGANIZATIONS: 0 backbone, 1 Municipality, 2 Foundation, 3 University, 4 Early Years
Network, 5 Employers Forum, 6 Parents Council, 7 Youth Futures.
"""

from __future__ import annotations

from datetime import timedelta

from agenda.selectors import current_strategies
from communication import selectors as communication_selectors
from measurement import selectors as measurement_selectors
from workgroups.selectors import activity_queryset

from . import services
from .choices import AssumptionStatus, Impact, Likelihood, RiskStatus
from .models import LearningEntry, Risk, RiskReview

# (key, owner's username, likelihood, impact, mitigation, next review in days from today)
STARTING = [
    (
        "agreeing_on_measures",
        "backbone",
        Likelihood.LIKELY,
        Impact.MAJOR,
        "Measures agreed in the working groups first, then by the steering committee; revisited yearly.",
        -5,
    ),
    (
        "wrong_results",
        "steering",
        Likelihood.LIKELY,
        Impact.SEVERE,
        "The report card shows process and relationship measures beside the population results.",
        -12,
    ),
    (
        "local_politics",
        "mayor.office",
        Likelihood.POSSIBLE,
        Impact.MAJOR,
        "Brief every council faction before the municipal elections; the deputy mayor sits on the committee.",
        30,
    ),
    (
        "backbone_funding",
        "steering",
        Likelihood.POSSIBLE,
        Impact.SEVERE,
        "The foundation committed three years; a second funder is being approached for the backbone.",
        60,
    ),
    ("scarce_measurement_resources", "backbone", Likelihood.LIKELY, Impact.MODERATE, "", 20),
    ("partners_never_worked_together", "partner", Likelihood.UNLIKELY, Impact.MODERATE, "", 90),
]


def seed(*, initiative, users, organizations, now) -> None:
    backbone = users["backbone"]
    today = now.date()
    members = {m.user.get_username(): m for m in initiative.memberships.select_related("user")}

    # The risk register: the source's starting list, then the initiative's own.
    for key, owner, likelihood, impact, mitigation, days in STARTING:
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
        title="The early-years programme's government grant ends in June",
        description="Home visits would stop in two neighbourhoods unless the ministry renews the grant.",
        owner=members["partner"],
        likelihood=Likelihood.POSSIBLE,
        impact=Impact.MAJOR,
        mitigation="The municipality asked the ministry for a two-year renewal; the foundation can bridge six months.",
        review_on=today + timedelta(days=45),
    )
    review = services.risk_review(
        risk=own,
        by=backbone,
        note="The ministry answered that renewals are decided in March.",
        next_review_on=today + timedelta(days=45),
    )
    RiskReview.objects.filter(pk=review.pk).update(at=now - timedelta(days=20))
    closed = services.risk_create(
        initiative=initiative,
        by=backbone,
        title="שני ארגונים מבקשים לשמש כארגון השדרה",
        description="בתחילת הדרך גם רשת הגיל הרך ביקשה להוביל את היוזמה.",
        likelihood=Likelihood.UNLIKELY,
        impact=Impact.MAJOR,
        review_on=today + timedelta(days=10),
    )
    services.risk_review(
        risk=closed,
        by=backbone,
        note="ועדת ההיגוי בחרה בשותפות לחינוך בנגב; רשת הגיל הרך מובילה את קבוצת העבודה לגיל הרך.",
        next_review_on=today + timedelta(days=365),
        status=RiskStatus.CLOSED,
    )

    # The learning log: the agenda's working assumptions and what moved them.
    strategies = [item.strategy for item in current_strategies(initiative)]
    measures = {m.code: m for m in measurement_selectors.measures_of(initiative)}
    periods = {(p.frequency, p.code): p for p in initiative.periods.all()}
    decisions = list(communication_selectors.decisions_of(initiative)[:2])
    documents = {d.title: d for d in communication_selectors.documents_visible_to(backbone, initiative)}
    gap = next((d for title, d in documents.items() if title.startswith("Gap analysis")), None)

    def learned(assumption, days_ago, note, status, **evidence):
        entry = services.learning_record(
            assumption=assumption, by=backbone, note=note, status=status, **evidence
        )
        LearningEntry.objects.filter(pk=entry.pk).update(at=now - timedelta(days=days_ago))

    home_visits = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement="Home visits in a child's first year raise school readiness in the same neighbourhood.",
        strategy=strategies[0] if strategies else None,
    )
    learned(
        home_visits,
        200,
        "Readiness rose most in Dalet, where the visits began; too early to tell it from the new kindergartens.",
        AssumptionStatus.HOLDING,
        measure=measures.get("k-ready"),
        period=periods.get(("yearly", "2025")),
    )
    learned(
        home_visits,
        40,
        "A second year shows the same gap between visited and other neighbourhoods; the steering committee "
        "decided to extend the visits to Hey.",
        AssumptionStatus.TESTED,
        measure=measures.get("k-ready"),
        decision=decisions[0] if decisions else None,
    )
    tutoring = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement="After-school tutoring alone will bring third-graders to grade-level reading.",
        strategy=strategies[1] if len(strategies) > 1 else None,
    )
    learned(
        tutoring,
        120,
        "Tutoring hours doubled but reading rose by two points only: the children tutored most also missed "
        "most school days. The assumption now includes attendance.",
        AssumptionStatus.REVISED,
        measure=measures.get("tutoring-hours"),
        period=periods.get(("quarterly", "2026-Q1")),
    )
    workshops = services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement="Parents will come to evening workshops held at the schools.",
    )
    learned(
        workshops,
        150,
        "Attendance stayed under ten percent; the Parents Council explained that many parents work evenings. "
        "Workshops moved to the community centres on Friday mornings.",
        AssumptionStatus.DROPPED,
        document=gap,
    )
    services.assumption_create(
        initiative=initiative,
        by=backbone,
        statement="שיתוף נתונים בין בתי הספר לעמותות יגביר את התיאום ביניהן.",
    )

    # Turn the curve: worksheets, one version per period, and the stories told beside the data.
    activities = {a.title: a for a in activity_queryset(initiative)}
    home_activity = activities.get("Home visits for new parents")
    k_ready = measures.get("k-ready")
    if k_ready is not None and ("yearly", "2025") in periods and ("yearly", "2026") in periods:
        first = services.worksheet_save(
            initiative=initiative,
            by=backbone,
            measure=k_ready,
            period=periods[("yearly", "2025")],
            revision=None,
            story="Readiness is rising slowly from 46%. Children in Dalet and Hey start kindergarten with "
            "less language at home; waiting lists for speech therapy are eight months long.",
            what_works="Home visits by nurses in the first year; screening every kindergarten in the autumn.",
            what_works_evidence="The Parents as Teachers evaluations; the municipality's 2024 screening.",
            partners=[
                services.PartnerRole(organizations[4], "Runs the home visits and trains the nurses."),
                services.PartnerRole(organizations[1], "Screens every municipal kindergarten."),
            ],
            actions=[
                services.PlannedAction(
                    "Enrol forty families in Dalet", home_activity, today - timedelta(days=200)
                ),
            ],
        )
        services.worksheet_save(
            initiative=initiative,
            by=backbone,
            measure=k_ready,
            period=periods[("yearly", "2026")],
            revision=None,
            story=first.story + " In 2026 the line turned up in Dalet, where the visits started.",
            what_works=first.what_works,
            what_works_evidence=first.what_works_evidence,
            show_on_report_card=True,
            partners=[
                services.PartnerRole(organizations[4], "Runs the home visits and trains the nurses."),
                services.PartnerRole(organizations[1], "Screens every municipal kindergarten."),
                services.PartnerRole(
                    organizations[6], "Brings parents to the visits and the parent circles."
                ),
            ],
            actions=[
                services.PlannedAction(
                    "Extend the home visits to Hey", home_activity, today + timedelta(days=65)
                ),
                services.PlannedAction(
                    "Open parent circles in Dalet and Hey", None, today + timedelta(days=210)
                ),
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
            story="מספר הפעילויות המשותפות עלה אחרי שקבוצות העבודה התחילו להיפגש באותו שבוע.",
            what_works="פגישה רבעונית משותפת של שלוש קבוצות העבודה.",
            partners=[services.PartnerRole(organizations[0], "מתאם את לוח הפגישות המשותף.")],
        )

    stories = [
        (
            "partner",
            "k-ready",
            ("yearly", "2026"),
            "Noam's first day",
            "Noam's mother joined the home visits when he was three months old. This September his "
            "kindergarten teacher said he was the most talkative child in the class.",
        ),
        (
            "employers",
            "joint-activities",
            None,
            "Two partners, one summer camp",
            "The employers' forum and Youth Futures ran one summer placement programme instead of two.",
        ),
        (
            "partner",
            "families-reached",
            None,
            "ביקורי בית בשכונה ה'",
            "אחרי שלושה חודשים של ביקורים, עשר משפחות הצטרפו לחוגי ההורים בשכונה.",
        ),
    ]
    for username, code, period_key, title, text in stories:
        measure = measures.get(code)
        period = periods.get(period_key) if period_key else latest_quarter
        if measure is None or period is None or period.frequency != measure.frequency:
            continue
        services.story_tell(
            initiative=initiative, by=users[username], measure=measure, period=period, title=title, text=text
        )
