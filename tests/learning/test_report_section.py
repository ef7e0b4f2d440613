"""The turn-the-curve conversation goes into the progress report of its period."""

import pytest

from communication import reports
from learning.models import CurveStory, CurveWorksheet
from tests.measurement.test_provisional import build_pworld

pytestmark = pytest.mark.django_db


@pytest.fixture
def pworld(world):
    return build_pworld(world)


def test_the_quarters_worksheets_and_stories_are_in_its_report(pworld):
    q3, q4 = pworld.periods[2], pworld.periods[3]
    CurveWorksheet.objects.create(
        initiative=pworld.initiative, measure=pworld.hours, period=q3, story="Fewer tutors after the summer"
    )
    CurveWorksheet.objects.create(
        initiative=pworld.initiative, measure=pworld.hours, period=q4, story="Q4's own"
    )
    CurveStory.objects.create(
        initiative=pworld.initiative, measure=pworld.hours, period=q3, title="Dana's year", text="From 2 to 9"
    )
    snapshot, rendered = reports.build(pworld.initiative, kind="quarter", year=2025, quarter=3, previous=None)
    data = snapshot["sections"]["turn_the_curve"]
    assert [w["story"] for w in data["worksheets"]] == ["Fewer tutors after the summer"]
    assert [s["title"] for s in data["stories"]] == ["Dana's year"]
    (html,) = [r["html"] for r in rendered if r["key"] == "turn_the_curve"]
    assert "Fewer tutors after the summer" in html and "Q4&#x27;s own" not in html
