"""The demo's webhooks (`manage.py seed_demo`): one subscription of the backbone staff, switched off,
so that its pages (detail, edit, rotation) are there to see. Made without the address check,
which would look the example host up: the address is an example and is never called."""

from __future__ import annotations

from .choices import EventType
from .models import Subscription
from .signing import secret_new

DESCRIPTION = {
    "he": "מחסן הנתונים: נתונים שאושרו (דוגמה, כבויה)",
    "en": "Data warehouse: approved data (an example, switched off)",
}


def seed(*, initiative, users, organizations, now, language: str) -> None:
    Subscription.objects.create(
        initiative=initiative,
        url="https://hooks.example.org/collective-impact/approved",
        description=DESCRIPTION[language],
        events=[EventType.SUBMISSION_APPROVED, EventType.AGGREGATES_UPDATED],
        secret=secret_new(),
        is_active=False,
        created_by=users["backbone"],
    )
