"""Keyset ("cursor") pagination for the large collections: data values, aggregates, submissions, audit.

A page is read as `WHERE (key, id) > (last key, last id) ORDER BY key, id LIMIT n + 1`, so the
thousandth page costs what the first does (no OFFSET, no COUNT). The cursor is opaque to clients:
it holds the ordering and the last row's key, and follows from `next` / `previous` links.

A view lists the keys it may be ordered by in `keyset_orderings` (public name -> model field, a
plain non-null field of the model) and its default in `keyset_default`; rows may be model instances
or `values()` dicts. `id` breaks ties, so rows sharing a timestamp are neither skipped nor repeated.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime

from django.db.models import DateField, DateTimeField, Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class KeysetPagination(BasePagination):
    page_size = 100
    max_page_size = 1000
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    # --- reading the request -------------------------------------------------------------------

    def _orderings(self, view) -> dict[str, str]:
        return getattr(view, "keyset_orderings", {"id": "id"})

    def _ordering(self, request, view) -> str:
        ordering = request.query_params.get(self.ordering_query_param, getattr(view, "keyset_default", "id"))
        if ordering.lstrip("-") not in self._orderings(view) or ordering.count("-") > 1:
            raise ValidationError(
                {
                    self.ordering_query_param: [
                        _("Order by one of: %(choices)s.") % {"choices": ", ".join(self._choices(view))}
                    ]
                }
            )
        return ordering

    def _choices(self, view) -> list[str]:
        return [f"{sign}{name}" for name in self._orderings(view) for sign in ("", "-")]

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:  # "", "ten" and 0 alike
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Ask for 1 to %(max)s rows per page.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def _decode(self, raw: str, ordering: str):
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
            if data["o"] != ordering or not isinstance(data["k"], list) or not isinstance(data["b"], bool):
                raise ValueError
            return data["k"], data["b"]
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error) as exc:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        _("This cursor is not valid for this ordering; follow the next and previous links.")
                    ]
                }
            ) from exc

    @staticmethod
    def _encode(ordering: str, key: list, backwards: bool) -> str:
        raw = json.dumps({"o": ordering, "k": key, "b": backwards}, separators=(",", ":"), default=str)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    # --- the page --------------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.ordering = self._ordering(request, view)
        size = self.get_page_size(request)
        descending = self.ordering.startswith("-")
        field = self._orderings(view)[self.ordering.lstrip("-")]
        self.fields = [field] if field == "id" else [field, "id"]
        model_field = queryset.model._meta.get_field(field)

        raw = request.query_params.get(self.cursor_query_param)
        key, backwards = None, False
        if raw is not None:
            encoded, backwards = self._decode(raw, self.ordering)
            key = self._parse_key(encoded, model_field)
        reverse = descending != backwards  # the direction rows are read in
        queryset = queryset.order_by(*[("-" if reverse else "") + f for f in self.fields])
        if key is not None:
            queryset = queryset.filter(self._after(key, reverse))
        rows = list(queryset[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, key is not None
        self.first = self._key_of(rows[0]) if rows else None
        self.last = self._key_of(rows[-1]) if rows else None
        if not rows and key is not None:
            # An empty page reached from a cursor: going the other way starts again from that key.
            self.first = self.last = key
        return rows

    def _parse_key(self, key: list, model_field):
        if len(key) != len(self.fields):
            raise ValidationError({self.cursor_query_param: [_("This cursor is not valid.")]})
        parsed: list = []  # ids, moments and days, in the key's order
        for value, name in zip(key, self.fields, strict=True):
            if name == "id":
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValidationError({self.cursor_query_param: [_("This cursor is not valid.")]})
                parsed.append(value)
            elif isinstance(model_field, DateTimeField):
                moment = parse_datetime(value) if isinstance(value, str) else None
                if moment is None:
                    raise ValidationError({self.cursor_query_param: [_("This cursor is not valid.")]})
                parsed.append(moment)
            elif isinstance(model_field, DateField):
                day = parse_date(value) if isinstance(value, str) else None
                if day is None:
                    raise ValidationError({self.cursor_query_param: [_("This cursor is not valid.")]})
                parsed.append(day)
            else:
                parsed.append(value)
        return parsed

    def _after(self, key: list, reverse: bool) -> Q:
        op = "lt" if reverse else "gt"
        if len(self.fields) == 1:
            return Q(**{f"id__{op}": key[0]})
        field = self.fields[0]
        return Q(**{f"{field}__{op}": key[0]}) | Q(**{field: key[0], f"id__{op}": key[1]})

    def _key_of(self, row) -> list:
        values = []
        for name in self.fields:
            value = row[name] if isinstance(row, dict) else getattr(row, name)
            values.append(value.isoformat() if isinstance(value, (date, datetime)) else value)
        return values

    def _link(self, key, backwards: bool) -> str:
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.ordering_query_param, self.ordering)
        return replace_query_param(url, self.cursor_query_param, self._encode(self.ordering, key, backwards))

    def get_next_link(self):
        return self._link(self.last, False) if self.has_next and self.last is not None else None

    def get_previous_link(self):
        if not self.has_previous or self.first is None:
            return None
        return self._link(self.first, True)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    # --- documentation -----------------------------------------------------------------------------

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last one.",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The previous page, or null on the first one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position, from a `next` or `previous` link.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": "Sort key; `-` for descending. Ties are broken by id. "
                f"Default `{getattr(view, 'keyset_default', 'id')}`.",
                "schema": {"type": "string", "enum": self._choices(view)},
            },
        ]


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """`limit` and `offset` for the small collections, refusing (400) what is not a page rather
    than silently reading something else."""

    max_limit = 1000
    max_offset = 2**31 - 1

    def _read(self, request, name: str, default: int | None, low: int, high: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            number = int(raw)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise ValidationError(
                {name: [_("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]}
            )
        return number

    def get_limit(self, request):
        return self._read(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return self._read(request, self.offset_query_param, 0, 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": self.max_offset},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
