"""The Hebrew words are the source's (STYLE.md, "Text in two directions"; docs/glossary.md).

The source is the Hebrew review in ../shared/reference/ (DOMAIN.md names it). These tests read it
and compare, word for word, the catalogue's Hebrew with its lines: the 6 backbone functions and
27 indicators (Appendix 1, lines 445–450), the 4 lifecycle phases (lines 290–302), the 5
components (lines 157, 184, 213, 238, 248) and the tiered groups (lines 221–222). Only the typos
listed in TYPOS are corrected; the meaning never is. A missing source fails, it does not skip.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from backbone.migrations import _catalogue_v1 as catalogue
from initiatives.choices import Phase

SOURCE = Path(settings.BASE_DIR).resolve().parent / "shared" / "reference" / "000_88d2c8dd380a7319.txt"
PO = Path(settings.BASE_DIR) / "locale" / "he" / "LC_MESSAGES" / "django.po"

# The source's typos the catalogue corrects (source wording -> catalogue wording), each checked
# below to be still in the source. Nothing else may differ.
TYPOS = {
    "אופן גובר": "אמון גובר",  # indicator 8: "trust", not "manner" (English: levels of trust)
    "בעלי ענין": "בעלי עניין",  # indicator 6: the source's own spelling elsewhere (lines 297, 302)
    "אהדה וקהילתית ציבורית": "אהדה קהילתית וציבורית",  # function D: the misplaced "ו" (cf. line 264)
}

# The terms the platform used before it took the source's (issue 19); no msgstr may contain them.
RETIRED = [
    "אימפקט קולקטיבי",
    "המתכלל",
    "טרום השקה",
    "הנעה לפעולה",
    "התארגנות לאימפקט",
    "יישום וקיום",
    # and their other forms
    "האימפקט הקולקטיבי",
    "ארגון מתכלל",
    "צוות עבודה",
    "צוותי עבודה",
    "צוות העבודה",
    "צוותי העבודה",
    "פעילויות מחזקות הדדית",
]


@pytest.fixture(scope="module")
def source() -> list[str]:
    """The source's lines, numbered from 1 as the glossary cites them (index 0 is unused)."""
    assert SOURCE.is_file(), f"the source document is missing: {SOURCE}"
    return [""] + SOURCE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def po() -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(PO))}


def msgstr(po, msgid: str) -> str:
    assert msgid in po, f"{msgid!r} is not in the catalogue"
    return po[msgid].msgstr


def test_the_source_is_the_one_the_glossary_cites(source):
    assert len(source) - 1 == 455
    assert source[443].startswith("נספח 1: 27 אינדיקטורים לבחינת אפקטיביות העבודה של ארגון השדרה")
    assert source[157] == "מרכיב 1: מצע משותף"


def _appendix(source) -> list[tuple[str, list[str]]]:
    """Appendix 1 (lines 445–450): one line per function, its indicators then its name."""
    functions = []
    for number in range(445, 451):
        line = source[number]
        for wrong, right in TYPOS.items():
            line = line.replace(wrong, right)
        m = re.fullmatch(r'<ul style="list-style-type: none">(.*)\t<p>(.*)</p>', line)
        assert m, f"line {number} is not a row of Appendix 1"
        items = [i.strip() for i in m[1].split(" - ") if i.strip()]
        functions.append((m[2].strip(), items))
    return functions


def test_every_corrected_typo_is_in_the_source(source):
    text = "\n".join(source[445:451])
    for wrong, right in TYPOS.items():
        assert wrong in text, f"{wrong!r} is no longer in the source: drop it from TYPOS"
        assert right not in text


def _functions() -> list[tuple[str, str]]:
    """The functions as the database holds them after every migration (the frozen _catalogue_v1
    and the wording migrations after it, e.g. backbone 0004)."""
    from backbone.models import BackboneFunction

    return list(BackboneFunction.objects.order_by("order").values_list("code", "name_he"))


@pytest.mark.django_db
def test_six_functions_word_for_word(source):
    appendix = _appendix(source)
    assert [name_he for _code, name_he in _functions()] == [name for name, _ in appendix]


@pytest.mark.django_db
def test_twenty_seven_indicators_word_for_word(source):
    appendix = _appendix(source)
    expected = [
        (code, item)
        for (code, _he), (_name, items) in zip(_functions(), appendix, strict=True)
        for item in items
    ]
    assert len(expected) == 27
    assert [(code, name_he) for _number, code, _en, name_he in catalogue.INDICATORS] == expected
    assert [number for number, *_ in catalogue.INDICATORS] == list(range(1, 28))


