"""Notifications: routing by each member's choice, emails after commit, digest batching, the
unsubscribe link that works without signing in, and the in-app list."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from communication import services, tasks
from communication.choices import DEFAULT_DELIVERY, Delivery, NotificationKind
from communication.models import Notification, NotificationPreference
from tests.permission_matrix import build_world, module_world

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def notify(world, kind=NotificationKind.DECISION, subject="A decision", recipients=None, initiative=None):
    return services.notify(
        initiative=initiative or world.initiative,
        kind=kind,
        subject=subject,
        body="Details",
        url="/initiatives/c2c/communication/decisions/",
        recipients=recipients
        if recipients is not None
        else [world.people["steering"], world.people["partner"]],
    )


def choose(world, persona, kind, delivery, initiative=None):
    services.preferences_update(
        user=world.people[persona], initiative=initiative or world.initiative, choices={kind: delivery}
    )


class TestRouting:
    def test_defaults_apply_until_a_member_chooses(self, world):
        prefs = services.preferences_of(world.people["partner"], world.initiative)
        assert prefs == {k: DEFAULT_DELIVERY[k] for k in NotificationKind.values}
        choose(world, "partner", NotificationKind.DECISION, Delivery.WEEKLY)
        assert (
            services.preferences_of(world.people["partner"], world.initiative)[NotificationKind.DECISION]
            == "weekly"
        )

    def test_each_recipient_gets_their_delivery_and_non_members_are_skipped(self, world):
        choose(world, "steering", NotificationKind.DECISION, Delivery.IMMEDIATE)
        choose(world, "partner", NotificationKind.DECISION, Delivery.OFF)
        created = notify(
            world, recipients=[world.people["steering"], world.people["partner"], world.people["outsider"]]
        )
        assert {n.user.username: n.delivery for n in created} == {"steering": "immediate", "partner": "off"}

    def test_an_unknown_kind_is_a_programming_error(self, world):
        with pytest.raises(ValueError):
            notify(world, kind="gossip")

    def test_immediate_email_goes_after_commit_only(
        self, world, eager_tasks, django_capture_on_commit_callbacks
    ):
        choose(world, "steering", NotificationKind.DECISION, Delivery.IMMEDIATE)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify(world)
        assert len(mail.outbox) == 0  # nothing before the commit
        for callback in callbacks:
            callback()
        assert len(mail.outbox) == 1
        email = mail.outbox[0]
        assert email.to == ["steering@example.org"]
        assert email.subject == "[Cradle to Career] A decision"
        assert "http://127.0.0.1:8000/initiatives/c2c/communication/decisions/" in email.body
        assert "/communication/unsubscribe/" in email.extra_headers["List-Unsubscribe"]
        assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        sent = Notification.objects.get(user=world.people["steering"])
        assert sent.emailed_at is not None
        # A retry of the task does not send it again.
        assert tasks.notification_email_task(sent.pk) is False
        assert len(mail.outbox) == 1

    def test_a_rolled_back_change_sends_nothing(self, world, eager_tasks):
        from django.db import transaction

        choose(world, "steering", NotificationKind.DECISION, Delivery.IMMEDIATE)
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(world)
            raise RuntimeError("the surrounding change failed")
        assert len(mail.outbox) == 0
        assert not Notification.objects.exists()

    def test_a_failing_mail_server_is_retried(self, world, monkeypatch):
        choose(world, "steering", NotificationKind.DECISION, Delivery.IMMEDIATE)
        (n,) = [x for x in notify(world) if x.delivery == Delivery.IMMEDIATE]
        calls = []

        def broken(**kwargs):
            calls.append(kwargs)
            raise ConnectionRefusedError("mail server down")

        monkeypatch.setattr(services, "_send", broken)
        with pytest.raises(ConnectionRefusedError):
            services.notification_email_send(n.pk)
        n.refresh_from_db()
        assert n.emailed_at is None  # still waiting: the retry will send it
        assert tasks.notification_email_task.autoretry_for == (OSError, tasks.SMTPException)
        assert tasks.notification_email_task.max_retries == 5


class TestDigests:
    def test_one_digest_per_person_with_everything_waiting_across_initiatives(self, world, eager_tasks):
        people = world.people
        # The partner also belongs to the other initiative.
        world.other.memberships.create(
            user=people["partner"], organization=world.orgs["other"], role="viewer"
        )
        for initiative in (world.initiative, world.other):
            for kind in NotificationKind.values:
                choose(world, "partner", kind, Delivery.DAILY, initiative=initiative)
        choose(world, "steering", NotificationKind.DECISION, Delivery.WEEKLY)
        choose(world, "steering", NotificationKind.MEETING_MINUTES, Delivery.WEEKLY)
        notify(world, subject="First decision")
        notify(world, subject="Second decision")
        notify(world, kind=NotificationKind.MEETING_MINUTES, subject="Minutes of May")
        notify(world, subject="Their decision", initiative=world.other, recipients=[people["partner"]])
        assert len(mail.outbox) == 0  # digests wait for beat

        queued = tasks.notification_digest_task("daily")
        assert queued == 1  # the partner only: the steering member chose weekly
        assert len(mail.outbox) == 1
        digest = mail.outbox[0]
        assert digest.to == ["partner@example.org"]
        assert digest.subject == "Your daily digest: 4 notifications"
        for text in (
            "First decision",
            "Second decision",
            "Minutes of May",
            "Their decision",
            "== Cradle to Career ==",
            "== Other Initiative ==",
        ):
            assert text in digest.body
        assert Notification.objects.filter(user=people["partner"], emailed_at__isnull=True).count() == 0

        # Nothing new: nothing sent.
        assert tasks.notification_digest_task("daily") == 0
        assert len(mail.outbox) == 1

        assert tasks.notification_digest_task("weekly") == 1
        weekly = mail.outbox[1]
        assert weekly.to == ["steering@example.org"]
        assert weekly.subject == "Your weekly digest: 3 notifications"

    def test_off_is_never_emailed_but_listed_in_the_app(self, world, eager_tasks):
        choose(world, "partner", NotificationKind.DECISION, Delivery.OFF)
        notify(world, recipients=[world.people["partner"]])
        for delivery in ("daily", "weekly"):
            tasks.notification_digest_task(delivery)
        assert len(mail.outbox) == 0
        assert Notification.objects.get(user=world.people["partner"]).read_at is None

    def test_a_digest_is_not_a_delivery_the_task_accepts_otherwise(self):
        with pytest.raises(ValueError):
            tasks.notification_digest_task("hourly")

    def test_the_beat_schedule_runs_both_digests(self):
        from communication.schedule import BEAT_SCHEDULE

        entries = {e["args"][0]: e["task"] for e in BEAT_SCHEDULE.values()}
        assert entries == {
            "daily": "communication.tasks.notification_digest_task",
            "weekly": "communication.tasks.notification_digest_task",
        }


class TestUnsubscribe:
    def _link(self, world, kind=NotificationKind.DECISION):
        token = services.unsubscribe_token(
            user=world.people["partner"], initiative=world.initiative, kind=kind
        )
        return reverse("communication:unsubscribe", kwargs={"slug": "c2c", "token": token})

    def test_the_link_asks_then_turns_the_kind_off_without_signing_in(self, client, world):
        url = self._link(world)
        page = client.get(url)
        assert page.status_code == 200
        assert "A new decision" in page.content.decode()
        assert not NotificationPreference.objects.exists()  # a GET changes nothing (mail scanners open links)
        done = client.post(url)
        assert done.status_code == 200
        assert "Done" in done.content.decode()
        prefs = services.preferences_of(world.people["partner"], world.initiative)
        assert prefs[NotificationKind.DECISION] == Delivery.OFF
        assert (
            prefs[NotificationKind.MEETING_INVITATION]
            == DEFAULT_DELIVERY[NotificationKind.MEETING_INVITATION]
        )

    def test_all_kinds_at_once_and_one_click_from_the_mail_client(self, client, world):
        url = self._link(world)
        client.post(url, {"List-Unsubscribe": "One-Click", "all": "1"})
        assert set(services.preferences_of(world.people["partner"], world.initiative).values()) == {
            Delivery.OFF
        }

    def test_the_digest_link_covers_every_kind(self, client, world):
        client.post(self._link(world, kind=services.ALL_KINDS))
        assert set(services.preferences_of(world.people["partner"], world.initiative).values()) == {
            Delivery.OFF
        }

    @pytest.mark.parametrize(
        "token",
        [
            "forged",
            signing.dumps({"u": 1, "i": 1, "k": "decision"}, salt="another.purpose"),
            signing.dumps({"u": 1, "i": 1, "k": "gossip"}, salt=services.UNSUBSCRIBE_SALT),
        ],
        # A signed token holds the time: stable ids, or two xdist workers collect different tests.
        ids=["forged", "another-purpose", "unknown-kind"],
    )
    def test_a_forged_or_foreign_token_is_404(self, client, world, token):
        url = reverse("communication:unsubscribe", kwargs={"slug": "c2c", "token": token})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404

    def test_a_token_only_works_under_its_own_initiative(self, client, world):
        url = self._link(world).replace("/c2c/", "/other/")
        assert client.post(url).status_code == 404

    def test_every_email_carries_a_working_link(
        self, client, world, eager_tasks, django_capture_on_commit_callbacks
    ):
        choose(world, "partner", NotificationKind.DECISION, Delivery.IMMEDIATE)
        with django_capture_on_commit_callbacks(execute=True):
            notify(world)
        link = re.search(r"Unsubscribe from this kind of email: (\S+)", mail.outbox[0].body).group(1)
        path = link.removeprefix("http://127.0.0.1:8000")
        client.post(path)
        assert (
            services.preferences_of(world.people["partner"], world.initiative)[NotificationKind.DECISION]
            == "off"
        )


class TestInApp:
    def test_list_mark_read_and_open(self, client, world):
        notify(world, subject="Read me")
        client.force_login(world.people["partner"])
        page = client.get(reverse("communication:notifications", kwargs={"slug": "c2c"}))
        assert "Read me" in page.content.decode()
        assert 'data-unread="1"' in page.content.decode()
        n = Notification.objects.get(user=world.people["partner"])
        url = reverse("communication:notification_open", kwargs={"slug": "c2c", "pk": n.pk})
        assert f'action="{url}"' in page.content.decode()
        # A GET (an old link, a prefetch) follows the link and writes nothing; the list's button POSTs.
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == n.url
        n.refresh_from_db()
        assert n.read_at is None
        response = client.post(url)
        assert response.status_code == 302 and response["Location"] == n.url
        n.refresh_from_db()
        assert n.read_at is not None

    def test_someone_elses_notification_is_404(self, client, world):
        notify(world)
        theirs = Notification.objects.get(user=world.people["steering"])
        client.force_login(world.people["partner"])
        url = reverse("communication:notification_open", kwargs={"slug": "c2c", "pk": theirs.pk})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404  # opening it (POST) marks nothing either
        theirs.refresh_from_db()
        assert theirs.read_at is None

    @pytest.mark.parametrize("persona", ["anonymous", "other_member", "outsider"])
    def test_opening_is_for_members_only(self, client, world, persona):
        """Anonymous: sent to sign in; someone outside the initiative: 404, as for every page."""
        notify(world)
        mine = Notification.objects.get(user=world.people["partner"])
        if persona != "anonymous":
            client.force_login(world.people[persona])
        url = reverse("communication:notification_open", kwargs={"slug": "c2c", "pk": mine.pk})
        for response in (client.get(url), client.post(url)):
            if persona == "anonymous":
                assert response.status_code == 302 and "/accounts/login/" in response["Location"]
            else:
                assert response.status_code == 404
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_an_outside_link_is_not_followed(self, client, world):
        services.notify(
            initiative=world.initiative,
            kind=NotificationKind.DATA_DUE,
            subject="Data due",
            url="https://evil.example/phish",
            recipients=[world.people["partner"]],
        )
        n = Notification.objects.get()
        client.force_login(world.people["partner"])
        response = client.get(reverse("communication:notification_open", kwargs={"slug": "c2c", "pk": n.pk}))
        assert response["Location"] == reverse("communication:notifications", kwargs={"slug": "c2c"})

    def test_settings_page_saves_choices(self, client, world):
        client.force_login(world.people["viewer"])
        url = reverse("communication:notification_settings", kwargs={"slug": "c2c"})
        data = dict.fromkeys(NotificationKind.values, Delivery.WEEKLY)
        data[NotificationKind.DECISION] = Delivery.OFF
        assert client.post(url, data).status_code == 302
        prefs = services.preferences_of(world.people["viewer"], world.initiative)
        assert prefs[NotificationKind.DECISION] == "off" and prefs[NotificationKind.DATA_DUE] == "weekly"
        bad = client.post(url, {**data, NotificationKind.DECISION: "hourly"})
        assert bad.status_code == 200 and "not one of the available choices" in bad.content.decode()


def test_agenda_publication_notifies_the_endorsers(world):
    from agenda import services as agenda

    by = world.people["backbone"]
    draft = agenda.agenda_draft_start(initiative=world.initiative, by=by)
    draft = agenda.agenda_draft_save(
        draft=draft,
        by=by,
        revision=draft.revision,
        fields={"problem_statement": "p", "goal": "g"},
        figures=[],
        strategies=[{"title": "s"}],
        principles=[],
    )
    version = agenda.agenda_publish(draft=draft, by=by, change_summary="")  # notifies on its own
    notified = Notification.objects.filter(kind=NotificationKind.AGENDA_PUBLISHED)
    assert sorted(notified.values_list("user__username", flat=True)) == ["partner", "steering"]
    assert notified.first().url == version.get_absolute_url()


def test_old_unread_notifications_stay_listed(world):
    notify(world)
    Notification.objects.update(created_at=timezone.now() - timedelta(days=400))
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
