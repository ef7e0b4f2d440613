"""Writes of shared measurement. Every path that stores values (grid, file, API) goes through
`values_save`, which validates the whole entry first and writes in bulk, with an audit row per
change, or writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives import permissions as initiative_permissions
from initiatives.models import Initiative, Organization

from . import bulk, permissions, selectors
from .choices import AuditAction, SubmissionStatus
from .models import (
    Assignment,
    AuditEntry,
    DataValue,
    Dimension,
    DimensionMember,
    MeasureDimension,
    MeasurementSettings,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    Target,
)
from .periods import periods_between
from .validation import Cell, Problems, validate_entry


class EntryInvalid(Exception):
    """The entry has problems; nothing was stored. `problems` says which, per cell."""

    def __init__(self, problems: Problems):
        super().__init__("; ".join(problems.messages()[:5]))
        self.problems = problems


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    submitted: bool = False


def _require_manage(user, initiative: Initiative) -> None:
    if not initiative_permissions.can_manage(user, initiative):
        raise PermissionDenied


# --- Set-up by the backbone ------------------------------------------------------------------


@transaction.atomic
def measurement_settings_update(*, initiative: Initiative, by, **fields) -> MeasurementSettings:
    _require_manage(by, initiative)
    settings, _created = MeasurementSettings.objects.update_or_create(initiative=initiative, defaults=fields)
    return settings


@transaction.atomic
def periods_ensure(
    *,
    initiative: Initiative,
    by,
    frequency: str,
    first: date,
    last: date,
    grace_days: int = 30,
    due_days: int = 15,
) -> list[ReportingPeriod]:
    """Create the reporting periods of a frequency between two dates (existing ones are kept).

    Data for a period is accepted from its end until `grace_days` later, and due `due_days` after it ends.
    """
    _require_manage(by, initiative)
    if last < first:
        raise ValidationError({"last": _("The last date is before the first.")})
    spans = periods_between(frequency, first, last)
    if len(spans) > 240:
        raise ValidationError(_("That is more than 240 periods at once; choose a shorter range."))
    existing = set(initiative.periods.filter(frequency=frequency).values_list("code", flat=True))
    created = ReportingPeriod.objects.bulk_create(
        ReportingPeriod(
            initiative=initiative,
            frequency=frequency,
            code=span.code,
            start=span.start,
            end=span.end,
            opens_on=span.start,
            closes_on=span.end + timedelta(days=grace_days),
            due_on=span.end + timedelta(days=due_days),
        )
        for span in spans
        if span.code not in existing
    )
    return created


@transaction.atomic
def assignments_set(*, initiative: Initiative, by, pairs: set[tuple[int, int]]) -> tuple[int, int]:
    """Make the data sets exactly these (organization_id, measure_id) pairs. Returns (added, removed)."""
    _require_manage(by, initiative)
    org_ids = set(initiative.participations.values_list("organization_id", flat=True))
    measure_ids = set(initiative.measures.values_list("id", flat=True))
    if any(o not in org_ids or m not in measure_ids for o, m in pairs):
        raise ValidationError(_("An organization or measure is not part of this initiative."))
    current = set(
        Assignment.objects.filter(initiative=initiative).values_list("organization_id", "measure_id")
    )
    to_add, to_remove = pairs - current, current - pairs
    Assignment.objects.bulk_create(
        Assignment(initiative=initiative, organization_id=o, measure_id=m) for o, m in sorted(to_add)
    )
    for o, m in to_remove:
        Assignment.objects.filter(initiative=initiative, organization_id=o, measure_id=m).delete()
    return len(to_add), len(to_remove)


# --- Entry by partners ------------------------------------------------------------------------


def submission_for(
    *, initiative: Initiative, organization: Organization, period: ReportingPeriod, by
) -> Submission:
    """The organisation's submission for the period, created as a draft when first opened."""
    if period.initiative_id != initiative.pk:
        raise PermissionDenied
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    submission, _created = Submission.objects.get_or_create(
        organization=organization, period=period, defaults={"initiative": initiative}
    )
    # The objects in hand, so that the pages and the save do not read them again.
    submission.organization, submission.period = organization, period
    if submission.initiative_id == initiative.pk:
        submission.initiative = initiative
    return submission


