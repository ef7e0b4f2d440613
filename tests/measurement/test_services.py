"""Writes of shared measurement: saving values (whole or not at all, audited), the review
workflow, set-up by the backbone, and writes whose query count does not grow with the data."""

import functools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from measurement import selectors, services
from measurement.aggregation import runs
from measurement.choices import AuditAction, Frequency, SubmissionStatus
from measurement.models import AuditEntry, DataValue, ReportingPeriod, Submission
from measurement.signals import submission_changed
from tests.queries import assert_max_queries, assert_num_queries, count_queries

from ..permission_matrix import module_world
from .conftest import RULE_MESSAGE, build_mworld, make_measure

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)


def stored(submission) -> dict:
    return {(v.measure_id, v.member1_id, v.member2_id): v.value for v in submission.values.all()}


def audit(submission, *actions) -> list:
    rows = AuditEntry.objects.filter(submission=submission).order_by("id")
    if actions:
        rows = rows.filter(action__in=actions)
    return list(
        rows.values_list("action", "measure_id", "member1_id", "old_value", "new_value", "by__username")
    )


def snapshot() -> tuple:
    return (
        list(DataValue.objects.order_by("id").values_list("id", "value", "comment")),
        AuditEntry.objects.count(),
        list(Submission.objects.order_by("id").values_list("id", "status")),
    )


@pytest.fixture
def draft(mworld):
    """Partner Org's current year, opened by its contributor."""
    return mworld.submission("year", by=mworld.partner)


def save(mworld, submission, raw, *, by=None, **kwargs):
    return services.values_save(submission=submission, by=by or mworld.partner, raw=raw, **kwargs)


