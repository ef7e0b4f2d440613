"""File import of data values (CSV or Excel), for one organisation: read the file into rows,
show what the entry pipeline (entry.py) would create, change and reject row by row, then commit
all or nothing through it. Nothing here checks a value: the file is only mapped to rows.

The file's columns (the template gives them): measure, period, breakdown_1, breakdown_2, value,
comment. Limits: MAX_BYTES and MAX_ROWS below (documented in docs/measurement.md).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organization

from .. import selectors
from ..choices import AuditAction
from ..models import DataValue, ImportJob, ReportingPeriod
from . import pipeline
from .pipeline import Row

COLUMNS = ["measure", "period", "breakdown_1", "breakdown_2", "value", "comment"]
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # refuses zip bombs before openpyxl inflates them


class FileRefused(Exception):
    """The file as a whole cannot be read; nothing was saved."""


# What a preview keeps of each row (ImportJob.rows): the file's cells and the verdict.
_STORED_FIELDS = ("line", *COLUMNS, "status", "reasons", "old")
_FILE_FIELDS = ("line", *COLUMNS)


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
        measure, period, breakdown_1, breakdown_2, value, comment = cells[:6]
        rows.append(Row(index, measure, period, breakdown_1, breakdown_2, value, comment))
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

    # In read-only mode openpyxl parses a sheet's XML only as its rows are iterated, so a truncated
    # sheet or one that declares entities fails there, not at load_workbook: both are in the try.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            if not workbook.worksheets:
                raise FileRefused(_("The Excel file has no sheet."))
            rows = []
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 1:
                    break
        finally:
            workbook.close()
    except FileRefused:
        raise
    except Exception as exc:  # openpyxl and the XML parsers raise many kinds for broken files
        raise FileRefused(
            _("The Excel file cannot be read; save it again from Excel or use the CSV template.")
        ) from exc
    return rows


def preview(*, initiative: Initiative, organization: Organization, by, name: str, data: bytes) -> ImportJob:
    """Check the whole file through the entry pipeline and keep its verdict, row by row, for the
    user to confirm. Nothing else is written."""
    # The preview shows the organisation's stored values: only those who may enter them see it.
    if not pipeline.permissions.can_enter(by, initiative, organization):
        raise PermissionDenied
    rows = read_rows(name, data)
    if not rows:
        raise FileRefused(_("The file has a header but no values."))
    pipeline.rows_preview(initiative=initiative, organization=organization, by=by, rows=rows)
    summary: dict[str, int] = defaultdict(int)
    for row in rows:
        summary[row.status] += 1
    return ImportJob.objects.create(
        initiative=initiative,
        organization=organization,
        filename=name[:255],
        rows=[_stored(r) for r in rows],
        summary=dict(summary),
        created_by=by,
    )


@transaction.atomic
def commit(*, job: ImportJob, by) -> dict:
    """Write the previewed file, all or nothing, through the entry pipeline, which checks every
    row again (the data may have moved on since the preview)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.committed_at is not None:
        raise ValidationError(_("This file was already imported."))
    if job.created_by_id != by.pk:
        raise ValidationError(_("Only the person who uploaded the file can confirm it."))
    rows = [Row(**{k: v for k, v in r.items() if k in _FILE_FIELDS}) for r in job.rows]
    try:
        results = pipeline.rows_save(
            initiative=job.initiative,
            organization=job.organization,
            by=by,
            rows=rows,
            action=AuditAction.IMPORT,
        )
    except pipeline.RowsRefused as exc:
        rejected = sum(1 for r in exc.rows if r.reasons)
        raise ValidationError(
            _("%(n)s rows cannot be imported; nothing was saved. Fix the file and upload it again.")
            % {"n": rejected}
        ) from exc
    job.committed_at = timezone.now()
    job.save(update_fields=["committed_at"])
    return {
        "created": sum(r.created for r in results),
        "updated": sum(r.updated for r in results),
        "unchanged": sum(r.unchanged for r in results),
    }


def single_period(job: ImportJob) -> ReportingPeriod | None:
    """The period of a file that held one (where its draft waits to be submitted), else None."""
    codes = {row["period"] for row in job.rows}
    if len(codes) != 1:
        return None
    return ReportingPeriod.objects.filter(initiative_id=job.initiative_id, code__in=codes).first()


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
