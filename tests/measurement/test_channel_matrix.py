"""One entry pipeline, every channel: the grid (EntryView), a file (importer preview → commit), the
bulk API and its dry run give the same answer for the same input in every state of a submission
(a new draft, returned, approved with one value reopened, approved with several reopened).

For each refused input: every channel refuses, with the same message for the cell, and writes
nothing (DataValue, Correction, AuditEntry and Submission rows compared before and after, field by
field). For a valid input: each channel writes exactly the expected values, corrections and audit
rows. The channels run one after the other inside a case: a refused input leaves the data as it
was, so each channel meets the same state.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ci_platform.i18n_format import period_phrase
from measurement import services
from measurement.choices import AuditAction, SubmissionStatus
from measurement.entry import importer
from measurement.models import AuditEntry, Correction, DataValue, ImportJob, Submission
from tests.measurement.conftest import build_mworld
from tests.permission_matrix import module_world

from .conftest import field_name, grid_fields

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

LOCKED = "This value is approved and locked; only the unlocked values may change."
NOT_A_NUMBER = "“abc” is not a number."
NEGATIVE = "Enter zero or more: a count, a percentage or a rate cannot be negative."
PERCENT = "Enter a percentage between 0 and 100."
THRESHOLD = "302% change from the previous period (over 50%): add a comment."
REQUIRED = "Required."
FORMULA = "The comment starts like a spreadsheet formula ('='); start it with a word."
TOO_LONG = "The comment has 2,001 characters; the limit is 2,000."
NUL = "The comment contains a NUL character; remove it."
WOULD_CLEAR = (
    "The approved value 110 would be cleared: enter the corrected value, or choose “Clear the approved "
    "value” to remove it."
)
# The bulk API refuses an item without a value before the pipeline sees it (entry._rows_to_changes),
# so an emptied approved value is refused with this reason there, not with WOULD_CLEAR. Both refuse
# and both say how to clear on purpose; see the report of this test file.

STATES = ["new", "returned", "one_reopened", "several_reopened"]
REOPENED = ("one_reopened", "several_reopened")
CHANNELS = ["grid", "file", "api", "api_dry"]

E = ("enrolled", "area:dalet")  # open in every state (the one value reopened)
H, V = ("enrolled", "area:hey"), ("enrolled", "area:vav")
PCT, SPEND, ATTENDED = ("ready-pct",), ("spend",), ("attended",)
OPEN_CELLS = {"one_reopened": [E], "several_reopened": [E, PCT, ATTENDED]}


# --- The states ----------------------------------------------------------------------------------


def prepare(mworld, state: str):
    """Partner Org's current year in the given state."""
    if state == "new":
        return None
    submission = mworld.submission("year")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), submit=True)
    if state == "returned":
        services.submission_return(submission=submission, by=mworld.backbone, message="Check it")
    else:
        services.submission_approve(submission=submission, by=mworld.backbone)
        for cell in OPEN_CELLS[state]:
            value = DataValue.objects.get(submission=submission, **_cell_filter(mworld.cell(*cell)))
            services.value_unlock(value=value, by=mworld.backbone, reason=f"Check {cell[0]}")
    submission.refresh_from_db()
    return submission


def _cell_filter(cell) -> dict:
    return {"measure_id": cell[0], "member1_id": cell[1], "member2_id": cell[2]}


def snapshot() -> tuple:
    """Every row the pipeline may write, field by field."""
    return (
        list(DataValue.objects.order_by("pk").values()),
        list(Correction.objects.order_by("pk").values()),
        list(AuditEntry.objects.order_by("pk").values()),
        list(Submission.objects.order_by("pk").values()),
    )


# --- The inputs ----------------------------------------------------------------------------------


@dataclass
class Entry:
    """What the partner does, by cell codes. `empty`: cells emptied without the explicit clear
    choice (the API: an item without a value, or `clear` outside a correction, its only way to
    empty a value); `clear`: the explicit choice (grid checkbox, API `clear: true`)."""

    target: tuple
    expected: list[str]
    values: dict[tuple, str] = field(default_factory=dict)
    comments: dict[tuple, str] = field(default_factory=dict)
    empty: set[tuple] = field(default_factory=set)
    clear: set[tuple] = field(default_factory=set)
    submit: bool = False
    omit: set[tuple] = field(default_factory=set)  # left out of a new grid / API request


def valid_codes(mworld) -> dict[tuple, str]:
    return {E: "110", H: "100", V: "105", PCT: "55.5", SPEND: "1234.50", ATTENDED: "200"}


