"""Bulk submission through the API: many values for one organisation and one or more periods.

Nothing here validates on its own: rows go through the file import's row checks
(`importer._check`, the same verdict per row as an uploaded file) and are written by the entry's
one writer (`services.values_save`), so the API accepts and refuses exactly what a file upload
does. All or nothing: one rejected row, and nothing is written. A dry run carries out the whole
write inside a transaction that is then rolled back, so its verdict is the real run's, submission
included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organization

from .. import importer, services
from ..choices import SubmissionStatus
from ..importer import Row
from ..models import DimensionMember, ReportingPeriod, SharedMeasure, Submission


@dataclass
class BulkOutcome:
    organization: Organization
    rows: list[Row]
    dry_run: bool
    submitted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # refusals that concern no single row

    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0, "reject": 0}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return {
            "created": counts["create"],
            "updated": counts["update"],
            "unchanged": counts["unchanged"],
            "rejected": counts["reject"],
        }

    def row_report(self) -> list[dict]:
        return [
            {
                "index": row.line,
                "measure": row.measure,
                "period": row.period,
                "breakdown_1": row.breakdown_1,
                "breakdown_2": row.breakdown_2,
                "status": row.status,
                "reasons": list(row.reasons),
            }
            for row in self.rows
        ]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "organization": self.organization.pk,
            "summary": self.summary(),
            "submitted": self.submitted,
            "problems": self.problems,
            "rows": self.row_report(),
        }


class BulkRefused(Exception):
    """Nothing was written. `code` is "invalid" (rows or the entry refused) or "locked"."""

    def __init__(self, outcome: BulkOutcome, *, code: str, message: str):
        super().__init__(message)
        self.outcome, self.code, self.message = outcome, code, message

    def errors(self) -> dict[str, list[str]]:
        errors = {f"values.{row.line}": list(row.reasons) for row in self.outcome.rows if row.reasons}
        if self.outcome.problems:
            errors["non_field_errors"] = list(self.outcome.problems)
        return errors


class _DryRun(Exception):
    pass


class _PeriodInvalid(Exception):
    def __init__(self, period_id: int, problems):
        super().__init__(period_id)
        self.period_id, self.problems = period_id, problems


def _rows(values: list[dict]) -> list[Row]:
    return [
        Row(
            line=index,
            measure=v["measure"].strip(),
            period=v["period"].strip(),
            breakdown_1=(v.get("breakdown_1") or "").strip(),
            breakdown_2=(v.get("breakdown_2") or "").strip(),
            value=str(v["value"]).strip(),
            comment=(v.get("comment") or "").strip(),
        )
        for index, v in enumerate(values)
    ]


def _locked_periods(organization: Organization, initiative: Initiative, codes) -> list[str]:
    return sorted(
        Submission.objects.filter(
            organization=organization,
            initiative=initiative,
            period__code__in=list(codes),
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
        ).values_list("period__code", flat=True)
    )


def bulk_submit(
    *,
    initiative: Initiative,
    organization: Organization,
    by,
    values: list[dict],
    submit: bool = False,
    dry_run: bool = False,
) -> BulkOutcome:
    """Check every row as a file import does, then write all of it or nothing.

    Raises PermissionDenied (the caller may not enter this organisation's data) or BulkRefused.
    A dry run returns the verdict, rejected rows included, and writes nothing.
    """
    if not services.permissions.can_enter(by, initiative, organization):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    rows = _rows(values)
    importer._check(initiative, organization, by, rows)
    outcome = BulkOutcome(organization=organization, rows=rows, dry_run=dry_run)
    rejected = [row for row in rows if row.status == "reject"]
    if rejected:
        if dry_run:
            return outcome
        locked = _locked_periods(organization, initiative, {row.period for row in rows})
        if locked:
            raise BulkRefused(
                outcome,
                code="locked",
                message=_("Periods %(periods)s are submitted or approved and locked; nothing was saved.")
                % {"periods": ", ".join(locked)},
            )
        raise BulkRefused(
            outcome,
            code="invalid",
            message=_("%(n)s of %(total)s values are rejected; nothing was saved.")
            % {"n": len(rejected), "total": len(rows)},
        )
    try:
        with transaction.atomic():
            outcome.submitted = _write(initiative, organization, by, rows, submit=submit)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except _PeriodInvalid as exc:  # e.g. on submit, a required value the request does not give
        outcome.submitted = []
        outcome.problems = _attach(rows, exc.period_id, exc.problems)
        for row in rows:
            if row.reasons:
                row.status = "reject"
        if dry_run:
            return outcome
        raise BulkRefused(
            outcome,
            code="invalid",
            message=_("The values cannot be saved as they are; nothing was saved."),
        ) from exc
    except ValidationError as exc:  # the data moved on since the checks: locked, or the window closed
        outcome.problems = list(exc.messages)
        locked = _locked_periods(organization, initiative, {row.period for row in rows})
        raise BulkRefused(outcome, code="locked" if locked else "invalid", message=exc.messages[0]) from exc
    return outcome


def _write(
    initiative: Initiative, organization: Organization, by, rows: list[Row], *, submit: bool
) -> list[str]:
    """Per period, as the file import commits: changed cells only (others keep their value)."""
    raw: dict[int, dict] = defaultdict(dict)
    comments: dict[int, dict] = defaultdict(dict)
    order: list[int] = []
    for row in rows:
        if row.period_id not in order:
            order.append(row.period_id)
        if row.status in ("create", "update"):
            raw[row.period_id][tuple(row.cell)] = row.value
            if row.comment:
                comments[row.period_id][tuple(row.cell)] = row.comment
    periods = ReportingPeriod.objects.in_bulk(order)
    submitted = []
    for period_id in order:
        if not raw[period_id] and not submit:
            continue
        submission = services.submission_for(
            initiative=initiative, organization=organization, period=periods[period_id], by=by
        )
        try:
            services.values_save(
                submission=submission,
                by=by,
                raw=raw[period_id],
                comments=comments[period_id],
                submit=submit,
                replace=False,
            )
        except services.EntryInvalid as exc:
            raise _PeriodInvalid(period_id, exc.problems) from exc
        if submit:
            submitted.append(periods[period_id].code)
    return submitted


def _attach(rows: list[Row], period_id: int, problems) -> list[str]:
    """Put one period's problems on the rows of their cells; return the others, described."""
    by_cell = {tuple(row.cell): row for row in rows if row.period_id == period_id}
    general = list(problems.general)
    elsewhere = [(cell, messages) for cell, messages in problems.cells.items() if cell not in by_cell]
    for cell, messages in problems.cells.items():
        if cell in by_cell:
            by_cell[cell].reasons.extend(messages)
    if elsewhere:
        period = ReportingPeriod.objects.get(pk=period_id).code
        measures = SharedMeasure.objects.in_bulk({cell[0] for cell, _m in elsewhere})
        members = DimensionMember.objects.in_bulk({m for cell, _m in elsewhere for m in cell[1:] if m})
        for cell, messages in elsewhere:
            where = " / ".join(
                [
                    measures[cell[0]].code if cell[0] in measures else "?",
                    *(members[m].code for m in cell[1:] if m),
                ]
            )
            general.extend(f"{period} {where}: {message}" for message in messages)
    return general
