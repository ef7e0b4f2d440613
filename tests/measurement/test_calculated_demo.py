"""The demo's calculated rate (#23): joint activities per 1,000 tutoring hours. The dashboard shows
it, and it follows its inputs: when an approved input value is reopened, corrected and approved,
the incremental update recomputes the rate from the corrected runs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from measurement import services
from measurement.aggregation import runs
from measurement.aggregation.completeness import is_complete
from measurement.models import Aggregate, Completeness, DataValue, SharedMeasure, Submission
from measurement.templatetags.measurement_tags import figure

pytestmark = pytest.mark.django_db

CODE = "joint-per-1000-hours"


@pytest.fixture
def demo(demo_languages, eager_tasks):
    return demo_languages["he"]


def _total(run, measure, period):
    return Aggregate.objects.get(run=run, measure=measure, period=period, member1=None, member2=None)


def _rate(run, joint, hours, period) -> Decimal:
    """The plain evaluation of the formula over the inputs' totals."""
    value = 1000 * _total(run, joint, period).value / _total(run, hours, period).value
    return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def test_the_demo_dashboard_shows_the_calculated_rate_and_it_follows_a_correction(
    demo, client, django_user_model, django_capture_on_commit_callbacks
):
    rate = SharedMeasure.objects.get(initiative=demo, code=CODE)
    joint = SharedMeasure.objects.get(initiative=demo, code="joint-activities")
    hours = SharedMeasure.objects.get(initiative=demo, code="tutoring-hours")
    assert rate.is_calculated and not rate.assignments.exists()
    run = runs.active_run(demo)
    computed = Aggregate.objects.filter(run=run, measure=rate, member1=None, member2=None).select_related(
        "period"
    )
    assert computed.count() >= 8
    for row in computed:
        assert row.value == _rate(run, joint, hours, row.period), row.period.code
    # The newest period that is complete (every partner of both inputs approved).
    complete = [
        row.period
        for row in computed.order_by("-period__start")
        if is_complete(
            *Completeness.objects.filter(run=run, measure=rate, period=row.period)
            .values_list("approved", "expected")
            .get(),
            100,
        )
    ]
    period = complete[0]

    backbone = django_user_model.objects.get(username="backbone")
    client.force_login(backbone)
    for language, name in (("en", rate.name_en), ("he", rate.name_he)):
        client.cookies["django_language"] = language
        page = client.get(reverse("measurement:dashboard", kwargs={"slug": demo.slug})).content.decode()
        assert name in page and reverse("measurement:measure_dashboard", args=[demo.slug, CODE]) in page
        detail = client.get(reverse("measurement:measure_dashboard", args=[demo.slug, CODE]))
        assert detail.status_code == 200 and name in detail.content.decode()
        measure_page = client.get(reverse("measurement:measure", args=[demo.slug, CODE])).content.decode()
        assert f'<bdi class="fw-semibold">{joint.name_he if language == "he" else joint.name_en}</bdi>' in (
            measure_page
        )
        assert "1000 * joint-activities / tutoring-hours" in measure_page

    # A partner's approved tutoring hours for that period are reopened and corrected: +500 hours.
    cell_value = (
        DataValue.objects.filter(measure=hours, period=period, submission__status="approved")
        .select_related("submission")
        .order_by("organization_id", "member1_id")
        .first()
    )
    submission = cell_value.submission
    before = _total(run, rate, period).value
    hours_before = _total(run, hours, period).value
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_unlock(
            submission=submission, by=backbone, reason="Hours of the spring term missing"
        )
    cell = (hours.pk, cell_value.member1_id, cell_value.member2_id)
    services.values_save(
        submission=Submission.objects.get(pk=submission.pk),
        by=backbone,
        raw={cell: str(cell_value.value + 500)},
        comments={cell: "Spring term added"},
        replace=False,
        submit=True,
    )
    # While the correction waits, the approved figures (and so the rate) stand.
    assert _total(runs.active_run(demo), rate, period).value == before
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_approve(submission=Submission.objects.get(pk=submission.pk), by=backbone)
    run = runs.active_run(demo)
    assert _total(run, hours, period).value == hours_before + 500
    after = _total(run, rate, period).value
    assert after == _rate(run, joint, hours, period) and after < before
    # And the dashboard shows the new figure's period and number.
    client.cookies["django_language"] = "en"
    detail = client.get(reverse("measurement:measure_dashboard", args=[demo.slug, CODE])).content.decode()
    assert f'<td class="number">{figure(float(after))}</td>' in detail


def test_the_calculated_rate_on_the_report_card_rebuilt_by_the_workers(
    demo, client, django_capture_on_commit_callbacks
):
    """The nightly full rebuild (its task, one task per entered measure, run eagerly) computes the
    rate after its inputs; on the public report card (page and API) it shows as any measure does,
    with complete periods only."""
    from measurement.models import AggregateRun, ReportCard
    from measurement.tasks import aggregates_rebuild_task

    rate = SharedMeasure.objects.get(initiative=demo, code=CODE)
    joint = SharedMeasure.objects.get(initiative=demo, code="joint-activities")
    hours = SharedMeasure.objects.get(initiative=demo, code="tutoring-hours")
    with django_capture_on_commit_callbacks(execute=True):
        aggregates_rebuild_task.delay(demo.pk)
    run = runs.active_run(demo)
    assert (
        run.kind == AggregateRun.Kind.FULL
        and run.measures_total == demo.measures.filter(kind="entered").count()
    )
    rows = Aggregate.objects.filter(run=run, measure=rate, member1=None).select_related("period")
    assert rows.count() >= 8
    assert all(row.value == _rate(run, joint, hours, row.period) for row in rows)

    card = ReportCard.objects.get(initiative=demo)
    card.measures.add(rate)
    body = client.get(reverse("public-api:report-card", kwargs={"slug": demo.slug})).json()
    shown = next(m for m in body["measures"] if m["code"] == CODE)
    complete = {
        row.period.code: row.value
        for row in rows
        if is_complete(
            *Completeness.objects.filter(run=run, measure=rate, period=row.period)
            .values_list("approved", "expected")
            .get(),
            100,
        )
    }
    assert shown["latest_period"] == max(complete, key=lambda code: code)
    assert Decimal(str(shown["latest"])).quantize(Decimal("0.01")) == complete[
        shown["latest_period"]
    ].quantize(Decimal("0.01"))
    assert {p["period"] for p in shown["history"]} <= set(complete)
    page = client.get(reverse("report_card", kwargs={"slug": demo.slug})).content.decode()
    assert rate.name_en in page