def build(mworld, state: str, name: str) -> Entry:
    if name == "not_a_number":
        return Entry(E, [NOT_A_NUMBER], values={E: "abc"})
    if name == "negative_count":
        return Entry(E, [NEGATIVE], values={E: "-5"})
    if name == "percent_150":
        return Entry(PCT, [PERCENT], values={PCT: "150"})
    if name == "threshold_without_comment":
        values = {E: "1000"}
        if state == "new":
            values.update({H: "100", V: "105"})  # the threshold needs the whole measure
        return Entry(E, [THRESHOLD], values=values)
    if name == "required_on_submit":
        if state == "new":
            values = {c: v for c, v in valid_codes(mworld).items() if c != ATTENDED}
            return Entry(ATTENDED, [REQUIRED], values=values, submit=True)
        if state == "returned":
            return Entry(ATTENDED, [REQUIRED], empty={ATTENDED}, submit=True)
        return Entry(E, [REQUIRED], clear={E}, submit=True)  # cleared by choice, then submitted
    if name == "clear_without_choice":
        return Entry(E, [WOULD_CLEAR], empty={E})
    if name == "locked_cell":
        return Entry(SPEND, [LOCKED], values={SPEND: "99"})
    if name == "formula_comment":
        return Entry(E, [FORMULA], values={E: "111"}, comments={E: '=HYPERLINK("http://x")'})
    if name == "long_comment":
        return Entry(E, [TOO_LONG], values={E: "111"}, comments={E: "a" * 2001})
    if name == "nul_comment":
        return Entry(E, [NUL], values={E: "111"}, comments={E: "bad\x00comment"})
    raise AssertionError(name)


INPUTS = [
    "not_a_number",
    "negative_count",
    "percent_150",
    "threshold_without_comment",
    "required_on_submit",
    "clear_without_choice",
    "locked_cell",
    "formula_comment",
    "long_comment",
    "nul_comment",
]


def channels_for(state: str, name: str) -> list[str]:
    """The channels that can express the input. Impossible combinations are left out, not skipped:
    * a file cannot submit, nor empty or clear a value (a row without a value is not read);
    * a file cannot carry a NUL (a CSV with one is refused whole, "This is not a text file.";
      an .xlsx cell cannot hold one);
    * the grid cannot send a locked cell (its input is disabled, and the view reads only the open
      cells: test_the_grid_ignores_a_locked_cell_posted_anyway)."""
    channels = list(CHANNELS)
    if name in ("required_on_submit", "clear_without_choice", "nul_comment"):
        channels.remove("file")
    if name == "locked_cell":
        channels.remove("grid")
    return channels


def matrix():
    for state in STATES:
        for name in INPUTS:
            if name in ("clear_without_choice", "locked_cell") and state not in REOPENED:
                continue  # only approved data under correction has approved or locked cells
            if name == "percent_150" and state == "one_reopened":
                continue  # ready-pct is locked there: that is the locked_cell input
            yield pytest.param(state, name, id=f"{state}-{name}")


# --- The channels --------------------------------------------------------------------------------


def entry_url(mworld) -> str:
    p = mworld.periods["year"]
    return reverse(
        "measurement:entry",
        kwargs={
            "slug": mworld.initiative.slug,
            "org": mworld.org.pk,
            "frequency": p.frequency,
            "period": p.code,
        },
    )


def bulk_url(mworld) -> str:
    return f"/api/v1/initiatives/{mworld.initiative.slug}/submissions/bulk/"


def codes(cell: tuple) -> tuple[str, str, str]:
    members = [m.split(":", 1)[1] for m in cell[1:]] + ["", ""]
    return cell[0], members[0], members[1]


def run_grid(client, mworld, entry: Entry):
    """POST the grid as a browser would: the page's fields, with the entry typed in."""
    client.force_login(mworld.partner)
    fields = grid_fields(client.get(entry_url(mworld))).fields
    for cell, text in entry.values.items():
        fields[field_name(mworld.cell(*cell))] = text
    for cell, text in entry.comments.items():
        fields["c" + field_name(mworld.cell(*cell))] = text
    for cell in entry.empty | entry.clear:
        fields[field_name(mworld.cell(*cell))] = ""
    for cell in entry.clear:
        fields["x" + field_name(mworld.cell(*cell))] = "on"
    fields["submit" if entry.submit else "save"] = ""
    return client.post(entry_url(mworld), fields)


def grid_messages(response, mworld, entry: Entry) -> list[str]:
    assert response.status_code == 400, response.status_code
    problems = response.context["problems"]
    return list(problems.cells.get(mworld.cell(*entry.target), []))


def run_file(mworld, entry: Entry):
    """Preview (the verdict shown) then commit (refused as a whole when a row is)."""
    year = mworld.periods["year"].code
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(importer.COLUMNS)
    for cell, text in entry.values.items():
        writer.writerow([*codes(cell)[:1], year, *codes(cell)[1:], text, entry.comments.get(cell, "")])
    job = importer.preview(
        initiative=mworld.initiative,
        organization=mworld.org,
        by=mworld.partner,
        name="data.csv",
        data=buffer.getvalue().encode(),
    )
    return job