def window_problem(period: ReportingPeriod, today: date | None = None) -> str | None:
    today = today or timezone.localdate()
    if today < period.opens_on:
        return _("Period %(period)s is not open for data yet (from %(date)s).") % {
            "period": period.code,
            "date": period.opens_on.isoformat(),
        }
    if today > period.closes_on:
        return _("Period %(period)s closed for data on %(date)s; ask the backbone staff.") % {
            "period": period.code,
            "date": period.closes_on.isoformat(),
        }
    return None


@transaction.atomic
def values_save(
    *,
    submission: Submission,
    by,
    raw: dict[Cell, object],
    comments: dict[Cell, str] | None = None,
    submit: bool = False,
    replace: bool = True,
    action: str = AuditAction.CHANGE,
    grid: list[selectors.GridMeasure] | None = None,
) -> SaveResult:
    """Store one organisation-period's values, whole.

    `raw` holds what was typed per cell. With `replace`, cells missing from `raw` are cleared (the
    grid sends every cell); without it (file import, API), cells not mentioned keep their value.
    Raises EntryInvalid with every problem found, before anything is written. `grid` is the
    period's data set when the caller has just read it (selectors.dataset).
    """
    initiative = submission.initiative
    if not permissions.can_enter(by, initiative, submission.organization):
        raise PermissionDenied
    submission = (
        # of=("self",): the submission's row only. Without it PostgreSQL also locked the joined
        # period row, which every organisation's submission for that month shares, so that the
        # partners' saves waited for each other (seen in the load test's lock-wait log).
        Submission.objects.select_for_update(of=("self",))
        .select_related("period", "organization")
        .get(pk=submission.pk)
    )
    if submission.is_locked:
        raise ValidationError(
            _("This submission is %(status)s and locked; the backbone staff can unlock it.")
            % {"status": submission.get_status_display().lower()}
        )
    reviewer = permissions.can_review(by, initiative)
    if not reviewer and (problem := window_problem(submission.period)):
        raise ValidationError(problem)

    # A NUL character cannot be stored in PostgreSQL text: dropped rather than fail the save.
    comments = {cell: (text or "").replace("\x00", "") for cell, text in (comments or {}).items()}
    if grid is None:
        grid = selectors.dataset(initiative, submission.organization, submission.period)
    specs = selectors.specs_of(grid)
    # Values outside the current data set (a measure since unassigned or ended) are left as they
    # are: the grid does not show them, so it must neither clear them nor trip over them.
    stored = {
        cell: value
        for cell, value in selectors.stored_values(submission).items()
        if cell[0] in specs and cell[1:] in specs[cell[0]].cells
    }
    merged_raw = dict(raw)
    merged_comments = dict(comments)
    if not replace:
        for cell, value in stored.items():
            merged_raw.setdefault(cell, value.value)
            merged_comments.setdefault(cell, value.comment)
    values, problems = validate_entry(
        specs=specs,
        raw=merged_raw,
        comments=merged_comments,
        previous_totals=selectors.previous_totals(submission.organization, submission.period, specs),
        rules=selectors.rules_of(initiative),
        submitting=submit,
    )
    if submission.open_cells is not None:
        problems = _closed_cells(submission, values, merged_comments, stored, replace)
        if problems:
            raise EntryInvalid(problems)
    if problems:
        raise EntryInvalid(problems)

    result = write_values(
        submission=submission,
        by=by,
        values=values,
        comments=merged_comments,
        stored=stored,
        replace=replace,
        action=action,
    )
    update_fields = ["updated_at"]
    if submit:
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at, submission.submitted_by = timezone.now(), by
        update_fields += ["status", "submitted_at", "submitted_by"]
        AuditEntry.objects.create(
            initiative=initiative,
            organization=submission.organization,
            submission=submission,
            action=AuditAction.SUBMIT,
            by=by,
        )
        result.submitted = True
    submission.save(update_fields=update_fields)
    return result


