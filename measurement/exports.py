"""CSV and Excel files of values; every text cell that a spreadsheet would run is escaped."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse

from .entry.validation import escape_formula

HEADER = ["measure", "period", "organization", "breakdown_1", "breakdown_2", "value", "comment", "updated_at"]


def value_rows(queryset) -> list[list]:
    rows = [HEADER]
    for v in queryset.order_by("measure__code", "period__start", "organization__name").iterator(
        chunk_size=5000
    ):
        rows.append(
            [
                v.measure.code,
                v.period.code,
                v.organization.name,
                v.member1.code if v.member1 else "",
                v.member2.code if v.member2 else "",
                v.value.normalize(),
                v.comment,
                v.updated_at.isoformat(timespec="seconds"),
            ]
        )
    return rows


def _safe(cell):
    return escape_formula(cell) if isinstance(cell, str) else cell


def response(rows: list[list], name: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([_safe(c) if not hasattr(c, "normalize") else format(c, "f") for c in row])
        out = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        def cell(c):
            if hasattr(c, "normalize"):
                return float(c)
            # A control character (typed into a comment) cannot be stored in a worksheet: dropped.
            return _safe(ILLEGAL_CHARACTERS_RE.sub("", c)) if isinstance(c, str) else c

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("values")
        for row in rows:
            sheet.append([cell(c) for c in row])
        book = io.BytesIO()
        workbook.save(book)
        out = HttpResponse(
            book.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    out["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    out["X-Content-Type-Options"] = "nosniff"
    return out