def file_messages(job: ImportJob, mworld, entry: Entry) -> list[str]:
    measure, b1, b2 = codes(entry.target)
    (row,) = [r for r in job.rows if (r["measure"], r["breakdown_1"], r["breakdown_2"]) == (measure, b1, b2)]
    assert row["status"] == "reject"
    with pytest.raises(ValidationError, match="rows cannot be imported; nothing was saved"):
        importer.commit(job=job, by=mworld.partner)
    return list(row["reasons"])


def api_items(mworld, entry: Entry, in_correction: bool) -> list[dict]:
    year = mworld.periods["year"].code
    items = []
    for cell in [*entry.values, *sorted(entry.empty | entry.clear)]:
        measure, b1, b2 = codes(cell)
        item = {"measure": measure, "period": year, "breakdown_1": b1, "breakdown_2": b2}
        if cell in entry.values:
            item["value"] = entry.values[cell]
            item["comment"] = entry.comments.get(cell, "")
        elif cell in entry.clear or not in_correction:
            item["clear"] = True  # outside a correction, the API's way to empty a value
        else:
            item["value"] = ""  # emptied without the explicit choice
        items.append(item)
    return items


def run_api(client, mworld, entry: Entry, *, dry_run: bool, in_correction: bool):
    client.force_login(mworld.partner)
    body = {"dry_run": dry_run, "submit": entry.submit, "values": api_items(mworld, entry, in_correction)}
    return client.post(bulk_url(mworld), json.dumps(body), content_type="application/json")


def api_messages(response, mworld, entry: Entry, *, dry_run: bool) -> list[str]:
    body = response.json()
    assert response.status_code == (200 if dry_run else 400), body
    measure, b1, b2 = codes(entry.target)
    rows = [
        r for r in body["rows"] if (r["measure"], r["breakdown_1"], r["breakdown_2"]) == (measure, b1, b2)
    ]
    if rows:
        (row,) = rows
        assert row["status"] == "reject"
        return list(row["reasons"])
    # No item names the cell (a required value left out): the message concerns the period.
    general = body["problems"] if dry_run else body["errors"]["non_field_errors"]
    prefix = f"{period_phrase(mworld.periods['year'].code)} {measure}: "
    found = [m.removeprefix(prefix) for m in general if m.startswith(prefix)]
    assert all(r["status"] == "reject" for r in body["rows"])
    return found


def refused_by(channel: str, client, mworld, entry: Entry, in_correction: bool) -> list[str]:
    if channel == "grid":
        return grid_messages(run_grid(client, mworld, entry), mworld, entry)
    if channel == "file":
        return file_messages(run_file(mworld, entry), mworld, entry)
    dry = channel == "api_dry"
    response = run_api(client, mworld, entry, dry_run=dry, in_correction=in_correction)
    return api_messages(response, mworld, entry, dry_run=dry)


# --- The matrix: refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "name"), list(matrix()))
def test_every_channel_refuses_alike_and_writes_nothing(client, mworld, state, name):
    submission = prepare(mworld, state)
    in_correction = submission is not None and submission.in_correction
    entry = build(mworld, state, name)
    answers = {}
    for channel in channels_for(state, name):
        before = snapshot()
        answers[channel] = refused_by(channel, client, mworld, entry, in_correction)
        assert snapshot() == before, f"{channel} wrote something"
    # The same message from every channel (the API's empty value included: the pipeline answers it).
    assert answers == dict.fromkeys(answers, entry.expected)


# --- The matrix: accepted, with the audit trail exact ---------------------------------------------


def accept_by(channel: str, client, mworld, entry: Entry):
    if channel == "grid":
        response = run_grid(client, mworld, entry)
        assert response.status_code == 302, response.content.decode()[-2000:]
        return None
    if channel == "file":
        job = run_file(mworld, entry)
        assert job.summary.get("reject", 0) == 0, job.rows
        importer.commit(job=job, by=mworld.partner)
        return None
    response = run_api(client, mworld, entry, dry_run=channel == "api_dry", in_correction=False)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("state", STATES)
