"""The demo (`manage.py seed_demo`, issue #19) is a whole initiative in each language: Cradle to Career
Be'er Sheva written in Hebrew, Cradle to Career Riverside in English, of the same structure, seen by
the same demo accounts.

The texts are not listed by hand: every text field of every model of the initiative's components
that leads to the initiative (directly or through one foreign key) is read, so that a component's
demo that adds English to the Hebrew initiative, or the reverse, is found the day it does. The
fields that are not written words (codes, keys, languages, formulas, addresses) and the English
name a bilingual measure has beside its Hebrew one are listed in NOT_WORDS, each with its reason.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.db import models

from initiatives.choices import Phase
from initiatives.management.commands.seed_demo import CONTENT, PEOPLE, SECOND
from initiatives.models import Initiative
from initiatives.selectors import initiatives_visible_to

pytestmark = pytest.mark.django_db

HEBREW_SLUG, ENGLISH_SLUG = CONTENT["he"]["initiative"]["slug"], CONTENT["en"]["initiative"]["slug"]
COMPONENTS = (
    "initiatives",
    "agenda",
    "measurement",
    "workgroups",
    "communication",
    "backbone",
    "learning",
    "webhooks",
)
NOT_WORDS = {
    # The English name of a bilingual name: the Hebrew initiative's measures and breakdowns have
    # both (name_he is checked); the English initiative's have no Hebrew one.
    "measurement.SharedMeasure.name_en": "the English one of two names",
    "measurement.Dimension.name_en": "the English one of two names",
    "measurement.DimensionMember.name_en": "the English one of two names",
    "measurement.SharedMeasure.formula": "measure codes and arithmetic",
    "measurement.FormulaVersion.formula": "measure codes and arithmetic",
    "agenda.Endorsement.role": "a role's key, stored as it was when endorsed",
    "backbone.Respondent.key": "a random key",
    "backbone.Response.language": "a language code",
    "communication.Notification": "messages to people, in the reader's language when read or sent",
    "communication.ProgressReport.language": "a language code",
    "communication.Document.original_name": "a file name",
    "communication.Document.content_type": "a media type",
    "communication.Document.sha256": "a checksum",
    "learning.Risk.catalogue_key": "a key into the risk catalogue",
    "webhooks.Subscription.secret": "a random secret",
}
# Names of people: the demo people are Israeli and their names are written in Hebrew in both
# initiatives (initiatives/management/commands/seed_demo.py, PEOPLE).
PEOPLE_NAMES = {"backbone.Respondent.name", "workgroups.SteeringCommitteeSeat.person_name"}
# Words a Hebrew text may hold: names of formats.
ALLOWED_LATIN = {"PDF", "CSV", "Excel", "API"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
HEBREW = re.compile(r"[\u0590-\u05FF]")
SKIPPED_TYPES = (models.SlugField, models.URLField, models.EmailField, models.FilePathField)


@pytest.fixture
def demo(demo_languages):
    return demo_languages


def _path_to_initiative(model, depth: int = 2) -> str | None:
    """The lookup from a model's rows to their initiative: its own foreign key, or one a step away."""
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is Initiative:  # a foreign key or one-to-one
            return field.name
    if depth > 1:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if not field.is_relation or target is model:
                continue
            if target._meta.app_label in COMPONENTS and (rest := _path_to_initiative(target, depth - 1)):
                return f"{field.name}__{rest}"
    return None


def _models():
    for model in apps.get_models():
        if model._meta.app_label not in COMPONENTS or model._meta.label in NOT_WORDS:
            continue
        if model is Initiative or _path_to_initiative(model) is not None:
            yield model


def _rows(model, initiative):
    if model is Initiative:
        return Initiative.objects.filter(pk=initiative.pk)
    return model._default_manager.filter(**{_path_to_initiative(model): initiative})