class TestValuesSave:
    def test_creates_every_value_with_an_audit_row(self, mworld, draft):
        result = save(mworld, draft, mworld.valid_year())
        assert (result.created, result.updated, result.deleted, result.submitted) == (6, 0, 0, False)
        assert stored(draft) == {
            mworld.cell("enrolled", "area:dalet"): Decimal(110),
            mworld.cell("enrolled", "area:hey"): Decimal(100),
            mworld.cell("enrolled", "area:vav"): Decimal(105),
            mworld.cell("ready-pct"): Decimal("55.5"),
            mworld.cell("spend"): Decimal("1234.5"),
            mworld.cell("attended"): Decimal(200),
        }
        value = DataValue.objects.get(submission=draft, measure=mworld.measures["spend"])
        assert (value.organization, value.period, value.entered_by) == (
            mworld.org,
            mworld.periods["year"],
            mworld.partner,
        )
        rows = audit(draft)
        assert len(rows) == 6
        assert {r[0] for r in rows} == {AuditAction.CREATE}
        assert (
            AuditAction.CREATE,
            mworld.measures["spend"].pk,
            None,
            None,
            Decimal("1234.5"),
            "partner",
        ) in rows
        draft.refresh_from_db()
        assert draft.status == SubmissionStatus.DRAFT

    def test_a_change_is_audited_with_old_and_new_value(self, mworld, draft):
        save(mworld, draft, mworld.valid_year())
        dalet = mworld.cell("enrolled", "area:dalet")
        result = save(mworld, draft, mworld.valid_year({dalet: "111"}))
        assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 1, 0, 5)
        assert stored(draft)[dalet] == Decimal(111)
        assert audit(draft, AuditAction.CHANGE) == [
            (AuditAction.CHANGE, dalet[0], dalet[1], Decimal(110), Decimal(111), "partner")
        ]

    def test_saving_the_same_values_again_changes_nothing(self, mworld, draft):
        save(mworld, draft, mworld.valid_year())
        before = snapshot()
        result = save(mworld, draft, mworld.valid_year())
        assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 6)
        assert snapshot()[:2] == before[:2]

    def test_an_emptied_cell_is_cleared_and_audited(self, mworld, draft):
        save(mworld, draft, mworld.valid_year())
        spend = mworld.cell("spend")
        result = save(mworld, draft, mworld.valid_year({spend: ""}))
        assert result.deleted == 1
        assert spend not in stored(draft)
        assert audit(draft, AuditAction.DELETE) == [
            (AuditAction.DELETE, spend[0], None, Decimal("1234.5"), None, "partner")
        ]

    def test_without_replace_cells_not_mentioned_keep_their_value(self, mworld, draft):
        save(mworld, draft, mworld.valid_year())
        result = save(mworld, draft, {mworld.cell("spend"): "99"}, replace=False)
        assert (result.created, result.updated, result.deleted) == (0, 1, 0)
        assert len(stored(draft)) == 6

    def test_a_comment_is_stored_with_the_value(self, mworld, draft):
        spend = mworld.cell("spend")
        save(mworld, draft, mworld.valid_year(), comments={spend: "  Audited accounts.  "})
        assert DataValue.objects.get(submission=draft, measure_id=spend[0]).comment == "Audited accounts."
        save(mworld, draft, mworld.valid_year(), comments={spend: "Draft accounts."})
        assert DataValue.objects.get(submission=draft, measure_id=spend[0]).comment == "Draft accounts."

    @pytest.mark.parametrize(
        ("code", "typed", "message"),
        [
            ("enrolled", "12.5", "Enter a whole number."),
            ("ready-pct", "101", "Enter a percentage between 0 and 100."),
            ("spend", "-1", "The lowest valid value is 0."),
            ("spend", "2000000", "The highest valid value is 1000000."),
            ("attended", "=A1*2", "Formulas are not accepted; enter the number itself."),
            ("attended", "two hundred", "“two hundred” is not a number."),
        ],
    )
    def test_nothing_is_stored_when_any_cell_is_invalid(self, mworld, draft, code, typed, message):
        save(mworld, draft, mworld.valid_year())
        before = snapshot()
        target = mworld.cell(code, "area:hey") if code == "enrolled" else mworld.cell(code)
        raw = mworld.valid_year({target: typed, mworld.cell("enrolled", "area:dalet"): "120"})
        with pytest.raises(services.EntryInvalid) as info:
            save(mworld, draft, raw)
        assert info.value.problems.cells == {target: [message]}
        assert snapshot() == before  # the valid change to dalet was not stored either

    def test_a_broken_rule_refuses_the_entry(self, mworld, draft):
        with pytest.raises(services.EntryInvalid) as info:
            save(mworld, draft, mworld.valid_year({mworld.cell("attended"): "316"}))
        assert info.value.problems.cells == {mworld.cell("attended"): [RULE_MESSAGE]}
        assert not DataValue.objects.filter(submission=draft).exists()
        save(mworld, draft, mworld.valid_year({mworld.cell("attended"): "315"}))

    def test_a_large_change_from_last_year_needs_a_comment(self, mworld, draft):
        # Last year's approved total is 300; 460 is +53 %.
        raw = mworld.valid_year({mworld.cell("enrolled", "area:dalet"): "255"})
        with pytest.raises(services.EntryInvalid) as info:
            save(mworld, draft, raw)
        assert info.value.problems.cells == {
            mworld.cell("enrolled", "area:dalet"): [
                "53% change from the previous period (over 50%): add a comment."
            ]
        }
        save(mworld, draft, raw, comments={mworld.cell("enrolled", "area:vav"): "A new kindergarten opened."})
        assert DataValue.objects.filter(submission=draft).count() == 6

    def test_submit_needs_every_required_cell(self, mworld, draft):
        raw = mworld.valid_year({mworld.cell("enrolled", "area:vav"): "", mworld.cell("spend"): ""})
        with pytest.raises(services.EntryInvalid) as info:
            save(mworld, draft, raw, submit=True)
        # spend is optional; vav is required.
        assert info.value.problems.cells == {mworld.cell("enrolled", "area:vav"): ["Required."]}
        draft.refresh_from_db()
        assert draft.status == SubmissionStatus.DRAFT
        assert not AuditEntry.objects.filter(submission=draft).exists()
        # The same values are fine as a draft.
        assert save(mworld, draft, raw).created == 4

    def test_submit_sets_the_status_and_is_audited(self, mworld, draft):
        result = save(mworld, draft, mworld.valid_year(), submit=True)
        assert result.submitted
        draft.refresh_from_db()
        assert (draft.status, draft.submitted_by) == (SubmissionStatus.SUBMITTED, mworld.partner)
        assert draft.submitted_at is not None
        assert draft.is_locked
        assert audit(draft, AuditAction.SUBMIT) == [(AuditAction.SUBMIT, None, None, None, None, "partner")]
        assert len(audit(draft, AuditAction.CREATE)) == 6

    @pytest.mark.parametrize("then_approve", [False, True])
    def test_submitted_and_approved_data_is_locked(self, mworld, draft, then_approve):
        save(mworld, draft, mworld.valid_year(), submit=True)
        if then_approve:
            services.submission_approve(submission=draft, by=mworld.backbone)
        before = snapshot()
        for who in (mworld.partner, mworld.backbone):
            with pytest.raises(ValidationError, match="locked; the backbone staff can unlock it"):
                save(mworld, draft, mworld.valid_year({mworld.cell("spend"): "1"}), by=who)
        assert snapshot() == before

    def test_a_closed_window_refuses_partners_but_not_the_backbone(self, mworld):
        closed = mworld.submission("quarter_closed", by=mworld.partner)
        cell = mworld.cell("sessions", "area:dalet", "gender:girls")
        with pytest.raises(ValidationError, match=r"closed for data on .*; ask the backbone staff"):
            save(mworld, closed, {cell: "4"}, replace=False)
        assert not DataValue.objects.filter(submission=closed).exists()
        save(mworld, closed, {cell: "4"}, replace=False, by=mworld.backbone)
        assert stored(closed) == {cell: Decimal(4)}

    def test_a_period_not_open_yet_refuses_partners(self, mworld, draft):
        ReportingPeriod.objects.filter(pk=draft.period_id).update(
            opens_on=timezone.localdate() + timedelta(days=3)
        )
        with pytest.raises(ValidationError, match="is not open for data yet"):
            save(mworld, draft, mworld.valid_year())

    def test_another_organisations_submission_is_refused(self, mworld):
        before = snapshot()
        b = mworld.b_submission
        # Even a draft of Partner B's (this one is submitted) is closed to everyone but B and the backbone.
        Submission.objects.filter(pk=b.pk).update(status=SubmissionStatus.DRAFT)
        for who in (mworld.partner, mworld.world.people["steering"], mworld.world.people["viewer"]):
            with pytest.raises(PermissionDenied):
                save(mworld, b, {mworld.cell("pop-rate"): "1"}, by=who, replace=False)
        assert snapshot()[:2] == before[:2]
        with pytest.raises(PermissionDenied):
            services.submission_for(
                initiative=mworld.initiative, organization=mworld.org_b, period=b.period, by=mworld.partner
            )

    def test_a_period_of_another_initiative_is_refused(self, mworld):
        other = ReportingPeriod.objects.create(
            initiative=mworld.world.other,
            frequency=Frequency.YEARLY,
            code="2026",
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            opens_on=date(2026, 1, 1),
            closes_on=date(2030, 1, 1),
            due_on=date(2027, 1, 15),
        )
        with pytest.raises(PermissionDenied):
            services.submission_for(
                initiative=mworld.initiative, organization=mworld.org, period=other, by=mworld.backbone
            )

    def test_values_of_a_measure_no_longer_in_the_data_set_are_kept(self, mworld, draft):
        save(mworld, draft, mworld.valid_year())
        # The backbone takes "spend" out of Partner Org's data set.
        pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
        pairs.discard((mworld.org.pk, mworld.measures["spend"].pk))
        services.assignments_set(initiative=mworld.initiative, by=mworld.backbone, pairs=pairs)
        spend = mworld.cell("spend")
        raw = mworld.valid_year()
        del raw[spend]
        # The grid, which no longer shows it, must not clear it; a partial save must not trip on it.
        result = save(mworld, draft, raw)
        assert (result.deleted, result.unchanged) == (0, 5)
        save(mworld, draft, {mworld.cell("attended"): "201"}, replace=False)
        assert stored(draft)[spend] == Decimal("1234.5")
        assert not audit(draft, AuditAction.DELETE)