def test_a_valid_change_is_written_exactly_once_with_its_audit_row(client, mworld, state, channel):
    prepare(mworld, state)
    cell = mworld.cell(*E)
    entry = Entry(E, [], values={E: "111"}, comments={E: "Recount"})
    values_before = {v["id"]: v for v in DataValue.objects.values()}
    audit_before = set(AuditEntry.objects.values_list("pk", flat=True))
    submissions_before = list(Submission.objects.order_by("pk").values("pk", "status", "open_cells"))
    before = snapshot()

    body = accept_by(channel, client, mworld, entry)

    if channel == "api_dry":
        assert snapshot() == before
        (row,) = body["rows"]
        assert (row["status"], row["reasons"]) == ("create" if state == "new" else "update", [])
        return
    submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
    action = AuditAction.IMPORT if channel == "file" else AuditAction.CHANGE
    old = None if state == "new" else Decimal(110)
    if state == "new":
        action = AuditAction.IMPORT if channel == "file" else AuditAction.CREATE
    new_audit = list(
        AuditEntry.objects.exclude(pk__in=audit_before).values_list(
            "submission", "action", "measure", "member1", "member2", "old_value", "new_value", "by", "reason"
        )
    )
    assert new_audit == [(submission.pk, action, *cell, old, Decimal(111), mworld.partner.pk, "")]
    values_after = {v["id"]: v for v in DataValue.objects.values()}
    stored = DataValue.objects.get(submission=submission, **_cell_filter(cell))
    corrections = list(
        Correction.objects.values_list("submission", "measure", "member1", "member2", "value", "comment")
    )
    if state in REOPENED:
        # A correction: the approved rows are untouched, the change waits in a Correction row.
        assert values_after == values_before
        assert corrections == [(submission.pk, *cell, Decimal(111), "Recount")]
    else:
        assert corrections == []
        assert (stored.value, stored.comment, stored.entered_by) == (Decimal(111), "Recount", mworld.partner)
        changed = {pk for pk in values_after if values_after[pk] != values_before.get(pk)}
        assert changed == {stored.pk}
        assert set(values_before) <= set(values_after)
    # No submission changes state by a save.
    after = list(Submission.objects.order_by("pk").values("pk", "status", "open_cells"))
    if state == "new":
        assert after == [*submissions_before, {"pk": submission.pk, "status": "draft", "open_cells": None}]
    else:
        assert after == submissions_before


# --- The grid and locked cells; the headline journey ----------------------------------------------


@pytest.mark.parametrize("state", REOPENED)
def test_the_grid_ignores_a_locked_cell_posted_anyway(client, mworld, state):
    prepare(mworld, state)
    client.force_login(mworld.partner)
    fields = grid_fields(client.get(entry_url(mworld))).fields
    spend = field_name(mworld.cell(*SPEND))
    assert spend not in fields  # disabled: a browser does not send it
    before = snapshot()
    response = client.post(entry_url(mworld), {**fields, spend: "99", "c" + spend: "=1+1", "save": ""})
    assert response.status_code == 302
    values, corrections, audit, _submissions = snapshot()
    assert (values, corrections, audit) == before[:3]


def test_a_reopened_value_refuses_text_then_takes_a_correction_applied_on_approval(client, mworld):
    submission = prepare(mworld, "returned")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year(), submit=True)
    services.submission_approve(submission=submission, by=mworld.backbone)
    attended = mworld.cell(*ATTENDED)
    approved = DataValue.objects.get(submission=submission, **_cell_filter(attended))
    services.value_unlock(value=approved, by=mworld.backbone, reason="Attended looks too high")
    unlock = AuditEntry.objects.get(submission=submission, action=AuditAction.UNLOCK)
    assert (unlock.reason, unlock.old_value, unlock.measure_id) == (
        "Attended looks too high",
        200,
        attended[0],
    )

    client.force_login(mworld.partner)
    page = client.get(entry_url(mworld))
    fields = grid_fields(page).fields
    name = field_name(attended)
    assert [f for f in fields if f.startswith("v")] == [name]  # only the reopened cell is editable
    assert "Attended looks too high" in page.content.decode()

    before = snapshot()
    response = client.post(entry_url(mworld), {**fields, name: "abc", "save": ""})
    assert response.status_code == 400
    assert NOT_A_NUMBER in response.content.decode()
    assert "Nothing was saved: correct the marked cells." in response.content.decode()
    assert snapshot() == before
    approved.refresh_from_db()
    assert approved.value == 200

    response = client.post(entry_url(mworld), {**fields, name: "190", "c" + name: "Recounted", "submit": ""})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.value == 200  # still the approved value, which every figure reads
    assert list(Correction.objects.values_list("value", "comment")) == [(Decimal(190), "Recounted")]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.in_correction
    trail = list(
        AuditEntry.objects.filter(submission=submission, pk__gt=unlock.pk)
        .order_by("pk")
        .values_list("action", "measure", "old_value", "new_value", "by")
    )
    assert trail == [
        (AuditAction.CHANGE, attended[0], Decimal(200), Decimal(190), mworld.partner.pk),
        (AuditAction.SUBMIT, None, None, None, mworld.partner.pk),
    ]

    services.submission_approve(submission=submission, by=mworld.backbone)
    approved.refresh_from_db()
    assert (approved.value, approved.comment) == (Decimal(190), "Recounted")
    assert not Correction.objects.exists()
    assert DataValue.objects.filter(submission=submission).count() == 6
