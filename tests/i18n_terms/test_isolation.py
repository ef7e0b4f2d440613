"""Numbers, ranges, codes, periods and names inside sentences built in Python read right in both
directions (issue #19): the choice labels with a range, the entry pipeline's messages naming a
period, the forms' help, placeholder and labels that quote an example or a name.

Snapshots of the text as rendered, in English and Hebrew. Needs the compiled catalogue
(`manage.py compiletranslations`), as tests/test_i18n.py does.
"""

import importlib
import re
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.utils import translation

from ci_platform.i18n_format import _NUMERIC, FSI, LRI, PDI
from initiatives.models import Initiative, Organization
from measurement.choices import ValueType
from measurement.entry.pipeline import window_problem
from measurement.models import ReportingPeriod

ISOLATED = re.compile("[\u2066-\u2068][^\u2069]*\u2069")


def _choice_labels():
    """Every choice label of the project: the models' fields and the apps' choices modules."""
    seen = {}
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in _project_apps():
            continue
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "flatchoices", None) or []:
                seen[f"{model.__name__}.{field.name}"] = seen.get(f"{model.__name__}.{field.name}", []) + [
                    label
                ]
    for app in _project_apps():
        try:
            module = importlib.import_module(f"{app}.choices")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, models.Choices)
                and value.__module__ == module.__name__
            ):
                seen[f"{app}.choices.{name}"] = list(value.labels)
    return seen


def _project_apps() -> set[str]:
    return {
        config.name.split(".")[0] for config in apps.get_app_configs() if not config.name.startswith("django")
    }


@pytest.mark.parametrize("language", ["en", "he"])
def test_no_choice_label_has_a_range_or_signed_number_left_to_the_bidi_algorithm(language):
    with translation.override(language):
        bare = {
            where: str(label)
            for where, labels in _choice_labels().items()
            for label in labels
            if _NUMERIC.search(ISOLATED.sub("", str(label)))
        }
    assert not bare, f"ranges or numbers with units not isolated in choice labels: {bare}"


def test_snapshot_percent_option_in_hebrew_and_english():
    """In a <select> no markup can isolate: the label carries LRI … PDI, so Hebrew reads (0–100),
    never (100–0)."""
    select = forms.Select(choices=ValueType.choices)
    with translation.override("he"):
        html = select.render("value_type", "percent")
    assert f'<option value="percent" selected>אחוז ({LRI}0–100{PDI})</option>' in html
    with translation.override("en"):
        html = select.render("value_type", "percent")
    assert f'<option value="percent" selected>Percent ({LRI}0–100{PDI})</option>' in html


def _period(code: str, opens: date, closes: date) -> ReportingPeriod:
    return ReportingPeriod(code=code, opens_on=opens, closes_on=closes)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"Period {FSI}Q4 2026{PDI} is not open for data yet (from {LRI}2026-10-01{PDI})."),
        ("he", f"התקופה {FSI}רבעון 4, 2026{PDI} עדיין אינה פתוחה לדיווח (תיפתח ב־{LRI}2026-10-01{PDI})."),
    ],
)
def test_snapshot_a_period_not_open_yet(language, expected):
    period = _period("2026-Q4", date(2026, 10, 1), date(2027, 1, 31))
    with translation.override(language):
        assert window_problem(period, today=date(2026, 9, 1)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"Period {FSI}H2 2026{PDI} closed for data on {LRI}2027-01-31{PDI}; ask the backbone staff."),
        (
            "he",
            f"הדיווח לתקופה {FSI}מחצית 2, 2026{PDI} נסגר ב־{LRI}2027-01-31{PDI}; יש לפנות לצוות ארגון השדרה.",
        ),
    ],
)
def test_snapshot_a_closed_period(language, expected):
    period = _period("2026-H2", date(2026, 7, 1), date(2027, 1, 31))
    with translation.override(language):
        assert window_problem(period, today=date(2027, 2, 1)) == expected


def test_a_monthly_period_is_named_by_its_month():
    period = _period("2026-01", date(2026, 1, 1), date(2026, 2, 10))
    with translation.override("he"):
        assert f"{FSI}ינואר 2026{PDI}" in window_problem(period, today=date(2026, 3, 1))
    with translation.override("en"):
        assert f"{FSI}January 2026{PDI}" in window_problem(period, today=date(2026, 3, 1))


def test_snapshot_breakdown_help_in_each_language():
    from measurement.forms import DimensionForm

    with translation.override("he"):
        help_text = str(DimensionForm(initiative=Initiative(pk=1)).fields["members"].help_text)
    assert help_text == (
        'ערך אחד בכל שורה: קוד, שם באנגלית ושם בעברית, מופרדים בתו "|". לדוגמה: '
        f"{LRI}0-5 | Age 0–5 | גילאי 0 עד 5{PDI}."
    )
    with translation.override("en"):
        help_text = str(DimensionForm(initiative=Initiative(pk=1)).fields["members"].help_text)
    assert help_text == (
        "One per line: code, English name, Hebrew name, separated by “|”. For example: "
        f"{LRI}0-5 | Age 0–5 | גילאי 0–5{PDI}."
    )


def test_snapshot_respondents_placeholder_in_each_language():
    from backbone.forms import RespondentsForm

    with translation.override("he"):
        form = RespondentsForm(initiative=Initiative(pk=1))
        assert form.fields["external"].widget.attrs["placeholder"] == f"{LRI}name@example.org{PDI}, שם מלא"
        assert f'placeholder="{LRI}name@example.org{PDI}, שם מלא"' in str(form["external"])
    with translation.override("en"):
        form = RespondentsForm(initiative=Initiative(pk=1))
        assert form.fields["external"].widget.attrs["placeholder"] == f"{LRI}name@example.org{PDI}, Full name"
    # One form's placeholder is not another's: the widget's attributes are copied per form.
    assert RespondentsForm.base_fields["external"].widget.attrs.get("placeholder") is None


def test_snapshot_tie_survey_labels_isolate_names_and_ranges():
    from workgroups.forms import SurveyForm

    others = [Organization(pk=7, name="Southern Families <Foundation>")]
    with translation.override("he"):
        form = SurveyForm(organization=Organization(pk=1, name="א"), others=others)
        labels = {name: str(field.label) for name, field in form.fields.items()}
        assert labels["7-contact"] == f"תדירות הקשר עם {FSI}Southern Families <Foundation>{PDI}"
        assert labels["7-trust"] == f"אמון ב־{FSI}Southern Families <Foundation>{PDI} ({LRI}1–5{PDI})"
        # The label is escaped where it is rendered: a name is text, never markup.
        rendered = form["7-trust"].label_tag()
        assert "&lt;Foundation&gt;" in rendered and "<Foundation>" not in rendered
    with translation.override("en"):
        form = SurveyForm(organization=Organization(pk=1, name="א"), others=others)
        assert str(form.fields["7-value"].label) == (
            f"Value of working with {FSI}Southern Families <Foundation>{PDI} ({LRI}1–5{PDI})"
        )
