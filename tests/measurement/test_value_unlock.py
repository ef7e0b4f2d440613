"""Unlocking a single approved value (issue: "unlock a single value or submission with a reason"):
only that value may change, the others stay as approved, by grid, file and API; re-approval locks
everything again; the trail records the unlock with the value and the reason."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from measurement import services
from measurement.choices import AuditAction, SubmissionStatus
from measurement.entry import importer
from measurement.models import ALL_CELLS, AuditEntry, Correction, DataValue

from ..permission_matrix import module_world
from .conftest import build_mworld, field_name, grid_fields

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

LOCKED = "This value is approved and locked; only the unlocked values may change."


@pytest.fixture
def approved(mworld):
    submission = mworld.submission("year")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), submit=True)
    services.submission_approve(submission=submission, by=mworld.backbone)
    submission.refresh_from_db()
    return submission


def value_of(submission, cell) -> DataValue:
    return DataValue.objects.get(
        submission=submission, measure_id=cell[0], member1_id=cell[1], member2_id=cell[2]
    )


def entry_url(mworld) -> str:
    p = mworld.periods["year"]
    return reverse(
        "measurement:entry",
        kwargs={"slug": "c2c", "org": mworld.org.pk, "frequency": p.frequency, "period": p.code},
    )


def test_only_the_unlocked_value_may_change(mworld, approved):
    attended, spend = mworld.cell("attended"), mworld.cell("spend")
    submission = services.value_unlock(value=value_of(approved, attended), by=mworld.backbone, reason="Typo")
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.open_cells == [list(attended)]
    entry = AuditEntry.objects.get(submission=approved, action=AuditAction.UNLOCK)
    assert (entry.measure_id, entry.old_value, entry.reason, entry.by) == (
        attended[0],
        Decimal(200),
        "Typo",
        mworld.backbone,
    )

    with pytest.raises(services.EntryInvalid) as refused:
        services.values_save(
            submission=submission, by=mworld.partner, raw={attended: "190", spend: "1"}, replace=False
        )
    assert refused.value.problems.cells == {spend: [LOCKED]}
    assert value_of(approved, attended).value == 200  # nothing written

    services.values_save(
        submission=submission, by=mworld.partner, raw={attended: "190"}, replace=False, submit=True
    )
    # The correction waits for approval; the approved 200 is what every figure still reads.
    assert value_of(approved, attended).value == 200
    assert [(c.cell, c.value) for c in Correction.objects.filter(submission=approved)] == [
        (attended, Decimal(190))
    ]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.open_cells == [list(attended)]
    services.submission_approve(submission=submission, by=mworld.backbone)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED and submission.open_cells is None
    assert value_of(approved, attended).value == 190
    assert not Correction.objects.filter(submission=approved).exists()


def test_several_values_may_be_unlocked_then_the_whole_submission(mworld, approved):
    attended, spend = mworld.cell("attended"), mworld.cell("spend")
    services.value_unlock(value=value_of(approved, attended), by=mworld.backbone, reason="One")
    submission = services.value_unlock(value=value_of(approved, spend), by=mworld.backbone, reason="Two")
    assert submission.open_cells == [list(attended), list(spend)]
    submission = services.submission_unlock(submission=submission, by=mworld.backbone, reason="All of it")
    # Reopened whole, still as a correction: the approved values go on counting until approved.
    assert submission.open_cells == [ALL_CELLS] and submission.status == SubmissionStatus.DRAFT
    assert submission.in_correction and submission.reopened_whole


def test_unlocking_needs_a_reason_the_backbone_and_approved_data(mworld, approved):
    value = value_of(approved, mworld.cell("attended"))
    with pytest.raises(ValidationError):
        services.value_unlock(value=value, by=mworld.backbone, reason="  ")
    with pytest.raises(PermissionDenied):
        services.value_unlock(value=value, by=mworld.partner, reason="Mine")
    approved.refresh_from_db()
    assert approved.status == SubmissionStatus.APPROVED and approved.open_cells is None
    # Data never approved is not unlocked value by value (it is not locked, or it waits for review).
    submitted = mworld.b_submission.values.first()
    with pytest.raises(ValidationError, match="Only approved values"):
        services.value_unlock(value=submitted, by=mworld.backbone, reason="Not approved")


def test_the_grid_offers_only_the_unlocked_cell_and_keeps_the_others(client, mworld, approved):
    attended = mworld.cell("attended")
    services.value_unlock(value=value_of(approved, attended), by=mworld.backbone, reason="Typo")
    client.force_login(mworld.partner)
    page = client.get(entry_url(mworld))
    fields = grid_fields(page).fields  # disabled inputs are left out, as a browser leaves them
    assert field_name(attended) in fields
    assert field_name(mworld.cell("spend")) not in fields
    assert "only those can change" in page.content.decode()
    before = {v.pk: v.value for v in DataValue.objects.filter(submission=approved)}
    response = client.post(entry_url(mworld), {**fields, field_name(attended): "195", "save": ""})
    assert response.status_code == 302
    after = {v.pk: v.value for v in DataValue.objects.filter(submission=approved)}
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == set()  # the approved values are untouched; the 195 waits as a correction
    assert [(c.cell, c.value) for c in Correction.objects.filter(submission=approved)] == [
        (attended, Decimal(195))
    ]


def test_the_backbone_unlocks_a_value_on_the_submission_page(client, mworld, approved):
    value = value_of(approved, mworld.cell("attended"))
    page = approved.get_absolute_url()
    client.force_login(mworld.partner)
    assert client.post(page, {"action": "unlock_value", "value": value.pk, "reason": "x"}).status_code == 403
    client.force_login(mworld.backbone)
    assert 'id="unlock-value-form"' in client.get(page).content.decode()
    assert client.post(page, {"action": "unlock_value", "value": value.pk, "reason": ""}).status_code == 400
    assert (
        client.post(page, {"action": "unlock_value", "value": "99999999", "reason": "x"}).status_code == 404
    )
    approved.refresh_from_db()
    assert approved.status == SubmissionStatus.APPROVED
    response = client.post(page, {"action": "unlock_value", "value": value.pk, "reason": "Typo in attended"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.open_cells == [[value.measure_id, None, None]]
    assert f'data-unlocked="{value.pk}"' in client.get(page).content.decode()


def test_a_file_may_change_only_the_unlocked_value(mworld, approved):
    attended = mworld.cell("attended")
    services.value_unlock(value=value_of(approved, attended), by=mworld.backbone, reason="Typo")
    year = mworld.periods["year"].code
    data = (
        f"measure,period,breakdown_1,breakdown_2,value,comment\nattended,{year},,,180,\nspend,{year},,,99,\n"
    )
    job = importer.preview(
        initiative=mworld.initiative,
        organization=mworld.org,
        by=mworld.partner,
        name="f.csv",
        data=data.encode(),
    )
    verdict = {row["measure"]: (row["status"], row["reasons"]) for row in job.rows}
    assert verdict["attended"] == ("update", [])
    assert verdict["spend"] == ("reject", [LOCKED])


def test_the_api_unlocks_one_value(mworld, approved, client):
    value = value_of(approved, mworld.cell("attended"))
    base = f"/api/v1/initiatives/c2c/submissions/{approved.pk}/unlock/"
    client.force_login(mworld.backbone)
    other = mworld.b_submission.values.first()
    response = client.post(base, {"message": "Typo", "value": other.pk}, content_type="application/json")
    assert response.status_code == 400 and "value" in response.json()["errors"]
    huge = client.post(base, {"message": "Typo", "value": 10**30}, content_type="application/json")
    assert huge.status_code == 400 and "value" in huge.json()["errors"]
    response = client.post(base, {"message": "Typo", "value": value.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"
    assert response.json()["open_cells"] == [[value.measure_id, None, None]]
