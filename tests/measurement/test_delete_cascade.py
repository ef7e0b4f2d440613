"""A submission's values go with it, through Django (CASCADE: one DELETE of the values), and the
database checks no key of the values table: with no index on submission_id, PostgreSQL's check of
that key scanned the whole table once per deleted submission (docs/performance.md, the lean fact
table)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measurement import services
from measurement.models import DataValue, Submission

from .worlds import submitted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _six_submissions(world):
    """The partner's submission of 2025 and five more years, each with its value."""
    submission, by = submitted(world)
    measure = world.initiative.measures.get(code="hours")
    services.periods_ensure(
        initiative=world.initiative,
        by=by,
        frequency=measure.frequency,
        first=submission.period.start.replace(year=2020),
        last=submission.period.end,
    )
    for period in world.initiative.periods.exclude(pk=submission.period_id):
        other = services.submission_for(
            initiative=world.initiative, organization=submission.organization, period=period, by=by
        )
        services.values_save(submission=other, by=by, raw={(measure.pk, None, None): "3"}, submit=True)
    return submission


def test_deleting_a_submission_deletes_its_values_and_only_its_own(world):
    submission = _six_submissions(world)
    assert DataValue.objects.count() == 6

    submission.delete()

    assert not DataValue.objects.filter(submission_id=submission.pk).exists()
    assert DataValue.objects.count() == 5
    assert set(DataValue.objects.values_list("submission_id", flat=True)) == set(
        Submission.objects.values_list("pk", flat=True)
    )


def test_deleting_many_submissions_is_one_delete_of_their_values(world):
    _six_submissions(world)

    with CaptureQueriesContext(connection) as queries:
        Submission.objects.filter(initiative=world.initiative).delete()

    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "measurement_datavalue"')]
    assert len(deletes) == 1, deletes
    assert DataValue.objects.count() == 0


def test_the_values_table_has_no_key_checked_by_the_database():
    """No foreign key constraint, and so no check trigger run for each deleted submission."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'measurement_datavalue'::regclass AND contype = 'f'"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'measurement_datavalue'::regclass AND tgisinternal"
        )
        assert cursor.fetchall() == []