@pytest.mark.django_db
def test_the_shipped_catalogue_is_the_one_in_the_database():
    from backbone.models import BackboneFunction, Indicator

    # Functions C and D were reworded by migration 0004 (the source's words); the rest as shipped.
    stored = dict(BackboneFunction.objects.values_list("code", "name_he"))
    shipped = {code: name_he for code, _en, name_he in catalogue.FUNCTIONS}
    assert {c: he for c, he in stored.items() if c not in "CD"} == {
        c: he for c, he in shipped.items() if c not in "CD"
    }
    stored = dict(Indicator.objects.filter(initiative=None).values_list("number", "name_he"))
    assert stored == {number: name_he for number, _c, _en, name_he in catalogue.INDICATORS}


PHASES = [  # (source line, ordinal word, msgid)
    (290, "ראשון", "Pre-Launch"),
    (292, "שני", "Initiate Action"),
    (300, "שלישי", "Organize for Impact"),
    (302, "רביעי", "Implementing and Sustaining Impact"),
]


@pytest.mark.parametrize("line,ordinal,msgid", PHASES)
def test_four_phases_as_the_source_names_them(source, po, line, ordinal, msgid):
    m = re.match(rf"שלב {ordinal} – \**(.+?)\** – ", source[line])
    assert m, f"line {line} does not name phase {ordinal}"
    assert msgstr(po, msgid) == m[1]


def test_the_phase_choices_speak_the_source_in_hebrew(source):
    names = [re.match(rf"שלב {o} – \**(.+?)\** – ", source[line])[1] for line, o, _ in PHASES]
    with translation.override("he"):
        assert [str(label) for label in Phase.labels] == names


COMPONENTS = [  # (source line, number, msgid)
    (157, 1, "Common agenda"),
    (184, 2, "Shared measurement"),
    (213, 3, "Mutually reinforcing activities"),
    (238, 4, "Continuous communication"),
]


@pytest.mark.parametrize("line,number,msgid", COMPONENTS)
def test_components_as_the_source_names_them(source, po, line, number, msgid):
    m = re.fullmatch(rf"מרכיב {number}: (.+)", source[line])
    assert m, f"line {line} is not the heading of component {number}"
    assert msgstr(po, msgid) == m[1]


def test_the_fifth_component_is_the_backbone_organisation(source, po):
    # Line 248 names the component "ארגון שדרה לניהול התהליך והובלתו" (a backbone organisation to
    # manage and lead the process); the source calls the organisation itself "ארגון השדרה".
    assert source[248] == "מרכיב 5: ארגון שדרה לניהול התהליך והובלתו"
    assert msgstr(po, "Backbone") == "ארגון השדרה"
    assert msgstr(po, "Backbone staff") == "צוות ארגון השדרה"
    assert "\n".join(source).count("ארגון השדרה") >= 15


def test_steering_committee_and_working_groups(source, po):
    assert source[221].startswith("- **ועדת היגוי** - ")
    assert source[222].startswith("- **קבוצות עבודה** - ")
    assert msgstr(po, "Steering committee") == "ועדת ההיגוי"
    assert msgstr(po, "Working groups") == "קבוצות עבודה"
    assert msgstr(po, "Working group") == "קבוצת עבודה"


def test_collective_impact_is_the_sources_term(source, po):
    assert "\n".join(source).count("קולקטיב אימפקט") >= 80
    assert msgstr(po, "Collective Impact") == "קולקטיב אימפקט"


def test_no_msgstr_uses_a_retired_term(po):
    found = [
        (entry.msgid, term)
        for entry in po.values()
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        for term in RETIRED
        if term in text
    ]
    assert found == []


@pytest.mark.django_db
def test_the_survey_items_and_functions_use_the_sources_terms():
    # The indicators quote Appendix 1, which itself says "המתכלל" twice (lines 445, 446); the
    # survey statements are the platform's own words and use the source's term.
    from backbone.models import SurveyItem

    texts = list(SurveyItem.objects.filter(initiative=None).values_list("text_he", flat=True))
    texts += [he for _code, he in _functions()]
    assert [(t, term) for t in texts for term in RETIRED if term in t] == []
