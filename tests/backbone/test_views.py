"""The backbone's pages: what each role sees, the evidence, anonymity, bad input through the forms,
and query counts that do not grow with the data."""

import re

import pytest
from django.urls import reverse

from backbone import services
from backbone.choices import RespondentGroup
from backbone.models import BackboneFunction, FundingEntry, Response
from tests.queries import assert_queries_constant

from .helpers import answer, invite, make_wave, open_wave, recompute

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"backbone:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def test_steering_sees_the_six_functions_the_indicators_and_the_method(client, bb_world):
    client.force_login(bb_world.people["steering"])
    body = client.get(url(bb_world, "home")).content.decode()
    assert body.count('data-function="') == 6
    assert len(set(re.findall(r'<tr data-indicator="(\d+)"', body))) == 27
    assert 'data-score="65.0"' in body  # indicator 10: (100 + 75 + 75 + 50 + 25) / 5
    assert "insufficient evidence" in body
    assert "How the scores are computed" in body and "(rating − 1)" not in body
    assert 'data-figure="fig-functions"' in body and 'id="fig-functions"' in body


def test_partners_see_the_aggregate_only(client, bb_world):
    client.force_login(bb_world.people["partner"])
    body = client.get(url(bb_world, "home")).content.decode()
    assert body.count('data-function="') == 6
    assert "<tr data-indicator=" not in body
    assert "Partners improve the quality of their work" not in body
    assert client.get(url(bb_world, "indicator", number=10)).status_code == 403


def test_the_indicator_page_shows_evidence_and_the_distribution(client, bb_world):
    client.force_login(bb_world.people["steering"])
    body = client.get(url(bb_world, "indicator", number=10)).content.decode()
    assert 'data-responses="5"' in body
    assert "83.3%" in body  # 5 of the 6 partners asked answered
    assert re.search(
        r'id="distribution".*?<td class="number">0</td><td class="number">1</td><td class="number">1</td><td class="number">2</td><td class="number">1</td>',
        body,
        re.S,
    )
    assert 'data-figure="fig-distribution"' in body and 'data-figure="fig-trend"' in body


def test_a_distribution_of_fewer_than_five_is_not_shown(client, world):
    wave = make_wave(world, "partner-12")
    people = invite(world, wave, RespondentGroup.PARTNER, 3)
    open_wave(world, wave)
    for person in people:
        answer(person, 5)
    recompute(world)
    client.force_login(world.people["backbone"])
    body = client.get(url(world, "indicator", number=12)).content.decode()
    assert 'data-responses="3"' in body
    assert 'id="distribution"' not in body and "fig-distribution" not in body
    assert "Insufficient evidence" in body


def test_no_page_shows_an_individuals_answers(client, bb_world):
    """The wave page lists who answered (for reminders), never what; ids of responses appear nowhere."""
    client.force_login(bb_world.people["backbone"])
    ids = [str(pk) for pk in Response.objects.values_list("pk", flat=True)]
    for name, kwargs in (("wave", {"pk": bb_world.wave.pk}), ("home", {}), ("indicator", {"number": 10})):
        body = client.get(url(bb_world, name, **kwargs)).content.decode()
        assert not any(pk in body for pk in ids)
    wave_page = client.get(url(bb_world, "wave", pk=bb_world.wave.pk)).content.decode()
    assert "83%" in wave_page or "71%" in wave_page  # 5 of 7 asked (a late community member)


def test_the_scorecard_in_hebrew_uses_the_hebrew_wording(client, bb_world):
    client.force_login(bb_world.people["steering"])
    client.cookies["django_language"] = "he"
    body = client.get(url(bb_world, "home")).content.decode()
    assert 'dir="rtl"' in body
    assert "השותפים משפרים את איכות עבודתם" in body
    assert "גיבוש חזון ואסטרטגיה" in body


def test_the_scorecard_query_count_is_constant(client, bb_world):
    w, by = bb_world, bb_world.people["backbone"]
    client.force_login(by)

    def page():
        assert client.get(url(w, "home")).status_code == 200

    def grow():
        # More periods, waves, responses, own indicators and records.
        for period in ("2024-H1", "2024-H2"):
            wave = make_wave(w, "partner-10", "partner-1", period=period)
            for person in invite(w, wave, RespondentGroup.PARTNER, 5, prefix=f"{period}-"):
                open_wave(w, wave) if wave.status == "draft" else None
                wave.refresh_from_db()
                answer(person, 3)
        services.indicator_create(
            initiative=w.initiative, by=by, function=BackboneFunction.objects.get(code="C"), name_en="Own"
        )
        recompute(w)

    assert_queries_constant(page, grow, exact=True)


@pytest.mark.parametrize("name", ["funding", "policy", "community", "catalogue", "waves"])
def test_list_pages_query_count_is_constant(client, bb_world, name):
    from datetime import date

    w, by = bb_world, bb_world.people["backbone"]
    client.force_login(by)

    def page():
        assert client.get(url(w, name)).status_code == 200

    def grow():
        for n in range(3):
            wave = make_wave(w, "partner-1", title=f"More {n}")
            invite(w, wave, RespondentGroup.PARTNER, 2)
            services.funding_entry_save(
                initiative=w.initiative,
                by=by,
                funder_name=f"Funder {n}",
                funder_type="business",
                recipient="partner",
                recipient_organization=w.orgs["partner"],
                kind="new",
                amount=str(5 + n),
                year=2024,
                committed_on=date(2024, 5, 1 + n),
            )
            services.policy_entry_save(
                initiative=w.initiative,
                by=by,
                occurred_on=date(2024, 5, 1 + n),
                kind="policy_change",
                title=f"Change {n}",
                description="",
                level="national",
                policymakers=0,
                alignment="partly",
                source_url="https://example.org/",
            )
            services.community_event_save(
                initiative=w.initiative,
                by=by,
                held_on=date(2024, 5, 1 + n),
                kind="campaign",
                title=f"Campaign {n}",
                reached=10,
                supporters=1,
                took_action=1,
                community_led=False,
                notes="",
            )
            services.item_create(
                initiative=w.initiative,
                by=by,
                indicator=BackboneFunction.objects.get(code="A").indicators.first(),
                group="partner",
                text_en=f"Own statement {n}",
            )

    assert_queries_constant(page, grow, exact=True)


