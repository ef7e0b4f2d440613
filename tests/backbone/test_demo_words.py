"""The demo's backbone records (backbone/demo.py) in each of the demo's two initiatives, written in
the initiative's language: Be'er Sheva's survey waves, respondents, funders, funding, profile,
policy log and community engagement in Hebrew, Riverside's in English (issue #19)."""

import pytest

from backbone.models import (
    BackboneProfile,
    CommunityEvent,
    Funder,
    FundingEntry,
    PolicyEntry,
    Respondent,
    SurveyWave,
)

from ..demo_words import assert_written_in, wrong_language

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
def demo(demo_languages):
    return demo_languages


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