class TestReview:
    @pytest.fixture
    def submitted(self, mworld, draft):
        save(mworld, draft, mworld.valid_year(), submit=True)
        return draft

    def test_approve(self, mworld, submitted, django_capture_on_commit_callbacks):
        sent = []

        def receiver(sender, submission, action, **kwargs):
            sent.append((submission.pk, action))

        submission_changed.connect(receiver)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                approved = services.submission_approve(submission=submitted, by=mworld.backbone)
        finally:
            submission_changed.disconnect(receiver)
        assert approved.status == SubmissionStatus.APPROVED
        submitted.refresh_from_db()
        assert (submitted.status, submitted.reviewed_by) == (SubmissionStatus.APPROVED, mworld.backbone)
        assert submitted.reviewed_at is not None
        assert audit(submitted, AuditAction.APPROVE) == [
            (AuditAction.APPROVE, None, None, None, None, "backbone")
        ]
        assert sent == [(submitted.pk, AuditAction.APPROVE)]

    def test_the_pending_marks_are_written_with_the_approval(
        self, mworld, submitted, monkeypatch, django_capture_on_commit_callbacks
    ):
        """The aggregates' pending marks commit or roll back with the approval; the recompute is
        queued only once it has committed."""
        from django.db import transaction

        import ci_platform.celery
        from measurement.models import DirtyAggregate

        queued = []
        monkeypatch.setattr(ci_platform.celery, "enqueue", lambda task, *args: queued.append(args))
        pending = DirtyAggregate.objects.filter(period=submitted.period, applied_at=None)

        class Abandoned(Exception):
            pass

        with pytest.raises(Abandoned), transaction.atomic():
            services.submission_approve(submission=submitted, by=mworld.backbone)
            assert pending.exists()  # written inside the approval's transaction
            raise Abandoned
        submitted.refresh_from_db()
        assert submitted.status == SubmissionStatus.SUBMITTED
        assert not pending.exists() and queued == []

        with django_capture_on_commit_callbacks(execute=True):  # the test's transaction "commits"
            services.submission_approve(submission=submitted, by=mworld.backbone)
            assert queued == []  # not before the commit
        measures = sorted(runs.measures_of_submission(submitted))
        assert len(measures) >= 3
        assert sorted(pending.values_list("measure_id", flat=True)) == measures
        assert queued == [(mworld.initiative.pk, queued[0][1], submitted.period_id)]
        assert sorted(queued[0][1]) == measures

    @pytest.mark.parametrize("persona", ["partner", "steering", "viewer"])
    def test_only_the_backbone_reviews(self, mworld, submitted, persona):
        who = mworld.world.people[persona]
        with pytest.raises(PermissionDenied):
            services.submission_approve(submission=submitted, by=who)
        with pytest.raises(PermissionDenied):
            services.submission_return(submission=submitted, by=who, message="Fix it")
        with pytest.raises(PermissionDenied):
            services.submission_unlock(submission=mworld.closed_submission, by=who, reason="Typo")
        submitted.refresh_from_db()
        assert submitted.status == SubmissionStatus.SUBMITTED
        assert not audit(submitted, AuditAction.APPROVE, AuditAction.RETURN, AuditAction.UNLOCK)

    def test_a_draft_cannot_be_approved_returned_or_unlocked(self, mworld, draft):
        with pytest.raises(ValidationError, match="A submission that is draft cannot be approved."):
            services.submission_approve(submission=draft, by=mworld.backbone)
        with pytest.raises(ValidationError, match="cannot be returned"):
            services.submission_return(submission=draft, by=mworld.backbone, message="Why?")
        with pytest.raises(ValidationError, match="cannot be unlocked"):
            services.submission_unlock(submission=draft, by=mworld.backbone, reason="Why?")
        draft.refresh_from_db()
        assert draft.status == SubmissionStatus.DRAFT
        assert not AuditEntry.objects.filter(submission=draft).exists()

    def test_approved_cannot_be_approved_again_and_submitted_cannot_be_unlocked(self, mworld, submitted):
        with pytest.raises(ValidationError, match="cannot be unlocked"):
            services.submission_unlock(submission=submitted, by=mworld.backbone, reason="x")
        services.submission_approve(submission=submitted, by=mworld.backbone)
        with pytest.raises(ValidationError, match="approved cannot be approved"):
            services.submission_approve(submission=submitted, by=mworld.backbone)

    def test_return_with_a_message_reopens_it_for_the_partner(self, mworld, submitted):
        services.submission_return(submission=submitted, by=mworld.backbone, message="  Check vav.  ")
        submitted.refresh_from_db()
        assert (submitted.status, submitted.message) == (SubmissionStatus.RETURNED, "Check vav.")
        assert not submitted.is_locked
        assert AuditEntry.objects.get(submission=submitted, action=AuditAction.RETURN).reason == "Check vav."
        # The partner corrects and submits again.
        vav = mworld.cell("enrolled", "area:vav")
        save(mworld, submitted, mworld.valid_year({vav: "106"}), submit=True)
        submitted.refresh_from_db()
        assert submitted.status == SubmissionStatus.SUBMITTED
        assert stored(submitted)[vav] == Decimal(106)

    def test_return_needs_a_message(self, mworld, submitted):
        with pytest.raises(ValidationError) as info:
            services.submission_return(submission=submitted, by=mworld.backbone, message="   ")
        assert info.value.message_dict == {"message": ["Tell the organization what to fix."]}
        submitted.refresh_from_db()
        assert submitted.status == SubmissionStatus.SUBMITTED

    def test_approved_data_can_be_returned(self, mworld, submitted):
        services.submission_approve(submission=submitted, by=mworld.backbone)
        services.submission_return(submission=submitted, by=mworld.backbone, message="A late correction.")
        submitted.refresh_from_db()
        assert submitted.status == SubmissionStatus.RETURNED

    def test_unlock_needs_a_reason_and_reopens_approved_data(self, mworld):
        closed = mworld.closed_submission
        with pytest.raises(ValidationError) as info:
            services.submission_unlock(submission=closed, by=mworld.backbone, reason="")
        assert "reason" in info.value.message_dict
        closed.refresh_from_db()
        assert closed.status == SubmissionStatus.APPROVED

        services.submission_unlock(submission=closed, by=mworld.backbone, reason="Dalet was double counted.")
        closed.refresh_from_db()
        assert closed.status == SubmissionStatus.DRAFT
        unlock = AuditEntry.objects.get(submission=closed, action=AuditAction.UNLOCK)
        assert (unlock.reason, unlock.by) == ("Dalet was double counted.", mworld.backbone)

    def test_changes_since_approval(self, mworld, draft):
        assert selectors.changes_since_approval(draft) == []  # never approved
        closed = mworld.closed_submission
        assert selectors.changes_since_approval(closed) == []
        services.submission_unlock(submission=closed, by=mworld.backbone, reason="Correction")
        dalet = mworld.cell("enrolled", "area:dalet")
        # The window is closed, but the backbone reopened the data for correction: the partner may
        # correct it (a draft never approved stays closed: test_a_closed_window_refuses_partners…).
        save(mworld, closed, {dalet: "90", mworld.cell("spend"): "10"}, replace=False)
        changes = selectors.changes_since_approval(closed)
        assert [(c.action, c.measure.code, c.old_value, c.new_value) for c in changes] == [
            (AuditAction.CHANGE, "enrolled", Decimal(100), Decimal(90)),
            (AuditAction.CREATE, "spend", None, Decimal(10)),
        ]
        assert (changes[0].member1.code, changes[0].by) == ("dalet", mworld.partner)
        save(mworld, closed, {}, replace=False, submit=True, by=mworld.backbone)
        services.submission_approve(submission=closed, by=mworld.backbone)
        assert selectors.changes_since_approval(closed) == []

    def test_the_whole_history_is_in_the_audit_trail(self, mworld, submitted):
        services.submission_return(submission=submitted, by=mworld.backbone, message="Check")
        save(mworld, submitted, mworld.valid_year({mworld.cell("attended"): "201"}), submit=True)
        services.submission_approve(submission=submitted, by=mworld.backbone)
        services.submission_unlock(submission=submitted, by=mworld.backbone, reason="Late fix")
        actions = list(
            AuditEntry.objects.filter(submission=submitted).order_by("id").values_list("action", flat=True)
        )
        assert actions == [
            *[AuditAction.CREATE] * 6,
            AuditAction.SUBMIT,
            AuditAction.RETURN,
            AuditAction.CHANGE,
            AuditAction.SUBMIT,
            AuditAction.APPROVE,
            AuditAction.UNLOCK,
        ]


