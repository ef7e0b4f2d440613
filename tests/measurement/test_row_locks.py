"""A save locks its own submission's row, nothing that other organisations share.

`select_for_update()` with `select_related` locks the joined rows too; the period row is shared by
every organisation's submission for the month, so partners saving at the same time waited for each
other (the load test's lock-wait log showed it). Here one organisation's save is held open while
another's runs on a second connection that gives up on any lock after two seconds."""

import threading

import pytest
from django.db import connection, transaction

from measurement import services
from measurement.choices import SubmissionStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _on_another_connection(work) -> BaseException | None:
    failure: list[BaseException] = []

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            work()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return failure[0] if failure else None


def test_two_organisations_save_the_same_month_at_once(mworld):
    other = mworld.b_submission  # Partner B, the same period as Partner Org's draft
    services.submission_return(submission=other, by=mworld.backbone, message="Check the totals")
    mine = mworld.submission("year")
    assert mine.period_id == other.period_id and mine.organization_id != other.organization_id

    def save_the_other():
        result = services.values_save(submission=other, by=mworld.backbone, raw={}, replace=False)
        assert result.created == 0

    with transaction.atomic():
        services.values_save(submission=mine, by=mworld.backbone, raw=mworld.valid_year())
        failure = _on_another_connection(save_the_other)  # while this save is not committed
    assert failure is None, f"the other organisation's save waited for this one: {failure!r}"


def test_the_same_submission_is_still_saved_one_at_a_time(mworld):
    """The lock that remains is the one that matters: two saves of one submission are serialised."""
    mine = mworld.submission("year")
    with transaction.atomic():
        services.values_save(submission=mine, by=mworld.backbone, raw=mworld.valid_year())
        failure = _on_another_connection(
            lambda: services.values_save(submission=mine, by=mworld.backbone, raw={}, replace=False)
        )
    assert failure is not None and "lock timeout" in str(failure)
    mine.refresh_from_db()
    assert mine.status == SubmissionStatus.DRAFT
