"""The catalogue ships as data: exactly 27 indicators in 6 functions (4 + 8 + 5 + 4 + 3 + 3), worded
in English and Hebrew exactly as DOMAIN.md section 7; an initiative relabels or adds, the standard
27 keep their number and function."""

import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from backbone import selectors, services
from backbone.choices import RespondentGroup
from backbone.models import BackboneFunction, Indicator, IndicatorLabel, SurveyItem

# DOMAIN.md section 7, copied here so the test runs where ../shared is not checked out.
FUNCTIONS = [
    ("A", "Guide vision and strategy", "גיבוש חזון ואסטרטגיה"),
    ("B", "Support aligned activities", "קידום פעילויות התואמות את המצע המשותף"),
    ("C", "Establish shared measurement practices", "פיתוח מדדים מערכתיים ומדידת מדידה משותפת"),
    ("D", "Build public will", "בניית אהדה קהילתית וציבורית"),
    ("E", "Advance policy", "קידום מדיניות"),
    ("F", "Mobilize funding", "גיוס מימון"),
]
INDICATORS = {
    1: ("A", "Partners accurately describe the common agenda", "השותפים הטמיעו ומתארים את המצע המשותף"),
    2: ("A", "Partners publicly discuss and advocate for common agenda goals", "השותפים מקדמים פומבית את מטרות המצע המשותף"),
    3: ("A", "Partners' individual work is increasingly aligned with the common agenda", "הפעילות הפרטנית של השותפים תואמת את המצע המשותף"),
    4: ("A", "The steering committee and key leaders increasingly look to the backbone for initiative support, strategic guidance and leadership", "ועדת ההיגוי והמובילים מאמינים בארגון המתכלל ומצפים ממנו לתמיכה יזומה, להנחיות אסטרטגיות ולמנהיגות"),
    5: ("B", "Partners articulate their role in the initiative", "השותפים הטמיעו את חלקם ביוזמה"),
    6: ("B", "Relevant stakeholders are engaged in the initiative", "בעלי עניין רלוונטיים מגויסים ליוזמה"),
    7: ("B", "Partners communicate and coordinate efforts regularly, with and independently of the backbone", "השותפים מעדכנים ומתאמים פעילויות יחד עם המתכלל ובנפרד ממנו"),
    8: ("B", "Partners report increasing levels of trust with one another", "השותפים מדווחים על אמון גובר ביניהם"),
    9: ("B", "Partners increase the scope and type of collaborative work", "השותפים משתפרים בעבודה תוך שיתופי פעולה"),
    10: ("B", "Partners improve the quality of their work", "השותפים משפרים את איכות עבודתם"),
    11: ("B", "Partners improve the efficiency of their work", "השותפים משפרים את יעילות עבודתם"),
    12: ("B", "Partners feel supported and recognised in their work", "השותפים מרגישים נתמכים ומוערכים בעבודתם"),
    13: ("C", "A shared data system is in development", "מערך המידע המשותף נמצא בתהליכי פיתוח"),
    14: ("C", "Partners understand the value of shared data", "השותפים מבינים את חשיבות המידע המשותף"),
    15: ("C", "Partners have robust, shared data capacity", "השותפים הגבירו את יכולות איסוף המידע שלהם"),
    16: ("C", "Partners make decisions based on data", "השותפים מקבלים החלטות על בסיס מידע"),
    17: ("C", "Partners use data in meaningful ways", "השותפים משתמשים במידע בדרכים משמעותיות"),
    18: ("D", "Community members are increasingly aware of the issue and the initiative", "הקהילה מודעת ליוזמה ומכירה אותה"),
    19: ("D", "Community members express support for the initiative", "נציגי הקהילה מביעים תמיכה ביוזמה"),
    20: ("D", "Community members feel empowered to engage", "נציגי הקהילה מרגישים מעודדים למעורבות"),
    21: ("D", "Community members increasingly take action", "נציגי הקהילה נוקטים מעורבות פעילה"),
    22: ("E", "Policymakers and influencers are increasingly aware of the initiative", "קובעי מדיניות ומשפיעים מודעים וערים ליוזמה"),
    23: ("E", "Policymakers and influencers advocate for changes aligned with the initiative's goals", "קובעי המדיניות והמשפיעים מסנגרים על שינויים ברוח היוזמה"),
    24: ("E", "Public policy is increasingly aligned with the initiative's goals", "המדיניות הציבורית תואמת יותר את מטרות היוזמה"),
    25: ("F", "Funders ask their grantees to align with the initiative's goals", "המממנים מבקשים מהארגונים איתם בקשר לפעול ברוח מטרות היוזמה"),
    26: ("F", "Funders redirect resources to support the initiative's goals", "המממנים מסיטים משאבים לתמיכה במטרות היוזמה"),
    27: ("F", "New resources from public and private sources flow to partners and the initiative", "מקורות מימון חדשים מופנים לשותפים וליוזמה"),
}  # fmt: skip

DOMAIN = Path(__file__).resolve().parents[3] / "shared" / "DOMAIN.md"

pytestmark = pytest.mark.django_db


def test_exactly_27_standard_indicators_in_six_functions():
    assert (
        list(BackboneFunction.objects.order_by("order").values_list("code", "name_en", "name_he"))
        == FUNCTIONS
    )
    standard = Indicator.objects.filter(initiative=None)
    assert standard.count() == 27
    per_function = [standard.filter(function__code=code).count() for code, *_ in FUNCTIONS]
    assert per_function == [4, 8, 5, 4, 3, 3]
    assert sorted(standard.values_list("number", flat=True)) == list(range(1, 28))


