"""Bulk submission through the API: many values for one organisation and one or more periods.

An adapter only: the items become rows (entry.Row), which the entry pipeline maps to cells,
checks and writes exactly as it does a file's or the grid's (entry.rows_save), all or nothing. A
dry run is the pipeline's preview: the same checks, submission included, and nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organization

from ..entry import pipeline
from ..entry.pipeline import Row


@dataclass
class BulkOutcome:
    organization: Organization
    rows: list[Row]
    dry_run: bool
    submitted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # refusals that concern no single row

    def summary(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "clear": 0, "unchanged": 0, "reject": 0}
        for row in self.rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        return {
            "created": counts["create"],
            "updated": counts["update"],
            "cleared": counts["clear"],
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


def _rows(values: list[dict]) -> list[Row]:
    return [
        Row(
            line=index,
            measure=v["measure"].strip(),
            period=v["period"].strip(),
            breakdown_1=(v.get("breakdown_1") or "").strip(),
            breakdown_2=(v.get("breakdown_2") or "").strip(),
            value=str(v.get("value") or "").strip(),
            comment=v.get("comment") or "",
            clear=bool(v.get("clear")),
        )
        for index, v in enumerate(values)
    ]


def bulk_submit(
    *,
    initiative: Initiative,
    organization: Organization,
    by,
    values: list[dict],
    submit: bool = False,
    dry_run: bool = False,
) -> BulkOutcome:
    """Check every row through the entry pipeline, then write all of it or nothing.

    Raises PermissionDenied (the caller may not enter this organisation's data) or BulkRefused.
    A dry run returns the verdict, rejected rows included, and writes nothing.
    """
    rows = _rows(values)
    outcome = BulkOutcome(organization=organization, rows=rows, dry_run=dry_run)
    periods = list(dict.fromkeys(row.period for row in rows))
    if dry_run:
        outcome.problems = pipeline.rows_preview(
            initiative=initiative, organization=organization, by=by, rows=rows, submit=submit
        )
        if submit and not any(row.reasons for row in rows):
            outcome.submitted = periods
        return outcome
    try:
        pipeline.rows_save(initiative=initiative, organization=organization, by=by, rows=rows, submit=submit)
    except pipeline.RowsRefused as refused:
        outcome.problems = refused.general
        rejected = sum(1 for row in rows if row.reasons)
        message = (
            _("Periods %(periods)s are submitted or approved and locked; nothing was saved.")
            % {"periods": ", ".join(sorted(refused.locked))}
            if refused.locked
            else _("%(n)s of %(total)s values are rejected; nothing was saved.")
            % {"n": rejected, "total": len(rows)}
        )
        raise BulkRefused(
            outcome, code="locked" if refused.locked else "invalid", message=message
        ) from refused
    if submit:
        outcome.submitted = periods
    return outcome
