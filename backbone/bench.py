"""The backbone benchmark: a full score recompute of a large initiative. Not a test: it prints figures.

`bench_recompute()` builds (or rebuilds) an initiative with 100 partner organisations, eight survey
waves (one per half-year) of 300 responses each over the whole item bank, a funding ledger, a
policy log and community events, then times `services.scores_recompute` (every period, every
indicator, every signal) against a baseline measured on the same database in the same run: the
single SQL GROUP BY that reads the same answers. It returns one figure in the shape of
`manage.py bench` (figure, value, unit, n, baseline, baseline_value, baseline_n, ratio, target,
met, detail).

The waves, respondents' links and records are made through the services; the responses and
answers, the only large tables, in bulk (as the responses of 2,400 people would arrive one by
one through `services.response_submit`, which the tests cover).

Run alone: `python -m backbone.bench [--partners 100 --waves 8 --responses 300]`.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

TARGET_SECONDS = 10.0
SHARES = {"partner": 0.6, "steering": 0.1, "community": 0.15, "policymaker": 0.075, "funder": 0.075}


def _build(*, partners: int, waves: int, responses: int, slug: str, seed: int = 8):
    from django.contrib.auth import get_user_model

    from initiatives import services as initiative_services
    from initiatives.choices import Sector, Topic
    from initiatives.models import Initiative, Organization, Participation

    from . import services
    from .choices import CommunityEventKind, FunderType, FundingKind, FundingRecipient, PolicyKind, WaveStatus
    from .models import (
        Answer,
        CommunityEvent,
        Funder,
        FundingEntry,
        PolicyEntry,
        Respondent,
        Response,
        SurveyItem,
        SurveyWave,
    )
    from .periods import half_year_of

    rng = random.Random(seed)  # noqa: S311 - synthetic data
    Initiative.objects.filter(slug=slug).delete()
    user, _ = get_user_model().objects.get_or_create(
        username=f"{slug}-staff", defaults={"email": f"{slug}@example.org"}
    )
    backbone_org, _ = Organization.objects.get_or_create(
        name=f"{slug} backbone", defaults={"sector": Sector.NONPROFIT}
    )
    initiative = initiative_services.initiative_create(
        by=user, organization=backbone_org, name=f"Benchmark {slug}", slug=slug, issue="Bench", place="Bench",
        topic=Topic.EDUCATION,
    )  # fmt: skip
    sectors = [s for s, _label in Sector.choices]
    Organization.objects.bulk_create(
        [
            Organization(name=f"{slug} partner {i:03d}", sector=sectors[i % len(sectors)])
            for i in range(partners)
        ],
        ignore_conflicts=True,
    )
    orgs = list(Organization.objects.filter(name__startswith=f"{slug} partner ").order_by("name")[:partners])
    Participation.objects.bulk_create([Participation(initiative=initiative, organization=o) for o in orgs])

    items = list(SurveyItem.objects.filter(initiative=None, active=True))
    by_group: dict[str, list[SurveyItem]] = {}
    for item in items:
        by_group.setdefault(item.group, []).append(item)
    today = timezone.localdate()
    half = half_year_of(today)
    halves: list = []
    for _ in range(waves):
        halves.insert(0, half)
        half = half_year_of(half.start - timedelta(days=1))
    now = timezone.now()
    for index, period in enumerate(halves):
        wave = services.wave_create(
            initiative=initiative, by=user, title=f"Wave {period.code}", period_code=period.code, closes_on=today,
            items=items,
        )  # fmt: skip
        invited = int(responses * 1.25)
        respondents = []
        for group, share in SHARES.items():
            for n in range(round(invited * share)):
                respondents.append(
                    Respondent(
                        wave=wave,
                        group=group,
                        email=f"{group}{n}.w{index}@{slug}.example.org",
                        organization=orgs[n % len(orgs)] if group == "partner" and orgs else None,
                        invited_at=now,
                    )
                )
        Respondent.objects.bulk_create(respondents, batch_size=1000)
        answered = rng.sample(respondents, min(responses, len(respondents)))
        level = 2.6 + 1.4 * index / max(1, waves - 1)  # scores rise wave by wave
        rows, answers = [], []
        for respondent in answered:
            response = Response(wave=wave, group=respondent.group)
            rows.append(response)
            for item in by_group.get(respondent.group, []):
                value = None if rng.random() < 0.05 else max(1, min(5, round(rng.gauss(level, 0.9))))
                answers.append(Answer(response=response, item=item, value=value))
        Response.objects.bulk_create(rows, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=5000)
        Respondent.objects.filter(pk__in=[r.pk for r in answered]).update(responded_at=now)
        SurveyWave.objects.filter(pk=wave.pk).update(status=WaveStatus.CLOSED, opened_at=now, closed_at=now)

        funders = [Funder.objects.get_or_create(
            initiative=initiative, name=f"Funder {k}", defaults={"funder_type": FunderType.values[k % 4]}
        )[0] for k in range(10)]  # fmt: skip
        span = (min(period.end, today) - period.start).days
        FundingEntry.objects.bulk_create(
            FundingEntry(
                initiative=initiative,
                funder=funders[p % len(funders)],
                recipient=FundingRecipient.PARTNER if p else FundingRecipient.BACKBONE,
                recipient_organization=orgs[p] if p else None,
                kind=FundingKind.NEW if p % 3 else FundingKind.REDIRECTED,
                amount=rng.randint(10, 500) * 1000,
                year=period.start.year,
                committed_on=period.start + timedelta(days=rng.randint(0, span)),
                requires_alignment=p % 2 == 0,
            )
            for p in range(len(orgs))
        )
        PolicyEntry.objects.bulk_create(
            PolicyEntry(
                initiative=initiative,
                occurred_on=period.start + timedelta(days=rng.randint(0, span)),
                kind=PolicyKind.values[k % 4],
                title=f"Entry {k}",
                policymakers=rng.randint(0, 6),
                alignment="aligned" if k % 4 == 3 else "",
            )
            for k in range(12)
        )
        CommunityEvent.objects.bulk_create(
            CommunityEvent(
                initiative=initiative,
                held_on=period.start + timedelta(days=rng.randint(0, span)),
                kind=CommunityEventKind.values[k % 4],
                title=f"Event {k}",
                reached=rng.randint(50, 500),
                supporters=rng.randint(0, 50),
                took_action=rng.randint(0, 20),
                community_led=k % 3 == 0,
            )
            for k in range(10)
        )
    return initiative


def _baseline(initiative) -> float:
    """The floor: one GROUP BY over the same answers (period × item × rating)."""
    from .models import Answer

    start = time.perf_counter()
    list(
        Answer.objects.filter(response__wave__initiative=initiative)
        .values_list("response__wave__period_id", "item_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    list(
        Answer.objects.filter(response__wave__initiative=initiative, value__isnull=False)
        .values_list("response__wave__period_id", "item__indicator_id", "response__group")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    )
    return time.perf_counter() - start


def bench_recompute(
    *, partners: int = 100, waves: int = 8, responses: int = 300, slug: str = "bench-backbone"
) -> dict:
    from . import services
    from .models import Answer, IndicatorScore

    with transaction.atomic():
        initiative = _build(partners=partners, waves=waves, responses=responses, slug=slug)
    answers = Answer.objects.filter(response__wave__initiative=initiative).count()
    services.scores_recompute(initiative=initiative)  # warm: connections, caches, query plans
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        services.scores_recompute(initiative=initiative)
        timings.append(time.perf_counter() - start)
    value = sorted(timings)[1]
    baseline = sorted(_baseline(initiative) for _ in range(3))[1]
    scored = IndicatorScore.objects.filter(initiative=initiative, score__isnull=False).count()
    total = IndicatorScore.objects.filter(initiative=initiative).count()
    return {
        "figure": "backbone full score recompute",
        "value": round(value, 3),
        "unit": "s",
        "n": answers,
        "baseline": "SQL GROUP BY of the same answers",
        "baseline_value": round(baseline, 3),
        "baseline_n": answers,
        "ratio": round(value / baseline, 1) if baseline else None,
        "target": TARGET_SECONDS,
        "met": value <= TARGET_SECONDS,
        "detail": {
            "partners": partners,
            "waves": waves,
            "responses_per_wave": responses,
            "answers": answers,
            "indicator_scores": total,
            "scored": scored,
            "database": connection.vendor,
            "median_of": 3,
            "runs": [round(t, 3) for t in timings],
            "insufficient": IndicatorScore.objects.filter(
                Q(initiative=initiative) & Q(score__isnull=True)
            ).count(),
        },
    }


def main(argv: list[str] | None = None) -> None:
    import argparse

    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=100)
    parser.add_argument("--waves", type=int, default=8)
    parser.add_argument("--responses", type=int, default=300)
    parser.add_argument("--slug", default="bench-backbone")
    args = parser.parse_args(argv)
    django.setup()
    print(
        json.dumps(
            bench_recompute(
                partners=args.partners, waves=args.waves, responses=args.responses, slug=args.slug
            )
        )
    )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")
    main()
