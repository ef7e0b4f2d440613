"""Demo data of the backbone component for the cradle-to-career initiative: two survey waves (the
previous half-year and the current one) answered through personal links, a funding ledger over
three years, a policy log and community engagement, and scores computed by the scoring service.

Everything goes through the services (waves, respondents, responses, ledger, log); only dates are
moved into the past afterwards, as the other components' demos do.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from . import services
from .choices import (
    Alignment,
    BackboneKind,
    CommunityEventKind,
    FunderJoined,
    FunderType,
    FundingKind,
    FundingPurpose,
    FundingRecipient,
    PolicyKind,
    PolicyLevel,
    RespondentGroup,
    RunTrigger,
)
from .models import Respondent, SurveyItem, SurveyWave
from .periods import half_year_of

# How each indicator stands in the previous and the current period (mean rating, 1–5): most
# improve, a few slip, so that "what changed" has something to say.
LEVELS = {
    1: (3.2, 3.8), 2: (2.9, 3.4), 3: (3.0, 3.5), 4: (3.6, 4.1), 5: (3.4, 3.9), 6: (3.3, 3.6),
    7: (2.8, 3.4), 8: (3.1, 3.3), 9: (2.9, 3.5), 10: (3.2, 3.4), 11: (3.3, 2.8), 12: (3.5, 3.2),
    13: (2.7, 3.6), 14: (3.4, 3.8), 15: (2.6, 3.1), 16: (2.9, 3.5), 17: (2.8, 3.3), 18: (2.5, 3.0),
    19: (3.4, 3.7), 20: (2.6, 3.1), 21: (2.2, 2.7), 22: (2.8, 3.4), 23: (2.4, 2.9), 24: (2.6, 2.7),
    25: (3.0, 3.4), 26: (2.7, 3.3), 27: (2.9, 3.6),
}  # fmt: skip

# External respondents per group: (how many are asked, how many answer) in the two waves.
EXTERNAL = {
    RespondentGroup.PARTNER: (12, (9, 10)),
    RespondentGroup.STEERING: (5, (4, 5)),
    RespondentGroup.COMMUNITY: (14, (10, 12)),
    RespondentGroup.POLICYMAKER: (7, (6, 7)),
    RespondentGroup.FUNDER: (7, (6, 6)),
}


# The words of the demo, per language (Hebrew for Be'er Sheva, English for Riverside); the numbers,
# dates and kinds are the seeding code's, the same in both.
CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        "wave_title": "סקר האפקטיביות של ארגון השדרה, מחצית {half} של {year}",
        "respondent": "{group} {n}",
        # the funders that are not partner organisations: the state, a regional fund, private donors
        "state": "משרד החינוך",
        "regional_fund": "קרן הקהילה של הנגב",
        "donors": "חוג ידידי באר שבע",
        "measurement_funding": "מערכת הנתונים המשותפת ומדידה התפתחותית",
        "backbone_commitment": "מימון הליבה של ארגון השדרה, חודש לשנתיים נוספות",
        "city_commitment": "תקציב החינוך של העירייה לשכונות הדרומיות, דרך הקרן המשותפת",
        "structure": (
            "שלושה אנשי צוות (מנהלת, אחראית נתונים ומארגן קהילתי) שמתארחים בשותפות החינוך בנגב "
            "וכפופים לוועדת ההיגוי; הקרן מממנת את הצוות והעירייה את המשרדים."
        ),
        "interests": (
            "שותפות החינוך בנגב מפעילה גם את תכנית החונכות שממומנת על ידי פורום מעסיקי ההייטק בנגב; "
            "המנהלת שלה אינה מצביעה על האסטרטגיה של המעסיקים."
        ),
        "neutrality": (
            "ארגון השדרה אינו מקבל כספי תכניות מהקרן המשותפת; ועדת ההיגוי, ולא ארגון השדרה, מחליטה "
            "על השימוש בקרן; השותפים רואים את אותם נתונים שארגון השדרה רואה; וסקר האפקטיביות של "
            "ארגון השדרה שואל בכל חצי שנה אם השותפים נותנים בו אמון."
        ),
        "policy": [
            "עדכון לוועדת החינוך של מועצת העיר",
            "שימוע ציבורי על שירותי הגיל הרך בדרום העיר",
            "פגישה עם מנהלת מחוז דרום במשרד החינוך",
            "סיור של חברי מועצה בשני גני ילדים",
            "סגן ראש העיר מצטט את נתוני המוכנות המשותפים בדיון על התקציב",
            "תקציב העירייה מוסיף שני מרכזים לגיל הרך בדרום העיר",
            "עצומת ההורים על תמיכה בקריאה הוגשה למועצה",
            "ועדת החינוך של הכנסת שומעת את השותפות",
            "שני חברי מועצה מגישים הצעה למורים לקריאה",
            "מנהלת המחוז מאמצת את מדד המוכנות המשותף",
            "העירייה מאריכה את שעות הגנים בשלוש שכונות",
            "תכנית התגבור הארצית צומצמה לכיתות ז'–ט'",
        ],
        "community": [
            "שיח שכונתי בשכונה ד'",
            "דוכני שבוע הקריאה בשלושה מרכזי קניות",
            "ערב הורים על מוכנות לבית הספר",
            "סדרה ברדיו המקומי על אלף הימים הראשונים",
            "חונכי קריאה מתנדבים, המחזור הראשון",
            "פורום הנוער על המעבר לעבודה",
            "מבצע הרישום לגני הילדים",
            'קמפיין "כל ילד מוכן" ברשתות החברתיות',
        ],
    },
    "en": {
        "wave_title": "Backbone effectiveness survey, half {half} of {year}",
        "respondent": "{group} {n}",
        "state": "State Department of Education",
        "regional_fund": "Valley Community Fund",
        "donors": "Riverside Friends Circle",
        "measurement_funding": "The shared data system and a developmental evaluation",
        "backbone_commitment": "Backbone core funding, renewed for two more years",
        "city_commitment": "The city's education budget for the southern neighbourhoods, through the shared fund",
        "structure": (
            "Three staff (director, data lead, community organiser) hosted by the Riverside Education "
            "Partnership, answering to the steering committee; the foundation funds the staff, the city the "
            "premises."
        ),
        "interests": (
            "The Riverside Education Partnership also runs the mentoring programme funded by the Riverside "
            "Employers Forum; its director does not vote on the employers' strategy."
        ),
        "neutrality": (
            "The backbone takes no programme money from the shared fund; the steering committee, not the "
            "backbone, decides how the fund is spent; partners see the same data the backbone sees; and the "
            "backbone effectiveness survey asks every half-year whether partners trust it."
        ),
        "policy": [
            "Briefing for the city council's education committee",
            "Public hearing on early-years services in the south of the city",
            "Meeting with the state's regional schools director",
            "Council members' tour of two kindergartens",
            "Deputy mayor cites the shared readiness data in the budget debate",
            "City budget adds two early-years centres in the south",
            "Parents' petition on reading support presented to the council",
            "The national parliament's education committee hears the partnership",
            "Two council members table a motion for reading tutors",
            "Regional director adopts the shared readiness measure",
            "City extends kindergarten hours in three neighbourhoods",
            "National tutoring programme narrowed to grades 7–9",
        ],
        "community": [
            "Neighbourhood dialogue in Southgate",
            "Reading-week stands in three shopping centres",
            "Parents' evening on school readiness",
            "Local radio series on the first thousand days",
            "Volunteer reading buddies, first cohort",
            "Youth forum on the transition to work",
            "Kindergarten registration drive",
            '"Every child ready" social-media campaign',
        ],
    },
}


def _day(start: date, end: date, fraction: float) -> date:
    return start + timedelta(days=int((end - start).days * fraction))


def _rating(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(rng.gauss(level, 0.85))))


def seed(*, initiative, users, organizations, now, language: str) -> None:
    words = CONTENT[language]
    rng = random.Random(27)  # noqa: S311 - demo data, not security
    backbone = users["backbone"]
    today = timezone.localdate(now)
    current = half_year_of(today)
    previous = half_year_of(current.start - timedelta(days=1))
    earlier = half_year_of(previous.start - timedelta(days=1))

    items = list(
        SurveyItem.objects.filter(Q(initiative=None) | Q(initiative=initiative), active=True).select_related(
            "indicator"
        )
    )
    members = list(initiative.memberships.filter(role__in=("partner", "steering")).select_related("user"))
    partner_orgs = [organizations[i] for i in (4, 7, 5, 1, 3, 6)]
    # The external respondents are named by their group, in the initiative's language.
    with translation.override(language):
        names = {group: words["respondent"].format(group=group.label, n="{n}") for group in EXTERNAL}

    for index, half in enumerate((previous, current)):
        title = words["wave_title"].format(half=1 if half.start.month == 1 else 2, year=half.start.year)
        wave = services.wave_create(
            initiative=initiative,
            by=backbone,
            title=title,
            period_code=half.code,
            closes_on=today,
            items=items,
        )
        services.respondents_add(wave=wave, by=backbone, members=members, language=language)
        for group, (count, _answering) in EXTERNAL.items():
            for n in range(count):
                services.respondents_add(
                    wave=wave,
                    by=backbone,
                    external=[(f"{group}{n + 1:02d}.w{index + 1}@example.org", names[group].format(n=n + 1))],
                    group=group,
                    organization=partner_orgs[n % len(partner_orgs)]
                    if group == RespondentGroup.PARTNER
                    else None,
                    # In Be'er Sheva a third of the outsiders answer in English.
                    language="en" if language == "en" or n % 3 == 0 else "he",
                )
        services.wave_send(wave=wave, by=backbone, notify=False)
        _answer(wave, index, rng)
        services.wave_close(wave=wave, by=backbone)
        opened = max(half.start, today - timedelta(days=30)) if index else _day(half.start, half.end, 0.55)
        closed = min(opened + timedelta(days=21), today) if index else _day(half.start, half.end, 0.8)
        SurveyWave.objects.filter(pk=wave.pk).update(
            closes_on=closed,
            opened_at=timezone.make_aware(datetime.combine(opened, time(9))),
            closed_at=timezone.make_aware(datetime.combine(closed, time(18))),
        )

    _ledger(initiative, backbone, organizations, today, (earlier, previous, current), words)
    _policy(initiative, backbone, today, (earlier, previous, current), words["policy"])
    _community(initiative, backbone, today, (earlier, previous, current), words["community"])

    # The scores are computed, never typed in: the same service the worker runs.
    services.scores_recompute(initiative=initiative, trigger=RunTrigger.MANUAL)


def _answer(wave, index: int, rng: random.Random) -> None:
    answering: dict[str, int] = {group: answering[index] for group, (_count, answering) in EXTERNAL.items()}
    for respondent in Respondent.objects.filter(wave=wave).select_related("wave__initiative").order_by("pk"):
        external = respondent.user_id is None
        if external:
            if answering[respondent.group] <= 0:
                continue
            answering[respondent.group] -= 1
        elif rng.random() < 0.2:
            continue  # not every member answers
        answers: dict[int, int | None] = {}
        for item in services.items_for_respondent(respondent):
            short_form = respondent.group not in (RespondentGroup.PARTNER, RespondentGroup.STEERING)
            if not short_form and rng.random() < 0.06:
                answers[item.pk] = None  # don't know
            else:
                answers[item.pk] = _rating(rng, LEVELS[item.indicator.number][index])
        services.response_submit(
            slug=wave.initiative.slug,
            token=services.respondent_token(respondent),
            answers=answers,
            language=respondent.language,
        )


def _ledger(initiative, by, organizations, today, halves, words) -> None:
    earlier, previous, current = halves
    ministry, regional_fund, donors = words["state"], words["regional_fund"], words["donors"]
    nep, municipality, foundation, _bgu, eyn, employers, _parents, youth = organizations
    rows = [
        # funder, type, recipient, partner, kind, amount, half, fraction, asks alignment
        (foundation.name, FunderType.PHILANTHROPY, FundingRecipient.BACKBONE, None, FundingKind.NEW, "180000", earlier, 0.1, True),
        (foundation.name, FunderType.PHILANTHROPY, FundingRecipient.PARTNER, eyn, FundingKind.NEW, "1200000", earlier, 0.3, True),
        (municipality.name, FunderType.PUBLIC, FundingRecipient.INITIATIVE, None, FundingKind.REDIRECTED, "4500000", earlier, 0.5, False),
        (ministry, FunderType.PUBLIC, FundingRecipient.PARTNER, youth, FundingKind.NEW, "3100000", earlier, 0.7, False),
        (employers.name, FunderType.BUSINESS, FundingRecipient.PARTNER, nep, FundingKind.NEW, "350000", earlier, 0.8, False),
        (foundation.name, FunderType.PHILANTHROPY, FundingRecipient.BACKBONE, None, FundingKind.NEW, "190000", previous, 0.05, True),
        (municipality.name, FunderType.PUBLIC, FundingRecipient.INITIATIVE, None, FundingKind.REDIRECTED, "5200000", previous, 0.3, True),
        (ministry, FunderType.PUBLIC, FundingRecipient.PARTNER, youth, FundingKind.NEW, "3300000", previous, 0.5, False),
        (foundation.name, FunderType.PHILANTHROPY, FundingRecipient.PARTNER, eyn, FundingKind.REDIRECTED, "900000", previous, 0.6, True),
        (regional_fund, FunderType.PHILANTHROPY, FundingRecipient.PARTNER, eyn, FundingKind.NEW, "420000", previous, 0.8, True),
        (foundation.name, FunderType.PHILANTHROPY, FundingRecipient.BACKBONE, None, FundingKind.NEW, "200000", current, 0.05, True),
        (municipality.name, FunderType.PUBLIC, FundingRecipient.INITIATIVE, None, FundingKind.REDIRECTED, "6100000", current, 0.2, True),
        (ministry, FunderType.PUBLIC, FundingRecipient.PARTNER, youth, FundingKind.NEW, "3600000", current, 0.4, True),
        (employers.name, FunderType.BUSINESS, FundingRecipient.PARTNER, nep, FundingKind.NEW, "500000", current, 0.6, True),
        (donors, FunderType.INDIVIDUAL, FundingRecipient.INITIATIVE, None, FundingKind.NEW, "150000", current, 0.8, False),
    ]  # fmt: skip
    # What the money funds beyond the recipient's default: a key strategy's activities (the agenda's
    # strategies, in their order) and the shared measurement.
    strategies = list(initiative.strategies.order_by("id").values_list("pk", flat=True))
    purposes = {
        (ministry, "partner"): (
            FundingPurpose.STRATEGY,
            strategies[-1] if strategies else None,
        ),
        (regional_fund, "partner"): (FundingPurpose.STRATEGY, strategies[0] if strategies else None),
        (foundation.name, "partner"): (FundingPurpose.STRATEGY, strategies[0] if strategies else None),
    }
    for funder, funder_type, recipient, partner, kind, amount, half, fraction, aligns in rows:
        day = min(_day(half.start, half.end, fraction), today)
        purpose, strategy = purposes.get((funder, recipient), (None, None))
        services.funding_entry_save(
            initiative=initiative,
            by=by,
            funder_name=funder,
            funder_type=funder_type,
            recipient=recipient,
            recipient_organization=partner,
            kind=kind,
            amount=amount,
            year=day.year,
            committed_on=day,
            requires_alignment=aligns,
            purpose=purpose if strategy else None,
            strategy=strategy,
        )
    services.funding_entry_save(
        initiative=initiative,
        by=by,
        funder_name=foundation.name,
        funder_type=FunderType.PHILANTHROPY,
        recipient=FundingRecipient.INITIATIVE,
        kind=FundingKind.NEW,
        amount="240000",
        year=today.year,
        committed_on=min(_day(current.start, current.end, 0.1), today),
        purpose=FundingPurpose.MEASUREMENT,
        description=words["measurement_funding"],
    )
    # The anchor funder's multi-year commitment to the backbone: the two years after this one.
    services.funding_commitment_save(
        initiative=initiative,
        by=by,
        amounts={today.year + 1: "210000", today.year + 2: "220000"},
        funder_name=foundation.name,
        funder_type=FunderType.PHILANTHROPY,
        recipient=FundingRecipient.BACKBONE,
        kind=FundingKind.NEW,
        committed_on=today,
        requires_alignment=True,
        description=words["backbone_commitment"],
    )
    # The municipality's shared fund, committed for the same two years.
    services.funding_commitment_save(
        initiative=initiative,
        by=by,
        amounts={today.year + 1: "6300000", today.year + 2: "6500000"},
        funder_name=municipality.name,
        funder_type=FunderType.PUBLIC,
        recipient=FundingRecipient.INITIATIVE,
        kind=FundingKind.REDIRECTED,
        committed_on=today,
        requires_alignment=True,
        description=words["city_commitment"],
    )
    started = timezone.localdate(initiative.created_at)
    joined = {
        foundation.name: (True, FunderJoined.FOUNDING, started),
        municipality.name: (False, FunderJoined.FOUNDING, started),
        ministry: (False, FunderJoined.LATER, earlier.start),
        employers.name: (False, FunderJoined.LATER, earlier.start + timedelta(days=60)),
        regional_fund: (False, FunderJoined.LATER, previous.start + timedelta(days=90)),
        donors: (False, FunderJoined.LATER, current.start + timedelta(days=100)),
    }
    for funder in initiative.funders.all():
        is_anchor, when, on = joined[funder.name]
        services.funder_update(
            funder=funder,
            by=by,
            is_anchor=is_anchor,
            joined=when,
            joined_on=min(on, today),
            funder_type=funder.funder_type,
        )
    services.backbone_profile_save(
        initiative=initiative,
        by=by,
        kind=BackboneKind.NONPROFIT,
        organizations=[nep],
        structure=words["structure"],
        interests=words["interests"],
        neutrality=words["neutrality"],
    )


def _policy(initiative, by, today, halves, titles) -> None:
    earlier, previous, current = halves
    rows = [
        (earlier, 0.3, PolicyKind.BRIEFING, PolicyLevel.LOCAL, 6, ""),
        (earlier, 0.7, PolicyKind.ADVOCACY, PolicyLevel.LOCAL, 4, ""),
        (previous, 0.2, PolicyKind.BRIEFING, PolicyLevel.REGIONAL, 3, ""),
        (previous, 0.4, PolicyKind.BRIEFING, PolicyLevel.LOCAL, 5, ""),
        (previous, 0.6, PolicyKind.CHAMPION, PolicyLevel.LOCAL, 1, ""),
        (previous, 0.8, PolicyKind.POLICY_CHANGE, PolicyLevel.LOCAL, 0, Alignment.ALIGNED),
        (current, 0.1, PolicyKind.ADVOCACY, PolicyLevel.LOCAL, 9, ""),
        (current, 0.3, PolicyKind.BRIEFING, PolicyLevel.NATIONAL, 7, ""),
        (current, 0.5, PolicyKind.CHAMPION, PolicyLevel.LOCAL, 2, ""),
        (current, 0.6, PolicyKind.CHAMPION, PolicyLevel.REGIONAL, 1, ""),
        (current, 0.7, PolicyKind.POLICY_CHANGE, PolicyLevel.LOCAL, 0, Alignment.ALIGNED),
        (current, 0.9, PolicyKind.POLICY_CHANGE, PolicyLevel.NATIONAL, 0, Alignment.PARTLY),
    ]  # fmt: skip
    # The titles are the language's, in the rows' order.
    for (half, fraction, kind, level, policymakers, alignment), title in zip(rows, titles, strict=True):
        services.policy_entry_save(
            initiative=initiative,
            by=by,
            occurred_on=min(_day(half.start, half.end, fraction), today),
            kind=kind,
            title=title,
            description="",
            level=level,
            policymakers=policymakers,
            alignment=alignment,
            source_url="",
        )


def _community(initiative, by, today, halves, titles) -> None:
    earlier, previous, current = halves
    rows = [
        (earlier, 0.4, CommunityEventKind.PUBLIC_MEETING, 120, 45, 10, False),
        (previous, 0.2, CommunityEventKind.INFORMATION, 420, 130, 25, False),
        (previous, 0.5, CommunityEventKind.PUBLIC_MEETING, 160, 70, 18, True),
        (previous, 0.8, CommunityEventKind.CAMPAIGN, 900, 110, 12, False),
        (current, 0.1, CommunityEventKind.ACTION, 85, 80, 64, True),
        (current, 0.4, CommunityEventKind.PUBLIC_MEETING, 140, 90, 30, True),
        (current, 0.7, CommunityEventKind.INFORMATION, 650, 240, 40, False),
        (current, 0.9, CommunityEventKind.CAMPAIGN, 1800, 260, 35, False),
    ]  # fmt: skip
    for (half, fraction, kind, reached, supporters, acted, led), title in zip(rows, titles, strict=True):
        services.community_event_save(
            initiative=initiative,
            by=by,
            held_on=min(_day(half.start, half.end, fraction), today),
            kind=kind,
            title=title,
            reached=reached,
            supporters=supporters,
            took_action=acted,
            community_led=led,
            notes="",
        )
