"""Reminders: contributors whose period is due soon or overdue get one email of each kind."""

from datetime import date

import pytest
from django.core import mail

from measurement import services
from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.reminders import reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_world(world):
    by = world.people["backbone"]
    measure = services.measure_save(
        initiative=world.initiative,
        by=by,
        code="m",
        name_en="M",
        definition="d",
        level=Level.PROCESS,
        unit=Unit.COUNT,
        value_type=ValueType.INTEGER,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.QUARTERLY,
        aggregation=Aggregation.SUM,
    )
    services.periods_ensure(
        initiative=world.initiative,
        by=by,
        frequency=Frequency.QUARTERLY,
        first=date(2026, 7, 1),
        last=date(2026, 9, 30),
        grace_days=60,
        due_days=15,
    )
    services.assignments_set(
        initiative=world.initiative, by=by, pairs={(world.orgs["partner"].pk, measure.pk)}
    )
    return world


def test_due_soon_then_overdue_once_each(due_world, eager_tasks, django_capture_on_commit_callbacks):
    from communication.models import Notification

    partner = due_world.people["partner"]
    # 2026-Q3 is due on 2026-10-15.
    assert reminders_send(date(2026, 9, 1)) == 0  # not yet within the reminder window
    assert reminders_send(date(2026, 10, 12)) == 1
    due = Notification.objects.get(user=partner)
    assert due.kind == "data_due" and "Q3 2026" in due.subject and "/measurement/entry/" in due.url
    assert reminders_send(date(2026, 10, 13)) == 0  # already reminded
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(date(2026, 10, 20)) == 1
    # "Overdue" is emailed immediately by default ("due soon" waits for the daily digest).
    assert mail.outbox[-1].to == ["partner@example.org"] and "Overdue" in mail.outbox[-1].subject
    assert reminders_send(date(2026, 10, 21)) == 0
    assert Notification.objects.filter(user=partner).count() == 2


def test_no_reminder_once_submitted(due_world):
    w = due_world
    period = w.initiative.periods.get(code="2026-Q3")
    submission = services.submission_for(
        initiative=w.initiative, organization=w.orgs["partner"], period=period, by=w.people["backbone"]
    )
    services.values_save(
        submission=submission,
        by=w.people["backbone"],
        raw={(w.initiative.measures.get().pk, None, None): "5"},
        submit=True,
    )
    assert reminders_send(date(2026, 10, 12)) == 0
    assert mail.outbox == []
    from communication.models import Notification

    assert not Notification.objects.exists()
