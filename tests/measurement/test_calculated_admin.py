"""A calculated measure's formula edited in the Django admin is checked as the platform's own form
checks it (one check: the service's `_formula_check`, through the admin's form): unknown codes,
itself, cycles through other calculated measures, frequencies, breakdowns. Refused with the
message on the formula field; nothing stored."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from measurement.choices import MeasureKind, Unit, ValueType
from measurement.models import SharedMeasure

from .conftest import make_measure

pytestmark = pytest.mark.django_db


def plain(text: str) -> str:
    return re.sub("[\u2066-\u2069]", "", text)


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x-Admin-pass-1")


def calculated(m, code, formula, **fields):
    return make_measure(
        m.initiative,
        m.backbone,
        code,
        kind=MeasureKind.CALCULATED,
        formula=formula,
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
        **fields,
    )


def admin_form(root, measure: SharedMeasure | None, **changes):
    """The admin's own form for the change (or add) page, bound to the measure's fields as the
    page shows them, with `changes`."""
    model_admin = admin.site._registry[SharedMeasure]
    request = RequestFactory().get("/")
    request.user = root
    form_class = model_admin.get_form(request, measure)
    initial = form_class(instance=measure).initial if measure else {}
    data = {name: _posted(value) for name, value in initial.items() if name in form_class.base_fields}
    return form_class({**data, **changes}, instance=measure)


def _posted(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return [v.pk if isinstance(v, Model) else v for v in value]
    return value


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("100 * attended / nobody", "There is no measure with the code “nobody”"),
        ("100 * attended-enrolled", "put spaces around the minus sign"),
        ("rate / 2", "cannot be calculated from itself"),
        ("enrolled / sessions", "reported quarterly"),
        ("100 * (attended", "“)” expected. (at character 16)"),
    ],
)
def test_the_admin_refuses_what_the_service_refuses(mworld, root, formula, words):
    rate = calculated(mworld, "rate", "100 * attended / enrolled")
    form = admin_form(root, rate, formula=formula)
    assert not form.is_valid()
    assert list(form.errors) == ["formula"]
    messages = form.errors["formula"]
    assert len(messages) == 1 and words in plain(messages[0])
    rate.refresh_from_db()
    assert rate.formula == "100 * attended / enrolled"


def test_a_cycle_through_another_calculated_measure_is_refused(mworld, root):
    first = calculated(mworld, "rate-a", "attended / 2")
    calculated(mworld, "rate-b", "rate-a * 2")
    form = admin_form(root, first, formula="rate-b + attended")
    assert not form.is_valid()
    assert "goes round in a circle: rate-a → rate-b → rate-a" in plain(form.errors["formula"][0])


def test_a_new_calculated_measure_is_checked_too_and_in_hebrew(mworld, root):
    fields = {
        "initiative": mworld.initiative.pk,
        "code": "ghost-rate",
        "name_en": "Ghost rate",
        "name_he": "שיעור",
        "definition": "Per ghost.",
        "unit": Unit.RATE,
        "value_type": ValueType.DECIMAL,
        "direction": "up",
        "level": "population",
        "aggregation": "none",
        "kind": MeasureKind.CALCULATED,
        "frequency": "yearly",
        "formula": "100 * attended / ghosts",
        "required": "on",
    }
    with translation.override("he"):
        form = admin_form(root, None, **fields)
        assert not form.is_valid()
        message = form.errors["formula"][0]
    assert "ghosts" in message and "There is no measure" not in message
    form = admin_form(root, None, **{**fields, "formula": "100 * attended / enrolled"})
    assert form.is_valid(), form.errors


def test_a_valid_formula_is_saved_through_the_change_page(mworld, root, client):
    """The whole admin page: its form and inlines posted back as shown, the formula changed."""
    rate = calculated(mworld, "rate", "100 * attended / enrolled")
    client.force_login(root)
    url = reverse("admin:measurement_sharedmeasure_change", args=[rate.pk])
    page = client.get(url)
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = _posted(form[name].value())
        if value is False:
            continue
        data[name] = "on" if value is True else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for subform in formset.forms:
            for name in subform.fields:
                value = _posted(subform[name].value())
                if value is not False:
                    data[subform.add_prefix(name)] = "on" if value is True else value
    refused = client.post(url, {**data, "formula": "100 * attended / rate"})
    assert refused.status_code == 200
    assert "cannot be calculated from itself" in plain(refused.content.decode())
    rate.refresh_from_db()
    assert rate.formula == "100 * attended / enrolled"
    saved = client.post(url, {**data, "formula": "1000 * attended / enrolled"})
    assert saved.status_code == 302, saved.context["adminform"].form.errors if saved.context else ""
    rate.refresh_from_db()
    assert rate.formula == "1000 * attended / enrolled"