class TestSetUp:
    def test_periods_ensure_creates_the_missing_periods_with_their_windows(self, mworld):
        by, initiative = mworld.backbone, mworld.initiative
        created = services.periods_ensure(
            initiative=initiative,
            by=by,
            frequency=Frequency.MONTHLY,
            first=date(2030, 1, 15),
            last=date(2030, 3, 1),
            grace_days=10,
            due_days=5,
        )
        assert [p.code for p in created] == ["2030-01", "2030-02", "2030-03"]
        feb = ReportingPeriod.objects.get(initiative=initiative, code="2030-02")
        assert (feb.start, feb.end, feb.opens_on, feb.closes_on, feb.due_on) == (
            date(2030, 2, 1),
            date(2030, 2, 28),
            date(2030, 2, 1),
            date(2030, 3, 10),
            date(2030, 3, 5),
        )
        again = services.periods_ensure(
            initiative=initiative,
            by=by,
            frequency=Frequency.MONTHLY,
            first=date(2030, 1, 1),
            last=date(2030, 4, 1),
        )
        assert [p.code for p in again] == ["2030-04"]
        assert ReportingPeriod.objects.filter(initiative=initiative, frequency=Frequency.MONTHLY).count() == 4

    def test_periods_ensure_refuses_bad_ranges_and_non_backbone(self, mworld):
        count = ReportingPeriod.objects.count()
        kwargs = {"initiative": mworld.initiative, "frequency": Frequency.MONTHLY}
        with pytest.raises(ValidationError) as info:
            services.periods_ensure(
                by=mworld.backbone, first=date(2030, 2, 1), last=date(2030, 1, 1), **kwargs
            )
        assert "last" in info.value.message_dict
        with pytest.raises(ValidationError, match="more than 240 periods"):
            services.periods_ensure(
                by=mworld.backbone, first=date(2000, 1, 1), last=date(2030, 1, 1), **kwargs
            )
        with pytest.raises(PermissionDenied):
            services.periods_ensure(
                by=mworld.partner, first=date(2030, 1, 1), last=date(2030, 2, 1), **kwargs
            )
        assert ReportingPeriod.objects.count() == count

    def test_assignments_set_adds_and_removes(self, mworld):
        current = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
        spend = (mworld.org.pk, mworld.measures["spend"].pk)
        new = (mworld.org_b.pk, mworld.measures["spend"].pk)
        added, removed = services.assignments_set(
            initiative=mworld.initiative, by=mworld.backbone, pairs=(current - {spend}) | {new}
        )
        assert (added, removed) == (1, 1)
        after = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
        assert after == (current - {spend}) | {new}

    def test_assignments_set_refuses_foreign_organisations_and_measures(self, mworld):
        current = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
        foreign_measure = make_measure(mworld.world.other, mworld.world.people["other_member"], "theirs")
        outsider_org = mworld.world.orgs["other"]  # takes part in the other initiative only
        for pair in ((outsider_org.pk, mworld.measures["spend"].pk), (mworld.org.pk, foreign_measure.pk)):
            with pytest.raises(ValidationError, match="not part of this initiative"):
                services.assignments_set(
                    initiative=mworld.initiative, by=mworld.backbone, pairs=current | {pair}
                )
        with pytest.raises(PermissionDenied):
            services.assignments_set(initiative=mworld.initiative, by=mworld.partner, pairs=set())
        assert set(mworld.initiative.assignments.values_list("organization_id", "measure_id")) == current

    def test_measure_save_refuses_a_breakdown_change_once_values_exist(self, mworld):
        enrolled = mworld.measures["enrolled"]
        for dims in (
            [],
            [mworld.dimensions["gender"]],
            [mworld.dimensions["area"], mworld.dimensions["gender"]],
        ):
            with pytest.raises(ValidationError) as info:
                services.measure_save(
                    initiative=mworld.initiative, by=mworld.backbone, measure=enrolled, dimensions=dims
                )
            assert "dimension_1" in info.value.message_dict
        assert [d.dimension.code for d in enrolled.measure_dimensions.all()] == ["area"]
        # Other changes to a measure with data are fine.
        services.measure_save(
            initiative=mworld.initiative,
            by=mworld.backbone,
            measure=enrolled,
            dimensions=[mworld.dimensions["area"]],
            targets={"2027": Decimal(400)},
            name_en="Children enrolled",
        )
        enrolled.refresh_from_db()
        assert enrolled.name_en == "Children enrolled"
        assert [(t.period_code, t.value) for t in enrolled.targets.all()] == [("2027", Decimal(400))]

    def test_measure_save_may_change_the_breakdown_of_a_measure_without_values(self, mworld):
        spend = mworld.measures["spend"]
        assert not spend.values.exists()
        services.measure_save(
            initiative=mworld.initiative,
            by=mworld.backbone,
            measure=spend,
            dimensions=[mworld.dimensions["gender"], mworld.dimensions["area"]],
        )
        assert [(d.position, d.dimension.code) for d in spend.measure_dimensions.all()] == [
            (1, "gender"),
            (2, "area"),
        ]
        with pytest.raises(PermissionDenied):
            services.measure_save(initiative=mworld.initiative, by=mworld.partner, measure=spend)