def changed_cells(values: dict, comments: dict, stored: dict, replace: bool) -> set:
    """The cells whose value or comment a write would create, change or clear."""
    changed = {
        cell
        for cell, number in values.items()
        if cell not in stored
        or stored[cell].value != number
        or stored[cell].comment != (comments.get(cell) or "").strip()[:2000]
    }
    if replace:
        changed |= {cell for cell in stored if cell not in values}
    return changed


def _closed_cells(submission: Submission, values, comments, stored, replace: bool) -> Problems:
    problems = Problems()
    for cell in changed_cells(values, comments, stored, replace):
        if not submission.is_open(cell):
            problems.add(cell, _("This value is approved and locked; only the unlocked values may change."))
    return problems


DATA_VALUE_FIELDS = [
    "submission", "measure", "period", "organization", "member1", "member2",
    "value", "comment", "entered_by", "updated_at",
]  # fmt: skip
AUDIT_FIELDS = [
    "initiative", "organization", "submission", "measure", "member1", "member2",
    "action", "old_value", "new_value", "reason", "by", "at",
]  # fmt: skip


def write_values(
    *,
    submission: Submission,
    by,
    values: dict[Cell, Decimal],
    comments: dict[Cell, str],
    stored: dict[Cell, DataValue],
    replace: bool,
    action: str,
) -> SaveResult:
    """Write validated values of one submission, with their audit rows, in bulk (measurement.bulk).

    Only for callers that have validated `values` against `stored` while holding the submission's
    row lock (values_save, importer.commit): it checks nothing itself.
    """
    result = SaveResult()
    now = timezone.now()
    by_id = by.pk if by is not None else None
    common = {
        "initiative": submission.initiative_id,
        "organization": submission.organization_id,
        "submission": submission.pk,
        "by": by_id,
        "at": now,
        "reason": "",
    }
    created_action = AuditAction.IMPORT if action == AuditAction.IMPORT else AuditAction.CREATE
    to_create, to_update, audit = [], [], []

    def audit_row(cell: Cell, act: str, old, new) -> dict:
        return {
            **common,
            "measure": cell[0],
            "member1": cell[1],
            "member2": cell[2],
            "action": act,
            "old_value": old,
            "new_value": new,
        }

    submission_id, period_id, organization_id = (
        submission.pk,
        submission.period_id,
        submission.organization_id,
    )
    for cell, number in values.items():
        comment = (comments.get(cell) or "").strip()[:2000]
        existing = stored.get(cell)
        if existing is None:
            to_create.append(
                {
                    "submission": submission_id,
                    "measure": cell[0],
                    "period": period_id,
                    "organization": organization_id,
                    "member1": cell[1],
                    "member2": cell[2],
                    "value": number,
                    "comment": comment,
                    "entered_by": by_id,
                    "updated_at": now,
                }
            )
            audit.append(audit_row(cell, created_action, None, number))
        elif existing.value != number or existing.comment != comment:
            if existing.value != number:
                audit.append(audit_row(cell, action, existing.value, number))
            to_update.append(
                {
                    "pk": existing.pk,
                    "value": number,
                    "comment": comment,
                    "entered_by": by_id,
                    "updated_at": now,
                }
            )
        else:
            result.unchanged += 1
    cleared = [v for cell, v in stored.items() if cell not in values] if replace else []
    for value in cleared:
        cell = (value.measure_id, value.member1_id, value.member2_id)
        audit.append(audit_row(cell, AuditAction.DELETE, value.value, None))

    result.created = bulk.insert(DataValue, DATA_VALUE_FIELDS, to_create)
    result.updated = bulk.update(DataValue, ["value", "comment", "entered_by", "updated_at"], to_update)
    if cleared:
        DataValue.objects.filter(pk__in=[v.pk for v in cleared]).delete()
    result.deleted = len(cleared)
    bulk.insert(AuditEntry, AUDIT_FIELDS, audit)
    return result


