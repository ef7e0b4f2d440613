"""Risks due for review reach their owner and the backbone (in the app, and by email in the
weekly digest unless they chose otherwise), once per review date, in each reader's language."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from communication.choices import NotificationKind
from communication.models import Notification
from learning import services
from learning.models import Risk

pytestmark = pytest.mark.django_db


def test_a_due_risk_is_announced_once_per_review_date(world):
    owner = world.initiative.memberships.get(user=world.people["partner"])
    today = date(2026, 12, 4)
    own = Risk.objects.create(
        initiative=world.initiative, title="Local elections", owner=owner, review_on=today - timedelta(days=1)
    )
    Risk.objects.create(initiative=world.initiative, title="Not yet", review_on=today + timedelta(days=3))
    Risk.objects.create(initiative=world.initiative, title="Closed", review_on=today, status="closed")
    assert services.risk_reviews_notify(today=today) == 1
    told = Notification.objects.filter(kind=NotificationKind.RISK_REVIEW_DUE)
    assert {n.user.username for n in told} == {"backbone", "partner"}
    assert {n.delivery for n in told} == {"weekly"}
    # The daily task runs again: nothing new until the risk gets a new review date.
    assert services.risk_reviews_notify(today=today) == 0
    Risk.objects.filter(pk=own.pk).update(review_on=today + timedelta(days=1))
    assert services.risk_reviews_notify(today=today + timedelta(days=1)) == 1
    with translation.override("he"):
        assert told.first().title == "סיכון לבחינה: Local elections"
    with translation.override("en"):
        assert told.first().title == "Risk due for review: Local elections"
