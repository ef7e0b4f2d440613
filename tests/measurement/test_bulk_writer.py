"""measurement.entry.writer: the COPY / UPDATE … FROM VALUES writer on PostgreSQL (bulk_create and
bulk_update elsewhere) stores exactly what it is given: NULL is not the empty string, quotes,
commas and line breaks survive, decimals keep their digits."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from measurement import services
from measurement.choices import AuditAction
from measurement.entry import pipeline, writer
from measurement.models import AuditEntry, DataValue
from tests.queries import assert_num_queries

AWKWARD = ["", 'say "hello", then\nleave', "tab\there", "עברית, עם פסיק", "\\N", ",", '"', "NULL"]


@pytest.fixture
def submission(mworld):
    return mworld.submission("year")


def test_insert_keeps_null_apart_from_empty_text(mworld, submission):
    now = timezone.now()
    rows = [
        {
            "initiative": submission.initiative_id,
            "organization": submission.organization_id,
            "submission": submission.pk,
            "measure": None,
            "member1": None,
            "member2": None,
            "action": AuditAction.CHANGE,
            "old_value": None if i % 2 else Decimal("1234567.000001"),
            "new_value": Decimal("-0.5"),
            "reason": text,
            "by": mworld.partner.pk if i % 2 else None,
            "at": now,
        }
        for i, text in enumerate(AWKWARD)
    ]
    assert writer.insert(AuditEntry, pipeline.AUDIT_FIELDS, rows) == len(AWKWARD)
    stored = list(AuditEntry.objects.filter(submission=submission, action=AuditAction.CHANGE).order_by("id"))
    assert [e.reason for e in stored] == AWKWARD
    assert [e.old_value for e in stored] == [None if i % 2 else Decimal("1234567.000001") for i in range(8)]
    assert {e.new_value for e in stored} == {Decimal("-0.5")}
    assert [e.by_id for e in stored] == [mworld.partner.pk if i % 2 else None for i in range(8)]
    if connection.vendor == "postgresql":  # COPY stores the given moment; bulk_create's auto_now_add
        assert {e.at for e in stored} == {now}  # stamps its own, a moment later
    assert all(now <= e.at <= timezone.now() for e in stored)


def test_update_sets_only_the_given_rows_and_fields(mworld, submission):
    cell = mworld.cell("attended")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), replace=False)
    value = DataValue.objects.get(submission=submission, measure_id=cell[0])
    others = {v.pk: (v.value, v.comment) for v in DataValue.objects.exclude(pk=value.pk)}
    later = timezone.now()
    change = {"pk": value.pk, "value": Decimal("8.25"), "comment": AWKWARD[1], "entered_by": None}
    assert (
        writer.update(
            DataValue, ["value", "comment", "entered_by", "updated_at"], [{**change, "updated_at": later}]
        )
        == 1
    )
    value.refresh_from_db()
    assert (value.value, value.comment, value.entered_by_id, value.updated_at) == (
        Decimal("8.25"),
        AWKWARD[1],
        None,
        later,
    )
    assert {v.pk: (v.value, v.comment) for v in DataValue.objects.exclude(pk=value.pk)} == others


def test_nothing_to_write_touches_nothing(mworld):
    with assert_num_queries(0):
        assert writer.insert(AuditEntry, pipeline.AUDIT_FIELDS, []) == 0
        assert writer.update(DataValue, ["value"], []) == 0