class TestBulkWrites:
    """A grid of any size is written with the same handful of queries (never one per value)."""

    def grid(self, mworld, code: str, rows: int, columns: int):
        by = mworld.backbone
        dims = [
            services.dimension_create(
                initiative=mworld.initiative,
                by=by,
                code=f"{code}-{axis}",
                name_en=axis,
                name_he="",
                members=[(f"{axis}{i}", f"{axis} {i}", "") for i in range(n)],
            )
            for axis, n in (("r", rows), ("c", columns))
        ]
        measure = make_measure(mworld.initiative, by, code, dimensions=dims, frequency=Frequency.QUARTERLY)
        pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
        services.assignments_set(
            initiative=mworld.initiative, by=by, pairs=pairs | {(mworld.org.pk, measure.pk)}
        )
        return measure

    def test_the_query_count_does_not_grow_with_the_cells(self, mworld):
        small = self.grid(mworld, "small", 2, 2)
        big = self.grid(mworld, "big", 40, 30)
        submission = mworld.submission("quarter", by=mworld.partner)
        grids = {
            g.measure.code: g for g in selectors.dataset(mworld.initiative, mworld.org, submission.period)
        }
        few = [(small.pk, *cell) for cell in grids["small"].cells]
        many = [(big.pk, *cell) for cell in grids["big"].cells]
        assert (len(few), len(many)) == (4, 1200)

        # Creating 4 values, then 1,200 more: the same queries.
        save = functools.partial(services.values_save, submission=submission, by=mworld.partner)
        creating_few = len(count_queries(lambda: save(raw=dict.fromkeys(few, "1"))))
        with assert_num_queries(creating_few):
            save(raw={**dict.fromkeys(few, "1"), **dict.fromkeys(many, "2")})
        assert DataValue.objects.filter(submission=submission).count() == 1204
        assert AuditEntry.objects.filter(submission=submission, action=AuditAction.CREATE).count() == 1204
        # Changing all 1,204 adds one UPDATE; clearing them all one DELETE (instead of the INSERT).
        with assert_max_queries(creating_few + 1):
            save(raw=dict.fromkeys(few + many, "3"))
        assert set(DataValue.objects.filter(submission=submission).values_list("value", flat=True)) == {
            Decimal(3)
        }
        assert AuditEntry.objects.filter(submission=submission, action=AuditAction.CHANGE).count() == 1204
        with assert_max_queries(creating_few):
            save(raw={})
        assert not DataValue.objects.filter(submission=submission).exists()
        assert AuditEntry.objects.filter(submission=submission, action=AuditAction.DELETE).count() == 1204
