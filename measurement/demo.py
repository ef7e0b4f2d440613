"""Demo shared measures for the cradle-to-career initiatives (Hebrew and English), with three years
of data: the same measures, breakdowns, data sets and values in both, the words in CONTENT."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from typing import Any

from agenda.models import Strategy

from . import selectors, services
from .choices import Aggregation, Direction, Frequency, Level, MeasureKind, SubmissionStatus, Unit, ValueType
from .models import ReportCard, ReportingPeriod, SharedMeasure, Submission

# code, level, unit, value type, aggregation, frequency, baseline, strategy index, breakdown,
# reporters (indexes into the organisations, the same roles in both languages)
MEASURES = [
    ("k-assessed", Level.PROCESS, Unit.COUNT, ValueType.INTEGER, Aggregation.SUM, Frequency.YEARLY, None, 0, "area", [1, 4]),
    ("k-ready", Level.POPULATION, Unit.PERCENT, ValueType.PERCENT, Aggregation.WEIGHTED_MEAN, Frequency.YEARLY, "46", 0, "area", [1, 4]),
    ("read-3", Level.POPULATION, Unit.PERCENT, ValueType.PERCENT, Aggregation.NONE, Frequency.YEARLY, "38", 1, "gender", [1]),
    ("hs-matric", Level.POPULATION, Unit.PERCENT, ValueType.PERCENT, Aggregation.NONE, Frequency.YEARLY, "61", 2, None, [1]),
    ("post-sec", Level.POPULATION, Unit.PERCENT, ValueType.PERCENT, Aggregation.NONE, Frequency.YEARLY, "34", 2, None, [3]),
    ("tutoring-hours", Level.PROCESS, Unit.COUNT, ValueType.INTEGER, Aggregation.SUM, Frequency.QUARTERLY, None, 1, "area", [0, 4, 7]),
    ("families-reached", Level.PROCESS, Unit.COUNT, ValueType.INTEGER, Aggregation.SUM, Frequency.QUARTERLY, None, 0, None, [4, 6]),
    ("joint-activities", Level.INTERACTION, Unit.COUNT, ValueType.INTEGER, Aggregation.SUM, Frequency.QUARTERLY, None, None, None, [0, 4, 5, 7]),
]  # fmt: skip
CALCULATED = "joint-per-1000-hours"

# The words, per language. A measure and a breakdown have an English name and an optional Hebrew
# one: the Hebrew initiative's have both (its English name for English-speaking funders and
# partners), the English initiative's the English one only. Definitions and the rest are the
# initiative's own language.
CONTENT: dict[str, dict[str, Any]] = {
    "he": {
        # code: (English name, Hebrew name, definition)
        "measures": {
            "k-assessed": (
                "Children assessed for school readiness",
                "ילדים שנבדקה מוכנותם לבית הספר",
                "מספר הילדים בגן חובה שעברו את בדיקת המוכנות לבית הספר בשנה, לפי רישומי הגנים והעירייה.",
            ),
            "k-ready": (
                "Children ready for school",
                "ילדים מוכנים לבית הספר",
                "שיעור הילדים שנמצאו מוכנים לבית הספר מבין הילדים שנבדקו, בכל חמשת תחומי הבדיקה.",
            ),
            "read-3": (
                "Third-graders reading at grade level",
                "תלמידי כיתה ג' הקוראים ברמת כיתתם",
                "שיעור תלמידי כיתה ג' שהגיעו לרמת כיתתם בהבנת הנקרא במבחן הארצי.",
            ),
            "hs-matric": (
                "High-school matriculation rate",
                "שיעור הזכאות לבגרות",
                'שיעור תלמידי שכבת י"ב שזכאים לתעודת בגרות בתום שנת הלימודים.',
            ),
            "post-sec": (
                "Graduates enrolled in post-secondary study",
                "בוגרים הנרשמים ללימודי המשך",
                "שיעור הבוגרים שנרשמו ללימודים אקדמיים או מקצועיים בתוך שנתיים מסיום התיכון או השירות.",
            ),
            "tutoring-hours": (
                "Tutoring hours delivered",
                "שעות חונכות שניתנו",
                "שעות החונכות האישית והקבוצתית שניתנו בפועל לתלמידי בתי הספר היסודיים ברבעון.",
            ),
            "families-reached": (
                "Families reached by early-years programmes",
                "משפחות שהשתתפו בתוכניות הגיל הרך",
                "מספר המשפחות שהשתתפו לפחות פעמיים ברבעון בביקורי בית, בחוגי הורים או במפגשי גן.",
            ),
            "joint-activities": (
                "Activities run jointly with another partner",
                "פעילויות משותפות עם שותף אחר",
                "פעילויות שהארגון הפעיל יחד עם שותף אחר ביוזמה, בתכנון ובביצוע משותפים, ברבעון.",
            ),
            CALCULATED: (
                "Joint activities per 1,000 tutoring hours",
                "פעילויות משותפות לכל 1,000 שעות חונכות",
                "כמה מעבודת החונכות נעשית במשותף: פעילויות משותפות לכל 1,000 שעות חונכות.",
            ),
        },
        "data_source": "רישומי השותפים; מחלקת החינוך בעירייה לשיעורים ברמת האוכלוסייה.",
        # code: (English name, Hebrew name, members: code, English, Hebrew)
        "dimensions": {
            "area": (
                "Neighbourhood",
                "שכונה",
                [("dalet", "Dalet", "ד'"), ("hey", "Hey", "ה'"), ("vav", "Vav", "ו'")],
            ),
            "gender": ("Gender", "מגדר", [("girls", "Girls", "בנות"), ("boys", "Boys", "בנים")]),
        },
        "report_card": (
            "מלידה לקריירה באר שבע: תמונת מצב לקהילה",
            "מה שלומם של ילדי השכונות הדרומיות, מהלידה ועד העבודה הראשונה.",
        ),
    },
    "en": {
        "measures": {
            "k-assessed": (
                "Children assessed for school readiness",
                "",
                "Kindergarten children who took the school-readiness assessment in the year, from the "
                "kindergartens' and the city's records.",
            ),
            "k-ready": (
                "Children ready for school",
                "",
                "The share of assessed children found ready for school in all five areas of the assessment.",
            ),
            "read-3": (
                "Third-graders reading at grade level",
                "",
                "The share of third-graders at grade level in reading comprehension on the state assessment.",
            ),
            "hs-matric": (
                "On-time high-school graduation rate",
                "",
                "The share of twelfth-graders who graduate with a high-school diploma at the end of the school year.",
            ),
            "post-sec": (
                "Graduates enrolled in post-secondary study",
                "",
                "The share of graduates enrolled in college or vocational study within two years of high school.",
            ),
            "tutoring-hours": (
                "Tutoring hours delivered",
                "",
                "Hours of one-to-one and small-group tutoring actually delivered to elementary pupils in the quarter.",
            ),
            "families-reached": (
                "Families reached by early-years programmes",
                "",
                "Families who took part at least twice in the quarter in home visits, parent circles or "
                "kindergarten meetings.",
            ),
            "joint-activities": (
                "Activities run jointly with another partner",
                "",
                "Activities the organisation ran with another partner of the initiative, planned and delivered "
                "together, in the quarter.",
            ),
            CALCULATED: (
                "Joint activities per 1,000 tutoring hours",
                "",
                "How much of the tutoring work partners do together: joint activities per 1,000 hours.",
            ),
        },
        "data_source": "Partner records; the city's education department for population rates.",
        "dimensions": {
            "area": (
                "Neighbourhood",
                "",
                [
                    ("southgate", "Southgate", ""),
                    ("millbrook", "Millbrook", ""),
                    ("riverbend", "Riverbend", ""),
                ],
            ),
            "gender": ("Gender", "", [("girls", "Girls", ""), ("boys", "Boys", "")]),
        },
        "report_card": (
            "Cradle to Career Riverside: community report card",
            "How the children of the southern neighbourhoods are doing, from birth to first job.",
        ),
    },
}


def seed(*, initiative, users, organizations, now, language: str) -> None:
    words = CONTENT[language]
    rng = random.Random(2026)
    backbone = users["backbone"]
    dimensions = {
        code: services.dimension_create(
            initiative=initiative, by=backbone, code=code, name_en=en, name_he=he, members=members
        )
        for code, (en, he, members) in words["dimensions"].items()
    }
    strategies = list(Strategy.objects.filter(initiative=initiative).order_by("id"))
    measures: dict[str, SharedMeasure] = {}
    for code, level, unit, vtype, agg, freq, baseline, strategy, dim, _reporters in MEASURES:
        name_en, name_he, definition = words["measures"][code]
        measures[code] = services.measure_save(
            initiative=initiative,
            by=backbone,
            dimensions=[dimensions[dim]] if dim else [],
            targets=_targets(code),
            strategies=[strategies[strategy]] if strategy is not None and strategy < len(strategies) else [],
            code=code,
            name_en=name_en,
            name_he=name_he,
            definition=definition,
            level=level,
            unit=unit,
            value_type=vtype,
            direction=Direction.HIGHER_IS_BETTER,
            frequency=freq,
            aggregation=agg,
            denominator=measures.get("k-assessed") if agg == Aggregation.WEIGHTED_MEAN else None,
            baseline_value=Decimal(baseline) if baseline else None,
            baseline_period="2024" if baseline else "",
            max_change_pct=60 if code in ("k-assessed", "tutoring-hours", "families-reached") else None,
            data_source=words["data_source"],
        )
    _seed_calculated(initiative, backbone, words["measures"][CALCULATED])
    services.periods_ensure(
        initiative=initiative,
        by=backbone,
        frequency=Frequency.YEARLY,
        first=date(2024, 1, 1),
        last=date(2026, 12, 31),
    )
    services.periods_ensure(
        initiative=initiative,
        by=backbone,
        frequency=Frequency.QUARTERLY,
        first=date(2024, 1, 1),
        last=date(2026, 12, 31),
    )
    pairs = {
        (organizations[r].pk, measures[code].pk) for code, *_rest, reporters in MEASURES for r in reporters
    }
    services.assignments_set(initiative=initiative, by=backbone, pairs=pairs)

    today = now.date()
    for period in ReportingPeriod.objects.filter(initiative=initiative).order_by("start"):
        if period.closes_on >= today:  # still open: partners have it on their list
            continue
        progress = (period.start.year - 2024) + (period.start.month - 1) / 12
        for org in {organizations[r] for *_x, reporters in MEASURES for r in reporters}:
            submission = services.submission_for(
                initiative=initiative, organization=org, period=period, by=backbone
            )
            grid = selectors.dataset(initiative, org, period)
            if not grid:
                submission.delete()
                continue
            raw: dict[tuple, object] = {}
            for g in grid:
                for cell in g.cells:
                    raw[(g.measure.pk, *cell)] = _value(g.measure.code, progress, rng)
            services.values_save(submission=submission, by=backbone, raw=raw, submit=True)
            # The latest closed quarter of one partner waits for review; everything else is approved.
            if not (period.code == "2026-Q3" and org == organizations[7]):
                services.submission_approve(submission=submission, by=backbone)
    Submission.objects.filter(initiative=initiative, status=SubmissionStatus.APPROVED).update(
        reviewed_by=backbone
    )
    # Most partners report a few days before the due date; one is always late.
    from datetime import datetime, time, timedelta

    from django.utils import timezone as tz

    for submission in Submission.objects.filter(
        initiative=initiative, submitted_at__isnull=False
    ).select_related("period"):
        days = 9 if submission.organization_id == organizations[0].pk else -rng.randint(1, 10)
        moment = datetime.combine(submission.period.due_on + timedelta(days=days), time(11, 0))
        Submission.objects.filter(pk=submission.pk).update(submitted_at=tz.make_aware(moment))
    # Approvals above queued incremental updates (run on commit); a full rebuild makes the first run.
    _rebuild(initiative)
    card = ReportCard.objects.create(
        initiative=initiative,
        published=True,
        title=words["report_card"][0],
        introduction=words["report_card"][1],
        suppression_threshold=10,
    )
    card.measures.set(
        [
            m
            for code, m in measures.items()
            if code in ("k-ready", "read-3", "hs-matric", "post-sec", "families-reached")
        ]
    )


def _seed_calculated(initiative, backbone, words: tuple[str, str, str]) -> None:
    """A calculated rate (#23): computed from two entered measures' aggregates, never entered."""
    name_en, name_he, definition = words
    services.measure_save(
        initiative=initiative,
        by=backbone,
        code=CALCULATED,
        name_en=name_en,
        name_he=name_he,
        definition=definition,
        level=Level.INTERACTION,
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.QUARTERLY,
        kind=MeasureKind.CALCULATED,
        formula="1000 * joint-activities / tutoring-hours",
    )


def _targets(code: str) -> dict:
    return {
        "k-ready": {"2025": Decimal(50), "2026": Decimal(54), "2027": Decimal(58), "2030": Decimal(70)},
        "read-3": {"2025": Decimal(41), "2026": Decimal(44), "2030": Decimal(60)},
        "hs-matric": {"2026": Decimal(64), "2030": Decimal(75)},
        "post-sec": {"2026": Decimal(37), "2030": Decimal(45)},
    }.get(code, {})


def _value(code: str, progress: float, rng: random.Random) -> str:
    base, slope, spread = {
        "k-assessed": (420, 30, 40),
        "k-ready": (46, 3.5, 4),
        "read-3": (38, 2.5, 3),
        "hs-matric": (61, 1.5, 2),
        "post-sec": (34, 1.2, 2),
        "tutoring-hours": (300, 40, 50),
        "families-reached": (120, 15, 20),
        "joint-activities": (3, 1, 2),
    }[code]
    value = base + slope * progress + rng.uniform(-spread, spread)
    if code in ("k-ready", "read-3", "hs-matric", "post-sec"):
        return f"{min(100, max(0, value)):.1f}"
    return str(max(0, round(value)))


def _rebuild(initiative) -> None:
    from .aggregation import runs

    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
