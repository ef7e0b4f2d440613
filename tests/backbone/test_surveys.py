"""Survey waves: building from the item bank, respondents, invitations and reminders by email
(Celery, after commit), closing, and the personal link: one response per link, expired and forged
links refused, out-of-range answers refused, nothing double-counted, anonymous."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from backbone import services
from backbone.choices import RespondentGroup, WaveStatus
from backbone.models import Answer, Respondent, Response, ScoreRun, SurveyWave
from initiatives.choices import Role

from .helpers import PERIOD, answer, bank, invite, link_path, make_wave, open_wave, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(world):
    """An open wave asking partners two statements (indicators 10 and 11), three partners invited."""
    w = make_wave(world, "partner-10", "partner-11", "community-18")
    invite(world, w, RespondentGroup.PARTNER, 3, prefix="p")
    open_wave(world, w)
    w.refresh_from_db()
    return w


def _form(respondent, **values):
    data = {}
    for item in services.items_for_respondent(respondent):
        data[f"item_{item.pk}"] = values.get(item.code.replace("-", "_"), "4")
    return data


# --- Building a wave -------------------------------------------------------------------------------------


def test_a_wave_is_built_from_the_item_bank(world):
    w = make_wave(world)
    assert w.items.count() == len(bank()) and w.status == WaveStatus.DRAFT
    assert (
        w.period.code == PERIOD and str(w.period.start) == "2025-01-01" and str(w.period.end) == "2025-06-30"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": " "}, "title"),
        ({"closes_on": -1}, "closes_on"),
        ({"items": []}, "items"),
        ({"period_code": "spring"}, "period"),
    ],
)
def test_a_wave_needs_a_title_a_future_close_items_and_a_period(world, kwargs, field):
    args = {
        "initiative": world.initiative,
        "by": world.people["backbone"],
        "title": "Wave",
        "period_code": PERIOD,
        "closes_on": timezone.localdate() + timedelta(days=3),
        "items": bank("partner-1"),
    }
    if "closes_on" in kwargs:
        kwargs = {"closes_on": timezone.localdate() + timedelta(days=kwargs["closes_on"])}
    args.update(kwargs)
    with pytest.raises(ValidationError) as error:
        services.wave_create(**args)
    assert field in error.value.message_dict


def test_another_initiatives_own_items_cannot_be_used(world):
    from backbone.models import Indicator

    theirs = services.item_create(
        initiative=world.other,
        by=world.people["other_member"],
        indicator=Indicator.objects.get(initiative=None, number=1),
        group="partner",
        text_en="Theirs",
    )
    with pytest.raises(ValidationError):
        services.wave_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Wave",
            period_code=PERIOD,
            closes_on=timezone.localdate(),
            items=[theirs],
        )


def test_members_answer_in_their_roles_group_and_each_person_once(world):
    w = make_wave(world)
    members = list(world.initiative.memberships.filter(role__in=(Role.PARTNER, Role.STEERING)))
    added, skipped = services.respondents_add(wave=w, by=world.people["backbone"], members=members)
    assert (added, skipped) == (2, 0)
    assert dict(w.respondents.values_list("email", "group")) == {
        "partner@example.org": "partner",
        "steering@example.org": "steering",
    }
    added, skipped = services.respondents_add(
        wave=w,
        by=world.people["backbone"],
        members=members,
        external=[("PARTNER@example.org", ""), ("mayor@example.org", "Mayor")],
        group=RespondentGroup.POLICYMAKER,
    )
    assert (added, skipped) == (1, 3)  # the two members and the first address were there already


def test_viewers_are_not_asked_and_bad_addresses_are_refused(world):
    w = make_wave(world)
    viewer = world.initiative.memberships.get(role=Role.VIEWER)
    with pytest.raises(ValidationError):
        services.respondents_add(wave=w, by=world.people["backbone"], members=[viewer])
    with pytest.raises(ValidationError) as error:
        services.respondents_add(
            wave=w, by=world.people["backbone"], external=[("not-an-address", "")], group="community"
        )
    assert "not-an-address" in str(error.value)
    with pytest.raises(ValidationError):
        services.respondents_add(
            wave=w, by=world.people["backbone"], external=[("a@example.org", "")], group=""
        )
    assert not w.respondents.exists()


# --- Invitations and reminders, by Celery after commit ------------------------------------------------------


def test_invitations_go_out_after_commit_once_each(world, eager_tasks, django_capture_on_commit_callbacks):
    w = make_wave(world, "partner-10", "community-18")
    invite(world, w, RespondentGroup.PARTNER, 2, prefix="p")
    invite(world, w, RespondentGroup.COMMUNITY, 1, prefix="c")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.wave_send(wave=w, by=world.people["backbone"]) == 3
    assert mail.outbox == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == ["c0@example.org", "p0@example.org", "p1@example.org"]
    respondent = w.respondents.get(email="p0@example.org")
    message = next(m for m in mail.outbox if m.to == ["p0@example.org"])
    # The link's token holds the moment it was signed: compare what it names, not its text.
    sent = re.search(rf"/initiatives/{world.initiative.slug}/backbone/respond/([^/\s]+)/", message.body)
    assert (
        sent and services.respondent_by_token(slug=world.initiative.slug, token=sent.group(1)) == respondent
    )
    assert not w.respondents.filter(invited_at=None).exists()
    # Sending again reaches only people added since.
    invite(world, w, RespondentGroup.PARTNER, 1, prefix="late")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.wave_send(wave=w, by=world.people["backbone"]) == 1
    assert len(mail.outbox) == 4 and mail.outbox[-1].to == ["late0@example.org"]
    with pytest.raises(ValidationError):
        services.wave_send(wave=w, by=world.people["backbone"])  # nobody left to invite


def test_invitation_in_hebrew_links_to_the_hebrew_form(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    w = make_wave(world, "community-18")
    services.respondents_add(
        wave=w,
        by=world.people["backbone"],
        external=[("he@example.org", "")],
        group="community",
        language="he",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.wave_send(wave=w, by=world.people["backbone"])
    body = mail.outbox[0].body
    assert "?lang=he" in body
    assert "אנונימיות" in body or "אנונימי" in body or mail.outbox[0].subject  # the catalogue may lag


def test_reminders_reach_only_those_who_have_not_answered_and_not_twice_a_day(
    world, wave, eager_tasks, django_capture_on_commit_callbacks
):
    first, second, third = wave.respondents.order_by("pk")
    answer(first, 4)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.wave_remind(wave=wave, by=world.people["backbone"]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([second.email, third.email])
    assert Respondent.objects.get(pk=second.pk).reminders == 1
    with pytest.raises(ValidationError):
        services.wave_remind(wave=wave, by=world.people["backbone"])  # reminded an hour ago
    Respondent.objects.filter(pk=second.pk).update(reminded_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.wave_remind(wave=wave, by=world.people["backbone"]) == 1


def test_closing_stops_answers_and_recomputes_on_a_worker(
    world, wave, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.wave_close(wave=wave, by=world.people["backbone"])
    run = ScoreRun.objects.get(initiative=world.initiative)
    assert (run.trigger, run.status) == ("wave_closed", "done")
    respondent = wave.respondents.first()
    with pytest.raises(services.LinkError) as error:
        answer(respondent, 4)
    assert error.value.code == "closed"
    with pytest.raises(ValidationError):
        services.wave_close(wave=wave, by=world.people["backbone"])


def test_only_backbone_staff_run_surveys(world, wave):
    from django.core.exceptions import PermissionDenied

    for name in ("steering", "partner", "viewer", "other_member"):
        with pytest.raises(PermissionDenied):
            services.wave_close(wave=wave, by=world.people[name])
        with pytest.raises(PermissionDenied):
            services.wave_remind(wave=wave, by=world.people[name])


# --- The personal link ------------------------------------------------------------------------------------


def test_the_link_opens_the_form_of_the_respondents_group_without_an_account(client, wave):
    respondent = wave.respondents.first()
    response = client.get(link_path(respondent))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Taking part in the initiative has improved the quality" in body  # partner-10
    assert "I know about the initiative" not in body  # community-18 is not for partners
    assert body.count('type="radio"') == 2 * 6  # two statements, 1–5 and don't know


def test_one_response_per_link(client, wave):
    respondent = wave.respondents.first()
    url = link_path(respondent)
    assert client.post(url, _form(respondent)).status_code == 200
    again = client.post(url, _form(respondent, partner_10="1"))
    assert again.status_code == 409
    assert "already sent through this link" in again.content.decode()
    assert client.get(url).status_code == 409
    assert Response.objects.count() == 1 and Answer.objects.count() == 2
    assert set(Answer.objects.values_list("value", flat=True)) == {4}  # the second answer changed nothing


def test_a_forged_or_tampered_link_is_refused(client, wave, world):
    respondent = wave.respondents.first()
    good = token(respondent)
    base = f"/initiatives/{world.initiative.slug}/backbone/respond/"
    other = wave.respondents.exclude(pk=respondent.pk).first()
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # a changed signature
        signing.dumps([other.pk, respondent.key], salt=services.LINK_SALT),  # someone else's key
        signing.dumps([respondent.pk, respondent.key], salt="another-salt"),
        "not-a-token",
    ]
    for value in forged:
        response = client.post(base + value + "/", _form(respondent))
        assert response.status_code == 404, value
        assert "not valid" in response.content.decode()
    # The right link in another initiative's address is forged too.
    assert client.get(f"/initiatives/{world.other.slug}/backbone/respond/{good}/").status_code == 404
    assert not Response.objects.exists()


def test_an_expired_link_is_refused(client, wave):
    respondent = wave.respondents.first()
    SurveyWave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    response = client.post(link_path(respondent), _form(respondent))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Response.objects.exists()


def test_a_link_of_a_wave_not_yet_sent_does_not_work(client, world):
    w = make_wave(world, "partner-10")
    respondent = invite(world, w, RespondentGroup.PARTNER, 1)[0]
    assert client.get(link_path(respondent)).status_code == 404


@pytest.mark.parametrize("bad", ["7", "0", "-1", "3.5", "four", ""])
def test_out_of_range_or_missing_answers_are_refused_with_a_message(client, wave, bad):
    respondent = wave.respondents.first()
    response = client.post(link_path(respondent), _form(respondent, partner_10=bad))
    assert response.status_code == 400
    body = response.content.decode()
    assert "choose 1 to 5" in body or "Answer this statement" in body
    assert not Response.objects.exists()
    assert Respondent.objects.get(pk=respondent.pk).responded_at is None  # the link still works


def test_the_service_refuses_bad_answers_too(wave):
    respondent = wave.respondents.first()
    items = services.items_for_respondent(respondent)
    slug, value = wave.initiative.slug, token(respondent)
    for answers in (
        {items[0].pk: 6, items[1].pk: 3},
        {items[0].pk: True, items[1].pk: 3},
        {items[0].pk: 3},  # one missing
        {items[0].pk: 3, items[1].pk: 3, 999999: 3},  # not in the form
    ):
        with pytest.raises(ValidationError):
            services.response_submit(slug=slug, token=value, answers=answers)
    assert not Response.objects.exists()


def test_answers_are_anonymous_by_construction(wave):
    respondent = wave.respondents.first()
    stored = answer(respondent, 5)
    fields = {f.name for f in Response._meta.get_fields()}
    assert fields == {"id", "wave", "group", "language", "answers"}  # nothing about who
    assert isinstance(stored.pk, type(__import__("uuid").uuid4()))
    assert {f.name for f in Answer._meta.get_fields()} == {"id", "response", "item", "value"}


def test_the_language_in_the_link_is_remembered_then_dropped_from_the_address(client, wave):
    respondent = wave.respondents.first()
    url = link_path(respondent)
    response = client.get(url + "?lang=he")
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies["django_language"].value == "he"
    page = client.get(url)
    body = page.content.decode()
    assert 'dir="rtl"' in body and 'lang="he"' in body
    assert "ההשתתפות ביוזמה שיפרה את איכות העבודה של הארגון שלי." in body  # partner-10 in Hebrew
    assert client.post(url, _form(respondent)).status_code == 200
    assert Response.objects.get().language == "he"
