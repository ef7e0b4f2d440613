"""File import of data values (CSV or Excel), for one organisation: validate the whole file,
show what would be created, changed and rejected row by row, then commit all or nothing.

The file's columns (the template gives them): measure, period, breakdown_1, breakdown_2, value,
comment. Limits: MAX_BYTES and MAX_ROWS below (documented in docs/measurement.md).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organization

from . import selectors, services
from .choices import AuditAction
from .models import DataValue, ImportJob, ReportingPeriod
from .validation import parse_number, validate_entry

COLUMNS = ["measure", "period", "breakdown_1", "breakdown_2", "value", "comment"]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # refuses zip bombs before openpyxl inflates them


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing was saved."""


@dataclass
class Row:
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
    number: Decimal | None = None  # the parsed value, during a check only


# What a preview keeps of each row (ImportJob.rows): the file's cells and the verdict.
_STORED_FIELDS = ("line", *COLUMNS, "status", "reasons", "old")


def _stored(row: Row) -> dict:
    return {name: getattr(row, name) for name in _STORED_FIELDS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(name: str, data: bytes) -> list[Row]:
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not data:
        raise FileRefused(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif lower.endswith(".csv") or lower.endswith(".txt"):
        table = _read_csv(data)
    else:
        raise FileRefused(_("Upload a .csv or .xlsx file (the template is one)."))
    if not any(_text(c) for row in table for c in row):
        raise FileRefused(_("The file is empty."))
    header = [_text(h).lower() for h in table[0]]  # Excel gives None for empty cells, numbers as such
    while header and header[-1] == "":
        header.pop()
    if header != COLUMNS:
        raise FileRefused(
            _("The first row must be the columns %(expected)s; it is %(found)s.")
            % {"expected": ", ".join(COLUMNS), "found": ", ".join(header) or "—"}
        )
    body = [r for r in table[1:] if any(_text(c) for c in r)]
    if len(body) > MAX_ROWS:
        raise FileRefused(_("The file has more than %(n)s rows; split it.") % {"n": f"{MAX_ROWS:,}"})
    rows = []
    for index, cells in enumerate(table[1:], start=2):
        cells = [_text(c) for c in cells] + [""] * 6
        # The template lists every cell of the data set; a row left without a value says nothing.
        if not cells[4]:
            continue
        rows.append(Row(index, *cells[:6]))
    return rows


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(_("The CSV file is not UTF-8 text; save it as “CSV UTF-8”.")) from exc
    if "\x00" in text:
        raise FileRefused(_("This is not a text file."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _read_xlsx(data: bytes) -> list[list]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("This is not an Excel (.xlsx) file.")) from exc
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED:
        raise FileRefused(
            _("The Excel file unpacks to more than %(mb)s MB; it is refused.")
            % {"mb": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)}
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise FileRefused(_("The Excel file cannot be read.")) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _looks_like_formula(text: str) -> bool:
    return text.startswith(("=", "@", "+", "\t", "\r")) or (text.startswith("-") and not _is_number(text))


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def preview(*, initiative: Initiative, organization: Organization, by, name: str, data: bytes) -> ImportJob:
    """Validate the whole file and keep the verdict, row by row, for the user to confirm."""
    # The preview shows the organisation's stored values: only those who may enter them see it.
    if not services.permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    rows = read_rows(name, data)
    if not rows:
        raise FileRefused(_("The file has a header but no values."))
    _check(initiative, organization, by, rows)
    summary = defaultdict(int)
    for row in rows:
        summary[row.status] += 1
    job = ImportJob.objects.create(
        initiative=initiative,
        organization=organization,
        filename=name[:255],
        rows=[_stored(r) for r in rows],
        summary=dict(summary),
        created_by=by,
    )
    return job


@dataclass
class _Target:
    """What the check found for one period of the file, for the commit to write."""

    submission: object | None
    stored: dict


def _check(initiative: Initiative, organization: Organization, by, rows: list[Row]) -> dict[int, _Target]:
    """Give every row its verdict (create / update / unchanged / reject with reasons): the same
    checks as the grid, over the file's values merged with what is stored. Returns, per period of
    the file, the submission and its stored values (for `commit`, which holds their locks)."""
    periods = {p.code: p for p in ReportingPeriod.objects.filter(initiative=initiative)}
    in_file = [periods[code] for code in {row.period for row in rows} if code in periods]
    grids = {
        period_id: {g.measure.code: g for g in grid}
        for period_id, grid in selectors.datasets(initiative, organization, in_file).items()
    }
    seen: dict[tuple, int] = {}
    by_period: dict[int, list[Row]] = defaultdict(list)

    for row in rows:
        for name in ("measure", "period", "breakdown_1", "breakdown_2", "value", "comment"):
            text = getattr(row, name)
            if text and _looks_like_formula(text) and not (name == "value" and _is_number(text)):
                row.reasons.append(
                    _("The %(column)s cell looks like a formula; formulas are refused.") % {"column": name}
                )
        if row.reasons:
            continue
        period = periods.get(row.period)
        if period is None:
            row.reasons.append(_("Unknown period “%(period)s”.") % {"period": row.period[:20]})
            continue
        measure_grid = grids[period.pk].get(row.measure)
        if measure_grid is None:
            row.reasons.append(
                _("Measure “%(code)s” is not in your data set for %(period)s.")
                % {"code": row.measure[:40], "period": period.code}
            )
            continue
        cell = _cell(measure_grid, row)
        if cell is None:
            continue
        key = (period.pk, cell)
        if key in seen:
            row.reasons.append(_("Same cell as line %(line)s.") % {"line": seen[key]})
            continue
        seen[key] = row.line
        try:
            row.number = parse_number(row.value)
        except ValueError as exc:
            row.reasons.append(str(exc))
            continue
        row.cell, row.period_id = cell, period.pk
        by_period[period.pk].append(row)

    # Per period: the same checks as the grid, over the file's values merged with what is stored.
    # What they read is fetched for all the file's periods at once (a file may span years).
    checked = [p for p in in_file if p.pk in by_period]
    submissions = {
        s.period_id: s
        for s in services.Submission.objects.filter(organization=organization, period__in=checked)
    }
    stored_by_submission: dict[int, dict] = defaultdict(dict)
    for value in selectors.stored_rows(DataValue.objects.filter(submission__in=list(submissions.values()))):
        stored_by_submission[value.submission_id][(value.measure_id, value.member1_id, value.member2_id)] = (
            value
        )
    measure_ids = {g.measure.pk for p in checked for g in grids[p.pk].values()}
    previous = selectors.previous_totals_many(organization, checked, measure_ids)
    rules = selectors.rules_of(initiative)
    reviewer = services.permissions.can_review(by, initiative)
    targets: dict[int, _Target] = {}
    for period in checked:
        period_rows = by_period[period.pk]
        submission = submissions.get(period.pk)
        specs = selectors.specs_of(list(grids[period.pk].values()))
        # As in services.values_save: values outside the current data set are left alone.
        stored = {
            cell: v
            for cell, v in stored_by_submission.get(submission.pk if submission else None, {}).items()
            if cell[0] in specs and cell[1:] in specs[cell[0]].cells
        }
        targets[period.pk] = _Target(submission, stored)
        if submission is not None and submission.is_locked:
            for row in period_rows:
                row.reasons.append(
                    _("Period %(period)s is %(status)s and locked.")
                    % {"period": period.code, "status": submission.get_status_display().lower()}
                )
            continue
        if not reviewer and (problem := services.window_problem(period)):
            for row in period_rows:
                row.reasons.append(problem)
            continue

        raw = {cell: v.value for cell, v in stored.items()}
        comments = {cell: v.comment for cell, v in stored.items()}
        for row in period_rows:
            raw[row.cell] = row.number
            if row.comment:
                comments[row.cell] = row.comment
        _values, problems = validate_entry(
            specs=specs,
            raw=raw,
            comments=comments,
            previous_totals=previous[period.pk],
            rules=rules,
            submitting=False,
        )
        for row in period_rows:
            row.reasons.extend(problems.cells.get(row.cell, []))
            if not row.reasons:
                old = stored.get(row.cell)
                if old is None:
                    row.status = "create"
                elif old.value != row.number or (row.comment and row.comment != old.comment):
                    row.status, row.old = "update", format(old.value.normalize(), "f")
                else:
                    row.status = "unchanged"
                if row.status != "unchanged" and submission is not None and not submission.is_open(row.cell):
                    row.reasons.append(
                        _("This value is approved and locked; only the unlocked values may change.")
                    )
        # Problems of cells the file does not mention (a rule broken between a value in the file
        # and one already stored) concern the whole period: every row of it is refused.
        in_period = {row.cell for row in period_rows}
        elsewhere = [
            f"{specs[cell[0]].code}: {message}"
            for cell, messages in problems.cells.items()
            if cell not in in_period
            for message in messages
        ]
        for message in [*problems.general, *elsewhere]:
            for row in period_rows:
                row.reasons.append(message)
    for row in rows:
        if row.reasons:
            row.status = "reject"
    return targets


def _cell(grid, row: Row):
    members = [grid.rows, grid.columns]
    picked = []
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


@transaction.atomic
def commit(*, job: ImportJob, by) -> dict:
    """Write the previewed file, all or nothing, after validating it again (data may have moved on).

    The submissions the file writes to are created if missing and locked first, so the second
    check's verdict still holds when the values are written (in bulk, without a second pass).
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.committed_at is not None:
        raise ValidationError(_("This file was already imported."))
    if job.created_by_id != by.pk:
        raise ValidationError(_("Only the person who uploaded the file can confirm it."))
    if not services.permissions.can_enter(by, job.initiative, job.organization):
        raise PermissionDenied
    rows = [Row(**{k: v for k, v in r.items() if k in _STORED_FIELDS}) for r in job.rows]
    codes = {row.period for row in rows}
    for period in ReportingPeriod.objects.filter(initiative=job.initiative, code__in=codes):
        services.submission_for(
            initiative=job.initiative, organization=job.organization, period=period, by=by
        )
    locked = list(
        services.Submission.objects.select_for_update(of=("self",))  # not the shared period rows
        .filter(organization=job.organization, period__initiative=job.initiative, period__code__in=codes)
        .values_list("pk", flat=True)
    )
    targets = _check(job.initiative, job.organization, by, rows)
    rejected = [r for r in rows if r.status == "reject"]
    if rejected:
        raise ValidationError(
            _("%(n)s rows cannot be imported; nothing was saved. Fix the file and upload it again.")
            % {"n": len(rejected)}
        )
    totals = {"created": 0, "updated": 0, "unchanged": sum(1 for r in rows if r.status == "unchanged")}
    by_period: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        if row.status in ("create", "update"):
            by_period[row.period_id].append(row)
    for period_id, period_rows in by_period.items():
        target = targets[period_id]
        comments = {
            row.cell: row.comment or (target.stored[row.cell].comment if row.cell in target.stored else "")
            for row in period_rows
        }
        result = services.write_values(
            submission=target.submission,
            by=by,
            values={row.cell: row.number for row in period_rows},
            comments=comments,
            stored=target.stored,
            replace=False,
            action=AuditAction.IMPORT,
        )
        totals["created"] += result.created
        totals["updated"] += result.updated
    now = timezone.now()
    services.Submission.objects.filter(pk__in=locked).update(updated_at=now)
    job.committed_at = now
    job.save(update_fields=["committed_at"])
    return totals


def template_rows(
    initiative: Initiative, organization: Organization, period: ReportingPeriod
) -> list[list[str]]:
    """The file a partner fills in: one row per cell of its data set for the period."""
    rows = [COLUMNS]
    stored = {
        (v.measure_id, v.member1_id, v.member2_id): v
        for v in selectors.stored_rows(DataValue.objects.filter(organization=organization, period=period))
    }
    for grid in selectors.dataset(initiative, organization, period):
        for r in grid.rows:
            for c in grid.columns:
                value = stored.get((grid.measure.pk, r.pk if r else None, c.pk if c else None))
                rows.append(
                    [
                        grid.measure.code,
                        period.code,
                        r.code if r else "",
                        c.code if c else "",
                        format(value.value.normalize(), "f") if value else "",
                        value.comment if value else "",
                    ]
                )
    return rows
