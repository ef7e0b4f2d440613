"""Filter building blocks shared by every component's API."""

import datetime
import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

MAX_ID = 2**53  # beyond JavaScript's safe integers no id of ours will ever be


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.Filter):
    """An object id: a whole number, checked before it reaches the database (400 otherwise)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _MomentField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None:
            try:  # the database stores UTC: a moment that has none (year 1 at +02:00) is bad input
                # Passed on in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows
                # (a 500 for `since=…+16:42`, found by schemathesis with 50 examples).
                moment = moment.astimezone(datetime.UTC)
            except (OverflowError, ValueError) as exc:
                raise forms.ValidationError(_("This moment is out of range."), code="invalid") from exc
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = _MomentField


def updated_since(field_name: str = "updated_at") -> MomentFilter:
    return MomentFilter(
        field_name=field_name,
        lookup_expr="gte",
        help_text="Only rows changed at or after this moment (ISO 8601, e.g. 2026-01-31T12:00:00Z). "
        "For incremental sync pass the largest `updated_at` already seen (rows at that moment "
        "come again: upsert them by id).",
    )


class _StrictBooleanField(forms.Field):
    TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.Filter):
    """true / false (or 1 / 0); anything else is 400, not "no filter"."""

    field_class = _StrictBooleanField


class ApiFilterBackend(DjangoFilterBackend):
    """django-filter for every API view, a little stricter than its defaults, for every component:
    a filter given with no value (`?updated_since=`), an id that is not a whole number
    (`?group=0.5`) or a yes/no that is neither (`?open=maybe`) is a 400, never silently "no
    filter" (an empty `updated_since` from a buggy sync script must not mean "everything")."""

    BOOLEAN_WORDS = {"true", "false", "1", "0", "yes", "no", "on", "off"}
    LIMIT = 2**63 - 1

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            errors = self._strict_errors(filterset, queryset.model)
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)

    def _strict_errors(self, filterset, model) -> dict[str, list]:
        errors: dict[str, list] = {}  # messages, in the request's language
        for name, filter_ in filterset.filters.items():
            if name not in filterset.data:
                continue
            value = filterset.data.get(name)
            if value == "" and type(filter_) is not django_filters.CharFilter:
                errors[name] = [_("Give a value, or leave the parameter out.")]
            elif (
                isinstance(filter_, django_filters.BooleanFilter) and value.lower() not in self.BOOLEAN_WORDS
            ):
                errors[name] = [_("Give true or false.")]
            elif (
                isinstance(filter_, django_filters.NumberFilter)
                and self._integer_field(filter_, model)
                and (not re.fullmatch(r"-?\d{1,19}", value) or abs(int(value)) > self.LIMIT)
            ):
                errors[name] = [_("Give a whole number.")]
        return errors

    @staticmethod
    def _integer_field(filter_, model) -> bool:
        from django.db import models

        try:
            field = model._meta.get_field(filter_.field_name.split("__")[0])
        except Exception:  # a path through a relation, or a method: leave it to django-filter
            return False
        if field.is_relation:
            field = field.target_field
        return isinstance(field, (models.IntegerField, models.AutoField))