# --- Review by the backbone -------------------------------------------------------------------


def _transition(
    submission: Submission, by, *, allowed_from: tuple[str, ...], to: str, action: str, reason: str = ""
) -> Submission:
    _require_manage(by, submission.initiative)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in allowed_from:
        raise ValidationError(
            _("A submission that is %(status)s cannot be %(action)s.")
            % {"status": submission.get_status_display().lower(), "action": AuditAction(action).label.lower()}
        )
    submission.status = to
    submission.reviewed_at, submission.reviewed_by = timezone.now(), by
    if action == AuditAction.RETURN:
        submission.message = reason
    if action in (AuditAction.APPROVE, AuditAction.UNLOCK):
        submission.open_cells = None  # approved whole, or reopened whole
    submission.save(
        update_fields=["status", "reviewed_at", "reviewed_by", "message", "open_cells", "updated_at"]
    )
    AuditEntry.objects.create(
        initiative=submission.initiative,
        organization=submission.organization,
        submission=submission,
        action=action,
        reason=reason,
        by=by,
    )
    from .signals import submission_changed

    # Inside the transaction: the receivers' writes (the aggregates' pending marks) commit or roll
    # back with the change itself; what leaves the database they defer to on_commit.
    submission_changed.send(sender=Submission, submission=submission, action=action)
    return submission


@transaction.atomic
def submission_approve(*, submission: Submission, by) -> Submission:
    return _transition(
        submission,
        by,
        allowed_from=(SubmissionStatus.SUBMITTED,),
        to=SubmissionStatus.APPROVED,
        action=AuditAction.APPROVE,
    )


@transaction.atomic
def submission_return(*, submission: Submission, by, message: str) -> Submission:
    if not message.strip():
        raise ValidationError({"message": _("Tell the organization what to fix.")})
    submission = _transition(
        submission,
        by,
        allowed_from=(SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED),
        to=SubmissionStatus.RETURNED,
        action=AuditAction.RETURN,
        reason=message.strip(),
    )
    from communication.choices import NotificationKind
    from communication.services import notify
    from initiatives.choices import Role

    period = submission.period
    notify(
        initiative=submission.initiative,
        kind=NotificationKind.SUBMISSION_RETURNED,
        subject=_("Your data for %(period)s was returned") % {"period": period.code},
        body=submission.message,
        url=reverse(
            "measurement:entry",
            kwargs={
                "slug": submission.initiative.slug,
                "org": submission.organization_id,
                "frequency": period.frequency,
                "period": period.code,
            },
        ),
        recipients=submission.initiative.memberships.filter(
            organization=submission.organization, role=Role.PARTNER
        ).values_list("user_id", flat=True),
    )
    return submission


