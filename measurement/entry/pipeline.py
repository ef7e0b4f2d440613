"""The one path by which a partner's values are checked and stored, whatever the channel: the
grid (views.EntryView), a file (importer), the bulk API (api/bulk.py).

    load  -> `_load`: what the checks read, for one organisation and its periods, in a few queries
    check -> `_check_period`: every rule, once (lock, window, open cells, numbers, ranges, comments,
             change threshold, validation rules, required on submit, clearing approved values)
    write -> `_write`: the values (or, during a correction, the proposed corrections) and their
             audit rows, then the submission's new state

`save` does all three under the submissions' row locks, all or nothing; `preview` loads and
checks and writes nothing (a file's preview, the API's dry run). A channel only turns what it
received into `Change`s (and, for files and the API, rows into cells: `rows_preview`, `rows_save`);
it never checks a value itself.

During a correction (approved data reopened value by value, `Submission.in_correction`) the stored
values stay the approved ones, which every figure reads; what the partner enters is kept in
Correction rows until the backbone approves it (services.submission_approve applies them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ci_platform.i18n_format import isolate, period_phrase
from initiatives.models import Initiative, Organization

from .. import permissions, selectors
from ..choices import AuditAction, MeasureKind, SubmissionStatus
from ..models import AuditEntry, Correction, DataValue, ReportingPeriod, Submission
from . import writer
from .validation import FORMULA_START, Cell, MeasureSpec, Problems, parse_number, validate_entry

MAX_COMMENT = 2000

LOCKED_CELL = "This value is approved and locked; only the unlocked values may change."


class EntryInvalid(ValidationError):
    """The entry has problems; nothing was stored. `verdicts` say which, per period and cell."""

    def __init__(self, verdicts: list[Verdict]):
        refused = [v for v in verdicts if v.problems]
        messages = [m for v in refused for m in v.problems.messages()]
        super().__init__(messages or [_("The entry was refused.")])
        self.verdicts = verdicts
        # The first refused period's problems: what a one-period channel (the grid) shows.
        self.problems = refused[0].problems if refused else Problems()
        self.locked = any(v.locked for v in refused)


@dataclass
class Change:
    """What a channel says of one organisation-period.

    `values`: per cell, what was typed ("" or None: empty). `comments`: per cell, the comment
    (a cell left out keeps its comment). `clear`: approved values the partner chooses to clear
    during a correction (an emptied approved cell is otherwise refused, never silently deleted).
    """

    period: ReportingPeriod
    values: dict[Cell, object] = field(default_factory=dict)
    comments: dict[Cell, str] = field(default_factory=dict)
    clear: set[Cell] = field(default_factory=set)


@dataclass
class Verdict:
    """The outcome of checking one Change: problems (empty: it may be written) and, per cell
    the change mentions, "create" / "update" / "unchanged" / "clear" with the old value."""

    period: ReportingPeriod
    submission: Submission | None
    problems: Problems = field(default_factory=Problems)
    locked: bool = False
    statuses: dict[Cell, str] = field(default_factory=dict)
    old: dict[Cell, Decimal] = field(default_factory=dict)
    values: dict[Cell, Decimal] = field(default_factory=dict)  # the whole entry after the change
    comments: dict[Cell, str] = field(default_factory=dict)
    current: dict[Cell, tuple[Decimal, str]] = field(default_factory=dict)  # as the partner sees it
    specs: dict[int, MeasureSpec] = field(default_factory=dict)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    submitted: bool = False
    correction: bool = False  # the changes wait for approval; the approved values still count
    verdict: Verdict | None = None


# --- Load ----------------------------------------------------------------------------------------


@dataclass
class _Context:
    specs: dict[int, dict[int, MeasureSpec]]  # period id -> measure id -> spec
    submissions: dict[int, Submission]  # period id -> submission (if any)
    approved: dict[int, dict[Cell, selectors.StoredValue]]  # period id -> stored values (in the data set)
    corrections: dict[int, dict[Cell, Correction]]  # period id -> proposed corrections
    previous: dict[int, dict[int, Decimal]]
    rules: list
    reviewer: bool


def _load(initiative: Initiative, organization: Organization, by, periods: list[ReportingPeriod]) -> _Context:
    """Everything the checks read for these periods, in a fixed number of queries."""
    grids = selectors.datasets(initiative, organization, periods)
    specs = {period_id: selectors.specs_of(grid) for period_id, grid in grids.items()}
    submissions = {
        s.period_id: s
        for s in Submission.objects.filter(organization=organization, period__in=[p.pk for p in periods])
    }
    by_submission = {s.pk: s.period_id for s in submissions.values()}
    approved: dict[int, dict[Cell, selectors.StoredValue]] = defaultdict(dict)
    held = DataValue.objects.filter(
        organization=organization,
        period_id__in=list(by_submission.values()),
        submission_id__in=list(by_submission),
    )
    for value in selectors.stored_rows(held):
        period_id = by_submission[value.submission_id]
        cell = (value.measure_id, value.member1_id, value.member2_id)
        # Values outside the current data set (a measure since unassigned or ended) are left as
        # they are: no channel shows them, so none may clear them or trip over them.
        spec = specs[period_id].get(cell[0])
        if spec is not None and cell[1:] in spec.cells:
            approved[period_id][cell] = value
    corrections: dict[int, dict[Cell, Correction]] = defaultdict(dict)
    in_correction = [s.pk for s in submissions.values() if s.in_correction]
    if in_correction:
        for correction in Correction.objects.filter(submission_id__in=in_correction).order_by():
            corrections[by_submission[correction.submission_id]][correction.cell] = correction
    measure_ids = {m for period_specs in specs.values() for m in period_specs}
    return _Context(
        specs=specs,
        submissions=submissions,
        approved=approved,
        corrections=corrections,
        previous=selectors.previous_totals_many(organization, periods, measure_ids),
        rules=selectors.rules_of(initiative),
        reviewer=permissions.can_review(by, initiative),
    )


# --- Check ---------------------------------------------------------------------------------------


def window_problem(period: ReportingPeriod, today=None) -> str | None:
    today = today or timezone.localdate()
    if today < period.opens_on:
        return _("Period %(period)s is not open for data yet (from %(date)s).") % {
            "period": period_phrase(period.code),
            "date": isolate(period.opens_on.isoformat(), direction="ltr"),
        }
    if today > period.closes_on:
        return _("Period %(period)s closed for data on %(date)s; ask the backbone staff.") % {
            "period": period_phrase(period.code),
            "date": isolate(period.closes_on.isoformat(), direction="ltr"),
        }
    return None


def comment_problem(text: str) -> str | None:
    """A comment every channel accepts or refuses alike: no formula a spreadsheet would run when
    the values are exported, no NUL (PostgreSQL text cannot hold it), nothing cut short."""
    if "\x00" in text:
        return _("The comment contains a NUL character; remove it.")
    if len(text) > MAX_COMMENT:
        return _("The comment has %(n)s characters; the limit is %(max)s.") % {
            "n": f"{len(text):,}",
            "max": f"{MAX_COMMENT:,}",
        }
    if text.startswith(FORMULA_START) and not _is_number(text):
        return _("The comment starts like a spreadsheet formula (%(char)s); start it with a word.") % {
            "char": repr(text[0])
        }
    return None


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def _current(ctx: _Context, period_id: int) -> dict[Cell, tuple[Decimal, str]]:
    """Each cell as the partner sees it: the approved value, or the correction proposed for it."""
    current = {cell: (v.value, v.comment) for cell, v in ctx.approved[period_id].items()}
    for cell, correction in ctx.corrections[period_id].items():
        if correction.value is None:
            current.pop(cell, None)
        else:
            current[cell] = (correction.value, correction.comment)
    return current


def _check_period(ctx: _Context, change: Change, *, replace: bool, submit: bool) -> Verdict:
    period = change.period
    submission = ctx.submissions.get(period.pk)
    specs = ctx.specs.get(period.pk, {})
    current = _current(ctx, period.pk)
    verdict = Verdict(period=period, submission=submission, current=current, specs=specs)
    problems = verdict.problems
    if submission is not None and submission.is_locked:
        verdict.locked = True
        problems.add(
            None,
            _("Period %(period)s is %(status)s and locked; the backbone staff can unlock it.")
            % {"period": period_phrase(period.code), "status": submission.get_status_display().lower()},
        )
        return verdict
    in_correction = submission is not None and submission.in_correction
    # A correction the backbone asked for is not held to the period's window: reopening approved
    # data after the window closed is how a late correction is made.
    if not ctx.reviewer and not in_correction and (problem := window_problem(period)):
        problems.add(None, problem)
        return verdict

    # The entry as it would be: what is there, with what the channel says on top. The grid sends
    # every open cell (an empty one clears); a file or the API only the cells it mentions.
    raw: dict[Cell, object] = {} if replace else {cell: v for cell, (v, _c) in current.items()}
    comments = {cell: c for cell, (_v, c) in current.items()}
    if replace:
        comments = {}
        for cell, (value, comment) in current.items():
            if in_correction and submission is not None and not submission.is_open(cell):
                # Shown disabled, so not sent: it stays as approved.
                raw[cell], comments[cell] = value, comment
    raw.update(change.values)
    for cell, text in change.comments.items():
        text = text or ""
        if replace or text.strip():
            comments[cell] = text
        if text != (current.get(cell, (None, ""))[1]) and (problem := comment_problem(text.strip())):
            problems.add(cell, problem)
    for cell in change.clear:
        raw[cell] = ""

    values, found = validate_entry(
        specs=specs,
        raw=raw,
        comments=comments,
        previous_totals=ctx.previous.get(period.pk, {}),
        rules=ctx.rules,
        submitting=submit,
    )
    for cell, messages in found.cells.items():
        for message in messages:
            problems.add(cell, message)
    problems.general.extend(found.general)
    comments = {cell: (text or "").strip() for cell, text in comments.items()}

    approved = ctx.approved[period.pk]
    for cell in sorted(set(values) | set(current) | set(change.values), key=_cell_order):
        if cell[0] not in specs or cell[1:] not in specs[cell[0]].cells:
            continue
        before = current.get(cell)
        after = values.get(cell)
        typed_empty = cell in change.values and _empty(change.values[cell])
        if after is None and before is None:
            continue
        if (
            after is not None
            and before is not None
            and after == before[0]
            and comments.get(cell, "") == before[1]
        ):
            status = "unchanged"
        elif after is None:
            if cell in problems.cells and not typed_empty:
                continue  # refused as typed, not cleared
            status = "clear"
        else:
            status = "create" if before is None else "update"
        if status != "unchanged" and submission is not None and not submission.is_open(cell):
            problems.add(cell, _(LOCKED_CELL))
        if (
            status == "clear"
            and in_correction
            and cell in approved
            and cell not in change.clear
            and not problems.cells.get(cell)
        ):
            problems.add(
                cell,
                _(
                    "The approved value %(value)s would be cleared: enter the corrected value, or "
                    "choose “Clear the approved value” to remove it."
                )
                % {"value": format(approved[cell].value.normalize(), "f")},
            )
        if cell in change.values or cell in change.clear or status != "unchanged":
            verdict.statuses[cell] = status
            if before is not None:
                verdict.old[cell] = before[0]
    verdict.values, verdict.comments = values, comments
    return verdict


def _cell_order(cell: Cell) -> tuple[int, int, int]:
    return (cell[0], cell[1] or 0, cell[2] or 0)


def _empty(typed) -> bool:
    return typed is None or (isinstance(typed, str) and not typed.strip())


# --- Save and preview ----------------------------------------------------------------------------


def preview(
    *,
    initiative: Initiative,
    organization: Organization,
    by,
    changes: list[Change],
    replace: bool = False,
    submit: bool = False,
) -> list[Verdict]:
    """What `save` would answer, writing nothing (no submission is created either)."""
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    ctx = _load(initiative, organization, by, [c.period for c in changes])
    return [_check_period(ctx, change, replace=replace, submit=submit) for change in changes]


@transaction.atomic
def save(
    *,
    initiative: Initiative,
    organization: Organization,
    by,
    changes: list[Change],
    replace: bool = False,
    submit: bool = False,
    action: str = AuditAction.CHANGE,
) -> list[SaveResult]:
    """Check and store an organisation's values for one or more periods, all or nothing.

    Raises PermissionDenied, or EntryInvalid with every problem of every period before anything
    is written. With `submit`, each period's submission goes to review.
    """
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    periods = [c.period for c in changes]
    if any(p.initiative_id != initiative.pk for p in periods):
        raise PermissionDenied
    for period in periods:  # created inside the transaction: gone again if the entry is refused
        Submission.objects.get_or_create(
            organization=organization, period=period, defaults={"initiative": initiative}
        )
    # of=("self",): the submissions' rows only; the joined period row is shared by every
    # organisation's submission for the month, and locking it made partners wait for each other.
    locked = {
        s.period_id: s
        for s in Submission.objects.select_for_update(of=("self",)).filter(
            organization=organization, period__in=[p.pk for p in periods]
        )
    }
    ctx = _load(initiative, organization, by, periods)
    ctx.submissions = locked
    verdicts = [_check_period(ctx, change, replace=replace, submit=submit) for change in changes]
    if any(v.problems for v in verdicts):
        raise EntryInvalid(verdicts)
    results = []
    for verdict in verdicts:
        submission = locked[verdict.period.pk]
        submission.initiative, submission.organization, submission.period = (
            initiative,
            organization,
            verdict.period,
        )
        results.append(_write(ctx, submission, verdict, by=by, action=action, submit=submit))
    return results


def _write(
    ctx: _Context, submission: Submission, verdict: Verdict, *, by, action: str, submit: bool
) -> SaveResult:
    changed = [cell for cell, status in verdict.statuses.items() if status != "unchanged"]
    if submission.in_correction:
        result = _write_corrections(ctx, submission, verdict, changed, by=by, action=action)
    else:
        stored = ctx.approved[verdict.period.pk]
        result = write_values(
            submission=submission,
            by_id=by.pk if by is not None else None,
            values={cell: verdict.values[cell] for cell in changed if cell in verdict.values},
            comments=verdict.comments,
            stored=stored,
            cleared=[stored[cell] for cell in changed if cell not in verdict.values and cell in stored],
            action=action,
        )
    result.unchanged = sum(1 for status in verdict.statuses.values() if status == "unchanged")
    result.verdict = verdict
    update_fields = ["updated_at"]
    if submit:
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_at, submission.submitted_by = timezone.now(), by
        update_fields += ["status", "submitted_at", "submitted_by"]
        AuditEntry.objects.create(
            initiative_id=submission.initiative_id,
            organization_id=submission.organization_id,
            submission=submission,
            action=AuditAction.SUBMIT,
            by=by,
        )
        result.submitted = True
        from webhooks.services import submission_event  # webhooks, queued on commit

        submission_event(submission=submission, action=AuditAction.SUBMIT)
    submission.save(update_fields=update_fields)
    return result


DATA_VALUE_FIELDS = [
    "submission", "measure", "period", "organization", "member1", "member2",
    "value", "comment", "entered_by", "updated_at",
]  # fmt: skip
AUDIT_FIELDS = [
    "initiative", "organization", "submission", "measure", "member1", "member2",
    "action", "old_value", "new_value", "reason", "by", "at",
]  # fmt: skip


def _audit_row(submission: Submission, by_id, now, cell: Cell, act: str, old, new) -> dict:
    return {
        "initiative": submission.initiative_id,
        "organization": submission.organization_id,
        "submission": submission.pk,
        "by": by_id,
        "at": now,
        "reason": "",
        "measure": cell[0],
        "member1": cell[1],
        "member2": cell[2],
        "action": act,
        "old_value": old,
        "new_value": new,
    }


def write_values(
    *,
    submission: Submission,
    by_id: int | None,
    values: dict[Cell, Decimal],
    comments: dict[Cell, str],
    stored: dict[Cell, selectors.StoredValue],
    cleared: list[selectors.StoredValue],
    action: str,
    audit_rows: bool = True,
) -> SaveResult:
    """Write checked values of one submission and their audit rows, in bulk (measurement.entry.writer):
    `values` the cells to create or change, `cleared` the stored values to delete. It checks
    nothing itself: only `save` (which holds the row lock and has checked) and the approval of a
    correction call it. `by_id` is who entered the values; `audit_rows` False when the trail
    already holds the changes (a correction's, written as the partner made them)."""
    result = SaveResult()
    now = timezone.now()
    created_action = AuditAction.IMPORT if action == AuditAction.IMPORT else AuditAction.CREATE
    to_create, to_update, audit = [], [], []
    for cell, number in values.items():
        comment = comments.get(cell, "")
        existing = stored.get(cell)
        if existing is None:
            to_create.append(
                {
                    "submission": submission.pk,
                    "measure": cell[0],
                    "period": submission.period_id,
                    "organization": submission.organization_id,
                    "member1": cell[1],
                    "member2": cell[2],
                    "value": number,
                    "comment": comment,
                    "entered_by": by_id,
                    "updated_at": now,
                }
            )
            audit.append(_audit_row(submission, by_id, now, cell, created_action, None, number))
        elif existing.value != number or existing.comment != comment:
            if existing.value != number:
                audit.append(_audit_row(submission, by_id, now, cell, action, existing.value, number))
            to_update.append(
                {
                    "pk": existing.pk,
                    "value": number,
                    "comment": comment,
                    "entered_by": by_id,
                    "updated_at": now,
                }
            )
    for value in cleared:
        cell = (value.measure_id, value.member1_id, value.member2_id)
        audit.append(_audit_row(submission, by_id, now, cell, AuditAction.DELETE, value.value, None))
    result.created = writer.insert(DataValue, DATA_VALUE_FIELDS, to_create)
    result.updated = writer.update(DataValue, ["value", "comment", "entered_by", "updated_at"], to_update)
    if cleared:
        DataValue.objects.filter(pk__in=[v.pk for v in cleared]).delete()
    result.deleted = len(cleared)
    if audit_rows:
        writer.insert(AuditEntry, AUDIT_FIELDS, audit)
    return result


def _write_corrections(
    ctx: _Context, submission: Submission, verdict: Verdict, changed: list[Cell], *, by, action: str
) -> SaveResult:
    """During a correction: the proposed values go to Correction rows (a cell brought back to its
    approved value has none); the approved values are not touched. The audit trail records each
    change as it is made, as for any draft."""
    result = SaveResult(correction=True)
    now = timezone.now()
    by_id = by.pk if by is not None else None
    approved = ctx.approved[verdict.period.pk]
    existing = ctx.corrections[verdict.period.pk]
    new, audit = [], []
    for cell in changed:
        value, comment = verdict.values.get(cell), verdict.comments.get(cell, "")
        before = verdict.current.get(cell)
        if before is None:
            result.created += 1
            audit.append(_audit_row(submission, by_id, now, cell, AuditAction.CREATE, None, value))
        elif value is None:
            result.deleted += 1
            audit.append(_audit_row(submission, by_id, now, cell, AuditAction.DELETE, before[0], None))
        else:
            result.updated += 1
            if before[0] != value:
                audit.append(_audit_row(submission, by_id, now, cell, action, before[0], value))
        base = approved.get(cell)
        back_to_approved = (base is None and value is None) or (
            base is not None and value == base.value and comment == base.comment
        )
        if not back_to_approved:
            new.append(
                Correction(
                    submission=submission,
                    measure_id=cell[0],
                    member1_id=cell[1],
                    member2_id=cell[2],
                    value=value,
                    comment=comment if value is not None else "",
                    entered_by_id=by_id,
                )
            )
    stale = [existing[cell].pk for cell in changed if cell in existing]
    if stale:
        Correction.objects.filter(pk__in=stale).delete()
    Correction.objects.bulk_create(new)
    writer.insert(AuditEntry, AUDIT_FIELDS, audit)
    return result


def corrections_apply(submission: Submission, *, by) -> int:
    """On approval: the proposed corrections become the approved values, through the one writer
    (`write_values`), each kept as entered by the partner who proposed it; their audit rows were
    written as the partner made them. Returns how many cells changed."""
    corrections = list(Correction.objects.filter(submission=submission).order_by("pk"))
    if not corrections:
        return 0
    stored = {
        (v.measure_id, v.member1_id, v.member2_id): v
        for v in selectors.stored_rows(selectors.values_of(submission))
    }
    by_author: dict[int | None, list[Correction]] = defaultdict(list)
    for correction in corrections:
        by_author[correction.entered_by_id].append(correction)
    for author_id, proposed in by_author.items():
        write_values(
            submission=submission,
            by_id=author_id,
            values={c.cell: c.value for c in proposed if c.value is not None},
            comments={c.cell: c.comment for c in proposed},
            stored=stored,
            cleared=[stored[c.cell] for c in proposed if c.value is None and c.cell in stored],
            action=AuditAction.CHANGE,
            audit_rows=False,
        )
    Correction.objects.filter(submission=submission).delete()
    return len(corrections)


# --- Rows: files and the bulk API -------------------------------------------------------------


@dataclass
class Row:
    """One value as a file line or an API item gives it, by codes."""

    line: int
    measure: str
    period: str
    breakdown_1: str
    breakdown_2: str
    value: str
    comment: str
    status: str = ""  # create / update / unchanged / reject
    reasons: list[str] = field(default_factory=list)
    old: str = ""
    cell: tuple | None = None
    period_id: int | None = None
    clear: bool = False  # the API's explicit clearing of an approved value under correction


def _looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _is_number(text)


def _rows_to_changes(initiative: Initiative, organization: Organization, rows: list[Row]) -> list[Change]:
    """Codes to cells: a row that names no cell of the data set is refused here, with why; the
    others become one Change per period, for the pipeline to check as the grid's are."""
    periods = {p.code: p for p in ReportingPeriod.objects.filter(initiative=initiative)}
    in_rows = [periods[code] for code in dict.fromkeys(row.period for row in rows) if code in periods]
    grids = {
        period_id: {g.measure.code: g for g in grid}
        for period_id, grid in selectors.datasets(initiative, organization, in_rows).items()
    }
    calculated = set(initiative.measures.filter(kind=MeasureKind.CALCULATED).values_list("code", flat=True))
    changes: dict[int, Change] = {}
    seen: dict[tuple, int] = {}
    memo: dict[int, tuple] = {}
    for row in rows:
        for name in ("measure", "period", "breakdown_1", "breakdown_2"):
            text = getattr(row, name)
            if text and _looks_like_formula(text):
                row.reasons.append(
                    _("The %(column)s cell looks like a formula; formulas are refused.") % {"column": name}
                )
        if row.reasons:
            continue
        period = periods.get(row.period)
        if period is None:
            row.reasons.append(_("Unknown period “%(period)s”.") % {"period": row.period[:20]})
            continue
        grid = grids[period.pk].get(row.measure)
        if grid is None and row.measure in calculated:
            row.reasons.append(
                _("Measure “%(code)s” is calculated from other measures; it is never entered.")
                % {"code": isolate(row.measure, direction="ltr")}
            )
            continue
        if grid is None:
            row.reasons.append(
                _("Measure “%(code)s” is not in your data set for %(period)s.")
                % {"code": isolate(row.measure[:40], direction="ltr"), "period": period_phrase(period.code)}
            )
            continue
        cell = _cell(grid, row, memo)
        if cell is None:
            continue
        if (period.pk, cell) in seen:
            row.reasons.append(_("Same cell as line %(line)s.") % {"line": seen[(period.pk, cell)]})
            continue
        seen[(period.pk, cell)] = row.line
        row.cell, row.period_id = cell, period.pk
        change = changes.setdefault(period.pk, Change(period=period))
        if row.clear:
            change.clear.add(cell)
        else:
            change.values[cell] = row.value
            change.comments[cell] = row.comment
    return list(changes.values())


def _cell(grid, row: Row, memo: dict):
    """The row's cell in the measure's grid, or None with the reason on the row. The grid's member
    codes are looked up in dicts built once per grid (`memo`); the reasons are written by the
    loop below, which only a row that does not fit reaches."""
    if (codes := memo.get(id(grid))) is None:
        codes = memo[id(grid)] = tuple(
            {m.code: m.pk for m in members if m is not None} for members in (grid.rows, grid.columns)
        )
    first, second = codes
    one = first.get(row.breakdown_1) if first else (None if not row.breakdown_1 else False)
    two = second.get(row.breakdown_2) if second else (None if not row.breakdown_2 else False)
    if (
        one is not False
        and two is not False
        and (one is not None or not first)
        and (two is not None or not second)
    ):
        return (grid.measure.pk, one, two)
    members = [grid.rows, grid.columns]
    picked: list[int | None] = []
    for position, code in enumerate((row.breakdown_1, row.breakdown_2)):
        options = [m for m in members[position] if m is not None]
        if not options:
            if code:
                row.reasons.append(
                    _("Measure %(code)s has no breakdown %(n)s.")
                    % {"code": grid.measure.code, "n": position + 1}
                )
                return None
            picked.append(None)
            continue
        match = next((m for m in options if m.code == code), None)
        if match is None:
            row.reasons.append(
                _("“%(value)s” is not one of %(choices)s.")
                % {"value": code[:40] or "—", "choices": ", ".join(m.code for m in options)}
            )
            return None
        picked.append(match.pk)
    return (grid.measure.pk, picked[0], picked[1])


def _describe(verdict: Verdict, cell: Cell) -> str:
    spec = verdict.specs.get(cell[0])
    return spec.code if spec is not None else "?"


def _attach(rows: list[Row], verdicts: list[Verdict]) -> list[str]:
    """Put each period's verdict on its rows: a cell's problems on the row of that cell; the
    problems of a period as a whole (locked, closed, a rule broken with a value the rows do not
    give, a required value missing on submit) on every row of the period. Returns the latter."""
    by_cell = {(row.period_id, tuple(row.cell)): row for row in rows if row.cell is not None}
    general = []
    for verdict in verdicts:
        period_id = verdict.period.pk
        in_rows = [row for row in rows if row.period_id == period_id]
        whole = list(verdict.problems.general)
        for cell, messages in verdict.problems.cells.items():
            row = by_cell.get((period_id, cell))
            if row is not None:
                row.reasons.extend(messages)
            else:
                whole.extend(
                    f"{period_phrase(verdict.period.code)} {_describe(verdict, cell)}: {m}" for m in messages
                )
        for message in whole:
            for row in in_rows:
                row.reasons.append(message)
        general.extend(whole)
        for row in in_rows:
            cell = tuple(row.cell or ())
            row.status = verdict.statuses.get(cell, "unchanged")
            if row.status in ("update", "clear") and cell in verdict.old:
                row.old = format(verdict.old[cell].normalize(), "f")
    for row in rows:
        if row.reasons:
            row.status = "reject"
    return general


def rows_preview(
    *, initiative: Initiative, organization: Organization, by, rows: list[Row], submit: bool = False
) -> list[str]:
    """Each row's verdict (status, reasons, old value) as `rows_save` would give it; writes nothing.
    Returns the problems that concern no single row."""
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    changes = _rows_to_changes(initiative, organization, rows)
    verdicts = preview(
        initiative=initiative, organization=organization, by=by, changes=changes, submit=submit
    )
    return _attach(rows, verdicts)


class RowsRefused(Exception):
    """Rows refused; nothing was written. Each row carries its reasons; `general` the rest."""

    def __init__(self, rows: list[Row], general: list[str], *, locked: list[str]):
        super().__init__("; ".join(general[:3]) or "rows refused")
        # `locked`: the codes of the periods refused as submitted or approved.
        self.rows, self.general, self.locked = rows, general, locked


@transaction.atomic
def rows_save(
    *,
    initiative: Initiative,
    organization: Organization,
    by,
    rows: list[Row],
    submit: bool = False,
    action: str = AuditAction.CHANGE,
) -> list[SaveResult]:
    """Store rows through `save`, all or nothing: raises RowsRefused with every row's verdict."""
    if not permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    changes = _rows_to_changes(initiative, organization, rows)
    if any(row.reasons for row in rows):  # every row's verdict all the same, then nothing written
        verdicts = preview(
            initiative=initiative, organization=organization, by=by, changes=changes, submit=submit
        )
        raise RowsRefused(rows, _attach(rows, verdicts), locked=[v.period.code for v in verdicts if v.locked])
    try:
        results = save(
            initiative=initiative,
            organization=organization,
            by=by,
            changes=changes,
            submit=submit,
            action=action,
        )
    except EntryInvalid as exc:
        locked = [v.period.code for v in exc.verdicts if v.locked]
        raise RowsRefused(rows, _attach(rows, exc.verdicts), locked=locked) from exc
    _attach(rows, [r.verdict for r in results if r.verdict is not None])
    return results