def test_every_indicator_is_worded_exactly_as_the_domain_in_english_and_hebrew():
    stored = {
        i.number: (i.function.code, i.name_en, i.name_he)
        for i in Indicator.objects.filter(initiative=None).select_related("function")
    }
    assert stored == INDICATORS


@pytest.mark.skipif(not DOMAIN.exists(), reason="../shared/DOMAIN.md is not checked out here")
def test_the_copy_in_this_test_is_domain_md_itself():
    section = DOMAIN.read_text(encoding="utf-8").split("## 7.")[1].split("## 8.")[0]
    parsed, function = {}, None
    functions = []
    for line in section.splitlines():
        if m := re.match(r"\*\*([A-F])\. (.+?)\*\* \((.+)\)$", line):
            function = m[1]
            functions.append((m[1], m[2], m[3]))
        elif m := re.match(r"(\d+)\. (.+) \(([^()]+)\)$", line):
            parsed[int(m[1])] = (function, m[2], m[3])
    # Where DOMAIN.md's Hebrew drifted from the source document, the source's words win (issue 19,
    # docs/glossary.md): the source's line 447 and lines 264/448 for functions C and D.
    source_wins = {"C": "פיתוח מדדים מערכתיים ומדידה משותפת", "D": "בניית אהדה ציבורית וקהילתית"}
    assert [(c, en, he) for c, en, he in functions] == [
        (c, en, source_wins.get(c, he)) for c, en, he in FUNCTIONS
    ]
    assert parsed == INDICATORS


def test_the_hebrew_ui_shows_the_hebrew_wording(world):
    indicator = Indicator.objects.get(initiative=None, number=8)
    with translation.override("he"):
        assert indicator.name == "השותפים מדווחים על אמון גובר ביניהם"
        assert indicator.function.name == "קידום פעילויות התואמות את המצע המשותף"
    assert indicator.name == "Partners report increasing levels of trust with one another"


def test_every_indicator_has_items_for_the_groups_that_can_judge_it():
    items = SurveyItem.objects.filter(initiative=None)
    covered = set(items.values_list("indicator__number", flat=True))
    assert covered == set(range(1, 28))
    groups = set(items.values_list("group", flat=True))
    assert groups == set(RespondentGroup.values)
    # The short forms ask only what those groups can judge.
    assert set(items.filter(group="community").values_list("indicator__number", flat=True)) == {
        18,
        19,
        20,
        21,
    }
    assert set(items.filter(group="policymaker").values_list("indicator__number", flat=True)) == {22, 23, 24}
    assert set(items.filter(group="funder").values_list("indicator__number", flat=True)) == {25, 26, 27}
    assert not items.filter(text_he="").exists()


def test_relabelling_keeps_number_and_function_and_only_for_that_initiative(world):
    indicator = Indicator.objects.get(initiative=None, number=5)
    services.indicator_relabel(
        initiative=world.initiative,
        by=world.people["backbone"],
        indicator=indicator,
        name_en="Partners can say what they contribute",
        name_he="השותפים יודעים לומר מה תרומתם",
    )
    mine = {i.number: i for i in selectors.indicators_for(world.initiative)}
    assert mine[5].name == "Partners can say what they contribute"
    assert mine[5].function.code == "B" and mine[5].number == 5
    theirs = {i.number: i for i in selectors.indicators_for(world.other)}
    assert theirs[5].name == "Partners articulate their role in the initiative"
    # An empty wording restores the standard one.
    services.indicator_relabel(
        initiative=world.initiative, by=world.people["backbone"], indicator=indicator, name_en=""
    )
    assert not IndicatorLabel.objects.exists()


def test_own_indicators_are_numbered_after_27_per_initiative(world):
    by = world.people["backbone"]
    function = BackboneFunction.objects.get(code="D")
    first = services.indicator_create(
        initiative=world.initiative, by=by, function=function, name_en="Parents lead"
    )
    second = services.indicator_create(
        initiative=world.initiative, by=by, function=function, name_en="Youth lead"
    )
    other = services.indicator_create(
        initiative=world.other, by=world.people["other_member"], function=function, name_en="Theirs"
    )
    assert (first.number, second.number, other.number) == (28, 29, 28)
    assert [i.number for i in selectors.indicators_for(world.initiative)][-2:] == [28, 29]
    assert 28 not in [
        i.number for i in selectors.indicators_for(world.initiative) if i.initiative_id == world.other.pk
    ]


def test_the_standard_numbers_cannot_be_taken(world):
    function = BackboneFunction.objects.get(code="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(initiative=world.initiative, function=function, number=3, name_en="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(initiative=None, function=function, number=28, name_en="x")


def test_only_backbone_staff_change_the_catalogue(world):
    from django.core.exceptions import PermissionDenied

    indicator = Indicator.objects.get(initiative=None, number=1)
    for name in ("steering", "partner", "viewer"):
        with pytest.raises(PermissionDenied):
            services.indicator_relabel(
                initiative=world.initiative, by=world.people[name], indicator=indicator, name_en="x"
            )


def test_own_items_join_the_bank_of_that_initiative_only(world):
    indicator = Indicator.objects.get(initiative=None, number=20)
    item = services.item_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        indicator=indicator,
        group="community",
        text_en="I was asked for my opinion.",
    )
    assert item in selectors.item_bank(world.initiative)
    assert item not in selectors.item_bank(world.other)