def test_funding_page_shows_totals_share_and_charts(client, bb_world):
    client.force_login(bb_world.people["partner"])
    body = client.get(url(bb_world, "funding")).content.decode()
    assert 'data-figure="fig-funding"' in body and 'data-figure="fig-share"' in body
    assert 'id="backbone-share">100.00%' in body  # the only entry is the backbone's budget
    assert 'id="ledger"' not in body  # partners see the charts, not the entries
    client.force_login(bb_world.people["steering"])
    assert 'id="ledger"' in client.get(url(bb_world, "funding")).content.decode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-300", "more than zero"), ("lots", "as a number"), ("0", "more than zero")],
)
def test_the_funding_form_refuses_bad_amounts_with_a_message(client, bb_world, amount, message):
    client.force_login(bb_world.people["backbone"])
    data = {
        "funder_name": "Negev Fund",
        "funder_type": "philanthropy",
        "recipient": "initiative",
        "kind": "new",
        "amount": amount,
        "year": "2025",
        "committed_on": "2025-05-01",
    }
    response = client.post(url(bb_world, "funding_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert FundingEntry.objects.count() == 1


def test_the_funding_form_refuses_a_double_submit(client, bb_world):
    client.force_login(bb_world.people["backbone"])
    data = {
        "funder_name": "Negev Fund",
        "funder_type": "philanthropy",
        "recipient": "initiative",
        "kind": "new",
        "amount": "500",
        "year": "2025",
        "committed_on": "2025-05-01",
    }
    assert client.post(url(bb_world, "funding_create"), data).status_code == 302
    again = client.post(url(bb_world, "funding_create"), data)
    assert again.status_code == 200 and "already in the ledger" in again.content.decode()
    assert FundingEntry.objects.count() == 2


def test_a_wave_is_built_sent_and_closed_through_the_pages(
    client, world, eager_tasks, django_capture_on_commit_callbacks
):
    from django.core import mail

    from backbone.models import SurveyItem, SurveyWave

    client.force_login(world.people["backbone"])
    items = list(SurveyItem.objects.filter(code__in=["partner-1", "funder-25"]).values_list("pk", flat=True))
    response = client.post(
        url(world, "wave_create"),
        {"title": "Spring", "period": "2026-H1", "closes_on": "2099-01-01", "items": items},
    )
    wave = SurveyWave.objects.get()
    assert response.status_code == 302 and response["Location"] == wave.get_absolute_url()
    add = client.post(
        url(world, "respondents_add", pk=wave.pk),
        {
            "members": [world.initiative.memberships.get(role="partner").pk],
            "external": "fund@example.org, A funder\n\nbad-address",
            "group": "funder",
            "language": "en",
        },
    )
    assert add.status_code == 400 and "is not an email address" in add.content.decode()
    client.post(
        url(world, "respondents_add", pk=wave.pk),
        {
            "members": [world.initiative.memberships.get(role="partner").pk],
            "external": "fund@example.org, A funder",
            "group": "funder",
            "language": "en",
        },
    )
    assert wave.respondents.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(world, "wave_send", pk=wave.pk))
    assert sorted(m.to[0] for m in mail.outbox) == ["fund@example.org", "partner@example.org"]
    page = client.get(url(world, "wave", pk=wave.pk)).content.decode()
    assert 'data-status="open"' in page and 'data-group="funder"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(world, "wave_close", pk=wave.pk))
    wave.refresh_from_db()
    assert wave.status == "closed"


def test_the_wave_form_says_what_is_missing(client, world):
    client.force_login(world.people["backbone"])
    response = client.post(
        url(world, "wave_create"), {"title": "", "period": "2026-H1", "closes_on": "2000-01-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose at least one statement" in body


def test_relabelling_shows_on_the_scorecard(client, bb_world):
    client.force_login(bb_world.people["backbone"])
    response = client.post(
        url(bb_world, "indicator_label", number=10), {"name_en": "Partners do better work", "name_he": ""}
    )
    assert response.status_code == 302
    client.force_login(bb_world.people["steering"])
    body = client.get(url(bb_world, "home")).content.decode()
    assert "Partners do better work" in body and "Partners improve the quality of their work" not in body


def test_recompute_on_demand_scores_the_current_half_year(
    client, bb_world, eager_tasks, django_capture_on_commit_callbacks
):
    from backbone.models import AssessmentPeriod, ScoreRun
    from backbone.periods import half_year_of

    client.force_login(bb_world.people["backbone"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url(bb_world, "recompute")).status_code == 302
    assert ScoreRun.objects.filter(trigger="manual", status="done").exists()
    from django.utils import timezone

    assert AssessmentPeriod.objects.filter(code=half_year_of(timezone.localdate()).code).exists()


def test_milestone_evidence_is_offered(bb_world):
    from django.apps import apps

    evidence = apps.get_app_config("backbone").milestone_evidence(bb_world.initiative)
    assert any("funding ledger" in str(text) for _p, _a, text, _u in evidence)