def texts(initiative) -> dict[str, list[str]]:
    """Every written text of the initiative, by "app.Model.field"."""
    found: dict[str, list[str]] = {}
    for model in _models():
        for field in model._meta.concrete_fields:
            key = f"{model._meta.label}.{field.name}"
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, SKIPPED_TYPES)
                and not field.choices
                and key not in NOT_WORDS
            ):
                found[key] = [v for v in _rows(model, initiative).values_list(field.name, flat=True) if v]
    return found


def counts(initiative) -> dict[str, int]:
    return {model._meta.label: _rows(model, initiative).count() for model in _models()}


def test_the_beer_sheva_initiative_is_written_in_hebrew(demo):
    initiative = demo["he"]
    found = texts(initiative)
    english = [
        f"{key}: {value!r}"
        for key, values in found.items()
        for value in values
        if set(LATIN_WORD.findall(value)) - ALLOWED_LATIN
    ]
    assert not english, f"{len(english)} texts of the Hebrew initiative in English:\n" + "\n".join(
        english[:40]
    )
    # Every kind of content is there, and in Hebrew letters.
    for key in (
        "initiatives.Initiative.name",
        "initiatives.Initiative.issue",
        "initiatives.Initiative.place",
        "initiatives.Milestone.evidence",
        "agenda.AgendaVersion.problem_statement",
        "agenda.StrategyItem.title",
        "measurement.SharedMeasure.name_he",
        "measurement.SharedMeasure.definition",
        "measurement.ReportCard.title",
        "workgroups.WorkingGroup.name",
        "communication.Meeting.title",
        "communication.Document.title",
        "communication.Post.title",
    ):
        assert found.get(key) and all(HEBREW.search(v) for v in found[key]), key
    organizations = [p.organization.name for p in initiative.participations.select_related("organization")]
    assert organizations and all(HEBREW.search(name) for name in organizations)
    second = Initiative.objects.get(slug=SECOND["slug"])
    assert all(HEBREW.search(text) for text in (second.name, second.issue, second.place))


def test_the_english_initiative_has_no_hebrew(demo):
    found = texts(demo["en"])
    hebrew = [
        f"{key}: {value!r}"
        for key, values in found.items()
        if key not in PEOPLE_NAMES
        for value in values
        if HEBREW.search(value)
    ]
    assert not hebrew, f"{len(hebrew)} texts of the English initiative in Hebrew:\n" + "\n".join(hebrew[:40])
    assert found["initiatives.Initiative.name"] == ["Cradle to Career Riverside"]
    assert not found["measurement.SharedMeasure.name_he"]  # English names only
    organizations = [p.organization.name for p in demo["en"].participations.select_related("organization")]
    assert organizations and not any(HEBREW.search(name) for name in organizations)


def test_the_two_initiatives_have_the_same_structure(demo):
    hebrew, english = counts(demo["he"]), counts(demo["en"])
    assert hebrew == english
    for label in (
        "measurement.SharedMeasure",
        "measurement.DataValue",
        "workgroups.WorkingGroup",
        "communication.Meeting",
        "communication.Document",
        "communication.Post",
    ):
        assert hebrew[label] > 0, label
    assert [i.phase for i in demo.values()] == [Phase.ORGANIZE_FOR_IMPACT] * 2


def test_the_same_accounts_are_members_of_both_with_the_same_roles(demo, django_user_model):
    for username, _first, _last, index, role in PEOPLE:
        user = django_user_model.objects.get(username=username)
        visible = set(initiatives_visible_to(user).values_list("slug", flat=True))
        assert {HEBREW_SLUG, ENGLISH_SLUG} <= visible, username
        for language, initiative in demo.items():
            membership = user.memberships.get(initiative=initiative)
            assert membership.role == role, (username, language)
            assert membership.organization.name == CONTENT[language]["organizations"][index][0]


def test_loading_the_demo_again_says_so_and_loads_nothing(demo):
    """A second `manage.py seed_demo` ended in a ValidationError's traceback."""
    from django.core.management import CommandError, call_command

    before = Initiative.objects.count()
    with pytest.raises(CommandError, match="The demo was not loaded: An initiative with this short name"):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    assert Initiative.objects.count() == before
