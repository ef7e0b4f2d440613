"""Flat CSV feeds for spreadsheets and BI tools (Excel / Power Query, Power BI): one header row,
one row per figure, ISO 8601 dates, dot decimals, UTF-8 with a byte order mark (so that Excel opens
Hebrew names as they are written). docs/bi.md has the step-by-step recipes.

Authenticated as the rest of the API (`Authorization: Token <token>` or `Bearer <token>`, or the
browser session) and scoped by InitiativeScopedMixin: another initiative's token is a 404. The
values feed reads exactly what the values API reads (`selectors.visible_values`: confidentiality
by organisation is decided in measurement.permissions)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer

from ci_platform.api.views import InitiativeScopedMixin

from .. import selectors
from ..aggregation import runs
from ..aggregation.completeness import is_complete
from ..dashboards import readers
from ..models import Aggregate, Completeness, DataValue, bilingual
from .filters import AggregateFilter, DataValueFilter

BOM = "\ufeff"


def cell(value) -> str:
    """One CSV cell as Excel, Power Query and Power BI read it whatever the reader's locale:
    dot decimals without thousands separators, ISO dates, UTC moments, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Line:
    """csv.writer's file: each row comes back as its text."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: list[str], rows):
    """The CSV's text, line by line (RFC 4180: CRLF, quotes where needed), the BOM first."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ErrorsAsJson(BaseContentNegotiation):
    """The CSV itself is written by the view; what is negotiated is only an error's body, which is
    JSON in the API's shape whatever the client accepts (a client asking for text/csv only gets its
    400 or 401 as JSON, never a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


RENDERERS = [JSONRenderer]

CSV_RESPONSE = {
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.STR,
        description="CSV: one header row, then one row per figure; UTF-8 with a byte order mark, "
        "comma separated, CRLF line ends, ISO 8601 dates (UTC moments), dot decimals, an empty cell "
        "for no value. See docs/bi.md.",
    )
}


def _name(en: str | None, he: str | None) -> str | None:
    return bilingual(en, he)


AGGREGATE_HEADER = [
    "measure",
    "measure_name",
    "unit",
    "period",
    "frequency",
    "period_start",
    "period_end",
    "breakdown_1",
    "breakdown_1_name",
    "breakdown_2",
    "breakdown_2_name",
    "value",
    "organizations",
    "expected",
    "approved",
    "provisional",
]


class AggregatesFeedView(InitiativeScopedMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """Every aggregate of the active computation as one flat CSV (the `aggregates/` endpoint's
    figures with names and period dates, no pages): each measure across partners per period and
    breakdown cell (empty breakdowns = the total), approved data only, with completeness and
    `provisional` as there. Filters as `aggregates/`. Names follow `Accept-Language`."""

    filterset_class = AggregateFilter
    schema_model = Aggregate
    pagination_class = None
    renderer_classes = RENDERERS
    content_negotiation_class = ErrorsAsJson

    def get_queryset(self):
        run = runs.active_run(self.initiative)
        if run is None:
            return Aggregate.objects.none()
        counts = Completeness.objects.filter(
            run=run, measure_id=OuterRef("measure_id"), period_id=OuterRef("period_id")
        ).order_by()
        return Aggregate.objects.filter(run=run).annotate(
            expected=Subquery(counts.values("expected")[:1]),
            approved=Subquery(counts.values("approved")[:1]),
        )

    @extend_schema(operation_id="feeds_aggregates_csv", responses=CSV_RESPONSE)
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        complete_pct = readers.complete_pct_of(self.initiative)
        rows = queryset.order_by(
            "measure__code",
            "period__start",
            "period__frequency",
            F("member1__order").asc(nulls_first=True),
            F("member2__order").asc(nulls_first=True),
            "id",
        ).values_list(
            "measure__code",
            "measure__name_en",
            "measure__name_he",
            "measure__unit",
            "period__code",
            "period__frequency",
            "period__start",
            "period__end",
            "member1__code",
            "member1__name_en",
            "member1__name_he",
            "member2__code",
            "member2__name_en",
            "member2__name_he",
            "value",
            "organizations",
            "expected",
            "approved",
        )

        def lines():
            for (
                code,
                m_en,
                m_he,
                unit,
                period,
                frequency,
                start,
                end,
                b1,
                b1_en,
                b1_he,
                b2,
                b2_en,
                b2_he,
                value,
                organizations,
                expected,
                approved,
            ) in rows.iterator(chunk_size=2000):
                yield [
                    code,
                    _name(m_en, m_he),
                    unit,
                    period,
                    frequency,
                    start,
                    end,
                    b1,
                    _name(b1_en, b1_he),
                    b2,
                    _name(b2_en, b2_he),
                    value,
                    organizations,
                    expected,
                    approved,
                    not is_complete(approved, expected, complete_pct),
                ]

        return csv_response(f"{self.initiative.slug}-aggregates.csv", AGGREGATE_HEADER, lines())


VALUE_HEADER = [
    "id",
    "measure",
    "measure_name",
    "period",
    "frequency",
    "period_start",
    "period_end",
    "organization_id",
    "organization",
    "breakdown_1",
    "breakdown_1_name",
    "breakdown_2",
    "breakdown_2_name",
    "value",
    "status",
    "comment",
    "updated_at",
]


class ValuesFeedView(InitiativeScopedMixin, mixins.ListModelMixin, generics.GenericAPIView):
    """The raw data values the caller may read, as one flat CSV: exactly the `values/` endpoint's
    rows (its own organisation's for a partner or a submit token, every organisation's for backbone
    staff and read tokens), with names and period dates, no pages. Filters as `values/`."""

    filterset_class = DataValueFilter
    schema_model = DataValue
    pagination_class = None
    renderer_classes = RENDERERS
    content_negotiation_class = ErrorsAsJson

    def get_queryset(self):
        return selectors.visible_values(self.request.user, self.initiative)

    @extend_schema(operation_id="feeds_values_csv", responses=CSV_RESPONSE)
    def get(self, request, *args, **kwargs):
        rows = (
            self.filter_queryset(self.get_queryset())
            .order_by("id")
            .values_list(
                "id",
                "measure__code",
                "measure__name_en",
                "measure__name_he",
                "period__code",
                "period__frequency",
                "period__start",
                "period__end",
                "organization_id",
                "organization__name",
                "member1__code",
                "member1__name_en",
                "member1__name_he",
                "member2__code",
                "member2__name_en",
                "member2__name_he",
                "value",
                "submission__status",
                "comment",
                "updated_at",
            )
        )

        def lines():
            for (
                pk,
                code,
                m_en,
                m_he,
                period,
                frequency,
                start,
                end,
                org_id,
                org,
                b1,
                b1_en,
                b1_he,
                b2,
                b2_en,
                b2_he,
                value,
                status,
                comment,
                updated_at,
            ) in rows.iterator(chunk_size=2000):
                yield [
                    pk,
                    code,
                    _name(m_en, m_he),
                    period,
                    frequency,
                    start,
                    end,
                    org_id,
                    org,
                    b1,
                    _name(b1_en, b1_he),
                    b2,
                    _name(b2_en, b2_he),
                    value,
                    status,
                    comment,
                    updated_at,
                ]

        return csv_response(f"{self.initiative.slug}-values.csv", VALUE_HEADER, lines())
