"""The demo's backbone records (backbone/demo.py) in each of the demo's two initiatives, written in
the initiative's language: Be'er Sheva's survey waves, respondents, funders, funding, profile,
policy log and community engagement in Hebrew, Riverside's in English (issue #19)."""

import pytest
from django.core.management import call_command

from backbone.models import (
    BackboneProfile,
    CommunityEvent,
    Funder,
    FundingEntry,
    PolicyEntry,
    Respondent,
    SurveyWave,
)
from initiatives.models import Initiative

from ..demo_words import SLUGS, assert_written_in, wrong_language
from .conftest import load_catalogue

pytestmark = pytest.mark.django_db


# What backbone/demo.py writes: (model, lookup to the initiative, fields).
WRITTEN = [
    (SurveyWave, "initiative", ["title"]),
    (Funder, "initiative", ["name"]),
    (FundingEntry, "initiative", ["description"]),
    (BackboneProfile, "initiative", ["structure", "interests", "neutrality"]),
    (PolicyEntry, "initiative", ["title"]),
    (CommunityEvent, "initiative", ["title"]),
]


@pytest.fixture
def demo(eager_tasks):
    from backbone.models import Indicator

    if not Indicator.objects.exists():  # a browser test's flush emptied the catalogue
        load_catalogue()
    call_command("seed_demo", force=True, verbosity=0)
    return {language: Initiative.objects.get(slug=slug) for language, slug in SLUGS.items()}


def test_each_initiative_keeps_its_backbone_records_in_its_language(demo):
    for language, initiative in demo.items():
        assert_written_in(initiative, WRITTEN, language)
        external = Respondent.objects.filter(wave__initiative=initiative, user=None)
        names = list(external.values_list("name", flat=True))
        assert names
        # The respondents without an account are named by the demo (members by their accounts).
        assert not wrong_language({"Respondent.name": names}, language)
    assert [w.title for w in SurveyWave.objects.filter(initiative=demo["he"]).order_by("pk")][-1].startswith(
        "סקר האפקטיביות של ארגון השדרה"
    )
