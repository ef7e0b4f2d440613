"""Writes of shared measurement. Every path that stores values (grid, file, API) goes through
`values_save`, which validates the whole entry first and writes in bulk, with an audit row per
change, or writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ci_platform.i18n_format import isolate
from initiatives import permissions as initiative_permissions
from initiatives.models import Initiative, Organization

from . import formulas, permissions
from .aggregation import runs
from .choices import Aggregation, AuditAction, MeasureKind, SubmissionStatus
from .entry import pipeline
from .entry.validation import Cell
from .models import (
    ALL_CELLS,
    AggregateRun,
    Assignment,
    AuditEntry,
    DataValue,
    Dimension,
    DimensionMember,
    FormulaVersion,
    MeasureDimension,
    MeasurementSettings,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    Target,
)
from .periods import periods_between

EntryInvalid = pipeline.EntryInvalid
SaveResult = pipeline.SaveResult


# --- Set-up by the backbone ------------------------------------------------------------------


@transaction.atomic
def measurement_settings_update(*, initiative: Initiative, by, **fields) -> MeasurementSettings:
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
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
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
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
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
    org_ids = set(initiative.participations.values_list("organization_id", flat=True))
    measure_ids = set(initiative.measures.values_list("id", flat=True))
    if any(o not in org_ids or m not in measure_ids for o, m in pairs):
        raise ValidationError(_("An organization or measure is not part of this initiative."))
    calculated = dict(initiative.measures.filter(kind=MeasureKind.CALCULATED).values_list("pk", "code"))
    refused = sorted({calculated[m] for _o, m in pairs if m in calculated})
    if refused:
        raise ValidationError(
            _("Calculated measures are never entered; they are in no data set (%(codes)s).")
            % {"codes": isolate(", ".join(refused), direction="ltr")}
        )
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
    """The organisation's submission for the period, created as a draft if missing (for writes:
    a page shows `selectors.submission_of`, which creates nothing)."""
    if period.initiative_id != initiative.pk:
        raise PermissionDenied
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    submission, _created = Submission.objects.get_or_create(
        organization=organization, period=period, defaults={"initiative": initiative}
    )
    submission.organization, submission.period = organization, period
    if submission.initiative_id == initiative.pk:
        submission.initiative = initiative
    return submission


def values_save(
    *,
    submission: Submission,
    by,
    raw: dict[Cell, object],
    comments: dict[Cell, str] | None = None,
    clear: set[Cell] | None = None,
    submit: bool = False,
    replace: bool = True,
    action: str = AuditAction.CHANGE,
) -> SaveResult:
    """One organisation-period's values through the entry pipeline (`entry.save`). With `replace`
    (the grid), an open cell missing from `raw` is emptied; without it, cells not mentioned keep
    their value. Raises EntryInvalid before anything is written."""
    period = ReportingPeriod.objects.get(pk=submission.period_id)  # as stored now, window included
    result = pipeline.save(
        initiative=submission.initiative,
        organization=submission.organization,
        by=by,
        changes=[pipeline.Change(period=period, values=raw, comments=comments or {}, clear=clear or set())],
        replace=replace,
        submit=submit,
        action=action,
    )
    return result[0]


# --- Review by the backbone -------------------------------------------------------------------


def _transition(
    submission: Submission, by, *, allowed_from: tuple[str, ...], to: str, action: str, reason: str = ""
) -> Submission:
    initiative_permissions.require(by, initiative_permissions.MANAGE, submission.initiative)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in allowed_from:
        raise ValidationError(
            _("A submission that is %(status)s cannot be %(action)s.")
            % {"status": submission.get_status_display().lower(), "action": AuditAction(action).label.lower()}
        )
    was_approved = submission.status == SubmissionStatus.APPROVED
    submission.status = to
    submission.reviewed_at, submission.reviewed_by = timezone.now(), by
    if action == AuditAction.RETURN:
        submission.message = reason
    if action == AuditAction.APPROVE and submission.in_correction:
        pipeline.corrections_apply(submission, by=by)  # the correction becomes the approved data
    if action == AuditAction.APPROVE:
        submission.open_cells = None
    if action == AuditAction.UNLOCK or (action == AuditAction.RETURN and was_approved):
        # Reopened whole, as a correction: every cell may change, and the approved values go on
        # counting until the correction is approved (entry.py).
        submission.open_cells = [ALL_CELLS]
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
    from webhooks.services import submission_event

    from .signals import submission_changed

    # Inside the transaction: the receivers' writes (the aggregates' pending marks) commit or roll
    # back with the change itself; what leaves the database they defer to on_commit.
    submission_changed.send(sender=Submission, submission=submission, action=action)
    submission_event(submission=submission, action=action)  # webhooks, queued on commit
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
    from communication import messages
    from communication.choices import NotificationKind
    from communication.services import notify
    from initiatives.choices import Role

    period = submission.period
    notify(
        initiative=submission.initiative,
        kind=NotificationKind.SUBMISSION_RETURNED,
        subject=messages.message(
            gettext_noop("Your data for %(period)s was returned"), period=messages.period(period.code)
        ),
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
    initiative_permissions.require(by, initiative_permissions.MANAGE, value.submission.initiative)
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
    if submission.open_cells is not None and not submission.is_open(cell):
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
    from webhooks.services import submission_event

    submission_event(submission=submission, action=AuditAction.UNLOCK)
    return submission


@transaction.atomic
def measure_save(
    *,
    initiative: Initiative,
    by,
    measure: SharedMeasure | None = None,
    dimensions: Sequence = (),
    targets: dict | None = None,
    strategies=None,
    **fields,
) -> SharedMeasure:
    """Create or change a shared measure with its breakdowns and targets.

    The breakdowns of a measure that already has values cannot change: its stored cells would no
    longer match its grid.
    """
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
    # As stored (the caller's instance may carry changes already): what a formula refers to.
    stored = (
        SharedMeasure.objects.filter(pk=measure.pk).values("code", "formula", "kind", "frequency").first()
        if measure is not None and measure.pk
        else None
    ) or {"code": "", "formula": "", "kind": "", "frequency": ""}
    old_code, old_formula = stored["code"], stored["formula"]
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
    measure.formula = (measure.formula or "").strip()
    if measure.is_calculated:
        # Computed across partners by its formula: no aggregation or weights of its own, and the
        # breakdown of its inputs.
        measure.aggregation, measure.denominator = Aggregation.NONE, None
    measure.clean()  # the measure's rules, whatever the caller (form, API, script)
    used_by = _formula_users(measure, old_code) if measure.pk else []
    if used_by and measure.code != old_code:
        raise ValidationError(
            {
                "code": _("The formula of %(codes)s uses this code; change the formula first.")
                % {"codes": isolate(", ".join(used_by), direction="ltr")}
            }
        )
    if measure.is_calculated:
        dimensions = _formula_check(measure)
        if measure.pk and stored["kind"] != measure.kind:
            if measure.values.exists():
                raise ValidationError(
                    {"kind": _("Partners have entered data for this measure; it cannot become calculated.")}
                )
            measure.assignments.all().delete()  # never entered: in no organisation's data set
    if used_by:
        wanted = [d.pk for d in dimensions if d is not None]
        current = [d.dimension_id for d in measure.measure_dimensions.order_by("position")]
        if wanted != current or measure.frequency != stored["frequency"]:
            raise ValidationError(
                {
                    "dimension_1": _(
                        "The formula of %(codes)s uses this measure; its breakdown and frequency cannot change."
                    )
                    % {"codes": isolate(", ".join(used_by), direction="ltr")}
                }
            )
    measure.save()
    if measure.is_calculated and measure.formula != old_formula:
        FormulaVersion.objects.create(
            measure=measure,
            number=(measure.formula_versions.aggregate(n=Max("number"))["n"] or 0) + 1,
            formula=measure.formula,
            created_by=by,
        )
    if measure.formula != old_formula:
        from ci_platform.celery import enqueue

        from .tasks import aggregates_calculated_task

        transaction.on_commit(lambda: enqueue(aggregates_calculated_task, measure.pk))
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


def _formula_users(measure: SharedMeasure, code: str) -> list[str]:
    """The codes of the calculated measures whose formula uses this measure (by its stored code)."""
    users = []
    for other_code, formula in (
        SharedMeasure.objects.filter(initiative_id=measure.initiative_id, kind=MeasureKind.CALCULATED)
        .exclude(pk=measure.pk)
        .values_list("code", "formula")
    ):
        try:
            if code in formulas.references(formulas.parse(formula)):
                users.append(other_code)
        except formulas.FormulaError:
            continue
    return sorted(users)


def _formula_check(measure: SharedMeasure) -> list[Dimension]:
    """Check a calculated measure's formula against the initiative's measures (formulas.check) and
    return the breakdown it takes from its inputs. Raises ValidationError on the formula field."""
    shapes = {}
    dimensions: dict[int, list[int]] = {}
    for measure_id, dimension_id in (
        MeasureDimension.objects.filter(measure__initiative_id=measure.initiative_id)
        .order_by("measure_id", "position")
        .values_list("measure_id", "dimension_id")
    ):
        dimensions.setdefault(measure_id, []).append(dimension_id)
    for other in SharedMeasure.objects.filter(initiative_id=measure.initiative_id).exclude(pk=measure.pk):
        refs: tuple[str, ...] = ()
        if other.is_calculated:
            try:
                refs = tuple(formulas.references(formulas.parse(other.formula)))
            except formulas.FormulaError:
                refs = ()
        shapes[other.code] = formulas.MeasureShape(
            other.code, other.name, other.frequency, tuple(dimensions.get(other.pk, [])), refs
        )
    try:
        wanted = formulas.check(measure.code, measure.frequency, formulas.parse(measure.formula), shapes)
    except formulas.FormulaError as exc:
        raise ValidationError({"formula": str(exc)}) from exc
    by_id = Dimension.objects.in_bulk(list(wanted))
    return [by_id[pk] for pk in wanted]


@transaction.atomic
def dimension_create(
    *, initiative: Initiative, by, code: str, name_en: str, name_he: str, members
) -> Dimension:
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
    dimension = Dimension.objects.create(initiative=initiative, code=code, name_en=name_en, name_he=name_he)
    DimensionMember.objects.bulk_create(
        DimensionMember(dimension=dimension, code=c, name_en=en, name_he=he, order=i)
        for i, (c, en, he) in enumerate(members)
    )
    return dimension


@transaction.atomic
def aggregates_rebuild_request(*, initiative: Initiative, by) -> tuple[AggregateRun, bool]:
    """Ask for a full rebuild of the aggregates. The queued run is created here, in the transaction,
    and its task queued once it commits; while a rebuild is queued or running, a request returns
    that one instead (two clicks, one rebuild). A run whose task could not be queued (the broker
    down) stays queued, and the beat catch-up queues it. Returns (the run, whether it is new)."""
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
    # Requests for the same initiative wait for each other here, so that only one creates a run.
    Initiative.objects.select_for_update().filter(pk=initiative.pk).first()
    pending = runs.latest_pending(initiative)
    if pending is not None:
        return pending, False
    run = runs.rebuild_start(initiative)
    from ci_platform.celery import enqueue

    from .tasks import aggregates_rebuild_task

    transaction.on_commit(lambda: enqueue(aggregates_rebuild_task, initiative.pk, run.pk))
    return run, True


@transaction.atomic
def report_card_save(*, initiative: Initiative, by, form):
    initiative_permissions.require(by, initiative_permissions.MANAGE, initiative)
    card = form.save(commit=False)
    card.initiative = initiative
    card.save()
    form.save_m2m()
    return card
