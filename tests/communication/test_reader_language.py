"""Messages stored for later are rendered in the reader's language when read or sent, never
frozen in the writer's: a decision recorded by someone working in Hebrew reaches an English
reader in English (in the app, the API and email), and the other way round."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from communication import messages, services
from communication.choices import Body, Delivery, NotificationKind
from communication.models import Notification, ReaderLanguage

pytestmark = pytest.mark.django_db


def _decision(world, *, language: str):
    with translation.override(language):
        return services.decision_record(
            initiative=world.initiative,
            by=world.people["backbone"],
            title="Adopt the Q3 targets",
            text="",
            decided_on=date(2026, 11, 3),
            body=Body.STEERING,
            body_name="",
            meeting=None,
            measures=[],
            documents=[],
        )


def test_a_message_renders_in_the_active_language_with_its_period_and_date():
    stored = messages.message(
        "The shared measures of %(org)s for %(period)s are due on %(due)s.",
        org="Beit Shemesh",
        period=messages.period("2026-Q4"),
        due=messages.day(date(2027, 1, 15)),
    )
    with translation.override("en"):
        assert (
            messages.render(stored)
            == "The shared measures of Beit Shemesh for Q4 2026 are due on Jan. 15, 2027."
        )
    with translation.override("he"):
        hebrew = messages.render(stored)
    assert "רבעון 4, 2026" in hebrew and "Beit Shemesh" in hebrew and "The shared" not in hebrew


def test_a_row_stored_before_messages_shows_its_text():
    assert messages.render(None, "As written") == "As written"


def test_written_in_hebrew_read_in_english_in_the_app_and_the_api(client, world):
    _decision(world, language="he")
    notification = Notification.objects.get(user=world.people["steering"], kind=NotificationKind.DECISION)
    assert notification.subject.startswith("החלטה")  # as the writer read it
    client.force_login(world.people["steering"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("communication:notifications", kwargs={"slug": "c2c"})).content.decode()
    assert "Decision: Adopt the Q3 targets" in page and "החלטה:" not in page
    assert "Decided by Steering committee on Nov. 3, 2026." in page
    api = client.get(
        f"/api/v1/initiatives/c2c/notifications/{notification.pk}/", headers={"Accept-Language": "en"}
    ).json()
    assert api["subject"] == "Decision: Adopt the Q3 targets"


def test_written_in_english_read_in_hebrew(client, world):
    _decision(world, language="en")
    client.force_login(world.people["steering"])
    client.cookies["django_language"] = "he"
    page = client.get(reverse("communication:notifications", kwargs={"slug": "c2c"})).content.decode()
    assert "Decision: Adopt" not in page and "Adopt the Q3 targets" in page and "החלטה" in page


def test_email_goes_in_the_language_the_reader_chose(client, world, settings):
    steering = world.people["steering"]
    services.preferences_update(
        user=steering, initiative=world.initiative, choices={NotificationKind.DECISION: Delivery.IMMEDIATE}
    )
    # The reader switches to Hebrew once (a POST to the language switch keeps the choice).
    client.force_login(steering)
    response = client.post("/i18n/setlang/", {"language": "he", "next": "/"})
    assert response.status_code == 302
    assert ReaderLanguage.objects.get(user=steering).language == "he"
    with translation.override("en"):
        _decision(world, language="en")  # written by someone working in English
    notification = Notification.objects.get(user=steering, kind=NotificationKind.DECISION)
    mail.outbox.clear()
    assert services.notification_email_send(notification.pk)
    (email,) = mail.outbox
    assert "Decision:" not in email.subject and "Adopt the Q3 targets" in email.subject
    assert "Decided by" not in email.body


def test_the_language_switch_by_get_keeps_nothing(client, world):
    client.force_login(world.people["steering"])
    client.get("/i18n/setlang/?language=he")
    assert not ReaderLanguage.objects.exists()


def test_a_meeting_invitation_reads_in_the_readers_language(world):
    """The invitation's text was stored as the writer read it: a Hebrew reader saw "Working group"
    and "Steering committee" in English, and the time as 2026-12-27 10:00 in both languages."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from .helpers import meeting

    with translation.override("en"):
        made = meeting(world, days=30)  # the steering committee's
    notification = Notification.objects.get(
        user=world.people["steering"], kind=NotificationKind.MEETING_INVITATION
    )
    local = timezone.localtime(made.starts_at).replace(tzinfo=None, second=0, microsecond=0)
    with translation.override("he"):
        title, text, when = notification.title, notification.text, date_format(local, "DATETIME_FORMAT")
    assert text.startswith("ועדת ההיגוי") and "Steering committee" not in text, text
    assert when in title and when in text and f"{local:%Y-%m-%d}" not in title + text, (title, text)
    assert "City hall" in text and "• Welcome" in text  # the place and the agenda as written
    with translation.override("en"):
        assert notification.text.startswith("Steering committee")
        assert date_format(local, "DATETIME_FORMAT") in notification.title