@transaction.atomic
def submission_unlock(*, submission: Submission, by, reason: str) -> Submission:
    """Reopen approved data for correction; the reason is kept in the audit trail."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why approved data is reopened.")})
    # Approved data; or a submission reopened value by value, now reopened whole.
    in_part = Submission.objects.filter(pk=submission.pk, open_cells__isnull=False).exists()
    return _transition(
        submission,
        by,
        allowed_from=(SubmissionStatus.APPROVED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
        if in_part
        else (SubmissionStatus.APPROVED,),
        to=SubmissionStatus.DRAFT,
        action=AuditAction.UNLOCK,
        reason=reason.strip(),
    )


@transaction.atomic
def value_unlock(*, value: DataValue, by, reason: str) -> Submission:
    """Reopen one approved value for correction, with a reason: the submission goes back to its
    organisation as a draft in which only the unlocked values may change (more may be unlocked
    before it is submitted again); approving it locks them all again."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why approved data is reopened.")})
    _require_manage(by, value.submission.initiative)
    submission = Submission.objects.select_for_update().get(pk=value.submission_id)
    cell = [value.measure_id, value.member1_id, value.member2_id]
    reopened_in_part = submission.open_cells is not None and submission.status in (
        SubmissionStatus.DRAFT,
        SubmissionStatus.RETURNED,
    )
    if submission.status != SubmissionStatus.APPROVED and not reopened_in_part:
        raise ValidationError(
            _("Only approved values are unlocked one by one; this submission is %(status)s.")
            % {"status": submission.get_status_display().lower()}
        )
    if submission.status == SubmissionStatus.APPROVED:
        submission.open_cells = []
    if cell not in submission.open_cells:
        submission.open_cells.append(cell)
    submission.status = (
        SubmissionStatus.DRAFT if submission.status == SubmissionStatus.APPROVED else submission.status
    )
    submission.reviewed_at, submission.reviewed_by = timezone.now(), by
    submission.save(update_fields=["status", "open_cells", "reviewed_at", "reviewed_by", "updated_at"])
    AuditEntry.objects.create(
        initiative=submission.initiative,
        organization=submission.organization,
        submission=submission,
        measure_id=cell[0],
        member1_id=cell[1],
        member2_id=cell[2],
        action=AuditAction.UNLOCK,
        old_value=value.value,
        reason=reason.strip(),
        by=by,
    )
    from .signals import submission_changed

    submission_changed.send(
        sender=Submission, submission=submission, action=AuditAction.UNLOCK
    )  # see _transition
    return submission


@transaction.atomic
def measure_save(
    *,
    initiative: Initiative,
    by,
    measure: SharedMeasure | None = None,
    dimensions: list = (),
    targets: dict | None = None,
    strategies=None,
    **fields,
) -> SharedMeasure:
    """Create or change a shared measure with its breakdowns and targets.

    The breakdowns of a measure that already has values cannot change: its stored cells would no
    longer match its grid.
    """
    _require_manage(by, initiative)
    if measure is None:
        measure = SharedMeasure(initiative=initiative)
    else:
        current = [d.dimension_id for d in measure.measure_dimensions.order_by("position")]
        wanted = [d.pk for d in dimensions if d is not None]
        if current != wanted and measure.values.exists():
            raise ValidationError(
                {
                    "dimension_1": _(
                        "This measure has data; its breakdowns cannot change. Create a new measure instead."
                    )
                }
            )
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.save()
    if strategies is not None:
        measure.strategies.set(strategies)
    measure.measure_dimensions.all().delete()
    MeasureDimension.objects.bulk_create(
        MeasureDimension(measure=measure, dimension=d, position=i)
        for i, d in enumerate([d for d in dimensions if d is not None], start=1)
    )
    if targets is not None:
        measure.targets.all().delete()
        Target.objects.bulk_create(
            Target(measure=measure, period_code=p, value=v) for p, v in targets.items()
        )
    return measure


@transaction.atomic
def dimension_create(
    *, initiative: Initiative, by, code: str, name_en: str, name_he: str, members
) -> Dimension:
    _require_manage(by, initiative)
    dimension = Dimension.objects.create(initiative=initiative, code=code, name_en=name_en, name_he=name_he)
    DimensionMember.objects.bulk_create(
        DimensionMember(dimension=dimension, code=c, name_en=en, name_he=he, order=i)
        for i, (c, en, he) in enumerate(members)
    )
    return dimension


@transaction.atomic
def report_card_save(*, initiative: Initiative, by, form):
    _require_manage(by, initiative)
    card = form.save(commit=False)
    card.initiative = initiative
    card.save()
    form.save_m2m()
    return card
